"""Dotprompt (`.prompt`): Handlebars bodies with role helpers, partials and placeholders."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.core.formats.dotprompt import dotprompt_sections, parse_dotprompt
from server.core.prompt_analysis import AnalysisSettings, analyse_prompt
from server.core.prompt_model import LineIndex, PromptDocument, Span
from server.core.prompt_parser import PartialReader, detect_format, parse_prompt, reading_note
from server.lsp.features import breakdown_markdown

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "dotprompt"


def roles_and_contents(document: PromptDocument) -> list[tuple[str, str]]:
    return [(m.role.value, m.content) for m in document.messages]


def codes(document: PromptDocument) -> list[str]:
    return [p.code for p in document.problems]


def partials(**files: str) -> dict[str, str]:
    """A partial reader's files, by partial name: `style="..."` is `_style.prompt`."""
    return files


def read_corpus_partial(name: str) -> str | None:
    path = CORPUS / f"_{name}.prompt"
    return path.read_text(encoding="utf-8") if path.exists() else None


def assert_well_formed(document: PromptDocument) -> None:
    """Every span inside the text; message spans tile the body, in order."""
    size = len(document.text)
    spans: list[Span] = [document.body]
    for message in document.messages:
        spans += [message.span, message.content_span]
        assert message.span.start <= message.content_span.start
        assert message.content_span.end <= message.span.end
        if message.marker is not None:
            spans.append(message.marker)
            assert message.span.start <= message.marker.start
            assert message.marker.end <= message.span.end
    spans += [p.span for p in document.placeholders]
    spans += [p.span for p in document.problems]
    spans += [v.span for v in document.variables]
    spans += [e.span for e in document.examples]
    assert all(0 <= span.start <= span.end <= size for span in spans)
    if document.messages:
        tiles = [m.span for m in document.messages]
        assert tiles[0].start == document.body.start
        assert tiles[-1].end == size
        assert all(a.end == b.start for a, b in itertools.pairwise(tiles))


MARKERS = [
    (
        '{{role "system"}}\nBe brief.\n{{role "user"}}\nHi',
        [("system", "Be brief."), ("user", "Hi")],
    ),
    (
        "{{ role 'system' }}\nBe brief.\n{{  role  'user'  }}\nHi",
        [("system", "Be brief."), ("user", "Hi")],
    ),
    ('{{~role "system"~}}Be brief.', [("system", "Be brief.")]),
    ('{{role "user"}}Hi{{role "model"}}Hello!', [("user", "Hi"), ("assistant", "Hello!")]),
    (
        '{{#role "system"}}Be brief.{{/role}}\n{{#role "user"}}\nHi\n{{/role}}',
        [("system", "Be brief."), ("user", "Hi")],
    ),
    (
        "<<<dotprompt:role:user>>>\nSummarize.\n<<<dotprompt:role:model>>>\nSure.",
        [("user", "Summarize."), ("assistant", "Sure.")],
    ),
    ('{{role "tool"}}{"temp": 21}', [("tool", '{"temp": 21}')]),
]


@pytest.mark.parametrize(("text", "expected"), MARKERS)
def test_messages_follow_role_helpers_and_rendered_markers(
    text: str, expected: list[tuple[str, str]]
) -> None:
    assert roles_and_contents(parse_dotprompt(text)) == expected


LEADING = [
    ("Is it raining in {{city}}?", [("user", "Is it raining in {{city}}?")]),
    ('Context first.\n{{role "model"}}\nOK.', [("user", "Context first."), ("assistant", "OK.")]),
    ('\n\n  {{role "system"}}\nRules.', [("system", "Rules.")]),
    ("", []),
    ("\n  \n", []),
]


@pytest.mark.parametrize(("text", "expected"), LEADING)
def test_text_before_any_role_is_a_user_message(text: str, expected: list[tuple[str, str]]) -> None:
    assert roles_and_contents(parse_dotprompt(text)) == expected


def test_leading_blank_text_belongs_to_the_first_message() -> None:
    text = '---\nmodel: m\n---\n\n\n{{role "system"}}\nRules.'
    document = parse_dotprompt(text)
    assert document.messages[0].span == Span(document.body.start, len(text))
    assert document.messages[0].marker == Span(text.index("{{role"), text.index("\nRules"))


