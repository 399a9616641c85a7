"""Checking chat fine-tuning datasets (`.jsonl`): one problem per case, and the summary.

A case's expected place is marked in its line with ⟦ ⟧, removed before the line is checked:
the problem must start at ⟦ and end at ⟧, in UTF-16 columns.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest

from server.core.datasets.validation import (
    DEFAULT_EPOCHS,
    DEFAULT_MAX_PROBLEMS,
    DEFAULT_MAX_SEQUENCE_TOKENS,
    GUIDANCE_SMALL,
    GUIDANCE_TOO_FEW,
    GUIDANCE_WORKABLE,
    ValidationOptions,
    size_guidance,
    validate_dataset,
)
from server.core.encodings import get_encoding
from shared_schemas.datasets import DatasetReport, ValueSource


def words(text: str) -> int:
    """A stand-in tokenizer whose counts can be worked out by hand: one token a word."""
    return len(text.split())


def o200k(text: str) -> int:
    return len(get_encoding("o200k_base").encode_ordinary(text))


def validate(
    lines: list[str] | list[bytes],
    count: Callable[[str], int] = words,
    *,
    max_sequence_tokens: int = DEFAULT_MAX_SEQUENCE_TOKENS,
    epochs: int = DEFAULT_EPOCHS,
    max_problems: int = DEFAULT_MAX_PROBLEMS,
) -> DatasetReport:
    raw = [line.encode() if isinstance(line, str) else line for line in lines]
    options = ValidationOptions(
        count_tokens=count,
        max_sequence_tokens=max_sequence_tokens,
        epochs=epochs,
        max_problems=max_problems,
    )
    return validate_dataset(raw, options)


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def marked(line: str) -> tuple[str, int, int]:
    """The line without its ⟦ ⟧ marks, and the UTF-16 columns they mark."""
    before, rest = line.split("⟦")
    inside, after = rest.split("⟧")
    return before + inside + after, utf16(before), utf16(before + inside)


U = '{"role": "user", "content": "hi"}'
A = '{"role": "assistant", "content": "ok"}'
CALL = '{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}'
TOOL_TURN = f'{{"role": "assistant", "tool_calls": [{CALL}]}}'

# (name, marked line, code, severity)
CASES = [
    ("array record", "⟦[1, 2]⟧", "not-an-object", "error"),
    ("string record", '⟦"hello"⟧', "not-an-object", "error"),
    ("message not an object", f'{{"messages": [⟦"hi"⟧, {A}]}}', "not-an-object", "error"),
    ("no messages", '⟦{"prompt": "a", "completion": "b"}⟧', "missing-messages", "error"),
    ("null messages", '⟦{"messages": null}⟧', "missing-messages", "error"),
    ("messages not a list", '{"messages": ⟦"hi"⟧}', "messages-type", "error"),
    ("empty messages", '{"messages": ⟦[]⟧}', "empty-messages", "error"),
    ("no role", f'{{"messages": [⟦{{"content": "hi"}}⟧, {A}]}}', "missing-role", "error"),
    ("no content", f'{{"messages": [⟦{{"role": "user"}}⟧, {A}]}}', "missing-content", "error"),
    (
        "null content",
        f'{{"messages": [⟦{{"role": "user", "content": null}}⟧, {A}]}}',
        "missing-content",
        "error",
    ),
    (
        "empty user content",
        f'{{"messages": [{{"role": "user", "content": ⟦""⟧}}, {A}]}}',
        "missing-content",
        "error",
    ),
    (
        "assistant without content or calls",
        f'{{"messages": [{U}, ⟦{{"role": "assistant"}}⟧]}}',
        "missing-content",
        "error",
    ),
    (
        "unknown key",
        f'{{"messages": [{{"role": "user", "content": "hi", ⟦"foo"⟧: 1}}, {A}]}}',
        "unknown-key",
        "error",
    ),
    (
        "unknown role",
        f'{{"messages": [{{"role": ⟦"bot"⟧, "content": "hi"}}, {A}]}}',
        "unknown-role",
        "error",
    ),
    (
        "role not a string",
        f'{{"messages": [{{"role": ⟦7⟧, "content": "hi"}}, {A}]}}',
        "unknown-role",
        "error",
    ),
    (
        "numeric content",
        f'{{"messages": [{U}, {{"role": "assistant", "content": ⟦42⟧}}]}}',
        "content-type",
        "error",
    ),
    (
        "image part",
        f'{{"messages": [{{"role": "user", "content": [⟦{{"type": "image_url"}}⟧]}}, {A}]}}',
        "content-type",
        "error",
    ),
    ("no assistant", f'{{"messages": ⟦[{U}]⟧}}', "no-assistant", "error"),
    (
        "tool calls not a list",
        f'{{"messages": [{U}, {{"role": "assistant", "tool_calls": ⟦"f(1)"⟧}}]}}',
        "tool-call-format",
        "error",
    ),
    (
        "empty tool calls",
        f'{{"messages": [{U}, {{"role": "assistant", "content": "ok", "tool_calls": ⟦[]⟧}}]}}',
        "tool-call-format",
        "error",
    ),
    (
        "tool call type",
        f'{{"messages": [{U}, {{"role": "assistant", "tool_calls": [{{"id": "c1", "type": ⟦"fn"⟧,'
        ' "function": {"name": "f", "arguments": "{}"}}]}]}',
        "tool-call-format",
        "error",
    ),
    (
        "tool call arguments as an object",
        f'{{"messages": [{U}, {{"role": "assistant", "tool_calls": [{{"id": "c1", "type":'
        ' "function", "function": {"name": "f", "arguments": ⟦{"x": 1}⟧}}]}]}',
        "tool-call-format",
        "error",
    ),
    (
        "tool call without id",
        f'{{"messages": [{U}, {{"role": "assistant", "tool_calls": [⟦{{"type": "function",'
        ' "function": {"name": "f", "arguments": "{}"}}⟧]}]}',
        "tool-call-format",
        "error",
    ),
    (
        "tool calls from a user",
        f'{{"messages": [{{"role": "user", "content": "hi", "tool_calls": ⟦[{CALL}]⟧}}, {A}]}}',
        "tool-call-format",
        "error",
    ),
    (
        "tool message without tool_call_id",
        f'{{"messages": [{U}, {TOOL_TURN}, ⟦{{"role": "tool", "content": "1"}}⟧, {A}]}}',
        "tool-message",
        "error",
    ),
    (
        "tool message answering no call",
        f'{{"messages": [{U}, {TOOL_TURN}, {{"role": "tool", "content": "1",'
        f' "tool_call_id": ⟦"c9"⟧}}, {A}]}}',
        "tool-message",
        "error",
    ),
    (
        "weight 2",
        f'{{"messages": [{U}, {{"role": "assistant", "content": "ok", "weight": ⟦2⟧}}]}}',
        "weight",
        "error",
    ),
    (
        "weight true",
        f'{{"messages": [{U}, {{"role": "assistant", "content": "ok", "weight": ⟦true⟧}}]}}',
        "weight",
        "error",
    ),
    (
        "weight on a user message",
        f'{{"messages": [{{"role": "user", "content": "hi", "weight": ⟦1⟧}}, {A}]}}',
        "weight",
        "error",
    ),
    (
        "empty assistant",
        f'{{"messages": [{U}, {{"role": "assistant", "content": ⟦""⟧}}]}}',
        "empty-assistant",
        "error",
    ),
    (
        "whitespace-only assistant",
        f'{{"messages": [{U}, {{"role": "assistant", "content": ⟦" \\n\\t"⟧}}]}}',
        "empty-assistant",
        "error",
    ),
    (
        "whitespace-only user content",
        f'{{"messages": [{{"role": "user", "content": ⟦"  "⟧}}, {A}]}}',
        "blank-content",
        "warning",
    ),
    (
        "whitespace-only system parts",
        '{"messages": [{"role": "system", "content": ⟦[{"type": "text", "text": " "}]⟧},'
        f" {U}, {A}]}}",
        "blank-content",
        "warning",
    ),
    (
        "name a number",
        f'{{"messages": [{{"role": "user", "name": ⟦42⟧, "content": "hi"}}, {A}]}}',
        "name-format",
        "error",
    ),
    (
        "name null",
        f'{{"messages": [{{"role": "user", "name": ⟦null⟧, "content": "hi"}}, {A}]}}',
        "name-format",
        "error",
    ),
    (
        "name with a space",
        f'{{"messages": [{{"role": "user", "name": ⟦"Ann Lee"⟧, "content": "hi"}}, {A}]}}',
        "name-format",
        "error",
    ),
    (
        "name over 64 characters",
        f'{{"messages": [{{"role": "user", "name": ⟦"{"a" * 65}"⟧, "content": "hi"}}, {A}]}}',
        "name-format",
        "error",
    ),
    (
        "empty name",
        f'{{"messages": [{U}, {{"role": "assistant", "name": ⟦""⟧, "content": "ok"}}]}}',
        "name-format",
        "error",
    ),
    (
        "name ending in a newline",
        f'{{"messages": [{{"role": "user", "name": ⟦"ann\\n"⟧, "content": "hi"}}, {A}]}}',
        "name-format",
        "error",
    ),
    (
        "last message from the user",
        f'{{"messages": [{U}, {A}, ⟦{U}⟧]}}',
        "last-not-assistant",
        "warning",
    ),
    (
        "last message from a tool",
        f'{{"messages": [{U}, {TOOL_TURN}, ⟦{{"role": "tool", "tool_call_id": "c1",'
        ' "content": "3"}⟧]}',
        "last-not-assistant",
        "warning",
    ),
    (
        "unknown record key",
        f'{{"messages": [{U}, {A}], ⟦"metadata"⟧: {{"id": 7}}}}',
        "unknown-record-key",
        "warning",
    ),
    ("missing comma", f'{{"messages": [{U} ⟦{{⟧"role": "assistant"}}]}}', "json-syntax", "error"),
    ("cut off", '{"messages": [⟦⟧', "json-syntax", "error"),
    ("nested too deeply", "⟦" + "[" * 100_000 + "⟧", "json-syntax", "error"),
    (
        "an escaped lone surrogate as a key",
        f'{{"messages": [{{"role": "user", "content": "hi", ⟦"\\ud800"⟧: 1}}, {A}]}}',
        "unknown-key",
        "error",
    ),
    ("two objects on a line", f'{{"messages": [{U}, {A}]}} ⟦{{⟧}}', "json-syntax", "error"),
    (
        "too long",
        f'⟦{{"messages": [{U}, {{"role": "assistant", "content": "{"word " * 60}"}}]}}⟧',
        "too-long",
        "warning",
    ),
    (
        "columns count UTF-16 code units",
        '{"messages": [{"role": "user", "content": "é😀"}, {"role": "assistant",'
        ' "content": "ok", ⟦"x"⟧: 1}]}',
        "unknown-key",
        "error",
    ),
]


@pytest.mark.parametrize(
    ("line", "code", "severity"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_check_reports_its_code_at_its_place(line: str, code: str, severity: str) -> None:
    text, start, end = marked(line)
    report = validate([text], max_sequence_tokens=50)
    found = [
        (p.code, p.severity, p.line, p.start_character, p.end_character) for p in report.problems
    ]
    assert found == [(code, severity, 0, start, end)]
    assert report.problems[0].message


def test_utf16_columns_are_code_units_not_characters() -> None:
    line = '{"messages": [{"role": "user", "content": "😀"}, {"role": "x", "content": "ok"}]}'
    (problem,) = [p for p in validate([line]).problems if p.code == "unknown-role"]
    # "😀" is one character but two UTF-16 code units: `"x"` starts at character 57, column 58.
    assert (problem.start_character, problem.end_character) == (58, 61)


GOOD = [
    ("user and assistant", f'{{"messages": [{U}, {A}]}}'),
    (
        "system, names and a developer",
        '{"messages": [{"role": "system", "content": "Be brief."}, {"role": "developer",'
        ' "content": "Rules."}, {"role": "user", "name": "ann", "content": "hi"}, '
        f"{A}]}}",
    ),
    (
        "a tool call and its answer",
        f'{{"messages": [{U}, {TOOL_TURN}, {{"role": "tool", "tool_call_id": "c1",'
        f' "content": "3"}}, {A}], "tools": [{{"type": "function", "function": {{"name": "f"}}}}],'
        ' "parallel_tool_calls": false}',
    ),
    (
        "content parts",
        '{"messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}]},'
        ' {"role": "assistant", "content": [{"type": "text", "text": "ok"}]}]}',
    ),
    (
        "weights",
        f'{{"messages": [{U}, {{"role": "assistant", "content": "no", "weight": 0}}, {U},'
        ' {"role": "assistant", "content": "yes", "weight": 1}]}',
    ),
    (
        "a legacy function call",
        f'{{"messages": [{U}, {{"role": "assistant", "content": null, "function_call":'
        ' {"name": "f", "arguments": "{}"}}, {"role": "function", "name": "f", "content": "1"},'
        f" {A}]}}",
    ),
    (
        "a refusal",
        f'{{"messages": [{U}, {{"role": "assistant", "content": "no", "refusal": "no"}}]}}',
    ),
    (
        "an empty tool result",
        f'{{"messages": [{U}, {TOOL_TURN}, {{"role": "tool", "tool_call_id": "c1",'
        f' "content": ""}}, {A}]}}',
    ),
]


@pytest.mark.parametrize("line", [case[1] for case in GOOD], ids=[case[0] for case in GOOD])
def test_good_records_have_no_problems(line: str) -> None:
    report = validate([line])
    assert report.problems == []
    assert report.summary.examples == 1


GOOD_LINE = f'{{"messages": [{U}, {A}]}}'
BAD_LINE = f'{{"messages": [{U}]}}'


def test_crlf_bom_and_blank_lines() -> None:
    lines = [
        b"\xef\xbb\xbf" + BAD_LINE.encode() + b"\r\n",
        b"\r\n",
        b"   \t\n",
        GOOD_LINE.encode() + b"\r\n",
        b"",
    ]
    report = validate(lines)
    (problem,) = report.problems
    # The byte-order mark takes no column and the \r is not part of the line.
    start = BAD_LINE.index("[")
    assert (problem.line, problem.start_character, problem.end_character) == (
        0,
        start,
        len(BAD_LINE) - 1,
    )
    assert (report.summary.records, report.summary.examples) == (2, 1)


def test_whole_line_problem_ends_before_the_carriage_return() -> None:
    (problem,) = validate([b"[1]\r\n"]).problems
    assert (problem.start_character, problem.end_character) == (0, 3)


def test_invalid_utf8_is_reported_on_its_line_and_the_others_are_still_checked() -> None:
    lines = [
        GOOD_LINE.encode(),
        b'{"messages": [{"role": "user", "content": "\xc3\xa9\xff"}]}',
        BAD_LINE.encode(),
    ]
    report = validate(lines)
    assert [(p.line, p.code) for p in report.problems] == [(1, "invalid-utf8"), (2, "no-assistant")]
    invalid = report.problems[0]
    column = len('{"messages": [{"role": "user", "content": "é')
    assert (invalid.start_character, invalid.end_character) == (column, column + 1)
    assert report.summary.examples == 1


def test_problems_beyond_the_cap_are_counted_not_kept() -> None:
    lines = [record(message("user", f"question {n}")) for n in range(8)]
    report = validate([*lines, lines[0]], max_problems=5)
    assert [(p.line, p.code) for p in report.problems] == [(n, "no-assistant") for n in range(5)]
    # Counted whether kept or not: 9 errors (the last line's copy is an error, not a duplicate).
    assert (report.omitted_problems, report.error_count, report.warning_count) == (4, 9, 0)


def test_no_problems_kept_with_a_cap_of_zero_but_all_counted() -> None:
    report = validate(["[1]", GOOD_LINE], max_problems=0)
    assert (report.problems, report.omitted_problems, report.error_count) == ([], 1, 1)


def test_duplicates_point_at_the_first_line_whatever_the_spacing_and_key_order() -> None:
    same = '{"messages":[{"content":"hi","role":"user"},{"content":"ok","role":"assistant"}]}'
    other = (
        '{"messages": [{"role": "user", "content": "bye"}, {"role": "assistant", "content": "ok"}]}'
    )
    report = validate(["", GOOD_LINE, other, same, GOOD_LINE])
    duplicates = [(p.line, p.severity, p.message) for p in report.problems]
    assert duplicates == [
        (3, "warning", "the same record as line 2"),
        (4, "warning", "the same record as line 2"),
    ]
    # Trainers would train on each copy: duplicates still count as examples.
    assert report.summary.examples == 4


def test_records_with_errors_are_not_reported_as_duplicates_of_each_other() -> None:
    report = validate([BAD_LINE, GOOD_LINE, BAD_LINE, BAD_LINE])
    assert [(p.line, p.code) for p in report.problems] == [
        (0, "no-assistant"),
        (2, "no-assistant"),
        (3, "no-assistant"),
    ]
    assert report.warning_count == 0


def test_records_with_only_warnings_are_still_reported_as_duplicates() -> None:
    ends_with_user = f'{{"messages": [{U}, {A}, {U}]}}'
    report = validate([ends_with_user, ends_with_user])
    assert [(p.line, p.code) for p in report.problems] == [
        (0, "last-not-assistant"),
        (1, "last-not-assistant"),
        (1, "duplicate"),
    ]


def test_a_record_with_many_unknown_keys_is_still_an_example() -> None:
    line = f'{{"messages": [{U}, {A}], "id": 1, "source": "crm"}}'
    report = validate([line])
    assert [p.code for p in report.problems] == ["unknown-record-key", "unknown-record-key"]
    assert (report.error_count, report.summary.examples) == (0, 1)


# --- Summary ------------------------------------------------------------------------------------


def message(role: str, content: str, **extra: object) -> dict[str, object]:
    return {"role": role, "content": content, **extra}


def record(*messages: dict[str, object]) -> str:
    return json.dumps({"messages": list(messages)})


# With one token a word (roles are one word each): 3 per message + role + content (+ name + 1),
# and 3 per record.
SMALL_DATASET = [
    # 3 + (3+1+2) + (3+1+3) + (3+1+2) = 22 tokens, 2 assistant tokens
    record(
        message("system", "be brief"), message("user", "one two three"), message("assistant", "a b")
    ),
    # 3 + (3+1+1) + (3+1+4) = 16, 4 assistant; no system
    record(message("user", "hi"), message("assistant", "x y z w")),
    # 3 + (3+1+1) + (3+1+1) = 13, 1 assistant; no user
    record(message("system", "s"), message("assistant", "ok")),
    # 3 + (3+1+1+1+1) + (3+1+1) + (3+1+2) = 21; weight 0 is not trained: 2 assistant; no system
    record(
        message("user", "q", name="bob"),
        message("assistant", "a", weight=0),
        message("assistant", "b c", weight=1),
    ),
    # Not an example: no assistant message.
    record(message("user", "alone")),
]


def test_summary_of_a_small_dataset() -> None:
    report = validate(SMALL_DATASET, max_sequence_tokens=20, epochs=2)
    summary = report.summary
    assert (summary.records, summary.examples) == (5, 4)
    assert summary.example_tokens is not None
    tokens = summary.example_tokens
    # Sorted 13, 16, 21, 22: the median halfway from 16 to 21, p90 at 70% from 21 to 22.
    assert (tokens.min, tokens.median, tokens.max) == (13, 18.5, 22)
    assert tokens.p90 == pytest.approx(21.7)
    assert summary.assistant_tokens is not None
    assert (summary.assistant_tokens.min, summary.assistant_tokens.median) == (1, 2)
    assert (summary.assistant_tokens.max, summary.assistant_tokens_total) == (4, 9)
    assert (summary.missing_system, summary.missing_user) == (2, 1)
    # 22 and 21 are over 20: trainers truncate them, so 20 each is trained, twice.
    assert summary.too_long == 2
    assert summary.estimated_training_tokens == 2 * (20 + 16 + 13 + 20)
    assert [p.code for p in report.problems] == ["too-long", "too-long", "no-assistant"]


def test_summary_assumes_the_defaults_and_says_so() -> None:
    summary = validate([GOOD_LINE]).summary
    assert (summary.epochs, summary.epochs_source) == (DEFAULT_EPOCHS, "default")
    assert (summary.max_sequence_tokens, summary.max_sequence_tokens_source) == (
        DEFAULT_MAX_SEQUENCE_TOKENS,
        "default",
    )


@pytest.mark.parametrize("source", ["flag", "setting", "default"])
def test_summary_says_where_its_assumptions_come_from(source: ValueSource) -> None:
    options = ValidationOptions(
        count_tokens=words,
        epochs=1,
        epochs_source=source,
        max_sequence_tokens=99,
        max_sequence_tokens_source=source,
    )
    summary = validate_dataset([GOOD_LINE.encode()], options).summary
    assert (summary.epochs, summary.epochs_source) == (1, source)
    assert (summary.max_sequence_tokens, summary.max_sequence_tokens_source) == (99, source)


def test_tokens_follow_the_cookbook_estimate_with_a_real_tokenizer() -> None:
    line = record(
        message("system", "You are terse."),
        message("user", "What is 2 + 2?", name="ann"),
        message("assistant", "4"),
    )
    expected = (
        3
        + sum(
            3 + o200k(role) + o200k(content)
            for role, content in [
                ("system", "You are terse."),
                ("user", "What is 2 + 2?"),
                ("assistant", "4"),
            ]
        )
        + o200k("ann")
        + 1
    )
    summary = validate([line], count=o200k).summary
    assert summary.example_tokens is not None
    assert summary.example_tokens.max == expected
    assert summary.assistant_tokens_total == o200k("4")


def test_tool_definitions_and_calls_count_as_compact_json() -> None:
    tools = [{"type": "function", "function": {"name": "f"}}]
    call = json.loads(CALL)
    line = json.dumps(
        {
            "messages": [
                message("user", "hi"),
                {"role": "assistant", "tool_calls": [call]},
                message("tool", "3", tool_call_id="c1"),
                message("assistant", "ok"),
            ],
            "tools": tools,
        }
    )
    summary = validate([line]).summary
    # Compact JSON has no spaces: one "word" each for the tools and the calls.
    assert summary.example_tokens is not None
    assert summary.example_tokens.max == 3 + 1 + (3 + 1 + 1) + (3 + 1 + 1) + (3 + 1 + 1 + 1) + (
        3 + 1 + 1
    )
    assert summary.assistant_tokens_total == 1 + 1


def test_no_examples_gives_no_distributions() -> None:
    summary = validate(["[1]"]).summary
    assert (summary.examples, summary.example_tokens, summary.assistant_tokens) == (0, None, None)
    assert summary.estimated_training_tokens == 0


@pytest.mark.parametrize(
    ("examples", "guidance"),
    [
        (0, GUIDANCE_TOO_FEW),
        (49, GUIDANCE_TOO_FEW),
        (50, GUIDANCE_SMALL),
        (199, GUIDANCE_SMALL),
        (200, GUIDANCE_WORKABLE),
        (50_000, GUIDANCE_WORKABLE),
    ],
)
def test_size_guidance_thresholds(examples: int, guidance: str) -> None:
    assert size_guidance(examples) == guidance


def test_guidance_counts_valid_examples_only() -> None:
    lines = [record(message("user", f"q{n}"), message("assistant", "a")) for n in range(50)]
    assert validate(lines).summary.guidance == GUIDANCE_SMALL
    assert validate([*lines[:49], BAD_LINE]).summary.guidance == GUIDANCE_TOO_FEW


# --- Streaming ----------------------------------------------------------------------------------


def test_a_long_generator_is_streamed_not_materialised() -> None:
    def dataset(count: int) -> Iterator[bytes]:
        template = (
            b'{"messages":[{"role":"user","content":"q%d"},{"role":"assistant","content":"a"}]}'
        )
        for n in range(count):
            yield template % n + b"\n"
        yield b"[1]\n"

    # A generator can be read only once, as it comes: nothing can look back or ahead.
    report = validate_dataset(dataset(200_000), ValidationOptions(count_tokens=len))
    assert (report.summary.records, report.summary.examples) == (200_001, 200_000)
    assert [(p.line, p.code) for p in report.problems] == [(200_000, "not-an-object")]
