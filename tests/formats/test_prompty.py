"""Prompty and prompt-flow style Markdown / Jinja2 prompts."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable

import pytest

from server.core.formats.prompty import declared_images, parse_markdown, parse_prompty
from server.core.prompt_model import PromptDocument, Role


def roles_and_contents(document: PromptDocument) -> list[tuple[str, str]]:
    return [(m.role.value, m.content) for m in document.messages]


MESSAGES = [
    ("system:\nBe brief.\nuser:\nHi", [("system", "Be brief."), ("user", "Hi")]),
    ("# System:\nBe brief.\n\n# USER:\nHi\n", [("system", "Be brief."), ("user", "Hi")]),
    ("Leading text.\nuser:\nHi", [("system", "Leading text."), ("user", "Hi")]),
    ("developer:\nRules.\nuser:\n{}", [("system", "Rules."), ("user", "{}")]),
    ("assistant :  \nSure.", [("assistant", "Sure.")]),
    ("user: inline text is not a marker", [("system", "user: inline text is not a marker")]),
    # Matched without regard to case, as the runtime matches: long s and dotless i included.
    ("\u017fystem:\nA\nass\u0131stant:\nB", [("system", "A"), ("assistant", "B")]),
    ("", []),
    ("\n\n  \n", []),
]


@pytest.mark.parametrize(("text", "expected"), MESSAGES)
def test_messages_follow_role_markers(text: str, expected: list[tuple[str, str]]) -> None:
    assert roles_and_contents(parse_prompty(text)) == expected


def test_frontmatter_is_configuration_not_content() -> None:
    document = parse_prompty("---\nname: x\n---\nsystem:\nBe brief.\n")
    assert roles_and_contents(document) == [("system", "Be brief.")]
    assert document.frontmatter is not None and document.frontmatter.start == 0


NOT_STRICT = "---\ntemplate:\n  format:\n    kind: jinja2\n    strict: false\n---\n"


def test_marker_attributes_give_the_name() -> None:
    text = NOT_STRICT + 'system[name="seth", mood=calm]:\nHello'
    message = parse_prompty(text).messages[0]
    assert message.name == "seth"
    assert message.attributes == (("name", "seth"), ("mood", "calm"))


# Prompty's strict mode (its default) drops a marker's attributes, `name` too, before the call.
STRICT = ["", "---\nname: x\n---\n", "---\ntemplate:\n  format:\n    strict: true\n---\n"]


@pytest.mark.parametrize("frontmatter", STRICT)
def test_strict_prompty_sends_no_name(frontmatter: str) -> None:
    message = parse_prompty(frontmatter + 'system[name="seth"]:\nHello').messages[0]
    assert message.name is None
    assert message.attributes == (("name", "seth"),)


def test_markdown_prompts_keep_the_name() -> None:
    assert parse_markdown("system[name=seth]:\nHello").messages[0].name == "seth"


def test_marker_span_leaves_out_unicode_spaces() -> None:
    text = "\xa0user:\u3000\nHi"
    marker = parse_prompty(text).messages[0].marker
    assert marker is not None and text[marker.start : marker.end] == "user:"


def test_content_span_is_the_stripped_source() -> None:
    text = "system:\n\n  Be brief.  \n\nuser:\nHi"
    for message in parse_prompty(text).messages:
        span = message.content_span
        assert text[span.start : span.end] == message.content


def test_message_spans_tile_the_body() -> None:
    text = "---\na: 1\n---\n\nsystem:\nA\nuser:\nB\nassistant:\nC"
    document = parse_prompty(text)
    spans = [m.span for m in document.messages]
    assert spans[0].start == document.body.start and spans[-1].end == len(text)
    assert all(a.end == b.start for a, b in itertools.pairwise(spans))


def test_thread_placeholder_is_recorded_not_counted() -> None:
    document = parse_prompty("system:\nHello\n\n![thread]\n{{question}}")
    assert [p.kind for p in document.placeholders] == ["thread"]
    assert document.messages[0].content == "Hello\n\n\n{{question}}"


METADATA = [
    ("model:\n  configuration:\n    name: gpt-4o\n", "gpt-4o", None),
    ("model:\n  configuration:\n    azure_deployment: gpt-4o-mini\n", "gpt-4o-mini", None),
    ("model:\n  id: gpt-4.1\n  options:\n    max_tokens: 300\n", "gpt-4.1", 300),
    ("model:\n  parameters:\n    max_tokens: 128\n", None, 128),
    ("model:\n  parameters:\n    max_tokens: lots\n", None, None),
]


@pytest.mark.parametrize(("frontmatter", "model", "max_output"), METADATA)
def test_metadata_from_frontmatter(
    frontmatter: str, model: str | None, max_output: int | None
) -> None:
    metadata = parse_prompty(f"---\n{frontmatter}---\nuser:\nHi").metadata
    assert (metadata.model, metadata.max_output_tokens) == (model, max_output)


def test_tools_and_promptweight_settings_are_read() -> None:
    text = "---\ntools:\n  - id: bing\npromptweight:\n  callsPerDay: 500\n---\nuser:\nHi"
    metadata = parse_prompty(text).metadata
    assert metadata.tools == [{"id": "bing"}]
    assert metadata.promptweight == {"callsPerDay": 500}


def test_variables_are_found_with_their_ranges() -> None:
    text = "user:\nHi {{ name }}, {{ order.id | upper }} {{#if x}}{{/if}} {{this}}"
    document = parse_prompty(text)
    assert [v.name for v in document.variables] == ["name", "order.id"]
    first = document.variables[0].span
    assert text[first.start : first.end] == "{{ name }}"


PROBLEMS = [
    ("---\nname: [unclosed\n---\nuser:\nHi", "frontmatter-yaml", (2, 0)),
    ("---\nname: x\nuser:\nHi", "frontmatter-unclosed", (0, 0)),
    ("---\n- a list\n---\nuser:\nHi", "frontmatter-yaml", (1, 0)),
    ("system:\nA\nuser:\n\nassistant:\nB", "empty-message", (2, 0)),
    ("system:\nA\n# narrator:\nB", "unknown-role", (2, 0)),
    ("user:\nHi\nA:\nHello", "unknown-role", (2, 0)),
]


@pytest.mark.parametrize(("text", "code", "line_and_column"), PROBLEMS)
def test_problems_are_located(text: str, code: str, line_and_column: tuple[int, int]) -> None:
    from server.core.prompt_model import LineIndex

    problems = parse_prompty(text).problems
    assert [p.code for p in problems] == [code]
    assert LineIndex(text).position(problems[0].span.start) == line_and_column


def test_yaml_error_still_reads_the_body() -> None:
    document = parse_prompty("---\nmodel: {\n---\nuser:\nHi")
    assert roles_and_contents(document) == [("user", "Hi")]


def test_markdown_prompts_use_the_same_markers() -> None:
    document = parse_markdown("# system:\nYou classify.\n# user:\n{{text}}")
    assert document.format == "markdown"
    assert [m.role for m in document.messages] == [Role.SYSTEM, Role.USER]


# Prompt flow's runtime reads `# function:` and `# tool:`; Prompty's does not (see
# test_prompty_runtime.py), so only Markdown prompts take them for markers.
PROMPT_FLOW_ONLY = ["# function:\n{}", "tool:\n{}", "## tool:\n{}"]


@pytest.mark.parametrize("marker", PROMPT_FLOW_ONLY)
def test_prompt_flow_tool_markers_are_read_in_markdown(marker: str) -> None:
    document = parse_markdown(f"system:\nRules.\n{marker}")
    assert roles_and_contents(document) == [("system", "Rules."), ("tool", "{}")]


@pytest.mark.parametrize("marker", PROMPT_FLOW_ONLY)
def test_prompt_flow_tool_markers_are_text_in_prompty(marker: str) -> None:
    document = parse_prompty(f"system:\nRules.\n{marker}")
    assert roles_and_contents(document) == [("system", f"Rules.\n{marker}")]
    assert [p.code for p in document.problems] == ["unknown-role"]


def test_frontmatter_with_undecodable_text_still_parses() -> None:
    document = parse_prompty("---\nname: caf\udce9\n---\nuser:\nHi")
    assert document.metadata.raw == {"name": "caf\ufffd"}
    assert [m.content for m in document.messages] == ["Hi"]


# Inputs declared with a kind that is not text: their placeholders are runtime content.
RUNTIME_INPUTS = [
    ("inputs:\n  history:\n    kind: thread\n", "{{history}}", "history"),  # once, not twice
    ("inputs:\n  chat:\n    kind: thread\n", "{{ chat }}", "thread"),
    ("inputs:\n  photo:\n    kind: image\n", "{{photo}}", "image"),
    ("inputs:\n  clip:\n    kind: audio\n", "{{clip}}", "audio"),
    ("inputs:\n  report:\n    kind: file\n", "{{report}}", "file"),
    ("inputs:\n  - name: photo\n    kind: image\n", "{{photo}}", "image"),
    ("inputSchema:\n  properties:\n    - name: talk\n      kind: thread\n", "{{talk}}", "thread"),
]


@pytest.mark.parametrize(("frontmatter", "use", "kind"), RUNTIME_INPUTS)
def test_runtime_inputs_are_placeholders_not_text(frontmatter: str, use: str, kind: str) -> None:
    document = parse_prompty(f"---\n{frontmatter}---\nsystem:\nLook at {use} now.\nuser:\nHi")
    assert [p.kind for p in document.placeholders] == [kind]
    assert document.messages[0].content == "Look at  now."


TEXT_INPUTS = [
    "inputs:\n  name:\n    kind: string\n",
    "inputs:\n  name: Jane\n",  # Prompty 1: a sample value, not a declaration
    "inputs:\n  other:\n    kind: image\n",
]


@pytest.mark.parametrize("frontmatter", TEXT_INPUTS)
def test_text_inputs_stay_counted(frontmatter: str) -> None:
    document = parse_prompty(f"---\n{frontmatter}---\nsystem:\nHello {{{{name}}}}.")
    assert document.placeholders == ()
    assert document.messages[0].content == "Hello {{name}}."


# Jinja loops that write out role markers are the conversation, replayed at run time.
CONVERSATION_LOOPS = [
    "{% for m in history %}{{m.role}}:\n{{m.content}}{% endfor %}",
    "{%- for item in chat_history -%}\n{{ item.role }}:\n{{ item.content }}\n{%- endfor %}",
    "{% for m in history %}\n{{ m['role'] }} :\n{{ m['content'] }}\n{% endfor %}",
    "{% for m in history %}{{m.role}}:\n{{m.content}} {{media url=m.url}}{% endfor %}",
]


@pytest.mark.parametrize("loop", CONVERSATION_LOOPS)
def test_conversation_loop_is_not_system_text(loop: str) -> None:
    text = f"system:\nBe brief.\n{loop}\nuser:\nHi"
    document = parse_prompty(text)
    assert roles_and_contents(document) == [("system", "Be brief."), ("user", "Hi")]
    assert [p.kind for p in document.placeholders] == ["conversation"]
    (problem,) = document.problems
    assert (problem.severity, problem.code) == ("information", "runtime-conversation")
    assert text[problem.span.start : problem.span.end] == loop


OTHER_LOOPS = [
    "{% for d in docs %}{{d.text}}{% endfor %}",  # no role marker: text
    "{% for d in docs %}{{m.role}}:\n{{d.text}}{% endfor %}",  # the role is not the loop's
    "{% for m in history %}{{m.role}}:\n{{m.content}}",  # never closed
    "{% for m in history %}{{m.role}} said {{m.content}}{% endfor %}",  # no colon: no marker
    # A transcript written into the text: a marker's colon ends its line.
    "{% for m in history %}\n{{ m.role }}: {{ m.content }}\n{% endfor %}",
]


@pytest.mark.parametrize("loop", OTHER_LOOPS)
def test_other_loops_stay_counted(loop: str) -> None:
    document = parse_prompty(f"system:\n{loop}")
    assert document.placeholders == () and document.problems == ()
    assert document.messages[0].content == loop


RUNTIME_ONLY_MESSAGES = [
    "---\ninputs:\n  photo:\n    kind: image\n---\nsystem:\nA\nuser:\n{{photo}}",
    "system:\nA\nuser:\n{{history}}",
    "system:\nA\nuser:\n![thread]\nassistant:\nB",
]


@pytest.mark.parametrize("text", RUNTIME_ONLY_MESSAGES)
def test_a_message_of_runtime_content_alone_is_not_empty(text: str) -> None:
    document = parse_prompty(text)
    assert document.messages[1].content == "" and document.problems == ()


# Lines built against the Prompty marker pattern's runs (attributes, quotes, spaces), each at
# 200 KB: linear work takes milliseconds, a pattern that backtracks or rescans takes minutes.
HOSTILE_LINES = [
    lambda n: "user[" + "a=b " * (n // 4) + "x:",
    lambda n: "user[" + "a=1," * (n // 4) + ":",
    lambda n: 'user[a="' + "x" * n + ":",
    lambda n: "user[" + 'a="b"' * (n // 5) + "[:",
    lambda n: "\xa0" * n + "user x:",
    lambda n: "#" + " " * n + "user x:",
    lambda n: "user:" + " " * n + "x:",
]


@pytest.mark.parametrize("build", HOSTILE_LINES)
def test_marker_lines_are_read_in_linear_time(build: Callable[[int], str]) -> None:
    text = build(200_000)
    start = time.perf_counter()
    parse_prompty(text)
    assert time.perf_counter() - start < 1.0


# Where an image input's size is declared: on the input, in each of Prompty's shapes of inputs.
DECLARED_IMAGES = [
    ("inputs:\n  photo:\n    kind: image\n    width: 1024\n    height: 768\n", {"photo"}),
    ("inputs:\n  - name: photo\n    kind: image\n    width: 800\n    height: 600\n", {"photo"}),
    (
        "inputSchema:\n  properties:\n    - name: scan\n      kind: image\n"
        "      width: 800\n      height: 600\n      detail: low\n",
        {"scan"},
    ),
    ("inputs:\n  photo:\n    kind: image\n", set()),  # no size declared
    ("inputs:\n  photo:\n    kind: file\n    width: 1024\n    height: 768\n", set()),
]


@pytest.mark.parametrize(("frontmatter", "names"), DECLARED_IMAGES)
def test_declared_images_are_found_by_name(frontmatter: str, names: set[str]) -> None:
    metadata = parse_prompty(f"---\n{frontmatter}---\nuser:\n{{{{photo}}}}").metadata
    assert set(declared_images(metadata.raw)) == names