def test_content_span_is_the_stripped_source() -> None:
    text = '{{role "system"}}\n\n  Be brief.  \n{{role "user"}}\nHi {{name}}\n'
    for message in parse_dotprompt(text).messages:
        span = message.content_span
        assert text[span.start : span.end] == message.content


def test_a_user_model_pair_before_the_last_user_turn_is_a_few_shot_example() -> None:
    text = (
        '{{role "system"}}\nYou love impressions.\n'
        '{{role "user"}}\nSay hello to Michael.\n'
        '{{role "model"}}\nAhoy, Michael!\n'
        '{{role "user"}}\nSay hello to {{name}}.'
    )
    examples = parse_dotprompt(text).examples
    assert [(e.kind, e.input, e.output) for e in examples] == [
        ("chat-pair", "Say hello to Michael.", "Ahoy, Michael!")
    ]


PLACEHOLDERS = [
    ('{{role "system"}} Hello {{history}}', "history", "Hello"),
    ('{{role "user"}}\nWatch this:\n{{media url=videoUrl}}\n', "media", "Watch this:"),
    (
        '{{role "user"}}\nLook: {{ media url="http://x/y.png" contentType="image/png" }}',
        "media",
        "Look:",
    ),
    ("<<<dotprompt:role:user>>>\nEarlier:\n<<<dotprompt:history>>>", "history", "Earlier:"),
    ("<<<dotprompt:role:user>>>\nSee <<<dotprompt:media:url http://x/a.png>>>", "media", "See"),
]


@pytest.mark.parametrize(("text", "kind", "content"), PLACEHOLDERS)
def test_history_and_media_are_recorded_not_counted(text: str, kind: str, content: str) -> None:
    document = parse_dotprompt(text)
    assert [p.kind for p in document.placeholders] == [kind]
    assert document.messages[-1].content == content
    assert document.variables == ()


AFTER_HISTORY = [
    (
        '{{role "system"}}Rules.\n{{history}}\nGo on.',
        [("system", "Rules."), ("assistant", "Go on.")],
    ),
    (
        '{{role "system"}}Rules.\n{{history}}\n{{role "user"}}Next.',
        [("system", "Rules."), ("user", "Next.")],
    ),
    ('{{role "system"}}Rules.\n{{history}}\n', [("system", "Rules.")]),
    (
        "<<<dotprompt:role:user>>>Hi<<<dotprompt:history>>>Hello!",
        [("user", "Hi"), ("assistant", "Hello!")],
    ),
]


@pytest.mark.parametrize(("text", "expected"), AFTER_HISTORY)
def test_text_after_the_history_is_a_model_turn_until_a_role_switch(
    text: str, expected: list[tuple[str, str]]
) -> None:
    document = parse_dotprompt(text)
    assert roles_and_contents(document) == expected
    assert document.problems == ()
    assert_well_formed(document)


SECTIONS = [
    (
        '{{section "intro"}}\nHello world\n{{section "main"}}\nMain content\n',
        [("user", "Hello world\n\nMain content")],
        ["intro", "main"],
    ),
    (
        "{{role 'system'}}{{ section 'rules' }}Be brief.{{~section \"tone\"~}}Be kind.",
        [("system", "Be brief.Be kind.")],
        ["rules", "tone"],
    ),
]


@pytest.mark.parametrize(("text", "expected", "names"), SECTIONS)
def test_section_markers_are_structure_not_content(
    text: str, expected: list[tuple[str, str]], names: list[str]
) -> None:
    document = parse_dotprompt(text)
    assert roles_and_contents(document) == expected
    assert document.variables == ()
    assert document.placeholders == ()
    sections = dotprompt_sections(text, document.body)
    assert [name for name, _ in sections] == names
    assert all(text[span.start : span.end].endswith("}}") for _, span in sections)


def test_a_found_partial_adds_its_text_where_it_is_included() -> None:
    text = '{{role "system"}}\nBe kind.\n{{> tone mood=mood}}\nBe brief.'
    reader = partials(tone="\nSpeak calmly.\n").get
    document = parse_dotprompt(text, reader)
    assert roles_and_contents(document) == [("system", "Be kind.\nSpeak calmly.\nBe brief.")]
    tag = Span(text.index("{{>"), text.index("\nBe brief"))
    assert [(p.kind, p.span) for p in document.placeholders] == [("partial", tag)]
    assert document.problems == ()


