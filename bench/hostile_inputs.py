"""Pathological prompt files, generated: each family is a plain function from a target size (in
characters; every text is ASCII, so also bytes) to `(file_name, text)`, for the benchmark
(bench/hostile_scaling.py, bench/hostile_load.py, bench/fuzz.py) and for tests to reuse.

Each family is a shape that a naive parser handles in more than linear time or memory: a
backtracking regular expression over a long run of one character, a search that restarts at
every one of many openings, a walk over a value that expands, a recursion as deep as the input
nests. `SCALED` families grow to any size (the benchmark compares 100 KB with 1 MB); `FIXED`
ones are one file of a set size (deep nesting, YAML aliases, a file just under the size limit).
A file name ending in `.jsonl` is a dataset, for the dataset validator, not a prompt.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from server.core.countable import DEFAULT_MAX_DOCUMENT_CHARACTERS

Generator = Callable[[int], tuple[str, str]]

# As deep as YAML or JSON frontmatter nests in the hostile file: just under a thousand, where
# Python's recursive readers and writers (json, repr, the YAML constructor) give out.
DEEP_NESTING = 990


def _repeat(unit: str, size: int) -> str:
    """`unit` repeated to about `size` characters (at least once)."""
    return unit * max(1, size // len(unit))


def _fill(prefix: str, unit: str, suffix: str, size: int) -> str:
    """`prefix`, `unit` repeated, `suffix`: about `size` characters in all."""
    return prefix + _repeat(unit, size - len(prefix) - len(suffix)) + suffix


# --- Scaled families -------------------------------------------------------------------------


def chat_json_one_line(size: int) -> tuple[str, str]:
    """A chat JSON file as `json.dumps` writes it: every message on one line."""
    messages: list[dict[str, str]] = []
    length = 2
    index = 0
    while length < size:
        role = "user" if index % 2 == 0 else "assistant"
        message = {"role": role, "content": f"Message {index}: please answer briefly."}
        length += len(json.dumps(message)) + 2
        messages.append(message)
        index += 1
    return "x.chat.json", json.dumps(messages)


def braces_one_line(size: int) -> tuple[str, str]:
    """`{{` fifty thousand times (at 100 KB) on one line of a system message."""
    return "x.prompty", _fill("system:\n", "{{", "\n", size)


def heading_label_spaces(size: int) -> tuple[str, str]:
    """`# `, then spaces, then `x`: a Markdown heading that might end in a few-shot label
    (`### Input:`), tried at every space."""
    return "x.md", _fill("# ", " ", "x\n", size)


def model_name_dashes(size: int) -> tuple[str, str]:
    """A model named `x-0000-0000-...`: every `-0000` looks like a snapshot suffix to strip."""
    return "x.prompty", _fill("---\nmodel: x", "-0000", "\n---\nsystem:\nHello.\n", size)


def model_name_ats(size: int) -> tuple[str, str]:
    """A model named `x@a@a...`: every `@a` looks like a Vertex version suffix."""
    return "x.prompty", _fill("---\nmodel: x", "@a", "\n---\nsystem:\nHello.\n", size)


def dotprompt_partial_letters(size: int) -> tuple[str, str]:
    """Dotprompt with frontmatter and a partial `{{> ` whose name runs on and never closes."""
    prefix = "---\nmodel: googleai/gemini-1.5-flash\n---\n{{> "
    return "x.prompt", _fill(prefix, "abcdefghij", "\n", size)


def role_marker_spaces(size: int) -> tuple[str, str]:
    """`system`, spaces, `x:`: nearly a role marker, and not one."""
    return "x.prompty", _fill("system", " ", "x:\n", size)


def example_inputs(size: int) -> tuple[str, str]:
    """`<example>` and then `<input>` over and over, none closed."""
    return "x.prompty", _fill("system:\n<example>", "<input>", "\n", size)


def image_markers(size: int) -> tuple[str, str]:
    """`![` over and over on one line: a thread placeholder (`![thread]`) or an image that
    never finishes."""
    return "x.prompty", _fill("system:\n", "![", "\n", size)


def unclosed_braces(size: int) -> tuple[str, str]:
    """Many `{{ name` that never close, in lines of words."""
    return "x.prompty", _fill("system:\n", "Dear {{ name and {{ title\n", "", size)


def spaces_in_message(size: int) -> tuple[str, str]:
    """One run of spaces, the whole file long, inside a message."""
    return "x.prompty", _fill("system:\nHello", " ", "world.\n\nuser:\n{{question}}\n", size)


def end_of_text_tokens(size: int) -> tuple[str, str]:
    """`<|endoftext|>` over and over: the special token the counters join texts with."""
    return "x.prompty", _fill("system:\n", "<|endoftext|>", "\n", size)


def role_markers(size: int) -> tuple[str, str]:
    """`user:` / `x` over and over: a message every eight characters."""
    return "x.prompty", _fill("", "user:\nx\n", "", size)


def dataset_unknown_keys(size: int) -> tuple[str, str]:
    """One `.jsonl` record whose message has many keys the format does not know."""
    head = '{"messages": [{"role": "user", "content": "Hello"'
    tail = '}, {"role": "assistant", "content": "Hi."}]}\n'
    keys: list[str] = []
    length = len(head) + len(tail)
    index = 0
    while length < size:
        key = f', "unknown_{index}": {index}'
        keys.append(key)
        length += len(key)
        index += 1
    return "x.jsonl", head + "".join(keys) + tail


SCALED: dict[str, Generator] = {
    "chat_json_one_line": chat_json_one_line,
    "braces_one_line": braces_one_line,
    "heading_label_spaces": heading_label_spaces,
    "model_name_dashes": model_name_dashes,
    "model_name_ats": model_name_ats,
    "dotprompt_partial_letters": dotprompt_partial_letters,
    "role_marker_spaces": role_marker_spaces,
    "example_inputs": example_inputs,
    "image_markers": image_markers,
    "unclosed_braces": unclosed_braces,
    "spaces_in_message": spaces_in_message,
    "end_of_text_tokens": end_of_text_tokens,
    "role_markers": role_markers,
    "dataset_unknown_keys": dataset_unknown_keys,
}


# --- Fixed families --------------------------------------------------------------------------


def deep_tools(size: int = 0) -> tuple[str, str]:
    """Frontmatter `tools` nested `DEEP_NESTING` levels deep, as YAML flow sequences and as a
    block of mappings. `size` is ignored. The file deserves a diagnostic, not a crash."""
    flow = "[" * DEEP_NESTING + "1" + "]" * DEEP_NESTING
    return "x.prompty", f"---\nmodel: gpt-4o\ntools: {flow}\n---\nsystem:\nHello.\n"


def deep_tools_block(size: int = 0) -> tuple[str, str]:
    """As `deep_tools`, in block style: `- - - ... 1`, sequences nested in sequences."""
    block = "- " * DEEP_NESTING + "1"
    return "x.prompty", f"---\nmodel: gpt-4o\ntools:\n  {block}\n---\nsystem:\nHello.\n"


def billion_laughs(size: int = 0) -> tuple[str, str]:
    """The YAML "billion laughs": nine anchors of nine aliases of the one before, under the
    frontmatter's `tools` (counted as JSON) and `model` parameters. `size` is ignored."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        aliases = ",".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{aliases}]")
    frontmatter = "\n".join(lines)
    model = "model:\n  api: chat\n  configuration:\n    name: gpt-4o\n  parameters:\n    x: *a9"
    body = "system:\nHello.\n"
    return "x.prompty", f"---\n{frontmatter}\n{model}\ntools: *a9\n---\n{body}"


def role_markers_at_limit(size: int = 0) -> tuple[str, str]:
    """`role_markers` just under the server's default size limit (maxDocumentCharacters)."""
    file_name, text = role_markers(DEFAULT_MAX_DOCUMENT_CHARACTERS - 16)
    return file_name, text


FIXED: dict[str, Generator] = {
    "deep_tools": deep_tools,
    "deep_tools_block": deep_tools_block,
    "billion_laughs": billion_laughs,
    "role_markers_at_limit": role_markers_at_limit,
}

ALL: dict[str, Generator] = {**SCALED, **FIXED}


def is_dataset(file_name: str) -> bool:
    return file_name.endswith(".jsonl")
