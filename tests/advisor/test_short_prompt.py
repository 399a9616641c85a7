"""The short prompt: the prompt without its few-shot examples, naming the adapter trained on
them; every other byte where it was."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.core.advisor.short_prompt import (
    ShortPromptRefused,
    adapter_reference,
    newest_adapter,
    original_path,
    short_prompt_text,
    tuned_path,
)
from server.core.prompt_analysis import AnalysisSettings, PromptAnalysis, analyse_prompt
from shared_schemas.training import Finished, Started

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
ADAPTER = "runs/20260101-120000-triage"


@dataclass(frozen=True)
class Case:
    name: str  # the file's name: it decides the format
    text: str
    short: str | None = None  # the whole short prompt, where the case is small enough to write
    headings: tuple[str, ...] = ()  # lines over the examples, which go with them

    def __str__(self) -> str:
        return self.name


def analysed(name: str, text: str) -> PromptAnalysis:
    return analyse_prompt(f"file:///work/{name}", text, AnalysisSettings())


def shorten(case: Case, drop_format: bool = False) -> str:
    return short_prompt_text(case.text, analysed(case.name, case.text), ADAPTER, drop_format)


CHAT_PAIRS = Case(
    "triage.prompty",
    """---
name: Triage
model:
  api: chat
---
system:
Classify the ticket as billing, outage or other.
Answer in JSON: {"category": "..."}.

Never promise refunds.

user:
The dashboard times out.

assistant:
{"category": "outage"}

user:
I was charged twice.

assistant:
{"category": "billing"}

user:
{{ticket}}
""",
    """---
name: Triage
model:
  api: chat
promptweight:
  adapter: "runs/20260101-120000-triage"
---
system:
Classify the ticket as billing, outage or other.
Answer in JSON: {"category": "..."}.

Never promise refunds.

user:
{{ticket}}
""",
)
DOTPROMPT = Case(
    "greet.prompt",
    """---
model: googleai/gemini-2.5-flash
promptweight:
  budget: 200
---
{{role "system"}}
Greet the user as a pirate would.
{{role "user"}}
Say hello to Ann.
{{role "model"}}
Ahoy, Ann, ye landlubber!
{{role "user"}}
Say hello to {{name}}.
""",
    """---
model: googleai/gemini-2.5-flash
promptweight:
  adapter: "runs/20260101-120000-triage"
  budget: 200
---
{{role "system"}}
Greet the user as a pirate would.
{{role "user"}}
Say hello to {{name}}.
""",
)
PROMPT_MD = Case(
    "review.prompt.md",
    """---
mode: ask
description: Review a commit message
---
Review the commit message below and say whether it follows our style.

<examples>
<example>
<input>fix stuff</input>
<output>Too vague: say what was fixed.</output>
</example>
<example>
<input>Add retry to the upload client</input>
<output>Good.</output>
</example>
</examples>

Commit message: ${input:message}
""",
    """---
mode: ask
description: Review a commit message
promptweight:
  adapter: "runs/20260101-120000-triage"
---
Review the commit message below and say whether it follows our style.

Commit message: ${input:message}
""",
    ("<examples>", "</examples>"),
)
IN_TEXT = Case(
    "grade.prompty",
    """---
name: Grade
---
system:
Grade the answer from 1 to 5.

Examples:
Input: What is 2+2? Answer: 4
Output: 5

Input: What is 2+2? Answer: 5
Output: 1

Reply with the grade only.

user:
{{question}} {{answer}}
""",
    """---
name: Grade
promptweight:
  adapter: "runs/20260101-120000-triage"
---
system:
Grade the answer from 1 to 5.

Reply with the grade only.