@pytest.mark.parametrize("tag", ["{{>style}}", "{{> style}}", "{{> style personality=p}}"])
def test_partial_tags_name_the_partial(tag: str) -> None:
    document = parse_dotprompt(f"Hello.\n{tag}", partials(style="Be a pirate.").get)
    assert roles_and_contents(document) == [("user", "Hello.\nBe a pirate.")]


def test_role_switches_inside_a_partial_start_messages_at_its_tag() -> None:
    text = "{{> style}}\n\nTell me a story about {{subject}}.\n"
    reader = partials(style='{{role "system"}}\nSpeak as a pirate.\n{{role "user"}}').get
    document = parse_dotprompt(text, reader)
    assert roles_and_contents(document) == [
        ("system", "Speak as a pirate."),
        ("user", "Tell me a story about {{subject}}."),
    ]
    tag = Span(0, len("{{> style}}"))
    assert [m.span for m in document.messages] == [tag, Span(tag.end, len(text))]
    assert_well_formed(document)


MISSING = [
    ("no reader", None),
    ("reader finds nothing", partials().get),
]


@pytest.mark.parametrize(("case", "reader"), MISSING)
def test_a_partial_that_cannot_be_read_is_an_error_on_its_tag(
    case: str, reader: PartialReader | None
) -> None:
    text = "Hi.\n{{> style personality=p}}\n"
    document = parse_dotprompt(text, reader)
    (problem,) = document.problems
    assert (problem.severity, problem.code) == ("error", "missing-partial")
    assert "_style.prompt" in problem.message
    assert text[problem.span.start : problem.span.end] == "{{> style personality=p}}"
    assert roles_and_contents(document) == [("user", "Hi.")]


def test_a_reader_that_fails_is_a_missing_partial() -> None:
    def failing(name: str) -> str | None:
        raise OSError(f"cannot read _{name}.prompt")

    assert codes(parse_dotprompt("{{> style}}", failing)) == ["missing-partial"]


CYCLES = [
    partials(loop="Again: {{> loop}}"),
    partials(a="A {{> b}}", b="B {{> a}}"),
]


@pytest.mark.parametrize("files", CYCLES)
def test_partials_that_include_themselves_are_a_cycle(files: dict[str, str]) -> None:
    first = next(iter(files))
    document = parse_dotprompt(f"Start. {{{{> {first}}}}}", files.get)
    assert codes(document) == ["partial-cycle"]
    assert document.messages[0].content.startswith("Start.")


def test_partials_that_fan_out_are_bounded() -> None:
    # Ten levels of partials that each include the next one twice: 2**10 inclusions.
    files = {f"p{i}": f"{{{{> p{i + 1}}}}} {{{{> p{i + 1}}}}}" for i in range(10)}
    files["p10"] = "leaf"
    document = parse_dotprompt("{{> p0}}", files.get)
    assert "partial-limit" in codes(document)


def test_an_unknown_role_is_a_warning_and_its_text_stays_above() -> None:
    text = '{{role "system"}}\nRules.\n{{role "narrator"}}\nOnce upon a time.'
    document = parse_dotprompt(text)
    assert roles_and_contents(document) == [("system", "Rules.\n\nOnce upon a time.")]
    (problem,) = document.problems
    assert (problem.severity, problem.code) == ("warning", "unknown-role")
    assert text[problem.span.start : problem.span.end] == '{{role "narrator"}}'


def test_an_unknown_first_role_leaves_its_text_in_the_leading_user_message() -> None:
    document = parse_dotprompt("<<<dotprompt:role:narrator>>>\nOnce.")
    assert roles_and_contents(document) == [("user", "Once.")]
    assert codes(document) == ["unknown-role"]


PROBLEMS = [
    ('{{role "system"}}\n{{role "user"}}\nHi', "empty-message", (0, 0)),
    ("Hello {{name\nmore text", "unclosed-tag", (0, 6)),
    ("Hi {{a {{b}}", "unclosed-tag", (0, 3)),
    ("{{!-- never closed\n{{x}}", "unclosed-tag", (0, 0)),
    ("---\nmodel: [unclosed\n---\nHi", "frontmatter-yaml", (2, 0)),
]


