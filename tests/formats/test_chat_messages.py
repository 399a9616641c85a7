"""Chat-message JSON and YAML: a `messages` list, alone or inside a request body."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from server.core.formats.chat_messages import parse_chat_json, parse_chat_yaml
from server.core.prompt_model import PromptDocument, Span

CORPUS = Path(__file__).resolve().parent.parent / "corpus" / "chat-json-yaml"


def chat(text: str, yaml_text: bool = False) -> PromptDocument:
    document = parse_chat_yaml(text) if yaml_text else parse_chat_json(text)
    assert document is not None
    return document


def roles_and_contents(document: PromptDocument) -> list[tuple[str, str]]:
    return [(m.role.value, m.content) for m in document.messages]


def source(text: str, span: Span | None) -> str:
    assert span is not None
    return text[span.start : span.end]


def all_spans(document: PromptDocument) -> Iterator[Span]:
    yield document.body
    for message in document.messages:
        yield message.span
        yield message.content_span
        if message.marker is not None:
            yield message.marker
    yield from (example.span for example in document.examples)
    yield from (variable.span for variable in document.variables)
    yield from (placeholder.span for placeholder in document.placeholders)
    for problem in document.problems:
        yield problem.span


# --- shapes ---------------------------------------------------------------------------------

SYSTEM_AND_USER = [("system", "Be brief."), ("user", "Hi")]
TWO_MESSAGES = '[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}]'

SHAPES = [
    ("json list", TWO_MESSAGES, False),
    ("json request body", f'{{"model": "gpt-4o", "messages": {TWO_MESSAGES}}}', False),
    ("yaml list", "- role: system\n  content: Be brief.\n- role: user\n  content: Hi\n", True),
    (
        "yaml messages",
        "model: gpt-4o\nmessages:\n  - role: system\n    content: Be brief.\n"
        "  - {role: user, content: Hi}\n",
        True,
    ),
]


@pytest.mark.parametrize(("shape", "text", "yaml_text"), SHAPES)
def test_list_and_messages_object_are_both_chats(shape: str, text: str, yaml_text: bool) -> None:
    document = chat(text, yaml_text)
    assert roles_and_contents(document) == SYSTEM_AND_USER
    assert document.format == ("chat-yaml" if yaml_text else "chat-json")
    assert document.problems == ()


ROLES = [
    ("system", "system"),
    ("developer", "system"),
    ("user", "user"),
    ("human", "user"),
    ("assistant", "assistant"),
    ("model", "assistant"),
    ("tool", "tool"),
    ("function", "tool"),
    ("User", "user"),
]


@pytest.mark.parametrize(("written", "role"), ROLES)
def test_role_names_map_to_the_four_roles(written: str, role: str) -> None:
    document = chat(json.dumps([{"role": written, "content": "x"}]))
    assert document.messages[0].role.value == role


def test_content_is_decoded_and_stripped() -> None:
    document = chat('[{"role": "user", "content": "  line one\\nline \\"two\\"\\u00e9 \\n"}]')
    assert document.messages[0].content == 'line one\nline "two"é'


def test_a_request_body_with_no_messages_yet_is_still_a_chat() -> None:
    document = chat('{"model": "gpt-4o", "messages": []}')
    assert (document.messages, document.problems, document.metadata.model) == ((), (), "gpt-4o")


def test_name_is_kept() -> None:
    document = chat('[{"role": "user", "name": "ada", "content": "Hi"}]')
    assert document.messages[0].name == "ada"


def test_a_tool_call_needs_no_content() -> None:
    text = json.dumps(
        [
            {"role": "user", "content": "Weather?"},
            {"role": "assistant", "content": None, "tool_calls": [{"id": "c1"}]},
            {"role": "assistant", "tool_calls": [{"id": "c2"}]},
        ]
    )
    document = chat(text)
    assert roles_and_contents(document) == [
        ("user", "Weather?"),
        ("assistant", ""),
        ("assistant", ""),
    ]
    assert document.problems == ()


# --- content parts --------------------------------------------------------------------------

PARTS = [
    (
        "openai text and image",
        [
            {"type": "text", "text": "What is in"},
            {"type": "image_url", "image_url": {"url": "https://x/cat.png"}},
            {"type": "text", "text": "this picture?"},
        ],
        "What is in\nthis picture?",
        ["media"],
    ),
    (
        "anthropic image block",
        [{"type": "image", "source": {"data": "..."}}, {"type": "text", "text": "Describe."}],
        "Describe.",
        ["media"],
    ),
    ("adaline modality parts", [{"modality": "text", "value": "Hello"}], "Hello", []),
    ("plain string parts", ["Hello", "world"], "Hello\nworld", []),
    (
        "a non-media part keeps its type",
        [{"type": "tool_result", "content": "42"}],
        "",
        ["tool_result"],
    ),
    ("no parts", [], "", []),
]


@pytest.mark.parametrize(("case", "parts", "content", "kinds"), PARTS)
def test_text_parts_are_joined_and_other_parts_become_placeholders(
    case: str, parts: list[Any], content: str, kinds: list[str]
) -> None:
    text = json.dumps([{"role": "assistant", "content": parts}])
    document = chat(text)
    assert document.messages[0].content == content
    assert [p.kind for p in document.placeholders] == kinds


def test_a_placeholder_spans_its_part() -> None:
    text = '[{"role": "user", "content": [{"type": "input_audio", "input_audio": {}}]}]'
    placeholder = chat(text).placeholders[0]
    assert source(text, placeholder.span) == '{"type": "input_audio", "input_audio": {}}'


# --- metadata -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["max_tokens", "max_completion_tokens", "max_output_tokens"])
def test_any_max_tokens_key_gives_the_output_limit(key: str) -> None:
    text = json.dumps({key: 256, "messages": [{"role": "user", "content": "Hi"}]})
    assert chat(text).metadata.max_output_tokens == 256


def test_request_settings_become_metadata() -> None:
    body = {
        "model": "gpt-4o-mini",
        "temperature": 0.2,
        "tools": [{"type": "function", "function": {"name": "f"}}],
        "response_format": {"type": "json_object"},
        "promptweight": {"budget": 1000},
        "messages": [{"role": "user", "content": "Hi"}],
    }
    metadata = chat(json.dumps(body)).metadata
    assert metadata.model == "gpt-4o-mini"
    assert metadata.tools == body["tools"]
    assert metadata.output_schema == {"type": "json_object"}
    assert metadata.promptweight == {"budget": 1000}
    assert metadata.parameters == {"temperature": 0.2, "response_format": {"type": "json_object"}}
    assert metadata.raw == body


def test_a_bare_list_has_no_metadata() -> None:
    metadata = chat(TWO_MESSAGES).metadata
    assert (metadata.model, metadata.raw, metadata.parameters) == (None, {}, {})


@pytest.mark.parametrize("model", [42, None, ["gpt-4o"]])
def test_a_model_that_is_not_a_string_is_ignored(model: Any) -> None:
    text = json.dumps({"model": model, "messages": [{"role": "user", "content": "Hi"}]})
    assert chat(text).metadata.model is None


# --- positions ------------------------------------------------------------------------------

SPANS_TEXT = """{
  "messages": [
    {"role": "system", "content": "Be brief."},
    {
      "role": "user",
      "content": "Say \\"hi\\""
    }
  ]
}"""


def test_marker_is_the_role_value() -> None:
    markers = [source(SPANS_TEXT, m.marker) for m in chat(SPANS_TEXT).messages]
    assert markers == ['"system"', '"user"']


def test_content_span_is_the_string_with_its_quotes() -> None:
    contents = [source(SPANS_TEXT, m.content_span) for m in chat(SPANS_TEXT).messages]
    assert contents == ['"Be brief."', '"Say \\"hi\\""']


def test_message_span_is_the_whole_object() -> None:
    spans = [source(SPANS_TEXT, m.span) for m in chat(SPANS_TEXT).messages]
    assert spans[0] == '{"role": "system", "content": "Be brief."}'
    assert spans[1].startswith("{\n") and spans[1].endswith("}")


def test_positions_count_characters_not_bytes() -> None:
    text = '[{"role": "user", "content": "héllo 😀 wörld"}, {"role": "assistant", "content": "ok"}]'
    message = chat(text).messages[1]
    assert source(text, message.marker) == '"assistant"'


@pytest.mark.parametrize(
    ("text", "yaml_text", "marker"),
    [
        ('\ufeff[{"role": "user", "content": "Hi"}]', False, '"user"'),
        ("\ufeff- role: user\n  content: Hi\n", True, "user"),
    ],
)
def test_a_byte_order_mark_moves_no_position(text: str, yaml_text: bool, marker: str) -> None:
    document = chat(text, yaml_text)
    assert source(text, document.messages[0].marker) == marker


def test_variables_are_found_in_content_at_their_source_positions() -> None:
    text = json.dumps(
        {"model": "{{ not_content }}", "messages": [{"role": "user", "content": "In {{ year }}:"}]}
    )
    variables = chat(text).variables
    assert [(v.name, source(text, v.span)) for v in variables] == [("year", "{{ year }}")]


def test_json_that_yaml_cannot_read_falls_back_to_whole_file_positions() -> None:
    # YAML keys stop at 1024 characters; JSON's do not.
    text = json.dumps([{"role": "user", "content": "{{ x }}", "k" * 2000: 1}])
    document = chat(text)
    assert roles_and_contents(document) == [("user", "{{ x }}")]
    assert document.messages[0].span == Span(0, len(text))
    assert [v.name for v in document.variables] == ["x"]


def test_emoji_escaped_as_surrogates_do_not_lose_positions() -> None:
    text = json.dumps([{"role": "user", "content": "Nice 😀"}])  # "Nice \\ud83d\\ude00"
    message = chat(text).messages[0]
    assert message.content == "Nice 😀"
    assert source(text, message.content_span) == '"Nice \\ud83d\\ude00"'


def test_characters_yaml_refuses_do_not_lose_positions() -> None:
    text = '[{"role": "user", "content": "a\x7fb"}]'
    message = chat(text).messages[0]
    assert message.content == "a\x7fb"
    assert source(text, message.content_span) == '"a\x7fb"'


# --- YAML -----------------------------------------------------------------------------------

YAML_CHAT = """# A support bot
model: gpt-4o
max_tokens: 50
messages:
  - role: system
    content: |
      You answer in one line.
      Never guess.
  - role: user
    content: "What is {{ topic }}?"
