"""Checks a chat fine-tuning dataset (`.jsonl`), one line at a time, without loading it whole.

The format is OpenAI chat fine-tuning, which is also Hugging Face's conversational format: one
JSON object per line with a `messages` list. The checks are every format error of the OpenAI
cookbook's data checker, plus tool calls, weights, names, duplicates, empty or blank contents,
a last turn that is not the assistant's, unknown record keys, JSON syntax, UTF-8 and sequence
length; the summary is the cookbook's (example sizes, missing roles, billed
tokens) with guidance on whether there are enough examples.

Lines arrive as raw bytes, so a file of any size streams through: each line is decoded and
parsed on its own, and what outlives a line is a few integers per record (its token counts and
an 8-byte digest for finding duplicates). A good record never pays for locating problems: the
places of problems are searched for in the line's text only when one is reported, and then
each container on the way to one is scanned once for all of the line's problems, so a line
costs about the same to check however many problems it has. A record nested more than
`json_values.MAX_NESTING` deep is refused as it is read, before anything walks it or writes it
back to JSON (both recurse).
"""

from __future__ import annotations

import bisect
import hashlib
import json
import math
import re
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from server.core.json_values import MAX_NESTING, TooDeepError, json_kind, loads_bounded
from server.core.token_count import without_lone_surrogates
from shared_schemas.datasets import (
    DatasetProblem,
    DatasetReport,
    DatasetSummary,
    TokenDistribution,
    ValueSource,
)
from shared_schemas.messages import Severity

DEFAULT_MAX_SEQUENCE_TOKENS = 16_384
DEFAULT_EPOCHS = 3
DEFAULT_MAX_PROBLEMS = 1000
# Of one line: a record with thousands of bad keys should not hide every other line's problems.
DEFAULT_MAX_LINE_PROBLEMS = 100

ROLES = ("system", "user", "assistant", "tool", "function", "developer")
MESSAGE_KEYS = (
    "role",
    "content",
    "name",
    "weight",
    "tool_calls",
    "function_call",
    "tool_call_id",
    "refusal",
)
# The keys of a record that OpenAI's chat fine-tuning reads.
RECORD_KEYS = ("messages", "tools", "functions", "parallel_tool_calls")
_ROLES = frozenset(ROLES)
_RECORD_KEYS = frozenset(RECORD_KEYS)
_ALLOWED_RECORD_KEYS = ", ".join(RECORD_KEYS)
_MESSAGE_KEYS = frozenset(MESSAGE_KEYS)
_ALLOWED_KEYS = ", ".join(MESSAGE_KEYS)
# OpenAI's rule for a participant's (and a function's) name; a number or a space is refused.
_NAME = re.compile(r"[a-zA-Z0-9_-]{1,64}")
_NAME_RULE = "1 to 64 letters, digits, `_` or `-`"
_SYSTEM_ROLES = frozenset({"system", "developer"})  # developer replaces system in newer models
# What an assistant message produces, and so what training on it teaches.
_ASSISTANT_OUTPUT_KEYS = frozenset({"content", "tool_calls", "function_call", "refusal"})
# Record-level definitions the model reads before the conversation.
_RECORD_DEFINITION_KEYS = ("tools", "functions")

_BOM = b"\xef\xbb\xbf"
_DIGEST_BYTES = 8  # 64 bits: a false duplicate among a million records has odds of about 1e-8

# The OpenAI cookbook's estimate: every message is framed by 3 tokens, a name costs 1 more, and
# every reply is primed with 3.
_TOKENS_PER_MESSAGE = 3
_TOKENS_PER_NAME = 1
_REPLY_PRIMING_TOKENS = 3

FEW_EXAMPLES = 50
WORKABLE_EXAMPLES = 200
GUIDANCE_TOO_FEW = "too few to expect a reliable fine-tune: aim for hundreds to thousands"
GUIDANCE_SMALL = "small: enough to try, expect gains to grow with hundreds to thousands of examples"
GUIDANCE_WORKABLE = "a workable size"


