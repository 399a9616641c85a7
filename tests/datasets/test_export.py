"""Few-shot examples to fine-tuning records: formats, system text, warnings."""

from __future__ import annotations

import json
from typing import Any

import pytest

from server.core.datasets.export import (
    DatasetFormat,
    ExportOptions,
    SystemHandling,
    dataset_records,
    jsonl_line,
    record_key,
    system_text,
)
from server.core.prompt_model import PromptDocument
from server.core.prompt_parser import parse_prompt


def parse(text: str, name: str = "a.prompty") -> PromptDocument:
    document = parse_prompt(name, text)
    assert document is not None
    return document


def records(
    text: str, format: DatasetFormat = "openai", system: SystemHandling = "strip"
) -> list[dict[str, Any]]:
    found, _ = dataset_records(parse(text), ExportOptions(format=format, system=system))
    return found


# One in-text example in the system message, one chat pair after it.
PROMPT = (
    "system:\nTranslate to French.\n\nInput: cat\nOutput: chat\n\nuser:\ndog\n"
    "assistant:\nchien\nuser:\n{{word}}"
)
FULL = "Translate to French.\n\nInput: cat\nOutput: chat"
STRIPPED = "Translate to French."

RECORDS = [
    (
        "openai",
        "strip",
        {
            "messages": [
                {"role": "system", "content": STRIPPED},
                {"role": "user", "content": "cat"},
                {"role": "assistant", "content": "chat"},
            ]
        },
    ),
    (
        "openai",
        "keep",
        {
            "messages": [
                {"role": "system", "content": FULL},
                {"role": "user", "content": "cat"},
                {"role": "assistant", "content": "chat"},
            ]
        },
    ),
    (
        "openai",
        "omit",
        {
            "messages": [
                {"role": "user", "content": "cat"},
                {"role": "assistant", "content": "chat"},
            ]
        },
    ),
    ("prompt-completion", "strip", {"prompt": f"{STRIPPED}\n\ncat", "completion": "chat"}),
    ("prompt-completion", "keep", {"prompt": f"{FULL}\n\ncat", "completion": "chat"}),
    ("prompt-completion", "omit", {"prompt": "cat", "completion": "chat"}),
    ("alpaca", "strip", {"instruction": STRIPPED, "input": "cat", "output": "chat"}),
    ("alpaca", "keep", {"instruction": FULL, "input": "cat", "output": "chat"}),
    ("alpaca", "omit", {"instruction": "", "input": "cat", "output": "chat"}),
    (
        "sharegpt",
        "strip",
        {
            "conversations": [
                {"from": "system", "value": STRIPPED},
                {"from": "human", "value": "cat"},
                {"from": "gpt", "value": "chat"},
            ]
        },
    ),
    (
        "sharegpt",
        "keep",
        {
            "conversations": [
                {"from": "system", "value": FULL},
                {"from": "human", "value": "cat"},
                {"from": "gpt", "value": "chat"},
            ]
        },
    ),
    (
        "sharegpt",
        "omit",
        {
            "conversations": [
                {"from": "human", "value": "cat"},
                {"from": "gpt", "value": "chat"},
            ]
        },
    ),
]


@pytest.mark.parametrize(("format", "system", "expected"), RECORDS)
def test_first_record_in_each_format(
    format: DatasetFormat, system: SystemHandling, expected: dict[str, Any]
) -> None:
    assert records(PROMPT, format, system)[0] == expected


def test_one_record_per_example_in_document_order() -> None:
    found = records(PROMPT, "alpaca", "omit")
    assert [(r["input"], r["output"]) for r in found] == [("cat", "chat"), ("dog", "chien")]