"""


def test_yaml_chat_has_positions() -> None:
    document = chat(YAML_CHAT, yaml_text=True)
    system, user = document.messages
    assert system.content == "You answer in one line.\nNever guess."
    assert source(YAML_CHAT, system.marker) == "system"
    assert source(YAML_CHAT, user.content_span) == '"What is {{ topic }}?"'
    assert source(YAML_CHAT, user.span) == 'role: user\n    content: "What is {{ topic }}?"'
    assert [(v.name, source(YAML_CHAT, v.span)) for v in document.variables] == [
        ("topic", "{{ topic }}")
    ]
    assert (document.metadata.model, document.metadata.max_output_tokens) == ("gpt-4o", 50)


def test_only_the_first_yaml_document_is_read() -> None:
    text = "- role: user\n  content: Hi\n---\n- role: user\n  content: Second\n"
    assert roles_and_contents(chat(text, yaml_text=True)) == [("user", "Hi")]


UNCLOSED = "- role: user\n  content: [unclosed\n"
UNHASHABLE = "- role: user\n  content: {{ name }}\n"
QUOTED_THEN_TEXT = 'messages:\n  - role: user\n    content: "Hi" there\n'
YAML_ERRORS = [
    (UNCLOSED, len(UNCLOSED)),  # found at the end of the stream
    (UNHASHABLE, UNHASHABLE.index("{ name")),  # `{{ name }}` is a mapping used as a key
    (QUOTED_THEN_TEXT, QUOTED_THEN_TEXT.index("there")),
    ("\ufeff" + UNHASHABLE, 1 + UNHASHABLE.index("{ name")),
]


@pytest.mark.parametrize(("text", "at"), YAML_ERRORS)
def test_invalid_yaml_chat_is_a_located_error(text: str, at: int) -> None:
    document = chat(text, yaml_text=True)
    (problem,) = document.problems
    assert (problem.code, problem.severity, document.messages) == ("yaml-syntax", "error", ())
    assert problem.span == Span(at, at)


def test_invalid_yaml_that_names_no_chat_key_is_not_a_prompt() -> None:
    assert parse_chat_yaml("jobs:\n  build: [unclosed\n") is None


# --- JSON syntax errors ---------------------------------------------------------------------

JSON_ERRORS = [
    ('[{"role": "user", "content": "Hi",}]', "}", "Expecting property name"),
    ('[{"role": "user" "content": "Hi"}]', '"content"', "Expecting ',' delimiter"),
    ('{"messages": [{"role": "user", "content": "Hi"}]', "", "Expecting ',' delimiter"),
    ('[\n  {% for m in turns %}{"role": "user"}\n]', "% for", "Expecting property name"),
    ('\ufeff  [{"role": "user", "content": tru}]', "tru}", "Expecting value"),
]


@pytest.mark.parametrize(("text", "at", "message"), JSON_ERRORS)
def test_invalid_json_chat_is_located_at_the_decoder_error(
    text: str, at: str, message: str
) -> None:
    document = chat(text)
    (problem,) = document.problems
    assert (problem.code, problem.severity, document.messages) == ("json-syntax", "error", ())
    assert problem.span.start == problem.span.end
    assert text.startswith(at, problem.span.start)
    assert message in problem.message


def test_invalid_json_that_names_no_chat_key_is_not_a_prompt() -> None:
    tsconfig = '{\n  // comments are not JSON\n  "compilerOptions": {}\n}'
    assert parse_chat_json(tsconfig) is None


# --- not a chat -----------------------------------------------------------------------------

NOT_CHAT_JSON = [
    '{"name": "promptweight", "version": "1.0.0"}',
    "[1, 2, 3]",
    "[]",
    "{}",
    '"just a string"',
    "42",
    "null",
    "",
    "not json at all",
    '[{"input": "happy", "output": "sad"}]',
    '{"messages": "hello"}',
    '{"messages": [{"type": "human", "prompt": {"template": "{comment}"}}]}',
    '{"template": [{"role": "system", "content": "a LangChain prompt, not a request"}]}',
]


@pytest.mark.parametrize("text", NOT_CHAT_JSON)
def test_json_that_is_not_a_chat_is_left_alone(text: str) -> None:
    assert parse_chat_json(text) is None


NOT_CHAT_YAML = [
    "name: ci\non: push\n",
    "- a\n- b\n",
    "plain scalar",
    "",
    "# only a comment\n",
    "- input: happy\n  output: sad\n",
    "---\nkey: value\n---\n- role: user\n  content: Hi\n",
]


@pytest.mark.parametrize("text", NOT_CHAT_YAML)
def test_yaml_that_is_not_a_chat_is_left_alone(text: str) -> None:
    assert parse_chat_yaml(text) is None


# --- format problems ------------------------------------------------------------------------

FIRST = '{"role": "user", "content": "Hi"}'
PROBLEMS = [
    ("not an object", f"[{FIRST}, 42]", "chat-format", "error", "42", 1),
    ("no role", f'[{FIRST}, {{"content": "x"}}]', "chat-format", "error", '{"content": "x"}', 1),
    ("role not a string", '[{"role": 1, "content": "x"}]', "chat-format", "error", "1", 0),
    (
        "unknown role",
        '[{"role": "narrator", "content": "x"}]',
        "unknown-role",
        "warning",
        '"narrator"',
        0,
    ),
    ("no content", '[{"role": "user"}]', "chat-format", "error", '{"role": "user"}', 0),
    ("null content", '[{"role": "user", "content": null}]', "chat-format", "error", "null", 0),
    ("number content", '[{"role": "user", "content": 5}]', "chat-format", "error", "5", 0),
    ("object content", '[{"role": "user", "content": {}}]', "chat-format", "error", "{}", 0),
    (
        "part not an object",
        '[{"role": "user", "content": ["a", 7]}]',
        "chat-format",
        "error",
        "7",
        1,
    ),
    (
        "text part without text",
        '[{"role": "user", "content": ["a", {"type": "text"}]}]',
        "chat-format",
        "error",
        '{"type": "text"}',
        1,
    ),
    ("empty user", '[{"role": "user", "content": ""}]', "empty-message", "warning", '""', 1),
    (
        "blank system",
        '[{"role": "system", "content": " \\n "}]',
        "empty-message",
        "warning",
        '" \\n "',
        1,
    ),
    ("empty parts", '[{"role": "user", "content": []}]', "empty-message", "warning", "[]", 1),
]


@pytest.mark.parametrize(("case", "text", "code", "severity", "at", "kept"), PROBLEMS)
def test_format_problems_are_located(
    case: str, text: str, code: str, severity: str, at: str, kept: int
) -> None:
    document = chat(text)
    (problem,) = document.problems
    assert (problem.code, problem.severity) == (code, severity)
    assert source(text, problem.span) == at
    assert len(document.messages) == kept


@pytest.mark.parametrize(
    "text",
    [
        '[{"role": "assistant", "content": ""}]',
        '[{"role": "user", "content": [{"type": "image_url", "image_url": {}}]}]',
    ],
)
def test_an_empty_answer_or_an_image_alone_is_not_an_empty_message(text: str) -> None:
    assert chat(text).problems == ()


# --- few-shot -------------------------------------------------------------------------------


def test_chat_pairs_before_the_last_question_are_examples() -> None:
    text = json.dumps(
        [
            {"role": "system", "content": "Give the antonym."},
            {"role": "user", "content": "happy"},
            {"role": "assistant", "content": "sad"},
            {"role": "user", "content": "tall"},
            {"role": "assistant", "content": "short"},
            {"role": "user", "content": "{{ word }}"},
        ]
    )
    document = chat(text)
    assert [(e.input, e.output, e.kind) for e in document.examples] == [
        ("happy", "sad", "chat-pair"),
        ("tall", "short", "chat-pair"),
    ]
    first = document.examples[0].span
    assert (
        source(text, first)
        == '{"role": "user", "content": "happy"}, {"role": "assistant", "content": "sad"}'
    )


def test_examples_written_inside_a_json_string_are_found() -> None:
    text = json.dumps([{"role": "user", "content": "Input: hot\nOutput: cold\n\nInput: {{ w }}"}])
    document = chat(text)
    assert [(e.input, e.output) for e in document.examples] == [("hot", "cold")]
    assert document.examples[0].span == document.messages[0].content_span


# --- the corpus -----------------------------------------------------------------------------

# file: None (not a chat), an error code, or the number of messages
CORPUS_OUTCOMES: dict[str, str | int | None] = {
    "adaline-multiline__prompt.json": 2,
    "anthropic__chat-prompt.json": "json-syntax",  # a mangled Nunjucks template
    "chat_prompt.json": None,  # LangChain's serialised ChatPromptTemplate
    "config-multishot__prompt2.json": 2,
    "examples.json": None,  # few-shot data, not a chat
    "few_shot_prompt.yaml": None,  # LangChain few-shot template
    "getIntent.prompt.yaml": None,  # Semantic Kernel: the chat is inside a template string
    "multiple-turn-conversation__prompt.json": "json-syntax",  # Nunjucks `{% for %}`
    "simple_chat_prompt.json": None,  # LangChain `template`, not `messages`
    "simple_chat_prompt.yaml": None,
}


def test_every_corpus_file_has_an_expected_outcome() -> None:
    assert sorted(p.name for p in CORPUS.iterdir()) == sorted(CORPUS_OUTCOMES)


@pytest.mark.parametrize(("name", "outcome"), sorted(CORPUS_OUTCOMES.items()))
def test_corpus_file(name: str, outcome: str | int | None) -> None:
    text = (CORPUS / name).read_text(encoding="utf-8")
    document = parse_chat_json(text) if name.endswith(".json") else parse_chat_yaml(text)
    if outcome is None:
        assert document is None
        return
    assert document is not None
    if isinstance(outcome, str):
        assert [p.code for p in document.problems] == [outcome]
        assert document.messages == ()
    else:
        assert len(document.messages) == outcome
        assert document.problems == ()
        assert all(source(text, m.marker).strip('"') == m.role.value for m in document.messages)


def test_corpus_multiline_parts_are_decoded() -> None:
    text = (CORPUS / "adaline-multiline__prompt.json").read_text(encoding="utf-8")
    system = chat(text).messages[0]
    assert (
        system.content.startswith("Respond to the user")
        and "\n- You are a travel agent" in system.content
    )
    assert [v.name for v in chat(text).variables] == ["content"]


# --- properties -----------------------------------------------------------------------------


def assert_spans_in_bounds(document: PromptDocument | None) -> None:
    if document is not None:
        for span in all_spans(document):
            assert 0 <= span.start <= span.end <= len(document.text)


@settings(max_examples=300)
@given(st.text())
def test_any_text_parses_without_raising(text: str) -> None:
    assert_spans_in_bounds(parse_chat_json(text))
    assert_spans_in_bounds(parse_chat_yaml(text))


CHAT_KEYS = st.sampled_from(
    ["role", "content", "messages", "type", "text", "tool_calls", "name", "model", "max_tokens"]
)
ROLE_VALUES = st.sampled_from(["system", "user", "assistant", "tool", "narrator", ""])
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text()
    | ROLE_VALUES,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(CHAT_KEYS | st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=25,
)


@settings(max_examples=300)
@given(JSON_VALUES, st.sampled_from([None, 2, "\t"]))
def test_any_json_value_parses_without_raising(value: Any, indent: int | str | None) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    assert_spans_in_bounds(parse_chat_json(text))
    assert_spans_in_bounds(parse_chat_yaml(text))
    assert_spans_in_bounds(parse_chat_yaml(yaml.safe_dump(value, allow_unicode=True)))


MESSAGES = st.lists(
    st.fixed_dictionaries(
        {"role": st.sampled_from(["system", "user", "assistant", "tool"]), "content": st.text()}
    ),
    min_size=1,
    max_size=4,
)


LAYOUTS = st.sampled_from(
    [{}, {"indent": 2}, {"indent": "\t"}, {"separators": (",", ":")}]  # `"a":[` has no spaces
)


@settings(max_examples=300)
@given(MESSAGES, LAYOUTS, st.booleans())
def test_json_spans_point_at_the_source_of_each_value(
    messages: list[dict[str, str]], layout: dict[str, Any], ascii_only: bool
) -> None:
    # `ensure_ascii` writes an emoji as two `\\u` surrogate escapes, which libyaml refuses.
    text = json.dumps(messages, ensure_ascii=ascii_only, **layout)
    document = chat(text)
    kept = [m for m in messages if m["content"].strip() or m["role"] in ("assistant", "tool")]
    assert len(document.messages) == len(messages)
    for message, original in zip(document.messages, messages, strict=True):
        assert source(text, message.marker) == json.dumps(original["role"])
        assert json.loads(source(text, message.content_span)) == original["content"]
        assert json.loads(source(text, message.span)) == original
        assert message.content == original["content"].strip()
    empty = [p for p in document.problems if p.code == "empty-message"]
    assert len(empty) == len(messages) - len(kept)


@settings(max_examples=200)
@given(MESSAGES)
def test_yaml_contents_round_trip(messages: list[dict[str, str]]) -> None:
    text = yaml.safe_dump({"messages": messages}, allow_unicode=True)
    document = chat(text, yaml_text=True)
    # PyYAML's own reading, which is not always what it dumped (`\x85` is a line break to it).
    loaded = yaml.safe_load(text)["messages"]
    assert [m.content for m in document.messages] == [m["content"].strip() for m in loaded]
    assert [source(text, m.marker) for m in document.messages] == [m["role"] for m in messages]