@dataclass(frozen=True)
class ValidationOptions:
    count_tokens: Callable[[str], int]  # in the training model's tokens
    max_sequence_tokens: int = DEFAULT_MAX_SEQUENCE_TOKENS
    epochs: int = DEFAULT_EPOCHS
    max_problems: int = DEFAULT_MAX_PROBLEMS
    max_line_problems: int = DEFAULT_MAX_LINE_PROBLEMS
    # Where the two assumptions came from, so that the summary can say how to change them.
    max_sequence_tokens_source: ValueSource = "default"
    epochs_source: ValueSource = "default"


def size_guidance(examples: int) -> str:
    if examples < FEW_EXAMPLES:
        return GUIDANCE_TOO_FEW
    if examples < WORKABLE_EXAMPLES:
        return GUIDANCE_SMALL
    return GUIDANCE_WORKABLE


# --- Findings: what a check says, before it has a place on the line ----------------------------

PathStep = str | int


@dataclass(frozen=True, slots=True)
class Finding:
    code: str
    message: str
    # The JSON value the finding is about, as keys and indexes from the record; () is the line.
    path: tuple[PathStep, ...] = ()
    severity: Severity = "error"
    on_key: bool = False  # point at the last step's key (`"foo":`) rather than its value


def _shown(value: object, limit: int = 40) -> str:
    # A JSON escape can make a lone surrogate, which no output stream could print.
    text = without_lone_surrogates(json.dumps(value, ensure_ascii=False))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def record_findings(record: dict[str, Any]) -> list[Finding]:
    """Every format problem of one parsed record; an empty list for a good one."""
    messages = record.get("messages")
    if messages is None:
        legacy = "prompt" in record or "completion" in record
        hint = " (prompt/completion is the legacy format; chat models train on messages)"
        return [
            Finding("missing-messages", "the record has no `messages`" + (hint if legacy else ""))
        ]
    if not isinstance(messages, list):
        message = f"`messages` must be a list of messages, not {json_kind(messages)}"
        return [Finding("messages-type", message, ("messages",))]
    findings: list[Finding] = []
    for key in record:
        if key not in _RECORD_KEYS:
            # A warning: often it is metadata kept beside the example, sometimes a misspelt
            # `tools`; either way it never reaches the model.
            text = (
                f"the record has an unrecognised key {_shown(key)}, not read for training"
                f" (known: {_ALLOWED_RECORD_KEYS})"
            )
            findings.append(Finding("unknown-record-key", text, (key,), "warning", on_key=True))
    if not messages:
        findings.append(Finding("empty-messages", "`messages` is empty", ("messages",)))
        return findings
    tool_call_ids: set[str] = set()
    has_assistant = False
    for index, message in enumerate(messages):
        if not isinstance(message, dict):
            where = ("messages", index)
            text = f"messages[{index}] must be an object, not {json_kind(message)}"
            findings.append(Finding("not-an-object", text, where))
            continue
        _check_message(message, index, tool_call_ids, findings)
        if message.get("role") == "assistant":
            has_assistant = True
    if not has_assistant:
        text = "the record has no assistant message: nothing to train on"
        findings.append(Finding("no-assistant", text, ("messages",)))
    else:
        _check_last_turn(messages, findings)
    return findings


def _check_last_turn(messages: list[Any], out: list[Finding]) -> None:
    last = messages[-1]
    role = last.get("role") if isinstance(last, dict) else None
    if isinstance(role, str) and role in _ROLES and role != "assistant":
        # Only assistant turns are trained on, so a turn after the last of them is read and
        # billed but teaches nothing.
        index = len(messages) - 1
        text = (
            f"the record ends with messages[{index}] ({role}), not an assistant message:"
            " that turn teaches nothing"
        )
        out.append(Finding("last-not-assistant", text, ("messages", index), "warning"))


