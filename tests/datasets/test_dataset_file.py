"""The dataset on disk: round trip, append without duplicates, atomic writes and failures."""

from __future__ import annotations

import errno
import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.core.datasets.dataset_file import (
    DatasetExistsError,
    DatasetWriteError,
    WriteMode,
    existing_keys,
    inside,
    new_lines,
    write_dataset,
)
from server.core.datasets.export import dataset_records, jsonl_line, record_key
from server.core.prompt_parser import parse_prompt

OLD = b'{"prompt": "old", "completion": "kept"}\n{"not json\n\n'


def lines_of(*records: dict[str, Any]) -> list[str]:
    return [jsonl_line(r) for r in records]


def record(prompt: str) -> dict[str, Any]:
    return {"prompt": prompt, "completion": "x"}


def read_records(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    path = tmp_path / "train.jsonl"
    path.write_bytes(OLD)
    return path


TRICKY = [
    "emoji 😀👩‍👩‍👧 and ünïcödé",
    "several\nlines\n\n  indented",
    "quotes \"double\" and 'single'",
    "back\\slash \\n not a newline \\u0041",
    "</script><script>alert(1)</script>",
    "tab\tand\u2028line separator",
]


@pytest.mark.parametrize("text", TRICKY)
def test_round_trip_keeps_examples_byte_for_byte(tmp_path: Path, text: str) -> None:
    prompt = f"system:\nBe exact.\nuser:\n{text}\nassistant:\n{text} back\nuser:\nlive"
    document = parse_prompt("a.prompty", prompt)
    assert document is not None
    example = document.examples[0]
    records, _ = dataset_records(document)
    path = tmp_path / "out.jsonl"
    write_dataset(path, lines_of(*records), "create")
    [read] = read_records(path)
    assert [t["content"] for t in read["messages"][1:]] == [example.input, example.output]
    assert (example.input, example.output) == (text, f"{text} back")


def test_existing_keys_skips_blank_and_broken_lines(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"b": 2, "a": 1}\n\n  \nnot json\n[[[\n{"c": 3}\r\n')
    assert existing_keys(path) == {record_key({"a": 1, "b": 2}), record_key({"c": 3})}


def test_existing_keys_of_a_missing_file_is_empty(tmp_path: Path) -> None:
    assert existing_keys(tmp_path / "absent.jsonl") == set()


def test_new_lines_drops_records_present_or_repeated() -> None:
    keys = {record_key(record("old"))}
    records = [record("old"), record("new"), record("new"), record("other")]
    assert new_lines(records, keys) == lines_of(record("new"), record("other"))


def test_create_writes_a_new_file(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    result = write_dataset(path, lines_of(record("a"), record("b")), "create")
    assert (result.written, result.skipped) == (2, 0)
    assert path.read_text(encoding="utf-8") == "\n".join(lines_of(record("a"), record("b"))) + "\n"


def test_create_refuses_an_existing_file(dataset: Path) -> None:
    with pytest.raises(DatasetExistsError, match=r"--append .* --force"):
        write_dataset(dataset, lines_of(record("a")), "create")
    assert dataset.read_bytes() == OLD


def test_force_replaces_and_keeps_permissions(dataset: Path) -> None:
    dataset.chmod(0o640)
    write_dataset(dataset, lines_of(record("a")), "force")
    assert read_records(dataset) == [record("a")]
    assert stat.S_IMODE(dataset.stat().st_mode) == 0o640


def test_new_file_permissions_follow_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        write_dataset(tmp_path / "d.jsonl", lines_of(record("a")), "create")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "d.jsonl").stat().st_mode) == 0o640


def test_append_adds_only_new_records_after_the_old_bytes(dataset: Path) -> None:
    old = json.loads(OLD.splitlines()[0])
    result = write_dataset(dataset, lines_of(old, record("new"), record("new")), "append")
    assert (result.written, result.skipped) == (1, 2)
    assert dataset.read_bytes() == OLD + (jsonl_line(record("new")) + "\n").encode()


def test_append_twice_never_writes_a_record_twice(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    lines = lines_of(record("a"), record("b"))
    write_dataset(path, lines, "append")
    before = path.stat()
    result = write_dataset(path, lines, "append")
    assert (result.written, result.skipped) == (0, 2)
    assert read_records(path) == [record("a"), record("b")]
    assert path.stat().st_mtime_ns == before.st_mtime_ns  # nothing new: not even rewritten


def test_append_ends_an_unterminated_last_line_first(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text(jsonl_line(record("a")), encoding="utf-8")
    write_dataset(path, lines_of(record("b")), "append")
    assert read_records(path) == [record("a"), record("b")]


def test_a_write_never_goes_through_a_symlink(tmp_path: Path) -> None:
    real, link = tmp_path / "real.jsonl", tmp_path / "link.jsonl"
    real.write_bytes(OLD)
    link.symlink_to(real)
    with pytest.raises(DatasetWriteError, match="symbolic link"):
        write_dataset(link, lines_of(record("a")), "force")
    assert link.is_symlink() and real.read_bytes() == OLD


def folder_contents(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture
def read_only_folder(dataset: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The dataset's folder made read-only. Root writes anyway, so there the refusal the
    system would give is simulated at the last step, after the temporary file is written."""
    folder = dataset.parent
    folder.chmod(0o555)
    probe = folder / "probe"
    try:
        probe.touch()
    except PermissionError:
        pass
    else:
        probe.unlink()

        def refuse(source: Any, target: Any) -> None:
            raise OSError(errno.EACCES, os.strerror(errno.EACCES))

        monkeypatch.setattr(os, "replace", refuse)
    try:
        yield folder
    finally:
        folder.chmod(0o755)


@pytest.mark.parametrize("mode", ["force", "append"])
def test_read_only_folder_leaves_the_old_file_and_no_temporary(
    dataset: Path, read_only_folder: Path, mode: WriteMode
) -> None:
    with pytest.raises(DatasetWriteError, match=r"cannot write .*: Permission denied"):
        write_dataset(dataset, lines_of(record("a")), mode)
    assert dataset.read_bytes() == OLD
    assert folder_contents(read_only_folder) == [dataset.name]


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetWriteError, match=r"folder .*absent does not exist"):
        write_dataset(tmp_path / "absent" / "d.jsonl", lines_of(record("a")), "create")


def test_a_folder_is_not_a_dataset(tmp_path: Path) -> None:
    with pytest.raises(DatasetWriteError, match="it is a folder"):
        write_dataset(tmp_path, lines_of(record("a")), "force")


# append copies the old bytes first, then writes the records: fail on the records.
@pytest.mark.parametrize(("mode", "failing_write"), [("force", 1), ("append", 2)])
def test_disk_full_mid_write_leaves_the_old_file(
    dataset: Path, monkeypatch: pytest.MonkeyPatch, mode: WriteMode, failing_write: int
) -> None:
    real_write = os.write
    writes = 0

    def fill_disk(descriptor: int, data: bytes) -> int:
        nonlocal writes
        writes += 1
        if writes == failing_write:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(descriptor, data)

    monkeypatch.setattr(os, "write", fill_disk)
    with pytest.raises(DatasetWriteError, match="No space left on device"):
        write_dataset(dataset, lines_of(record("a")), mode)
    monkeypatch.undo()
    assert dataset.read_bytes() == OLD
    assert folder_contents(dataset.parent) == [dataset.name]


def test_failure_on_a_new_file_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(source: Any, target: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(DatasetWriteError):
        write_dataset(tmp_path / "d.jsonl", lines_of(record("a")), "create")
    assert folder_contents(tmp_path) == []


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("d.jsonl", True),
        ("sub/new/d.jsonl", True),
        (".", True),
        ("../outside.jsonl", False),
        ("sub/../../outside.jsonl", False),
        ("escape/d.jsonl", False),  # `escape` links out of the root
    ],
)
def test_inside_follows_symlinks(tmp_path: Path, relative: str, expected: bool) -> None:
    root, elsewhere = tmp_path / "root", tmp_path / "elsewhere"
    root.mkdir()
    elsewhere.mkdir()
    (root / "escape").symlink_to(elsewhere)
    assert inside(root / relative, root) is expected