SYSTEM_TEXTS = [
    # strip: examples of every kind leave; the blank lines they leave behind become one
    ("system:\nBe brief.\n\nInput: a\nOutput: b\n\n\nRest.", "strip", "Be brief.\n\nRest."),
    (
        "system:\nBe brief.\n<example><input>a</input><output>b</output></example>\n"
        "<example><input>c</input><output>d</output></example>\nRest.",
        "strip",
        "Be brief.\n\nRest.",
    ),
    ("system:\nQ: a?\nA: b\n\nBe brief.", "strip", "Be brief."),
    ("system:\nIntro:\n\nInput: a\nOutput: b\n\n  - indented", "strip", "Intro:\n\n  - indented"),
    # blank-line runs the examples did not leave stay as written
    ("system:\nOne.\n\n\n\nTwo.\nInput: a\nOutput: b", "strip", "One.\n\n\n\nTwo."),
    # keep: as written
    ("system:\nBe brief.\n\nInput: a\nOutput: b", "keep", "Be brief.\n\nInput: a\nOutput: b"),
    # omit: nothing
    ("system:\nBe brief.\n\nInput: a\nOutput: b", "omit", ""),
    # several system messages join with a blank line
    (
        "system:\nOne.\nInput: a\nOutput: b\nuser:\nhi\nsystem:\nTwo.\nuser:\nlive",
        "strip",
        "One.\n\nTwo.",
    ),
    # examples in a user message are not system text
    ("system:\nBe brief.\nuser:\nInput: a\nOutput: b\n\nNow you.", "strip", "Be brief."),
]


@pytest.mark.parametrize(("text", "handling", "expected"), SYSTEM_TEXTS)
def test_system_text(text: str, handling: SystemHandling, expected: str) -> None:
    assert system_text(parse(text), handling) == expected


def test_strip_finds_examples_in_content_that_is_not_verbatim_source() -> None:
    """A JSON string's escapes make its content differ from the source; strip still works."""
    text = json.dumps(
        {
            "messages": [
                {"role": "system", "content": "Intro.\nInput: a\nOutput: b\n\nRest."},
                {"role": "user", "content": "live"},
            ]
        }
    )
    assert system_text(parse(text, "chat.json"), "strip") == "Intro.\n\nRest."


@pytest.mark.parametrize(
    ("format", "turns", "role"),
    [("openai", "messages", "role"), ("sharegpt", "conversations", "from")],
)
def test_no_system_message_when_the_system_text_is_empty(
    format: DatasetFormat, turns: str, role: str
) -> None:
    found = records("system:\nInput: a\nOutput: b", format, "strip")[0]
    assert [turn[role] for turn in found[turns]] in (["user", "assistant"], ["human", "gpt"])


VARIABLE_CASES = [
    ("user:\nName {{name}}\nassistant:\nHi\nuser:\nlive", "{{name}}"),
    ("user:\nHi\nassistant:\n{% if x %}yes{% endif %}\nuser:\nlive", "{% if x %}"),
    ("system:\nInput: ${input:topic}\nOutput: essay", "${input:topic}"),
]


@pytest.mark.parametrize(("text", "syntax"), VARIABLE_CASES)
def test_example_with_template_syntax_is_exported_with_a_warning(text: str, syntax: str) -> None:
    document = parse(text)
    found, problems = dataset_records(document)
    assert len(found) == 1
    assert [(p.severity, p.code, p.span) for p in problems] == [
        ("warning", "example-has-variables", document.examples[0].span)
    ]
    assert syntax in problems[0].message


def test_plain_examples_give_no_warning() -> None:
    assert dataset_records(parse(PROMPT))[1] == []


@pytest.mark.parametrize(
    "text", ["system:\nBe brief.\nuser:\n{{question}}", "user:\nQ\nassistant:\nA", ""]
)
def test_no_examples_no_records(text: str) -> None:
    assert dataset_records(parse(text)) == ([], [])


def test_jsonl_line_keeps_text_readable_on_one_line() -> None:
    line = jsonl_line({"prompt": "héllo 😀\nnext", "completion": "ok"})
    assert line == '{"prompt": "héllo 😀\\nnext", "completion": "ok"}'


def test_jsonl_line_escapes_lone_surrogates_so_the_line_is_utf8() -> None:
    record = {"prompt": "bad \ud800 half", "completion": "ok"}
    line = jsonl_line(record)
    line.encode("utf-8")
    assert json.loads(line) == record


def test_jsonl_line_escapes_line_breaks_json_leaves_raw() -> None:
    record = {"prompt": "a\x85b\u2028c\u2029d", "completion": "ok"}
    line = jsonl_line(record)
    assert len(line.splitlines()) == 1
    assert json.loads(line) == record


def test_record_key_ignores_key_order_and_spacing() -> None:
    assert record_key({"a": 1, "b": [1, 2]}) == record_key(json.loads('{ "b": [1,2], "a": 1 }'))
    assert record_key({"a": 1}) != record_key({"a": 2})