def _check_message(
    message: dict[str, Any], index: int, tool_call_ids: set[str], findings: list[Finding]
) -> None:
    at = ("messages", index)
    name = f"messages[{index}]"
    for key in message:
        if key not in _MESSAGE_KEYS:
            text = f"{name} has an unrecognised key {_shown(key)} (allowed: {_ALLOWED_KEYS})"
            findings.append(Finding("unknown-key", text, (*at, key), on_key=True))
    role = message.get("role")
    if role is None:
        findings.append(Finding("missing-role", f"{name} has no `role`", at))
    elif not isinstance(role, str) or role not in _ROLES:
        text = f"{name} has an unrecognised role {_shown(role)} (one of: {', '.join(ROLES)})"
        findings.append(Finding("unknown-role", text, (*at, "role")))
    if "name" in message:
        _check_name(message["name"], at, name, findings)
    _check_content(message, role, at, name, findings)
    if "tool_calls" in message:
        _check_tool_calls(message["tool_calls"], role, at, name, tool_call_ids, findings)
    if role == "tool":
        _check_tool_answer(message, at, name, tool_call_ids, findings)
    if "weight" in message:
        _check_weight(message["weight"], role, at, name, findings)


def _check_name(value: object, at: tuple[PathStep, ...], name: str, out: list[Finding]) -> None:
    if isinstance(value, str):
        if _NAME.fullmatch(value):
            return
        text = f"{name} `name` {_shown(value)} must be {_NAME_RULE}"
    else:
        text = f"{name} `name` must be a string of {_NAME_RULE}, not {json_kind(value)}"
    out.append(Finding("name-format", text, (*at, "name")))


def _check_content(
    message: dict[str, Any], role: object, at: tuple[PathStep, ...], name: str, out: list[Finding]
) -> None:
    content = message.get("content")
    calls = bool(message.get("tool_calls") or message.get("function_call"))
    described = f"{name} ({role})" if isinstance(role, str) else name
    if content is None:
        if role == "assistant" and calls:
            return
        said = "null `content`" if "content" in message else "no `content`"
        why = "; only an assistant message with tool_calls or function_call may omit it"
        out.append(Finding("missing-content", f"{described} has {said}{why}", at))
        return
    if isinstance(content, list):
        text = _parts_text(content, at, name, out)
        if text is None:
            return
    elif isinstance(content, str):
        text = content
    else:
        why = f"must be a string or a list of text parts, not {json_kind(content)}"
        out.append(Finding("content-type", f"{name} `content` {why}", (*at, "content")))
        return
    where = (*at, "content")
    if role == "assistant":
        if not text.strip() and not calls:
            # Blank or empty alike, the reply trained on is nothing, which the model learns.
            said = "is empty" if not text else "is only whitespace"
            why = f"{said}: the example teaches an empty reply"
            out.append(Finding("empty-assistant", f"{described} {why}", where))
    elif role == "tool":
        return  # a tool may well answer nothing
    elif not text:
        out.append(Finding("missing-content", f"{described} has empty `content`", where))
    elif not text.strip():
        # A warning, not an error: a blank turn is valid input, but rarely what was meant.
        why = "is only whitespace: the model reads a blank turn"
        out.append(Finding("blank-content", f"{described} `content` {why}", where, "warning"))


def _parts_text(
    parts: list[Any], at: tuple[PathStep, ...], name: str, out: list[Finding]
) -> str | None:
    """The text of content parts, or None (with a finding) when a part is not a text part."""
    texts = []
    for index, part in enumerate(parts):
        text = part.get("text") if isinstance(part, dict) else None
        if not isinstance(text, str) or part.get("type") != "text":
            why = 'must be {"type": "text", "text": "..."}'
            message = f"{name} content part {index} {why}"
            out.append(Finding("content-type", message, (*at, "content", index)))
            return None
        texts.append(text)
    return "".join(texts)


def _check_tool_calls(
    calls: object,
    role: object,
    at: tuple[PathStep, ...],
    name: str,
    tool_call_ids: set[str],
    out: list[Finding],
) -> None:
    where = (*at, "tool_calls")
    if calls is None:
        return
    if role != "assistant":
        text = f"only assistant messages make tool calls; {name} is {_shown(role)}"
        out.append(Finding("tool-call-format", text, where))
        return
    if not isinstance(calls, list):
        text = f"{name} `tool_calls` must be a list, not {json_kind(calls)}"
        out.append(Finding("tool-call-format", text, where))
        return
    if not calls:
        text = f"{name} `tool_calls` is empty: leave it out when there is no call"
        out.append(Finding("tool-call-format", text, where))
        return
    for index, call in enumerate(calls):
        problem = _tool_call_problem(call)
        if problem is not None:
            step, why = problem
            path = (*where, index, *step)
            out.append(Finding("tool-call-format", f"{name} tool_calls[{index}] {why}", path))
        else:
            tool_call_ids.add(call["id"])


