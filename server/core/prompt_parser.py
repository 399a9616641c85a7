"""From a file's name and text to its `PromptDocument`, whatever the format."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePath

from server.core.prompt_model import ContentsFound, PromptDocument, PromptFormat

# Reads a Dotprompt partial by name (`{{> style}}` → `_style.prompt` beside the file), or None.
PartialReader = Callable[[str], str | None]

# Both run on any text a user writes, with the interpreter lock held; both are linear.
# Each branch starts with a literal `{{` or `<<<`, and its `\s*` runs (after `{{`, after
# `history`) end at a non-space before the next `{{`: each character is read by the attempts
# at one `{{`, a bounded number of times.
_DOTPROMPT_SIGNS = re.compile(
    r"\{\{[#/]?\s*role\b|<<<dotprompt:|\{\{>\s*\w|\{\{\s*history\s*\}\}|\{\{\s*media\b"
)
# Tried only at line starts; the `\s*` after a key ends at a non-space, before the next line that
# starts with a key.
_DOTPROMPT_KEYS = re.compile(r"^(?:config|input|output|tools|maxTurns)\s*:", re.M)


def looks_like_dotprompt(text: str) -> bool:
    if _DOTPROMPT_SIGNS.search(text):
        return True
    return text.startswith("---") and bool(_DOTPROMPT_KEYS.search(text[: text.find("\n---", 3)]))


def detect_format(file_name: str, text: str) -> PromptFormat:
    name = PurePath(file_name).name.lower()
    if name.endswith(".prompty"):
        return "prompty"
    if name.endswith((".prompt.md", ".instructions.md", ".chatmode.md")):
        return "prompt-md"
    if name.endswith(".prompt"):
        return "dotprompt" if looks_like_dotprompt(text) else "markdown"
    if name.endswith(".json"):
        return "chat-json"
    if name.endswith((".yaml", ".yml")):
        return "chat-yaml"
    return "markdown"


def parse_prompt(
    file_name: str,
    text: str,
    read_partial: PartialReader | None = None,
    on_contents: ContentsFound | None = None,
) -> PromptDocument | None:
    """The document, or None when the file is not a prompt (JSON or YAML that holds no chat).
    `on_contents` hears the messages' contents once: early where the format allows, else as
    soon as the document is read."""
    document: PromptDocument | None
    match detect_format(file_name, text):
        case "prompty":
            from server.core.formats.prompty import parse_prompty

            return parse_prompty(text, on_contents=on_contents)
        case "prompt-md":
            from server.core.formats.prompt_md import parse_prompt_md

            document = parse_prompt_md(text)
        case "dotprompt":
            from server.core.formats.dotprompt import parse_dotprompt

            document = parse_dotprompt(text, read_partial)
        case "chat-json":
            from server.core.formats.chat_messages import parse_chat_json

            document = parse_chat_json(text)
        case "chat-yaml":
            from server.core.formats.chat_messages import parse_chat_yaml

            document = parse_chat_yaml(text)
        case _:
            from server.core.formats.prompty import parse_markdown

            return parse_markdown(text, on_contents)
    if document is not None and on_contents is not None:
        on_contents(document.metadata, iter([m.content for m in document.messages]))
    return document
