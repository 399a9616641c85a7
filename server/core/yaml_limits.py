"""YAML from prompt files, read with limits: no aliases, and nesting no deeper than JSON's.

An alias (`*name`) stands for its anchor's whole value, so ten lines of ten aliases each make
ten billion values once anything walks the data (the "billion laughs"), and an alias inside its
own anchor makes a value that contains itself. Prompt files have no need of them, so they are
refused: the text is composed into nodes (libyaml shares an anchored node between its aliases
instead of copying it, so composing stays linear), and the nodes are walked once, without
recursion, before anything is built from them. Deep nesting is refused the same way, before
Python's recursive readers and writers (json, repr) meet it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from server.core.json_values import MAX_NESTING

ALIAS_CODE = "yaml-alias"
TOO_DEEP_CODE = "too-deep"
ALIAS_REASON = (
    "YAML aliases (`*name`) are not supported in prompt files: each stands for its anchor's "
    "whole value, so a few lines can expand to gigabytes, or to a value that contains itself; "
    "write the value out instead"
)
TOO_DEEP_REASON = f"values nested more than {MAX_NESTING} levels deep are not supported"


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why YAML was not built into values, and where in the composed text."""

    code: str
    reason: str
    start: int
    end: int


def compose_limited(
    text: str, loader_class: type[yaml.SafeLoader], *, single: bool
) -> tuple[Any, yaml.Node | None, Refusal | None]:
    """The first (`single`: the only) YAML document's value and node, or its node and why it
    was refused. Raises what PyYAML raises on text it cannot read."""
    loader = loader_class(text)
    try:
        if single:
            node = loader.get_single_node()
        else:
            # `check_node` drops the stream-start event that `get_node` expects to be gone.
            node = loader.get_node() if loader.check_node() else None
        if node is None:
            return None, None, None
        refusal = refusal_of(node, text, loader_class)
        if refusal is not None:
            return None, node, refusal
        return loader.construct_document(node), node, None
    finally:
        loader.dispose()


def refusal_of(root: yaml.Node, text: str, loader_class: type[yaml.SafeLoader]) -> Refusal | None:
    """The first alias or too-deep collection under `root` (composed from `text`), or None."""
    # Every alias is written `*name`: without a `*`, no node can be reached twice.
    seen: set[int] | None = set() if "*" in text else None
    stack: list[tuple[yaml.Node, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if seen is not None:
            if id(node) in seen:
                return _first_alias(text, loader_class, node)
            seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            children: list[yaml.Node] = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            continue
        if depth > MAX_NESTING:
            at = node.start_mark.index
            return Refusal(TOO_DEEP_CODE, TOO_DEEP_REASON, at, at + 1)
        stack.extend((child, depth + 1) for child in reversed(children))
    return None


def _first_alias(text: str, loader_class: type[yaml.SafeLoader], shared: yaml.Node) -> Refusal:
    """Where the first alias is written: the composed nodes only know their anchors' places."""
    for event in yaml.parse(text, Loader=loader_class):
        if isinstance(event, yaml.AliasEvent) and event.start_mark and event.end_mark:
            return Refusal(ALIAS_CODE, ALIAS_REASON, event.start_mark.index, event.end_mark.index)
    at = shared.start_mark.index  # not reached: a node is shared only through an alias
    return Refusal(ALIAS_CODE, ALIAS_REASON, at, at)
