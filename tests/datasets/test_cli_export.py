"""`promptweight export` through its argparse wiring: exit codes, messages, files."""

from __future__ import annotations

import argparse
import errno
import json
import os
from pathlib import Path
from typing import Any

import pytest

from server.cli_export import add_export_command, run_export

TRANSLATE = "system:\nTranslate.\n\nInput: cat\nOutput: chat\n\nInput: dog\nOutput: chien\n"
GREET = "system:\nGreet.\nuser:\nhi {{name}}\nassistant:\nhello\nuser:\n{{live}}\n"
NO_EXAMPLES = "system:\nBe brief.\nuser:\n{{question}}\n"


def export(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="promptweight")
    add_export_command(parser.add_subparsers(dest="command", required=True))
    return run_export(parser.parse_args(["export", *argv]))


def prompt(folder: Path, name: str, text: str) -> str:
    (folder / name).write_text(text, encoding="utf-8")
    return str(folder / name)


def read_records(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_prompts_merge_into_one_dataset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "train.jsonl"
    translate, greet = (
        prompt(tmp_path, "t.prompty", TRANSLATE),
        prompt(tmp_path, "g.prompty", GREET),
    )
    assert export(translate, greet, "-o", str(out)) == 0
    assert [r["messages"][-2:] for r in read_records(out)] == [
        [{"role": "user", "content": u}, {"role": "assistant", "content": a}]
        for u, a in [("cat", "chat"), ("dog", "chien"), ("hi {{name}}", "hello")]
    ]
    printed = capsys.readouterr().out
    assert f"{translate}: 2 examples" in printed
    assert f"{greet}: 1 example\n" in printed
    assert f"wrote 3 records to {out}" in printed


def test_variables_warning_names_file_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    greet = prompt(tmp_path, "g.prompty", GREET)
    assert export(greet, "-o", str(tmp_path / "out.jsonl")) == 0
    assert f"{greet}:3:1: warning[example-has-variables]: " in capsys.readouterr().out


def test_format_and_system_options_reach_the_records(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    translate = prompt(tmp_path, "t.prompty", TRANSLATE)
    assert export(translate, "-o", str(out), "--format", "alpaca", "--system", "keep") == 0
    assert read_records(out)[0] == {
        "instruction": TRANSLATE.removeprefix("system:\n").strip(),
        "input": "cat",
        "output": "chat",
    }


def test_no_examples_exports_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    assert export(prompt(tmp_path, "n.prompty", NO_EXAMPLES), "-o", str(out)) == 1
    assert "no few-shot examples" in capsys.readouterr().err
    assert not out.exists()


def test_unreadable_prompt_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.jsonl"
    translate = prompt(tmp_path, "t.prompty", TRANSLATE)
    assert export(translate, str(tmp_path / "absent.prompty"), "-o", str(out)) == 2
    assert "cannot read" in capsys.readouterr().err
    assert not out.exists()


def test_existing_output_needs_append_or_force(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"old\n")
    assert export(prompt(tmp_path, "t.prompty", TRANSLATE), "-o", str(out)) == 2
    error = capsys.readouterr().err
    assert "already exists" in error
    assert "--append" in error
    assert "--force" in error
    assert out.read_bytes() == b"old\n"


def test_append_and_force_exclude_each_other(tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exit_:
        export("a.prompty", "-o", str(tmp_path / "o.jsonl"), "--append", "--force")
    assert exit_.value.code == 2


def test_append_skips_records_already_there(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.jsonl"
    translate, greet = (
        prompt(tmp_path, "t.prompty", TRANSLATE),
        prompt(tmp_path, "g.prompty", GREET),
    )
    assert export(translate, "-o", str(out)) == 0
    capsys.readouterr()
    assert export(translate, greet, "-o", str(out), "--append") == 0
    assert len(read_records(out)) == 3
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == f"wrote 1 record to {out}, skipped 2 already there or repeated"


def test_force_replaces_the_output(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"old\n")
    assert export(prompt(tmp_path, "g.prompty", GREET), "-o", str(out), "--force") == 0
    assert len(read_records(out)) == 1


def test_failed_write_keeps_the_old_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out.jsonl"
    out.write_bytes(b"old\n")

    def disk_full(source: Any, target: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", disk_full)
    assert export(prompt(tmp_path, "t.prompty", TRANSLATE), "-o", str(out), "--force") == 1
    assert "No space left on device" in capsys.readouterr().err
    assert out.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.jsonl", "t.prompty"]


def test_missing_output_folder_fails_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "absent" / "out.jsonl"
    assert export(prompt(tmp_path, "t.prompty", TRANSLATE), "-o", str(out)) == 1
    assert "does not exist" in capsys.readouterr().err


def test_output_cannot_be_one_of_the_prompts(tmp_path: Path) -> None:
    translate = prompt(tmp_path, "t.prompty", TRANSLATE)
    assert export(translate, "-o", translate, "--force") == 2
    assert Path(translate).read_text(encoding="utf-8") == TRANSLATE


def test_invalid_utf8_is_exported_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "t.prompty").write_bytes(TRANSLATE.replace("cat", "c\xffat").encode("latin-1"))
    assert export(str(tmp_path / "t.prompty"), "-o", str(tmp_path / "out.jsonl")) == 0
    assert "warning[invalid-utf8]" in capsys.readouterr().out