_TOOL_CALL_SHAPE = '{"id": "...", "type": "function", "function": {"name", "arguments"}}'


def _tool_call_problem(call: object) -> tuple[tuple[PathStep, ...], str] | None:
    """Where a tool call departs from its shape, and how; None when it has the shape."""
    if not isinstance(call, dict):
        return (), f"must be an object {_TOOL_CALL_SHAPE}, not {json_kind(call)}"
    if not isinstance(call.get("id"), str) or not call["id"]:
        return ("id",) if "id" in call else (), "needs an `id` string"
    if call.get("type") != "function":
        return ("type",) if "type" in call else (), 'needs `"type": "function"`'
    function = call.get("function")
    if not isinstance(function, dict):
        return ("function",) if "function" in call else (), "needs a `function` object"
    if not isinstance(function.get("name"), str) or not function["name"]:
        return ("function",), "needs a `function.name` string"
    if not isinstance(function.get("arguments"), str):
        step = ("function", "arguments") if "arguments" in function else ("function",)
        return step, "needs `function.arguments` as a JSON string"
    return None


def _check_tool_answer(
    message: dict[str, Any],
    at: tuple[PathStep, ...],
    name: str,
    tool_call_ids: set[str],
    out: list[Finding],
) -> None:
    answered = message.get("tool_call_id")
    if answered is None:
        out.append(Finding("tool-message", f"{name} (tool) has no `tool_call_id`", at))
    elif not isinstance(answered, str):
        text = f"{name} `tool_call_id` must be a string, not {json_kind(answered)}"
        out.append(Finding("tool-message", text, (*at, "tool_call_id")))
    elif answered not in tool_call_ids:
        text = f"{name} `tool_call_id` {_shown(answered)} answers no earlier tool call"
        out.append(Finding("tool-message", text, (*at, "tool_call_id")))


def _check_weight(
    weight: object, role: object, at: tuple[PathStep, ...], name: str, out: list[Finding]
) -> None:
    where = (*at, "weight")
    # bool is an int in Python, but `true` is not a weight in JSON.
    if type(weight) is not int or weight not in (0, 1):
        out.append(
            Finding("weight", f"{name} `weight` must be 0 or 1, not {_shown(weight)}", where)
        )
    elif role != "assistant":
        text = f"only assistant messages take a `weight`; {name} is {_shown(role)}"
        out.append(Finding("weight", text, where))


# --- Tokens: the OpenAI cookbook's estimate -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExampleTokens:
    total: int
    assistant: int  # of assistant messages trained on (weight 0 is not)
    has_system: bool
    has_user: bool


