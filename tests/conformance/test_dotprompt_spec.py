"""Dotprompt's official spec suites (`dotprompt_spec/`, see SOURCE.md), read by our reader and
rendered by the reference runtime, `dotpromptz`.

Our reader does not render: it reads the template, with source ranges. What must agree is the
structure: the roles and message boundaries (`model` is `assistant`), and where sections, media
and history sit. Text is compared only as being there or not, since it holds rendered data.

Every test case of every suite is compared, except where the structure depends on the test's
data rather than on the template: those are skipped with the reason (`_skip_reason`). The pass
rate in README.md ("Dotprompt conformance") is counted from this file's results.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from dotpromptz import Dotprompt
from dotpromptz.typing import (
    DataArgument,
    MediaPart,
    Message,
    PendingPart,
    PromptMetadata,
    RenderedPrompt,
    TextPart,
)

from server.core.formats.dotprompt import dotprompt_sections
from server.core.prompt_model import PromptDocument, Span
from server.core.prompt_parser import parse_prompt

SPEC = Path(__file__).resolve().parent / "dotprompt_spec"
SUITE_FILES = sorted(SPEC.rglob("*.yaml"))

# Stands in for the conversation so far wherever a template asks for `{{history}}`, so that the
# place the reference gives the history shows in its rendering even when a test gives none.
SENTINEL_HISTORY = [{"role": "user", "content": [{"text": "an earlier turn"}]}]

# What the renderer leaves out of the sent text, removed from our side's gaps before asking
# whether text is there: comments and the block role helper's end. (Test-only and small.)
_NOT_SENT = re.compile(r"\{\{~?!--.*?--~?\}\}|\{\{~?![^}]*\}\}|\{\{~?\s*/\s*role\s*~?\}\}", re.S)


class Case:
    def __init__(self, file: Path, suite: dict[str, Any], test: dict[str, Any]) -> None:
        self.file = file.relative_to(SPEC).with_suffix("").as_posix()
        self.suite = suite
        self.test = test
        self.template: str = suite["template"]
        self.partials: dict[str, str] = {
            **(suite.get("partials") or {}),
            **(suite.get("resolverPartials") or {}),
        }

    @property
    def id(self) -> str:
        return f"{self.file}:{self.suite['name']}:{self.test['desc']}"

    def data(self) -> dict[str, Any]:
        """The test's data on top of its suite's, as the spec's runners merge them."""
        return {**(self.suite.get("data") or {}), **(self.test.get("data") or {})}

    def data_with_history(self) -> dict[str, Any]:
        if not _HISTORY_TAG.search(self.template):
            return self.data()
        return {**self.data(), "messages": SENTINEL_HISTORY}


_HISTORY_TAG = re.compile(r"\{\{~?\s*history\s*~?\}\}")


def _cases() -> list[Case]:
    cases = []
    for file in SUITE_FILES:
        for suite in yaml.safe_load(file.read_text(encoding="utf-8")):
            cases += [Case(file, suite, test) for test in suite["tests"]]
    return cases


CASES = _cases()


def _skip_reason(case: Case, document: PromptDocument) -> str | None:
    """Why a case's structure cannot be read from its template alone; None: it can."""
    body = case.template[document.body.start :]
    if not body.strip():
        return "no body: the suite checks the frontmatter (schemas, metadata), not messages"
    if case.data().get("messages") and not _HISTORY_TAG.search(case.template):
        return (
            "the runtime inserts the data's history where the template has no `{{history}}` "
            "(after the system message): its place depends on the data"
        )
    return None


# --- Structure: one flat list of events for both sides --------------------------------------


def _add(events: list[str], pending_role: list[str], part: str) -> None:
    """Adds `part` to the message in progress, opening it first when needed; adjacent texts are
    one text."""
    if part == "history":
        if events[-1:] != ["history"]:
            events.append("history")
        return
    if pending_role:
        events.append(f"role {pending_role.pop()}")
    if part == "text" and events[-1:] == ["text"]:
        return
    events.append(part)


def reference_structure(messages: Sequence[Message]) -> list[str]:
    """`role R` opening each message that has parts, then its parts: `text`, `media`, `section
    NAME`; `history` for the history the runtime put there. Whitespace-only text is no part."""
    events: list[str] = []
    for message in messages:
        if (message.metadata or {}).get("purpose") == "history":
            _add(events, [], "history")
            continue
        role = "assistant" if message.role.value == "model" else message.role.value
        pending = [role]
        for part in message.content:
            if isinstance(part, TextPart):
                if part.text.strip():
                    _add(events, pending, "text")
            elif isinstance(part, MediaPart):
                _add(events, pending, "media")
            elif isinstance(part, PendingPart):
                _add(events, pending, f"section {(part.metadata or {}).get('purpose')}")
            else:
                _add(events, pending, type(part).__name__)
    return events


