"""Chat-message JSON and YAML: an OpenAI-style `messages` list, alone or inside a request body.

The top level is a list of `{role, content}` objects, or an object whose `messages` is such a
list beside request settings (`model`, `max_tokens`, `tools`, `response_format`, ...). Any
other JSON or YAML is not a prompt, and the parsers return None so the caller leaves it alone.

Values come from a real decoder (`json.loads`, PyYAML's safe constructor); source positions
come from PyYAML's composer, whose nodes carry character offsets. JSON is close enough to a
subset of YAML that composing it gives the node of every value; where the two readings
disagree, positions fall back to the enclosing node, and at worst to the whole file.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from server.core.formats.assemble import as_int, assemble, first_of, listing, mapping
from server.core.formats.frontmatter import yaml_error_problem
from server.core.formats.role_markers import stripped_span
from server.core.json_values import MAX_NESTING, TooDeepError, json_kind, loads_bounded
from server.core.prompt_model import (
    ROLE_ALIASES,
    Message,
    Metadata,
    Placeholder,
    Problem,
    ProblemSeverity,
    PromptDocument,
    PromptFormat,
    Role,
    Span,
    Variable,
)
from server.core.template_syntax import curly_variables
from server.core.yaml_limits import TOO_DEEP_CODE, compose_limited

# libyaml's loader when the wheel has it, as in frontmatter.py; its marks are character
# offsets too.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# A file that fails to parse can only be reported if it was meant to be a chat: these name a
# chat's keys. Without them a broken `tsconfig.json` (comments are not JSON) or CI workflow
# would get a chat diagnostic.
_JSON_CHAT_KEY = re.compile(r"""["'](?:role|messages)["']\s*:""")
_YAML_CHAT_KEY = re.compile(r"""(?:^|[{,\s-])["']?(?:role|messages)["']?[ \t]*:""", re.M)
_JSON_SPACE = " \t\r\n"
# Characters YAML refuses anywhere, which JSON allows inside strings (and a lone surrogate,
# which libyaml cannot even encode). Replaced one for one, so offsets stay true.
_NOT_YAML = re.compile("[^\t\n\r -~\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# A surrogate escape, as `json.dumps` writes every emoji, which libyaml refuses; not one whose
# backslash is itself escaped.
_SURROGATE_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_MAX_TOKEN_KEYS = ("max_tokens", "max_completion_tokens", "max_output_tokens")
# Settings that Metadata keeps in their own fields rather than in `parameters`.
_NOT_PARAMETERS = frozenset({"messages", "model", "tools", "promptweight"})
_MEDIA_PREFIXES = ("image", "audio", "video", "file", "document", "input_")


@dataclass
class _Reader:
    """Walks the decoded chat beside its composed nodes, gathering what the document holds."""

    text: str
    base: int = 0  # where the composed text starts: libyaml's marks do not count a BOM
    coarse: bool = False  # some value had no node: fall back to file-wide variable search
    messages: list[Message] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)
    placeholders: list[Placeholder] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def span(self, node: yaml.Node | None, default: Span) -> Span:
        if node is None:
            return default
        start = min(self.base + node.start_mark.index, len(self.text))
        end = min(max(self.base + node.end_mark.index, start), len(self.text))
        # A block mapping's node runs on to the next token; its trailing newlines are not its.
        return stripped_span(self.text, start, end)

    def problem(self, severity: ProblemSeverity, code: str, message: str, span: Span) -> None:
        self.problems.append(Problem(severity, code, message, span))

    def text_variables(self, node: yaml.Node | None) -> None:
        if node is not None:
            self.variables += curly_variables(self.text, self.span(node, Span(0, 0)))
        else:
            self.coarse = True

    def read_message(self, item: Any, node: yaml.Node | None, default: Span) -> None:
        span = self.span(node, default)
        if not isinstance(item, dict):
            self.problem(
                "error",
                "chat-format",
                f"a message must be an object with `role` and `content`, not {json_kind(item)}",
                span,
            )
            return
        role_node = _value_node(node, "role", item.get("role"))
        role = self.read_role(item, role_node, span)
        content_node = _value_node(node, "content", item.get("content"))
        content_span = self.span(content_node, span)
        content = self.read_content(item, content_node, content_span)
        if role is None or content is None:
            return
        text, has_media = content
        if not text and not has_media and role in (Role.USER, Role.SYSTEM):
            self.problem("warning", "empty-message", f"this {role} message is empty", content_span)
        name = item.get("name")
        self.messages.append(
            Message(
                role=role,
                content=text,
                span=span,
                content_span=content_span,
                marker=self.span(role_node, span) if role_node is not None else None,
                name=name if isinstance(name, str) else None,
            )
        )

    def read_role(self, item: dict[Any, Any], node: yaml.Node | None, span: Span) -> Role | None:
        if "role" not in item:
            self.problem("error", "chat-format", "this message has no `role`", span)
            return None
        value = item["role"]
        at = self.span(node, span)
        if not isinstance(value, str):
            self.problem(
                "error", "chat-format", f"`role` must be a string, not {json_kind(value)}", at
            )
            return None
        role = ROLE_ALIASES.get(value.strip().lower())
        if role is None:
            known = ", ".join(ROLE_ALIASES)
            self.problem(
                "warning",
                "unknown-role",
                f"unknown role {value!r} (known: {known}); this message is not counted",
                at,
            )
        return role

    def read_content(
        self, item: dict[Any, Any], node: yaml.Node | None, span: Span
    ) -> tuple[str, bool] | None:
        """The message's text and whether it also holds media, or None if it has no content."""
        value = item.get("content")
        if value is None:
            # An assistant turn that only calls tools has no text, and needs none.
            if item.get("tool_calls") or item.get("function_call"):
                return "", False
            missing = "`content` is null" if "content" in item else "this message has no `content`"
            self.problem("error", "chat-format", missing, span)
            return None
        if isinstance(value, str):
            self.text_variables(node)
            return value.strip(), False
        if isinstance(value, list):
            return self.read_parts(value, node, span)
        self.problem(
            "error",
            "chat-format",
            f"`content` must be a string or a list of parts, not {json_kind(value)}",
            span,
        )
        return None

    def read_parts(self, parts: list[Any], node: yaml.Node | None, span: Span) -> tuple[str, bool]:
        texts: list[str] = []
        has_media = False
        for index, part in enumerate(parts):
            part_node = _item_node(node, index, parts)
            part_span = self.span(part_node, span)
            if isinstance(part, str):
                texts.append(part)
                self.text_variables(part_node)
            elif not isinstance(part, dict):
                self.problem(
                    "error",
                    "chat-format",
                    f"a content part must be an object, not {json_kind(part)}",
                    part_span,
                )
            elif (key := _text_key(part)) is not None:
                texts.append(part[key])
                self.text_variables(_value_node(part_node, key, part[key]))
            elif part.get("type") == "text" or part.get("modality") == "text":
                self.problem(
                    "error", "chat-format", "this text part has no string `text`", part_span
                )
            else:
                # Images, audio, files: runtime content that is not counted as text.
                has_media = True
                self.placeholders.append(Placeholder(_partjson_kind(part), part_span))
        return "\n".join(texts).strip(), has_media


def _text_key(part: dict[Any, Any]) -> str | None:
    """Where a text part keeps its text: OpenAI and Anthropic `{type: text, text}`, and
    Adaline / promptfoo `{modality: text, value}`."""
    if part.get("type") == "text" and isinstance(part.get("text"), str):
        return "text"
    if part.get("modality") == "text" and isinstance(part.get("value"), str):
        return "value"
    return None


def _partjson_kind(part: dict[Any, Any]) -> str:
    kind = first_of(part.get("type"), part.get("modality"))
    if not isinstance(kind, str) or kind.startswith(_MEDIA_PREFIXES):
        return "media"
    return kind


def _value_node(node: yaml.Node | None, key: str, value: Any) -> yaml.Node | None:
    """The node of `key`'s value in a mapping node; the last one, as decoders keep the last
    of duplicate keys. None where the composed tree does not match the decoded value."""
    if not isinstance(node, yaml.MappingNode):
        return None
    found: yaml.Node | None = None
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            found = value_node
    return found if _matches(found, value) else None


def _item_node(node: yaml.Node | None, index: int, items: list[Any]) -> yaml.Node | None:
    if not isinstance(node, yaml.SequenceNode) or len(node.value) != len(items):
        return None
    found: yaml.Node = node.value[index]
    return found if _matches(found, items[index]) else None


def _matches(node: yaml.Node | None, value: Any) -> bool:
    """Whether a node can be where a decoded value came from (YAML may read JSON otherwise)."""
    if isinstance(value, dict):
        return isinstance(node, yaml.MappingNode)
    if isinstance(value, list):
        return isinstance(node, yaml.SequenceNode)
    # Scalars are not compared: the two decoders differ on escapes (`\ud83d\ude00` is one
    # character to JSON, two to PyYAML), and the characters `_NOT_YAML` replaced.
    return isinstance(node, yaml.ScalarNode)


def _chat_messages(data: Any, root: yaml.Node | None) -> tuple[list[Any], yaml.Node | None] | None:
    """The messages list and its node, or None when the data is not shaped like a chat."""
    if isinstance(data, list):
        items, node = data, root
        if not items:
            return None
    elif isinstance(data, dict) and isinstance(data.get("messages"), list):
        items = data["messages"]
        node = _value_node(root, "messages", items)
    else:
        return None
    # A list of records that are not messages (few-shot data, LangChain's serialised
    # messages) is some other file.
    if items and not any(isinstance(m, dict) and "role" in m for m in items):
        return None
    return items, node


def _metadata(data: Any) -> Metadata:
    if not isinstance(data, dict):
        return Metadata()
    model = data.get("model")
    return Metadata(
        model=model if isinstance(model, str) else None,
        max_output_tokens=as_int(first_of(*(data.get(key) for key in _MAX_TOKEN_KEYS))),
        parameters={k: v for k, v in data.items() if k not in _NOT_PARAMETERS},
        tools=listing(data.get("tools")),
        output_schema=data.get("response_format"),
        promptweight=mapping(data.get("promptweight")),
        raw=data,
    )


def _chat_document(
    format: PromptFormat, text: str, data: Any, root: yaml.Node | None, base: int
) -> PromptDocument | None:
    chat = _chat_messages(data, root)
    if chat is None:
        return None
    items, list_node = chat
    reader = _Reader(text, base)
    whole = Span(0, len(text))
    list_span = reader.span(list_node, whole)
    for index, item in enumerate(items):
        reader.read_message(item, _item_node(list_node, index, items), list_span)
    variables = reader.variables
    if reader.coarse:
        # Without the nodes of the content strings, any `{{ name }}` in the file may be one.
        variables += curly_variables(text, whole)
    return assemble(
        format=format,
        text=text,
        metadata=_metadata(data),
        frontmatter=None,
        body=whole,
        messages=reader.messages,
        variables=list(dict.fromkeys(variables)),
        placeholders=reader.placeholders,
        problems=reader.problems,
    )


def _error_document(format: PromptFormat, text: str, problem: Problem) -> PromptDocument:
    return assemble(
        format=format,
        text=text,
        metadata=Metadata(),
        frontmatter=None,
        body=Span(0, len(text)),
        messages=[],
        variables=[],
        placeholders=[],
        problems=[problem],
    )


def _after_bom(text: str) -> int:
    # An editor may keep the byte-order mark as a character; `json.loads` rejects it, and
    # libyaml leaves it out of its offsets.
    return 1 if text.startswith("\ufeff") else 0


def _as_yaml(json_text: str) -> str:
    """JSON text that YAML reads to the same nodes at the same offsets; only the values of
    some strings change, and those come from `json.loads`."""
    return _SURROGATE_ESCAPE.sub(r"\1\\u0020", _NOT_YAML.sub("?", json_text))


def parse_chat_json(text: str) -> PromptDocument | None:
    offset = _after_bom(text)
    if not text[offset:].lstrip(_JSON_SPACE).startswith(("[", "{")):
        return None
    try:
        # Nesting is bounded (`json_values.MAX_NESTING`): the values are walked, and tools are
        # written back to JSON to be counted.
        data = loads_bounded(text[offset:])
    except TooDeepError as error:
        if not _JSON_CHAT_KEY.search(text):
            return None
        message = (
            f"values nested more than {MAX_NESTING} levels deep are not supported; "
            "the file is not read"
        )
        at = offset + error.where.at
        problem = Problem("error", TOO_DEEP_CODE, message, Span(at, at + 1))
        return _error_document("chat-json", text, problem)
    except json.JSONDecodeError as error:
        if not _JSON_CHAT_KEY.search(text):
            return None
        at = offset + error.pos
        message = f"invalid JSON: {error.msg}"
        return _error_document(
            "chat-json", text, Problem("error", "json-syntax", message, Span(at, at))
        )
    except (ValueError, RecursionError):
        # Numbers past Python's digit limit, nesting past its stack: not a prompt to measure.
        return None
    try:
        root = yaml.compose(_as_yaml(text[offset:]), Loader=_Loader)
    except (yaml.YAMLError, ValueError, RecursionError):
        root = None  # valid JSON that YAML cannot read (keys over 1024 characters, say)
    return _chat_document("chat-json", text, data, root, offset)


def parse_chat_yaml(text: str) -> PromptDocument | None:
    offset = _after_bom(text)
    try:
        # Aliases and deep nesting are refused before any value is built (`yaml_limits.py`).
        data, root, refusal = compose_limited(text[offset:], _Loader, single=False)
    except yaml.YAMLError as error:
        if not _YAML_CHAT_KEY.search(text):
            return None
        return _error_document(
            "chat-yaml", text, yaml_error_problem(error, offset, len(text), "yaml-syntax")
        )
    except (ValueError, RecursionError):
        # Text libyaml cannot encode (lone surrogates) or nesting past the stack.
        return None
    if refusal is not None:
        if not _YAML_CHAT_KEY.search(text):
            return None
        start = min(offset + refusal.start, len(text))
        end = min(max(offset + refusal.end, start), len(text))
        message = f"{refusal.reason}; the file is not read"
        problem = Problem("error", refusal.code, message, Span(start, end))
        return _error_document("chat-yaml", text, problem)
    return _chat_document("chat-yaml", text, data, root, offset)