def _value_tokens(key: str, value: object, count: Callable[[str], int]) -> int:
    if isinstance(value, str):
        return count(value)
    if value is None or key == "weight":
        return 0  # weight steers training; it is not text the model reads
    if key == "content" and isinstance(value, list):
        return sum(count(part["text"]) for part in value)
    # Tool calls and function calls reach the model as JSON.
    return count(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


class ExampleTokenCounter:
    """Tokens of records without errors: 3 per message, each value, 1 per name, and 3."""

    def __init__(self, count: Callable[[str], int]) -> None:
        self.count = count
        # Every message has a role, and there are six: counted once, not once a message.
        self.role_tokens = {role: count(role) for role in ROLES}

    def __call__(self, record: dict[str, Any]) -> ExampleTokens:
        count, role_tokens = self.count, self.role_tokens
        total = _REPLY_PRIMING_TOKENS
        assistant = 0
        has_system = has_user = False
        for key in _RECORD_DEFINITION_KEYS:
            if record.get(key) is not None:
                total += _value_tokens(key, record[key], count)
        for message in record["messages"]:
            role = message["role"]
            trained = role == "assistant" and message.get("weight", 1) != 0
            has_system = has_system or role in _SYSTEM_ROLES
            has_user = has_user or role == "user"
            total += _TOKENS_PER_MESSAGE + role_tokens[role]
            for key, value in message.items():
                if key == "role":
                    continue
                tokens = count(value) if type(value) is str else _value_tokens(key, value, count)
                total += tokens
                if key == "name":
                    total += _TOKENS_PER_NAME
                elif trained and key in _ASSISTANT_OUTPUT_KEYS:
                    assistant += tokens
        return ExampleTokens(total, assistant, has_system, has_user)


def _quantile(ordered: list[int], q: float) -> float:
    """Linear interpolation between the closest ranks, as numpy's default."""
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def token_distribution(values: Iterable[int]) -> TokenDistribution | None:
    ordered = sorted(values)
    if not ordered:
        return None
    return TokenDistribution(
        min=ordered[0],
        median=_quantile(ordered, 0.5),
        p90=_quantile(ordered, 0.9),
        max=ordered[-1],
    )


@dataclass
class _Tally:
    records: int = 0
    example_tokens: array[int] = field(default_factory=lambda: array("q"))
    assistant_tokens: array[int] = field(default_factory=lambda: array("q"))
    missing_system: int = 0
    missing_user: int = 0
    too_long: int = 0

    def add(self, tokens: ExampleTokens) -> None:
        self.example_tokens.append(tokens.total)
        self.assistant_tokens.append(tokens.assistant)
        self.missing_system += not tokens.has_system
        self.missing_user += not tokens.has_user

    def summary(self, options: ValidationOptions) -> DatasetSummary:
        limit = options.max_sequence_tokens
        examples = len(self.example_tokens)
        # Trainers truncate an example to the maximum length, so that much is billed.
        trained = sum(min(tokens, limit) for tokens in self.example_tokens)
        return DatasetSummary(
            records=self.records,
            examples=examples,
            example_tokens=token_distribution(self.example_tokens),
            assistant_tokens_total=sum(self.assistant_tokens),
            assistant_tokens=token_distribution(self.assistant_tokens),
            missing_system=self.missing_system,
            missing_user=self.missing_user,
            too_long=self.too_long,
            max_sequence_tokens=limit,
            max_sequence_tokens_source=options.max_sequence_tokens_source,
            epochs=options.epochs,
            epochs_source=options.epochs_source,
            estimated_training_tokens=options.epochs * trained,
            guidance=size_guidance(examples),
        )


# --- Places: from a finding's JSON path to columns on its line ----------------------------------

_SPACE = re.compile(r"[ \t\n\r]*")
_SCANNER = json.JSONDecoder()


def _after_space(text: str, at: int) -> int:
    match = _SPACE.match(text, at)
    return match.end() if match else at


def _members(text: str, start: int) -> Iterator[tuple[PathStep, int, int, int, int]]:
    """(key or index, key start, key end, value start, value end) of the container at start."""
    opener = text[start]
    if opener not in "{[":
        return
    at = _after_space(text, start + 1)
    index = 0
    while text[at] not in "}]":
        key_start = at
        step: PathStep = index
        if opener == "{":
            step, key_end = _SCANNER.raw_decode(text, at)
            at = _after_space(text, _after_space(text, key_end) + 1)  # past the colon
        value_end = _SCANNER.raw_decode(text, at)[1]
        if opener == "[":
            key_start, key_end = at, value_end
        yield step, key_start, key_end, at, value_end
        at = _after_space(text, value_end)
        if text[at] == ",":
            at = _after_space(text, at + 1)
        index += 1


_Member = tuple[int, int, int, int]  # key start, key end, value start, value end
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")  # two UTF-16 code units each


class _LinePlaces:
    """Where the values of one line of JSON are, in UTF-16 columns. Each container on the way
    to a problem is scanned once, on first use, for all of the line's problems."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._root: tuple[int, int] | None = None
        # Of each container scanned, by its start: its members by key or index, the last of
        # repeated keys winning as in json.loads; None where the scan failed.
        self._members: dict[int, dict[PathStep, _Member] | None] = {}
        self._astral: list[int] | None = None  # characters that are two UTF-16 code units

    def locate(self, path: tuple[PathStep, ...], on_key: bool = False) -> tuple[int, int]:
        """Character offsets of the value at `path`; the whole line for ()."""
        text = self.text
        if not path:
            return 0, len(text)
        try:
            if self._root is None:
                start = _after_space(text, 0)
                self._root = start, _SCANNER.raw_decode(text, start)[1]
            start, end = self._root
            for depth, step in enumerate(path):
                members = self._members_at(start)
                if members is None:
                    return 0, len(text)
                # An object's keys are strings and an array's indexes ints: no mix-ups.
                found = members.get(step)
                if found is None:
                    break
                key_start, key_end, start, end = found
                if on_key and depth == len(path) - 1:
                    return key_start, key_end
            return start, end
        except (ValueError, IndexError, RecursionError):
            return 0, len(text)

    def _members_at(self, start: int) -> dict[PathStep, _Member] | None:
        if start not in self._members:
            found: dict[PathStep, _Member] | None = None
            try:
                found = {
                    step: (ks, ke, vs, ve) for step, ks, ke, vs, ve in _members(self.text, start)
                }
            finally:
                self._members[start] = found
        return self._members[start]

    def column(self, offset: int) -> int:
        """The UTF-16 column of a character offset."""
        if self._astral is None:
            text = self.text
            self._astral = [] if text.isascii() else [m.start() for m in _ASTRAL.finditer(text)]
        return offset + bisect.bisect_left(self._astral, offset)


def locate(text: str, path: tuple[PathStep, ...], on_key: bool = False) -> tuple[int, int]:
    """Character offsets of the value at `path` in a line of JSON; the whole line for ()."""
    return _LinePlaces(text).locate(path, on_key)


def _utf16_column(text: str, offset: int) -> int:
    if text.isascii():
        return offset
    return len(text[:offset].encode("utf-16-le", "surrogatepass")) // 2


# --- The pass over the lines --------------------------------------------------------------------


class _ProblemLog:
    """Problems in line order, kept up to a cap for the file and one for each line; those
    beyond are only counted."""

    def __init__(self, limit: int, line_limit: int) -> None:
        self.limit = limit
        self.line_limit = line_limit
        self.kept: list[DatasetProblem] = []
        self.omitted = 0
        self.errors = 0
        self.warnings = 0
        self._line = -1  # the line of the last problem kept, and how many it has kept
        self._line_kept = 0
        self._places: _LinePlaces | None = None  # of that line, when a finding was located

    def _room(self, line: int, severity: Severity) -> bool:
        if severity == "error":
            self.errors += 1
        elif severity == "warning":
            self.warnings += 1
        if line != self._line:
            self._line, self._line_kept, self._places = line, 0, None
        if len(self.kept) < self.limit and self._line_kept < self.line_limit:
            self._line_kept += 1
            return True
        self.omitted += 1
        return False

    def add_at(
        self, line: int, severity: Severity, code: str, message: str, start: int, end: int
    ) -> None:
        if self._room(line, severity):
            problem = DatasetProblem(
                severity=severity,
                code=code,
                message=message,
                line=line,
                start_character=start,
                end_character=end,
            )
            self.kept.append(problem)

    def add(self, line: int, text: str, finding: Finding) -> None:
        if not self._room(line, finding.severity):
            return  # not kept: no need to find where it is
        if self._places is None:
            self._places = _LinePlaces(text)
        places = self._places
        start, end = places.locate(finding.path, finding.on_key)
        self.kept.append(
            DatasetProblem(
                severity=finding.severity,
                code=finding.code,
                message=finding.message,
                line=line,
                start_character=places.column(start),
                end_character=places.column(end),
            )
        )


def _record_digest(record: dict[str, Any]) -> bytes:
    # Canonical JSON, so that key order and spacing do not hide a duplicate.
    canonical = json.dumps(record, sort_keys=True, separators=(",", ":"))
    return hashlib.blake2b(canonical.encode(), digest_size=_DIGEST_BYTES).digest()


class _Validator:
    def __init__(self, options: ValidationOptions) -> None:
        self.options = options
        self.problems = _ProblemLog(options.max_problems, options.max_line_problems)
        self.tally = _Tally()
        self.first_line_of: dict[bytes, int] = {}
        self.example_tokens = ExampleTokenCounter(options.count_tokens)

    def check_line(self, number: int, raw: bytes) -> None:
        problems = self.problems
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            before = raw[: error.start].decode("utf-8")  # valid up to the first bad byte
            column = _utf16_column(before, len(before))
            message = f"invalid UTF-8 (byte 0x{raw[error.start]:02x}); the line was not checked"
            problems.add_at(number, "error", "invalid-utf8", message, column, column + 1)
            return
        try:
            record = loads_bounded(text)
        except TooDeepError as error:
            self._too_deep(number, text, error.where.at, error.where.balanced)
            return
        except json.JSONDecodeError as error:
            start = _utf16_column(text, error.pos)
            end = start + 1 if error.pos < len(text) else start
            problems.add_at(number, "error", "json-syntax", f"not JSON: {error.msg}", start, end)
            return
        except RecursionError:
            whole = Finding("json-syntax", "not JSON this parser can read: nested too deeply")
            problems.add(number, text, whole)
            return
        except ValueError:
            # A number past Python's limit on digits (4,300) for converting to an int.
            whole = Finding("json-syntax", "not JSON this parser can read: a number too long")
            problems.add(number, text, whole)
            return
        if not isinstance(record, dict):
            text_kind = f"a record must be a JSON object, not {json_kind(record)}"
            problems.add(number, text, Finding("not-an-object", text_kind))
            return
        findings = record_findings(record)
        for finding in findings:
            problems.add(number, text, finding)
        if any(finding.severity == "error" for finding in findings):
            # Not an example: a trainer refuses it, copies or not, so only its errors matter.
            return
        self._check_duplicate(number, text, record)
        tokens = self.example_tokens(record)
        self.tally.add(tokens)
        limit = self.options.max_sequence_tokens
        if tokens.total > limit:
            self.tally.too_long += 1
            message = (
                f"the example is about {tokens.total:,} tokens, over the maximum sequence length"
                f" of {limit:,}: trainers truncate it"
            )
            problems.add(number, text, Finding("too-long", message, severity="warning"))

    def _too_deep(self, number: int, text: str, at: int, balanced: bool) -> None:
        if not balanced:
            # Broken as well as deep: as json.loads would say it, whatever its stack.
            whole = Finding("json-syntax", "not JSON this parser can read: nested too deeply")
            self.problems.add(number, text, whole)
            return
        column = _utf16_column(text, at)
        message = (
            f"the record nests values more than {MAX_NESTING} levels deep; the line was not checked"
        )
        self.problems.add_at(number, "error", "too-deep", message, column, column + 1)

    def _check_duplicate(self, number: int, text: str, record: dict[str, Any]) -> None:
        digest = _record_digest(record)
        first = self.first_line_of.setdefault(digest, number)
        if first != number:
            message = f"the same record as line {first + 1}"
            self.problems.add(number, text, Finding("duplicate", message, severity="warning"))

    def report(self, path: str | None) -> DatasetReport:
        problems = self.problems
        return DatasetReport(
            path=path,
            problems=problems.kept,
            omitted_problems=problems.omitted,
            error_count=problems.errors,
            warning_count=problems.warnings,
            summary=self.tally.summary(self.options),
        )


def validate_dataset(
    lines: Iterable[bytes], options: ValidationOptions, path: str | None = None
) -> DatasetReport:
    """Check every line of a `.jsonl` dataset; `lines` are read once, as they come."""
    validator = _Validator(options)
    for number, raw in enumerate(lines):
        if number == 0 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        # A CRLF line keeps its \r when split on \n; the editor's columns do not include it.
        if raw.endswith(b"\n"):
            raw = raw[:-1]
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if not raw.strip():
            continue  # blank lines separate nothing in JSONL, and trainers skip them
        validator.tally.records += 1
        validator.check_line(number, raw)
    return validator.report(path)