def our_structure(document: PromptDocument) -> list[str]:
    """The same events from our reading: each message's sections, media and history in source
    order, with `text` for each gap between them that holds something sent. A history splits its
    message in two, as the renderer does."""
    text = document.text
    items = [(span, f"section {name}") for name, span in dotprompt_sections(text, document.body)]
    items += [(p.span, p.kind) for p in document.placeholders if p.kind in ("media", "history")]
    items.sort(key=lambda item: item[0].start)
    # A message that a partial's role switch opens has the partial's tag as its marker: the
    # tag holds its text.
    partial_tags = {p.span for p in document.placeholders if p.kind == "partial"}
    events: list[str] = []
    for message in document.messages:
        pending = [message.role.value]
        marker = message.marker
        at = message.span.start if marker is None or marker in partial_tags else marker.end
        inside = [item for item in items if message.span.start <= item[0].start < message.span.end]
        for span, part in [*inside, (Span(message.span.end, message.span.end), "")]:
            if _NOT_SENT.sub("", text[at : span.start]).strip():
                _add(events, pending, "text")
            if part:
                _add(events, pending, part)
            at = max(at, span.end)
    return events


# --- The comparison -------------------------------------------------------------------------


async def render(case: Case, data: dict[str, Any]) -> list[Message]:
    partials = case.partials
    runtime = Dotprompt(
        partials=case.suite.get("partials") or {},
        schemas=case.suite.get("schemas") or {},
        partial_resolver=lambda name: partials.get(name),
    )
    options = case.test.get("options")
    rendered: RenderedPrompt[Any] = await runtime.render(
        case.template,
        DataArgument[dict[str, Any]](**data),
        PromptMetadata[Any](**options) if options else None,
    )
    return list(rendered.messages)


def read(case: Case) -> PromptDocument:
    document = parse_prompt("spec.prompt", case.template, case.partials.get)
    assert document is not None
    return document


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
async def test_our_reading_has_the_reference_structure(case: Case) -> None:
    document = read(case)
    if (reason := _skip_reason(case, document)) is not None:
        pytest.skip(reason)
    assert our_structure(document) == reference_structure(
        await render(case, case.data_with_history())
    )


# The suites' own expectations, through the same structure: the oracle is used as the spec
# means (data merged, partials and resolvers given), or the comparison above would prove little.
@pytest.mark.parametrize(
    "case",
    [c for c in CASES if "messages" in (c.test.get("expect") or {})],
    ids=lambda case: case.id,
)
async def test_the_reference_renders_what_the_spec_expects(case: Case) -> None:
    expected = [Message.model_validate(m) for m in case.test["expect"]["messages"]]
    assert reference_structure(await render(case, case.data())) == reference_structure(expected)


async def test_the_comparison_tells_a_wrong_reading_apart() -> None:
    # The old reading of a plain `.prompt` file (Markdown: the body a system message) must fail.
    [case] = [c for c in CASES if c.suite["name"] == "basic_section"]
    as_markdown = parse_prompt("spec.md", case.template)
    assert as_markdown is not None and as_markdown.format == "markdown"
    assert our_structure(as_markdown) != reference_structure(await render(case, case.data()))


def test_every_suite_file_is_read() -> None:
    # The suites the spec folder held when copied: a lost file would quietly lower the count.
    assert len(SUITE_FILES) == 13
    assert len(CASES) == 117


def test_the_readme_counts_what_is_compared() -> None:
    # README.md, "Dotprompt conformance": 48 of 69 suites (96 cases) compared.
    compared = [case for case in CASES if _skip_reason(case, read(case)) is None]
    assert len({(case.file, case.suite["name"]) for case in compared}) == 48
    assert len(compared) == 96


# --- The corpus's real Genkit files, rendered the same way ----------------------------------

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "dotprompt"
# Names a tag's hash arguments take their values from (`{{media url=videoUrl}}`): a media part
# with no URL renders as nothing, so each gets a value.
_ARGUMENT_VALUE = re.compile(r"=\s*([A-Za-z_]\w*)")


def _corpus_partial(name: str) -> str | None:
    path = CORPUS / f"_{name}.prompt"
    return path.read_text(encoding="utf-8") if path.is_file() else None


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.prompt")))
async def test_corpus_files_have_the_reference_structure(name: str) -> None:
    text = (CORPUS / name).read_text(encoding="utf-8")
    document = parse_prompt(name, text, _corpus_partial)
    assert document is not None
    names = {v.name for v in document.variables} | set(_ARGUMENT_VALUE.findall(text))
    data: dict[str, Any] = {"input": {n: f"http://example.com/{n}" for n in names}}
    if _HISTORY_TAG.search(text):
        data["messages"] = SENTINEL_HISTORY
    runtime = Dotprompt(partial_resolver=_corpus_partial)
    rendered: RenderedPrompt[Any] = await runtime.render(text, DataArgument[dict[str, Any]](**data))
    assert our_structure(document) == reference_structure(rendered.messages)
