"""`promptweight check`: what CI pipelines run. Each case runs the real console script."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from server.core.encodings import get_encoding
from shared_schemas import CheckReport

PROMPTWEIGHT = str(Path(sys.executable).parent / "promptweight")


def check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PROMPTWEIGHT, "check", *args], capture_output=True, text=True, check=False
    )


def check_json(*args: str) -> tuple[int, CheckReport]:
    result = check("--format", "json", *args)
    return result.returncode, CheckReport.model_validate_json(result.stdout)


def test_json_report_counts_each_message_with_tiktoken(tmp_path: Path) -> None:
    (tmp_path / "a.prompty").write_text("---\nname: t\n---\nsystem:\nBe brief.\nuser:\nHi there")
    status, report = check_json(str(tmp_path / "a.prompty"))
    assert status == 0
    o200k = get_encoding("o200k_base")
    file = report.files[0]
    assert [(m.role, m.content_tokens) for m in file.messages] == [
        ("system", len(o200k.encode_ordinary("Be brief."))),
        ("user", len(o200k.encode_ordinary("Hi there"))),
    ]
    assert file.prompt_tokens == sum(m.content_tokens for m in file.messages)
    assert file.format == "prompty"


def test_plain_text_prompt_is_one_message_of_its_whole_text(tmp_path: Path) -> None:
    text = "\n  Summarise this article in three bullet points: {{article}}\n"
    (tmp_path / "a.prompt").write_text(text)
    _, report = check_json(str(tmp_path / "a.prompt"))
    o200k = get_encoding("o200k_base")
    assert report.files[0].prompt_tokens == len(o200k.encode_ordinary(text.strip()))


def test_json_uses_camel_case_field_names(tmp_path: Path) -> None:
    (tmp_path / "a.prompt").write_text("hello")
    result = check("--format", "json", str(tmp_path / "a.prompt"))
    assert set(json.loads(result.stdout)["files"][0]) == {
        "path",
        "format",
        "model",
        "encoding",
        "exact",
        "messages",
        "fewShotExamples",
        "variables",
        "promptTokens",
        "diagnostics",
        # the figures of issue 4
        "modelId",
        "overheadTokens",
        "toolTokens",
        "inputTokens",
        "fewShotTokens",
        "contextWindow",
        "maxOutputTokens",
        "budgetTokens",
        "saturation",
        "costPerCallUsd",
        "callsPerDay",
        "costPerMonthUsd",
        "breakdown",
    }


def test_examples_and_variables_are_reported_with_ranges(tmp_path: Path) -> None:
    text = "system:\nInput: cat\nOutput: feline\n\nuser:\nInput: {{word}}\nOutput:"
    (tmp_path / "a.prompty").write_text(text)
    _, report = check_json(str(tmp_path / "a.prompty"))
    file = report.files[0]
    assert [(e.kind, e.input, e.output) for e in file.few_shot_examples] == [
        ("input-output", "cat", "feline")
    ]
    assert [(v.name, v.range.start.line) for v in file.variables] == [("word", 5)]


def test_folder_is_searched_for_prompt_files_only(tmp_path: Path) -> None:
    chat = "- role: user\n  content: hi\n"
    files = {
        "x.prompty": "hi",
        "notes.txt": "hi",
        "deep/y.prompt.md": "hi",
        "deep/z.chat.yaml": chat,
        "data.json": "[]",
    }
    for name, content in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(content)
    _, report = check_json(str(tmp_path))
    names = sorted(Path(f.path).relative_to(tmp_path).as_posix() for f in report.files)
    assert names == ["deep/y.prompt.md", "deep/z.chat.yaml", "x.prompty"]


def test_model_option_selects_the_tokenizer(tmp_path: Path) -> None:
    (tmp_path / "a.prompt").write_text("hello world")
    _, report = check_json("--model", "gpt-4", str(tmp_path / "a.prompt"))
    assert (report.files[0].encoding, report.files[0].exact) == ("cl100k_base", True)


def test_unknown_model_is_approximate_and_labelled(tmp_path: Path) -> None:
    (tmp_path / "a.prompt").write_text("hello world")
    status, report = check_json("--model", "claude-sonnet-4-5", str(tmp_path / "a.prompt"))
    assert status == 0 and not report.files[0].exact
    assert [d.code for d in report.files[0].diagnostics] == ["approximate-count"]
    assert "≈" in check("--model", "claude-sonnet-4-5", str(tmp_path / "a.prompt")).stdout


BAD_FILES = [
    # file name, content, diagnostic code, severity, exit status
    ("missing.prompty", None, "unreadable", "error", 1),
    ("binary.prompt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary", "error", 1),
    ("latin1.prompty", b"caf\xe9 au lait", "invalid-utf8", "warning", 0),
]


@pytest.mark.parametrize(("name", "content", "code", "severity", "status"), BAD_FILES)
def test_bad_file_gets_a_diagnostic_and_exit_status(
    tmp_path: Path, name: str, content: bytes | None, code: str, severity: str, status: int
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    exit_status, report = check_json(str(path))
    assert exit_status == status
    assert [(d.code, d.severity) for d in report.files[0].diagnostics] == [(code, severity)]


def test_invalid_utf8_diagnostic_points_at_the_byte(tmp_path: Path) -> None:
    (tmp_path / "a.prompt").write_bytes(b"line one\nsay caf\xe9\n")
    _, report = check_json(str(tmp_path / "a.prompt"))
    start = report.files[0].diagnostics[0].range.start
    assert (start.line, start.character) == (1, 7)
    assert report.files[0].prompt_tokens is not None


def test_large_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.prompt"
    with path.open("wb") as f:
        f.truncate(50 * 1024 * 1024)  # sparse: 50 MB of NULs that cost no disk
    status, report = check_json(str(path))
    assert status == 1
    assert [d.code for d in report.files[0].diagnostics] == ["too-large"]


def test_one_bad_file_does_not_hide_the_others(tmp_path: Path) -> None:
    (tmp_path / "good.prompt").write_text("hello")
    status, report = check_json(str(tmp_path / "missing.prompt"), str(tmp_path / "good.prompt"))
    assert status == 1
    assert [f.prompt_tokens for f in report.files] == [None, 1]


def test_text_output_is_a_readable_table(tmp_path: Path) -> None:
    (tmp_path / "a.prompt").write_text("hello world")
    result = check(str(tmp_path / "a.prompt"))
    assert result.returncode == 0
    # One call sends the content (2 tokens) and the chat overhead (one message: 3 + 3).
    words = ["8", "input", "tokens", "2", "content", "tokens", "o200k_base"]
    assert result.stdout.split()[:7] == words


@pytest.mark.parametrize(
    "args", [["check"], ["check", "--format", "xml", "a"], ["check", "--max-characters", "0", "a"]]
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = subprocess.run([PROMPTWEIGHT, *args], capture_output=True, text=True, check=False)
    assert result.returncode == 2 and "error" in result.stderr


def test_a_reader_that_leaves_early_gets_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "long.prompty"
    path.write_text("user:\nhello\n" * 20_000)
    process = subprocess.Popen(
        [PROMPTWEIGHT, "check", "--format", "json", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(10)
    process.stdout.close()  # as `| head -c 10` does
    assert process.wait(timeout=60) == 1
    assert b"Traceback" not in process.stderr.read()


def test_a_folder_piped_to_a_reader_that_is_already_gone_ends_quietly(tmp_path: Path) -> None:
    # `check --format json DIR | head`: with a small report every write stays buffered, so the
    # broken pipe shows only at the last flush, after the files were checked.
    for number in range(3):
        (tmp_path / f"p{number}.prompty").write_text(f"user:\nhello {number}\n")
    process = subprocess.Popen(
        [PROMPTWEIGHT, "check", "--format", "json", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.close()
    assert process.wait(timeout=60) == 1
    assert process.stderr.read() == b""


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("settings.chat.json", '{"temperature": 0.2}'),
        ("list.chat.json", '[{"input": "hi", "output": "hello"}]'),
        ("settings.chat.yaml", "temperature: 0.2\n"),
        ("scalar.chat.yml", "just some text\n"),
    ],
)
def test_a_chat_named_file_without_messages_is_an_error(
    tmp_path: Path, name: str, text: str
) -> None:
    (tmp_path / name).write_text(text)
    status, report = check_json(str(tmp_path))
    assert status == 1 and report.skipped == []
    [file] = report.files
    assert [(d.severity, d.code) for d in file.diagnostics] == [("error", "not-chat")]
    assert file.prompt_tokens is None


def test_json_or_yaml_not_named_as_chat_without_messages_stays_skipped(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{"name": "x"}')
    (tmp_path / "ci.yaml").write_text("on: push\n")
    status, report = check_json(str(tmp_path / "package.json"), str(tmp_path / "ci.yaml"))
    assert status == 0 and report.files == []
    assert [Path(s.path).name for s in report.skipped] == ["package.json", "ci.yaml"]
