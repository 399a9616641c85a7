"""Properties that hold for every format, on any text: parsing never raises, every range lies
inside the document, and message spans cover the body in order."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from server.core.prompt_model import Metadata, PromptDocument, Span
from server.core.prompt_parser import parse_prompt

FILE_NAMES = [
    "a.prompty",
    "a.prompt",
    "a.prompt.md",
    "a.chat.json",
    "a.chat.yaml",
    "a.jinja2",
    "a.md",
]

# Pieces of every format's syntax, so that random text often looks nearly right.
SYNTAX = [
    "---\n",
    "\n",
    "system:\n",
    "user:\n",
    "assistant:\n",
    "# user:\n",
    "tool[name=x]:\n",
    "A:\n",
    '{{role "user"}}',
    '{{#role "model"}}',
    "{{/role}}",
    "<<<dotprompt:role:user>>>",
    "{{history}}",
    "{{> style}}",
    "{{media url=x}}",
    "{{ name }}",
    "${input:x:y}",
    "![thread]\n",
    "<example>",
    "</example>",
    "<input>",
    "</input>",
    "<output>",
    "</output>",
    "Input: ",
    "Output: ",
    "Q: ",
    "A: ",
    '{"role": "user", "content": "',
    '"}',
    "[",
    "]",
    "{",
    "}",
    "- role: user\n",
    "  content: ",
    "model: gpt-4o\n",
    ": [",
    "\t",
    "\r\n",
    "🧪",
    "\ud800",
    "\x00",
]
texts = st.lists(st.one_of(st.sampled_from(SYNTAX), st.text(max_size=12)), max_size=40).map("".join)


def all_spans(document: PromptDocument) -> list[Span]:
    spans = [document.body] + ([document.frontmatter] if document.frontmatter else [])
    for message in document.messages:
        spans += [message.span, message.content_span] + ([message.marker] if message.marker else [])
    spans += [e.span for e in document.examples]
    spans += [v.span for v in document.variables]
    spans += [p.span for p in document.placeholders]
    spans += [p.span for p in document.problems]
    return spans


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(FILE_NAMES), texts)
def test_parsing_never_raises_and_ranges_stay_inside(file_name: str, text: str) -> None:
    document = parse_prompt(file_name, text, read_partial=lambda name: "partial {{x}}")
    if document is None:
        return
    assert all(0 <= s.start <= s.end <= len(text) for s in all_spans(document))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["a.prompty", "a.prompt", "a.prompt.md", "a.md"]), texts)
def test_message_spans_cover_the_body_in_order(file_name: str, text: str) -> None:
    document = parse_prompt(file_name, text, read_partial=lambda name: None)
    assert document is not None
    spans = [m.span for m in document.messages]
    if not spans:
        assert text[document.body.start : document.body.end].strip() == "" or all(
            not m.content for m in document.messages
        )
        return
    assert spans[0].start == document.body.start
    assert spans[-1].end == document.body.end
    assert all(a.end == b.start for a, b in itertools.pairwise(spans))
    for message in document.messages:
        assert message.span.start <= message.content_span.start
        assert message.content_span.end <= message.span.end


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(FILE_NAMES), st.binary(max_size=200))
def test_arbitrary_bytes_decoded_never_raise(file_name: str, raw: bytes) -> None:
    parse_prompt(file_name, raw.decode("utf-8", errors="surrogateescape"))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(FILE_NAMES), texts, st.integers(min_value=0, max_value=5))
def test_contents_are_announced_once_in_order_however_much_the_listener_reads(
    file_name: str, text: str, read: int
) -> None:
    """An analysis starts counting from the announced contents while the parse goes on; a
    listener that stops reading early changes nothing."""
    heard: list[list[str]] = []

    def listen(metadata: Metadata, contents: Iterator[str]) -> None:
        heard.append(list(itertools.islice(contents, read)))

    def partial(name: str) -> str:
        return "partial {{x}}"

    document = parse_prompt(file_name, text, partial, listen)
    alone = parse_prompt(file_name, text, partial)
    if document is None:
        assert alone is None and heard == []
        return
    assert alone is not None
    assert document.messages == alone.messages and document.problems == alone.problems
    contents = [m.content for m in document.messages]
    assert heard == [contents[:read]]