user:
{{question}} {{answer}}
""",
    ("Examples:",),
)
# Jinja2 Markdown from prompt flow, without frontmatter, a loop opened inside its last example.
JINJA2 = Case(
    "chat_variant_1.jinja2",
    (CORPUS / "markdown-fewshot" / "chat_variant_1.jinja2").read_text(encoding="utf-8"),
)
CORPUS_PROMPTY = Case(
    "groundedness.prompty",
    (CORPUS / "prompty" / "groundedness.prompty").read_text(encoding="utf-8"),
    headings=("Independent Examples:",),
)
WRITTEN = [CHAT_PAIRS, DOTPROMPT, PROMPT_MD, IN_TEXT]
CASES = [*WRITTEN, JINJA2, CORPUS_PROMPTY]


@pytest.mark.parametrize("case", WRITTEN, ids=str)
def test_the_short_prompt_is_the_prompt_less_its_examples(case: Case) -> None:
    assert shorten(case) == case.short


@pytest.mark.parametrize("case", CASES, ids=str)
def test_no_example_is_left(case: Case) -> None:
    assert analysed(case.name, case.text).examples
    assert analysed(case.name, shorten(case)).examples == ()


@pytest.mark.parametrize("case", CASES, ids=str)
def test_every_line_outside_the_examples_and_their_headings_is_kept_in_order(case: Case) -> None:
    analysis = analysed(case.name, case.text)
    assert analysis.document is not None
    spans = [e.example.span for e in analysis.examples]
    outside, at = [], 0
    for line in case.text.splitlines(keepends=True):
        inside = any(s.start < at + len(line) and at < s.end for s in spans)
        if line.strip() and not inside and line.strip() not in case.headings:
            outside.append(line.rstrip("\n"))
        at += len(line)
    left = iter(shorten(case).splitlines())
    assert all(line in left for line in outside)  # a subsequence: each found after the last


@pytest.mark.parametrize("case", CASES, ids=str)
def test_the_short_prompt_weighs_less(case: Case) -> None:
    before = analysed(case.name, case.text).figures
    after = analysed(case.name, shorten(case)).figures
    assert before is not None and after is not None
    assert after.input_tokens < before.input_tokens


@pytest.mark.parametrize("case", CASES, ids=str)
def test_its_frontmatter_names_the_adapter(case: Case) -> None:
    document = analysed(case.name, shorten(case)).document
    assert document is not None
    assert document.metadata.promptweight["adapter"] == ADAPTER


@pytest.mark.parametrize("case", CASES, ids=str)
@pytest.mark.parametrize("drop_format", [False, True])
def test_shortening_a_short_prompt_changes_nothing(case: Case, drop_format: bool) -> None:
    short = shorten(case, drop_format)
    assert shorten(Case(case.name, short), drop_format) == short


def test_template_block_tags_inside_an_example_are_kept() -> None:
    short = shorten(JINJA2)
    assert short.count("{% for item in chat_history %}") == 1
    assert short.count("{% endfor %}") == 1


FORMAT_LINES = [
    ('Answer in JSON: {"category": "..."}.', True),
    ("Return JSON with keys: category, reply.", True),
    ("Fill the schema { 'label': ... }.", True),
    ("Reply in JSON.", False),  # says the format, but writes no shape
    ("Use the format of {{example}}.", False),  # a template variable, not a JSON object
    ('Never write {"a": 1} in prose.', False),  # a JSON object, but no format word
]


@pytest.mark.parametrize(("line", "dropped"), FORMAT_LINES)
def test_drop_format_removes_only_lines_that_state_the_output_shape(
    line: str, dropped: bool
) -> None:
    case = Case(
        "f.prompty",
        f"system:\nClassify the ticket.\n{line}\n\nuser:\nA\n\nassistant:\nB\n\nuser:\n{{{{q}}}}\n",
    )
    assert (line in shorten(case, drop_format=True)) is not dropped


def test_drop_format_is_off_by_default() -> None:
    assert 'Answer in JSON: {"category": "..."}.' in shorten(CHAT_PAIRS)


def test_drop_format_leaves_one_blank_line_where_the_line_was() -> None:
    assert "other.\n\nNever promise refunds." in shorten(CHAT_PAIRS, drop_format=True)


HEADINGS = [
    ("Examples:", True),
    ("## Few-shot examples", True),
    ("**Example 1:**", True),
    ("Here are some examples:", True),
    ("<examples>", True),  # a wrapper, closed after the examples
    ("Examples of the tone we use:", False),  # more than a heading
]


@pytest.mark.parametrize(("heading", "removed"), HEADINGS)
def test_a_heading_left_over_nothing_goes_with_the_examples(heading: str, removed: bool) -> None:
    close = "\n</examples>" if heading == "<examples>" else ""
    case = Case(
        "h.prompty",
        f"system:\nGrade it.\n\n{heading}\nInput: a\nOutput: b{close}\n\nBe brief.\n\n"
        "user:\n{{q}}\n",
    )
    assert (heading in shorten(case)) is not removed


def test_a_heading_with_text_still_under_it_stays() -> None:
    case = Case(
        "h.prompty",
        "system:\nGrade it.\n\nExamples:\n<example><input>a</input><output>b</output></example>"
        "\nGrade the same way.\n\nuser:\n{{q}}\n",
    )
    assert "Examples:\nGrade the same way." in shorten(case)


BODY = "system:\nBe brief.\n\nuser:\nHi\n\nassistant:\nHello\n\nuser:\n{{q}}\n"
SHORT_BODY = "system:\nBe brief.\n\nuser:\n{{q}}\n"
FRONTMATTER = [
    ("none", "", '---\npromptweight:\n  adapter: "runs/20260101-120000-triage"\n---\n'),
    ("empty", "---\n---\n", '---\npromptweight:\n  adapter: "runs/20260101-120000-triage"\n---\n'),
    (
        "other keys",
        "---\nname: T\n---\n",
        '---\nname: T\npromptweight:\n  adapter: "runs/20260101-120000-triage"\n---\n',
    ),
    (
        "a promptweight mapping",
        "---\npromptweight:\n    callsPerDay: 5\nname: T\n---\n",
        '---\npromptweight:\n    adapter: "runs/20260101-120000-triage"\n    callsPerDay: 5\n'
        "name: T\n---\n",
    ),
    (
        "a flow mapping",
        "---\npromptweight: {budget: 10}\n---\n",
        '---\npromptweight: {adapter: "runs/20260101-120000-triage", budget: 10}\n---\n',
    ),
    (
        "another adapter",
        "---\npromptweight:\n  adapter: runs/old  # the first run\n---\n",
        '---\npromptweight:\n  adapter: "runs/20260101-120000-triage"  # the first run\n---\n',
    ),
    (
        "an empty adapter",
        "---\npromptweight:\n  adapter:\n---\n",
        '---\npromptweight:\n  adapter: "runs/20260101-120000-triage"\n---\n',
    ),
    (
        "an indented top mapping",
        "---\n  name: T\n---\n",
        '---\n  name: T\n  promptweight:\n    adapter: "runs/20260101-120000-triage"\n---\n',
    ),
    (
        "a flow mapping at the top",
        "---\n{name: T}\n---\n",
        '---\n{promptweight: {adapter: "runs/20260101-120000-triage"}, name: T}\n---\n',
    ),
]


@pytest.mark.parametrize(
    ("before", "after"), [(b, a) for _, b, a in FRONTMATTER], ids=[n for n, _, _ in FRONTMATTER]
)
def test_the_adapter_goes_into_the_promptweight_mapping(before: str, after: str) -> None:
    assert shorten(Case("t.prompty", before + BODY)) == after + SHORT_BODY


REFUSED = [
    (
        "chat JSON",
        "c.chat.json",
        '[{"role": "user", "content": "a"}, {"role": "assistant", '
        '"content": "b"}, {"role": "user", "content": "{{q}}"}]',
    ),
    ("unclosed frontmatter", "u.prompty", "---\nname: T\n" + BODY),
    ("a promptweight scalar", "s.prompty", "---\npromptweight: 3\n---\n" + BODY),
]


@pytest.mark.parametrize(
    ("name", "text"), [(n, t) for _, n, t in REFUSED], ids=[r for r, _, _ in REFUSED]
)
def test_a_prompt_it_cannot_shorten_exactly_is_refused(name: str, text: str) -> None:
    with pytest.raises(ShortPromptRefused):
        shorten(Case(name, text))


FRAGMENTS = [
    "---\n",
    "promptweight:\n",
    "  adapter: x\n",
    "name: T\n",
    "system:\n",
    "user:\n",
    "assistant:\n",
    "# user:\n",
    '{{role "model"}}\n',
    "Examples:\n",
    "Input: a\n",
    "Output: b\n",
    "<examples>",
    "</examples>",
    "<example>",
    "</example>",
    "<input>q</input>",
    "<output>r</output>",
    "{% for x in y %}\n",
    "{% endfor %}\n",
    'JSON: {"k": 1}\n',
    "\n",
    "  ",
    "text ",
    "{{q}}",
    "\ufeff",
    "\r\n",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(FRAGMENTS), max_size=30),
    st.sampled_from(["p.prompty", "p.prompt", "p.prompt.md", "p.jinja2"]),
    st.booleans(),
)
def test_any_text_is_shortened_or_refused_with_a_reason(
    fragments: list[str], name: str, drop_format: bool
) -> None:
    text = "".join(fragments)
    try:
        short = short_prompt_text(text, analysed(name, text), ADAPTER, drop_format)
    except ShortPromptRefused:
        return
    assert analysed(name, short).document is not None


NAMES = [
    ("triage.prompty", "triage.tuned.prompty"),
    ("x.prompt.md", "x.tuned.prompt.md"),
    ("a.chat.yaml", "a.tuned.chat.yaml"),
    ("release.notes.prompt", "release.notes.tuned.prompt"),
    ("chat_variant_1.jinja2", "chat_variant_1.tuned.jinja2"),
]


@pytest.mark.parametrize(("name", "tuned"), NAMES)
def test_the_short_prompt_keeps_the_compound_extension(name: str, tuned: str) -> None:
    assert tuned_path(Path("/w") / name) == Path("/w") / tuned


@pytest.mark.parametrize(("name", "tuned"), NAMES)
def test_the_original_is_found_from_the_short_prompts_name(name: str, tuned: str) -> None:
    assert original_path(Path("/w") / tuned) == Path("/w") / name


@pytest.mark.parametrize("name", ["triage.prompty", "tuned.prompty", "notes.tuned.txt"])
def test_a_prompt_that_is_no_short_prompt_has_no_original(name: str) -> None:
    assert original_path(Path("/w") / name) is None


def test_the_adapter_is_named_relative_to_the_short_prompt() -> None:
    assert adapter_reference(Path("/w/prompts/t.tuned.prompty"), Path("/w/runs/r")) == "../runs/r"


def write_run(root: Path, name: str, finished: bool = True) -> Path:
    """A run folder as the trainer leaves it: events, and an adapter when it finished."""
    run_dir = root / "runs" / name
    run_dir.mkdir(parents=True)
    started = Started(
        run_dir=str(run_dir),
        base_model="tiny-model",
        trainable_parameters=1,
        total_parameters=2,
        quantization="nf4",
        device="cpu",
        total_steps=2,
        train_examples=2,
        eval_examples=0,
    )
    events = [started.model_dump_json(by_alias=True)]
    if finished:
        (run_dir / "adapter_config.json").write_text('{"peft_type": "LORA"}')
        (run_dir / "adapter_model.safetensors").write_bytes(b"\0" * 16)
        done = Finished(adapter_path=str(run_dir), steps=2, train_loss=0.5, eval_loss=None)
        events.append(done.model_dump_json(by_alias=True))
    (run_dir / "events.jsonl").write_text("\n".join(events) + "\n")
    return run_dir


def write_training(root: Path, dataset: str = "triage.train.jsonl") -> None:
    """The prompt's exported dataset and a config that trains on it."""
    (root / dataset).write_text('{"messages": []}\n')
    (root / "promptweight.train.yaml").write_text(f"baseModel: tiny-model\ndatasets: [{dataset}]\n")


def test_the_newest_finished_run_is_the_adapter(tmp_path: Path) -> None:
    write_training(tmp_path)
    write_run(tmp_path, "20260101-120000-run")
    newest = write_run(tmp_path, "20260102-120000-run")
    write_run(tmp_path, "20260103-120000-run", finished=False)
    assert newest_adapter(tmp_path / "triage.prompty", tmp_path, "") == newest


def test_a_run_on_another_dataset_is_no_adapter_of_this_prompt(tmp_path: Path) -> None:
    write_training(tmp_path, "other.train.jsonl")
    (tmp_path / "triage.train.jsonl").write_text('{"messages": []}\n')
    write_run(tmp_path, "20260101-120000-run")
    assert newest_adapter(tmp_path / "triage.prompty", tmp_path, "") is None


def test_no_finished_run_is_no_adapter(tmp_path: Path) -> None:
    write_training(tmp_path)
    write_run(tmp_path, "20260101-120000-run", finished=False)
    assert newest_adapter(tmp_path / "triage.prompty", tmp_path, "") is None
