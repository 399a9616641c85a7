"""Small helpers for JSON values: naming their kinds in messages ("must be a string, not a
number"), and reading JSON text no deeper than a limit, whatever the caller's stack."""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass
from typing import Any

# How deeply a prompt file's JSON or YAML values, or a dataset record, may nest. Real ones
# stop at a dozen levels (a tool's schema inside a tool inside a list); past about a thousand,
# Python's recursive readers and writers (json, repr) fail, at a depth that depends on how
# deep the caller's own stack is, so the limit is far below that.
MAX_NESTING = 100

# A JSON string (its escapes included), and what is left to scan once strings are dropped.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_DEPTH_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_IS_CONTAINER = frozenset({dict, list}).__contains__


def json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "an object"


@dataclass(frozen=True, slots=True)
class TooDeep:
    """Where a JSON text first nests past the limit."""

    at: int  # offset of the `[` or `{` that opens the first container past the limit
    balanced: bool  # every bracket is closed: JSON that is only too deep, not also broken


class TooDeepError(Exception):
    def __init__(self, where: TooDeep) -> None:
        super().__init__(f"JSON nested more than {MAX_NESTING} levels deep at {where.at}")
        self.where = where


def loads_bounded(text: str, limit: int = MAX_NESTING) -> Any:
    """`json.loads`, refusing values nested more than `limit` deep with `TooDeepError`, which
    says where. Raises what `json.loads` raises otherwise (RecursionError only where the
    caller's stack is already nearly full)."""
    try:
        value = json.loads(text)
    except RecursionError:
        # Past the stack: the text is found too deep by a scan that does not recurse.
        where = json_too_deep(text, limit)
        if where is None:
            raise
        raise TooDeepError(where) from None
    # Most values cannot nest that deep: they do not open enough containers.
    if text.count("[") + text.count("{") > limit and nests_deeper(value, limit):
        raise TooDeepError(json_too_deep(text, limit) or TooDeep(0, balanced=True))
    return value


def nests_deeper(value: Any, limit: int) -> bool:
    """Whether decoded JSON nests containers more than `limit` deep; level by level, without
    recursion, with the values of each level sorted in C."""
    level = [value] if _IS_CONTAINER(type(value)) else []
    for _ in range(limit):
        if not level:
            return False
        mappings = [item for item in level if type(item) is dict]
        lists = [item for item in level if type(item) is list]
        values = list(
            itertools.chain(
                itertools.chain.from_iterable(map(dict.values, mappings)),
                itertools.chain.from_iterable(lists),
            )
        )
        level = list(itertools.compress(values, map(_IS_CONTAINER, map(type, values))))
    return bool(level)


def json_too_deep(text: str, limit: int = MAX_NESTING) -> TooDeep | None:
    """Where `text` nests containers more than `limit` deep, or None: one linear scan, without
    recursion, which brackets inside strings do not count in. For text known to be deep, or
    that `json.loads` could not read."""
    if text.count("[") + text.count("{") <= limit:
        return None  # not enough brackets to open that many
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text))
    depths = list(itertools.accumulate(map(_DEPTH_STEP.__getitem__, brackets)))
    if not depths or max(depths) <= limit:
        return None
    balanced = depths[-1] == 0 and min(depths) >= 0
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        step = _DEPTH_STEP.get(match.group())
        if step is None:
            continue  # a string
        depth += step
        if depth > limit:
            return TooDeep(match.start(), balanced)
    return None  # not reached: this scan sees the brackets the one above saw