@pytest.mark.parametrize(("text", "code", "line_and_column"), PROBLEMS)
def test_problems_are_located(text: str, code: str, line_and_column: tuple[int, int]) -> None:
    document = parse_dotprompt(text)
    assert codes(document) == [code]
    assert LineIndex(text).position(document.problems[0].span.start) == line_and_column


def test_unclosed_tags_are_read_as_text() -> None:
    document = parse_dotprompt('Hello {{name\n{{role "model"}}\nHi')
    assert roles_and_contents(document) == [("user", "Hello {{name"), ("assistant", "Hi")]


def test_comments_are_neither_content_nor_variables() -> None:
    text = "Hi {{!-- {{secret}} }} --}}there{{! short }}."
    document = parse_dotprompt(text)
    assert roles_and_contents(document) == [("user", "Hi there.")]
    assert document.variables == ()


def test_only_plain_names_are_variables() -> None:
    text = (
        '{{role "user"}}\n{{#if formal}}Dear {{name}}{{else}}Hi{{/if}}\n'
        "{{#each items}}{{this}} {{@index}}{{/each}} {{> style}} {{{raw}}} {{json data}}"
    )
    document = parse_dotprompt(text, partials(style="").get)
    assert [v.name for v in document.variables] == ["name", "raw"]


METADATA = [
    ("model: googleai/gemini-2.5-flash\n", "model", "googleai/gemini-2.5-flash"),
    ("config:\n  maxOutputTokens: 2048\n", "max_output_tokens", 2048),
    ("config:\n  maxOutputTokens: lots\n", "max_output_tokens", None),
    ("config:\n  temperature: 0.6\n", "parameters", {"temperature": 0.6}),
    ("tools:\n  - getWeather\n", "tools", ["getWeather"]),
    ("output:\n  format: json\n  schema:\n    a: string\n", "output_schema", {"a": "string"}),
    ("output:\n  format: text\n", "output_schema", None),  # a format alone is no schema
    ("output:\n  summary: string\n", "output_schema", None),
    ("promptweight:\n  callsPerDay: 500\n", "promptweight", {"callsPerDay": 500}),
    ("model: 7\n", "model", None),
]


@pytest.mark.parametrize(("frontmatter", "field", "value"), METADATA)
def test_metadata_from_frontmatter(frontmatter: str, field: str, value: object) -> None:
    document = parse_dotprompt(f"---\n{frontmatter}---\nHi")
    assert getattr(document.metadata, field) == value
    assert document.format == "dotprompt"


def test_raw_metadata_is_the_whole_frontmatter() -> None:
    document = parse_dotprompt("---\nmodel: m\nmaxTurns: 7\n---\nHi")
    assert document.metadata.raw == {"model": "m", "maxTurns": 7}


CORPUS_ROLES = {
    "_style.prompt": ["system", "user"],
    "example.prompt": ["user", "assistant"],
    "faithfulness_nli.prompt": ["user"],
    "hello.history.prompt": ["system", "user", "assistant", "user"],
    "kitchensink.prompt": ["system", "assistant"],
    "multi-msg.prompt": ["system", "user"],
    "story.prompt": ["system", "user"],
    "tools.prompt": ["user"],
}


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS.glob("*.prompt")))
def test_corpus_files_parse_into_their_turns(name: str) -> None:
    text = (CORPUS / name).read_text(encoding="utf-8")
    document = parse_dotprompt(text, read_corpus_partial)
    assert [m.role.value for m in document.messages] == CORPUS_ROLES[name]
    assert_well_formed(document)
    # `_style.prompt` ends with a role switch that the including file fills in.
    assert codes(document) == (["empty-message"] if name == "_style.prompt" else [])


def test_story_takes_its_system_message_from_the_style_partial() -> None:
    document = parse_dotprompt((CORPUS / "story.prompt").read_text(), read_corpus_partial)
    system, user = document.messages
    assert system.content.startswith("You should speak as if you are a ")
    assert user.content == "Tell me a story about {{subject}}."


