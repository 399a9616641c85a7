"""From a file's name and text to its `PromptDocument`, whatever the format."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import PurePath

from server.core.formats.role_markers import marker_lines
from server.core.prompt_model import ContentsFound, PromptDocument, PromptFormat, Span

# Reads a Dotprompt partial by name (`{{> style}}` → `_style.prompt` beside the file), or None.
PartialReader = Callable[[str], str | None]

# Both run on any text a user writes, with the interpreter lock held; both are linear.
# Each branch starts with a literal `{{` or `<<<`, and its `\s*` runs (after `{{`, after
# `history`) end at a non-space before the next `{{`: each character is read by the attempts
# at one `{{`, a bounded number of times.
_DOTPROMPT_SIGNS = re.compile(
    r"\{\{[#/]?\s*role\b|<<<dotprompt:|\{\{>\s*\w|\{\{\s*history\s*\}\}|\{\{\s*media\b"
    r"|\{\{\s*section\b"
)
# Tried only at line starts; the `\s*` after a key ends at a non-space, before the next line that
# starts with a key.
_DOTPROMPT_KEYS = re.compile(r"^(?:config|input|output|tools|maxTurns)\s*:", re.M)
# A Jinja statement (`{% for m in history %}`), which Handlebars has no syntax for. Linear: each
# attempt starts at a literal `{%`, and its `\s*` ends at the keyword, before the next `{%`.
_JINJA_STATEMENT = re.compile(r"\{%[-+]?\s*(?:for|if|set|macro|block|raw|include|extends)\b")
# A pattern that never matches: `marker_lines` is asked for markers only, not near misses.
_NOTHING = re.compile(r"(?!)")


def looks_like_dotprompt(text: str) -> bool:
    """Whether the text uses syntax only Dotprompt has (helpers, rendered markers, or its
    frontmatter keys)."""
    if _DOTPROMPT_SIGNS.search(text):
        return True
    return text.startswith("---") and bool(_DOTPROMPT_KEYS.search(text[: text.find("\n---", 3)]))


def other_format_signs(text: str) -> str | None:
    """What says that a `.prompt` file without Dotprompt syntax is a prompt-flow / Markdown
    prompt after all: a role-marker line (`system:`, `# user:`) or a Jinja statement; None when
    nothing does, and the file is read as Dotprompt, its extension's format."""
    body = Span(_body_start(text), len(text))
    if next(marker_lines(text, body, _NOTHING, []), None) is not None:
        return "role-marker lines (`system:`, `# user:`)"
    if _JINJA_STATEMENT.search(text, body.start):
        return "Jinja statements (`{% ... %}`)"
    return None


def _body_start(text: str) -> int:
    """Where the body starts, found without reading the YAML: after the closing `---` line."""
    if not text.startswith("---"):
        return 0
    close = text.find("\n---", 3)
    if close == -1:
        return 0
    line_end = text.find("\n", close + 4)
    return len(text) if line_end == -1 else line_end + 1


def detect_format(file_name: str, text: str) -> PromptFormat:
    name = PurePath(file_name).name.lower()
    if name.endswith(".prompty"):
        return "prompty"
    if name.endswith((".prompt.md", ".instructions.md", ".chatmode.md")):
        return "prompt-md"
    if name.endswith(".prompt"):
        # `.prompt` is Dotprompt's extension (Genkit writes plain bodies with no helper at all);
        # only a file that clearly is something else is read as Markdown.
        if looks_like_dotprompt(text) or other_format_signs(text) is None:
            return "dotprompt"
        return "markdown"
    if name.endswith(".json"):
        return "chat-json"
    if name.endswith((".yaml", ".yml")):
        return "chat-yaml"
    return "markdown"


_FORMAT_NAMES: dict[PromptFormat, str] = {
    "prompty": "Prompty",
    "dotprompt": "Dotprompt",
    "prompt-md": "a VS Code prompt file (the body is one user message)",
    "chat-json": "chat messages in JSON",
    "chat-yaml": "chat messages in YAML",
    "markdown": "Markdown with role-marker lines (prompt-flow)",
}


def reading_note(document: PromptDocument) -> str:
    """Which reading the analysis used and, where the text decided it, why: shown in the
    hover, since a `.prompt` file may be read either way."""
    text = document.text
    reading = f"Read as {_FORMAT_NAMES[document.format]}"
    match document.format:
        case "dotprompt" if looks_like_dotprompt(text):
            return f"{reading}: it uses Dotprompt syntax."
        case "dotprompt":
            return (
                f"{reading}, the format of `.prompt` files: nothing in it says otherwise (no "
                "role-marker lines or Jinja statements), so text before any `{{role}}` is the "
                "user turn."
            )
        case "markdown":
            found = other_format_signs(text)
            return f"{reading}: text before the first marker is the system message" + (
                f"; this file has {found}." if found else "."
            )
    return f"{reading}."


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
