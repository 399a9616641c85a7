"""Prompty's own runtime as the oracle: a `.prompty` file's role markers, roles and message
boundaries are the ones `prompty` 2.1's `PromptyChatParser` finds in the same body.

The runtime renders the template (Jinja2) before it parses; rendering fills in data, so both
readings here are of the template as written, the text Promptweight counts. Nothing is
rendered or sent: the parser alone runs, on the body that prompty's own frontmatter split gives.

Where the two readings differ on purpose, the comparison leaves it out, and says so:
- a marker with nothing after it: the runtime sends no message when no line follows before the
  next marker, and an empty one when only blank lines do; Promptweight keeps an empty message
  (and an `empty-message` warning) either way. Only messages with content are compared.
- line breaks: Promptweight's lines end at `\n` (or `\r\n`), as an editor's do; the runtime also
  breaks lines at a lone `\r`, `\v`, `\f`, `\x1c`-`\x1e`, `\x85`, U+2028 and U+2029, which the
  generated bodies do not hold.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from prompty import prepare
from prompty.core.utils import parse as split_frontmatter
from prompty.model import Agent
from prompty.parsers import PromptyChatParser

from server.core.formats.prompty import parse_prompty
from server.core.prompt_model import ROLE_ALIASES

CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "prompty"
CORPUS_FILES = sorted(CORPUS.glob("*.prompty"))

Messages = list[tuple[str, str]]


def _same_lines(text: str) -> str:
    # The runtime joins a message's lines with `\n`; Promptweight keeps them as written.
    return "\n".join(text.splitlines()).strip()


def runtime_messages(body: str) -> Messages:
    """The messages with content that prompty's parser makes of `body`, as (role, text)."""
    parsed = PromptyChatParser().parse(Agent(name="oracle"), body)
    found = [(ROLE_ALIASES[m.role].value, _same_lines(m.text)) for m in parsed]
    return [(role, text) for role, text in found if text]


def our_messages(text: str) -> Messages:
    """Promptweight's messages with content, each as the source text between its markers
    (placeholders included, as the runtime's text includes them before rendering)."""
    found = [
        (m.role.value, _same_lines(text[m.content_span.start : m.content_span.end]))
        for m in parse_prompty(text).messages
    ]
    return [(role, content) for role, content in found if content]


def runtime_body(text: str) -> str:
    """The body as prompty's loader splits it from the frontmatter (a file without frontmatter
    is all body)."""
    if not text.lstrip().startswith("---"):
        return text
    split = split_frontmatter(text)
    assert isinstance(split, dict)
    return str(split["instructions"])


def test_the_prompty_corpus_is_here() -> None:
    assert len(CORPUS_FILES) == 14


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name)
def test_corpus_file_splits_as_the_runtime_splits_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert our_messages(text) == runtime_messages(runtime_body(text))


# Lines that are role markers for the runtime, or nearly: each reads as the runtime reads it.
EDGE_CASES = [
    "system:\nA\nuser:\nB\nassistant:\nC\ndeveloper:\nD",
    "SYSTEM:\nA\nUser:\nB\nasSistant:\nC",
    "# system:\nA\n#user:\nB\n#   assistant:\nC",
    "## user:\nA\n### system:\nB",  # one `#` at most
    "system:\nA\ntool:\nB\nfunction:\nC\n# tool:\nD",  # prompt flow's roles, not Prompty's
    "system:\nA\nhuman:\nB\nAI:\nC\nmodel:\nD",
    "  user  :  \nA\n\tassistant\t:\t\nB",
    "\xa0user:\xa0\nA\n\u3000assistant\u3000:\nB",  # Unicode spaces are spaces
    "user :\r\nA\r\nassistant:\r\nB\r\n",
    'user[name="Ann"]:\nA\nassistant[name=Bot, mood=calm]:\nB',
    'user[name = "A, b"]:\nA\nassistant[a=1 b=2]:\nB',
    'user[name="a]b"]:\nA\nassistant[x="1",]:\nB',
    "user [name=Ann]:\nA",  # a space before the attributes
    'user[]:\nA\nuser[x]:\nB\nuser[=1]:\nC\nuser[a="b]:\nD',
    "user[name=Ann]x:\nA\nuser:x\nB\nuser: text\nC",
    "user:\n\nassistant:\n  \nuser:\nlast",
    "Text first.\nuser:\nHi",
    "user:\n{% for m in history %}\n{{m.role}}:\n{{m.content}}\n{% endfor %}",
    "user:\n![thread]\n{{question}}",
    "system::\nA\n:user:\nB\nuser:: \nC",
]


@pytest.mark.parametrize("body", EDGE_CASES)
def test_edge_case_splits_as_the_runtime_splits_it(body: str) -> None:
    assert our_messages(body) == runtime_messages(body)


# Pieces of marker lines and of text around them, so that random lines often are, or nearly
# are, role markers. No line breaks but `\n` (see the module's docstring), no `-` (a body that
# starts `---` would be frontmatter to both, split differently).
PIECES = [
    "",
    " ",
    "\t",
    "\xa0",
    "\x1f",
    "#",
    "##",
    "system",
    "User",
    "ASSISTANT",
    "developer",
    "tool",
    "function",
    "human",
    "[",
    "]",
    "[name=Ann]",
    '[name="A, b"]',
    "[a=1 b=2]",
    "=",
    '"',
    ",",
    ":",
    " :",
    "text",
    "{{x}}",
]
LINES = st.lists(st.sampled_from(PIECES), max_size=6).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.lists(LINES, max_size=8), st.sampled_from(["\n", "\r\n"]))
def test_any_body_splits_as_the_runtime_splits_it(lines: list[str], newline: str) -> None:
    body = newline.join(lines)
    assert our_messages(body) == runtime_messages(body)


# Names: the runtime's strict mode (its default) drops markers' attributes before rendering;
# `strict: false` keeps them, and the OpenAI executor sends `name`. `prepare` renders and parses
# and calls no model.
NAMED = 'system[name="seth"]:\nBe kind.\nuser[name=Ann, mood=calm]:\nHi'
STRICTNESS = [None, True, False]


@pytest.mark.parametrize("strict", STRICTNESS)
def test_names_are_the_ones_the_runtime_sends(strict: bool | None) -> None:
    format: dict[str, object] = {"kind": "jinja2"}
    frontmatter = "---\ntemplate:\n  format:\n    kind: jinja2\n"
    if strict is not None:
        format["strict"] = strict
        frontmatter += f"    strict: {str(strict).lower()}\n"
    template = {"format": format, "parser": {"kind": "prompty"}}
    agent = Agent.load({"name": "oracle", "template": template, "instructions": NAMED})
    runtime = [m.metadata.get("name") for m in prepare(agent, {})]
    ours = [m.name for m in parse_prompty(frontmatter + "---\n" + NAMED).messages]
    assert ours == runtime