def test_hello_history_has_one_few_shot_pair() -> None:
    text = (CORPUS / "hello.history.prompt").read_text()
    examples = parse_dotprompt(text).examples
    assert [(e.input, e.output) for e in examples] == [
        (
            "Say hello to Michael in the voice of a Space Pirate.",
            "Shiver me timbers, matey! We be sailing the solar winds!",
        )
    ]


FRAGMENTS = [
    "{{",
    "}}",
    "{{{",
    "}}}",
    '{{role "user"}}',
    "{{ role 'model' }}",
    '{{#role "system"}}',
    "{{/role}}",
    '{{role "narrator"}}',
    "<<<dotprompt:role:",
    ">>>",
    "<<<dotprompt:role:user>>>",
    "<<<dotprompt:history>>>",
    "{{history}}",
    '{{section "s"}}',
    "{{media url=u}}",
    "{{> p}}",
    "{{>q x=y}}",
    "{{> missing}}",
    "{{!--",
    "--}}",
    "{{! c }}",
    "{{name}}",
    "{{#if x}}",
    '"',
    "'",
    "\n",
    " ",
    "---\n",
    "a: [\n",
    "Input: x\nOutput: y\n",
    "\ufeff",
]
FUZZ_PARTIALS = partials(
    p='{{role "model"}} hi {{history}} there {{> q}}', q='{{> p}} {{role "user"}}{{', r=""
)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=4), max_size=30).map("".join))
def test_any_text_parses_into_well_formed_spans(text: str) -> None:
    document = parse_dotprompt(text, FUZZ_PARTIALS.get)
    assert document.format == "dotprompt"
    assert_well_formed(document)


# --- Which `.prompt` files are Dotprompt, and what the hover says ---------------------------

GENKIT_PLAIN = "---\nmodel: googleai/gemini-2.0-flash\n---\nHello {{name}}"

READINGS = [
    (GENKIT_PLAIN, "dotprompt"),
    ("Summarize the text below.\n\n{{text}}", "dotprompt"),
    ("", "dotprompt"),
    ("---\nsystem:\n  note: a frontmatter key, not a marker\n---\nHi", "dotprompt"),
    ('{{role "system"}}\nA line that reads\nuser:\nstays Dotprompt.', "dotprompt"),
    ("---\ninput:\n  schema:\n    q: string\n---\nuser:\n{{q}}", "dotprompt"),
    ("system:\nBe brief.\n\nuser:\n{{question}}", "markdown"),
    ("# System:\nBe brief.\n# User:\nHi", "markdown"),
    ("{% for m in history %}{{m.content}}{% endfor %}", "markdown"),
]


@pytest.mark.parametrize(("text", "format"), READINGS)
def test_a_prompt_file_is_dotprompt_unless_clearly_something_else(text: str, format: str) -> None:
    assert detect_format("greeting.prompt", text) == format


def test_a_plain_genkit_file_is_one_user_message() -> None:
    document = parse_prompt("hello.prompt", GENKIT_PLAIN)
    assert document is not None
    assert roles_and_contents(document) == [("user", "Hello {{name}}")]
    assert document.metadata.model == "googleai/gemini-2.0-flash"


def test_section_markers_are_not_counted() -> None:
    text = '{{section "intro"}}\nHello world\n{{section "main"}}\nMain content\n'
    without = "\nHello world\n\nMain content\n"
    counted = analyse_prompt("s.prompt", text, AnalysisSettings())
    assert (
        counted.message_tokens
        == analyse_prompt("s.prompt", without, AnalysisSettings()).message_tokens
    )


READING_NOTES = [
    (GENKIT_PLAIN, "Read as Dotprompt, the format of `.prompt` files"),
    ('{{role "user"}}Hi', "Read as Dotprompt: it uses Dotprompt syntax."),
    ("system:\nBe brief.", "this file has role-marker lines"),
    ("{% if x %}Hi{% endif %}", "this file has Jinja statements"),
]


@pytest.mark.parametrize(("text", "note"), READING_NOTES)
def test_the_breakdown_hover_says_which_reading_was_used(text: str, note: str) -> None:
    analysis = analyse_prompt("greeting.prompt", text, AnalysisSettings())
    assert analysis.document is not None
    assert note in reading_note(analysis.document)
    assert reading_note(analysis.document) in (breakdown_markdown(analysis) or "")
