"""Hostile text: analysing a prompt takes time linear in its length, however the text is built.

Python's `re` holds the interpreter lock while it matches, so one slow match stalls the whole
language server. Each case below builds a text that once made a pattern (or a scan) quadratic
or worse, inside a valid file of its format, and runs the real analysis on it at 100 KB and at
1 MB. It runs in a child process with a deadline, so that a regression fails the test instead
of hanging the suite.

The limits are generous on purpose: 1 MB of linear work takes well under a second here, so only
superlinear work reaches them. Linear work grows about 10 times from 100 KB to 1 MB, quadratic
work 100 times.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
SMALL, LARGE = 100_000, 1_000_000
LARGE_LIMIT_S = 10.0
MAX_GROWTH = 30.0
# Times below this are treated as this: timer noise on a few milliseconds is not growth.
FLOOR_S = 0.005
# The whole child: start-up, warm-up, five analyses. A superlinear case runs into it.
DEADLINE_S = 45.0

PROMPTY_FRONTMATTER = "---\nname: hostile\nmodel: gpt-4o\n---\n"
DOTPROMPT_FRONTMATTER = "---\nmodel: googleai/gemini-2.5-flash\nconfig:\n  temperature: 0\n---\n"


def repeated(unit: str, size: int) -> str:
    return unit * (size // len(unit))


def prompty_with_model(name: str) -> str:
    return f"---\nmodel: {name}\n---\nuser:\nhi\n"


# --- Hostile texts: each gives a file name and a text of about `size` characters ----------


def heading_label_spaces(size: int) -> tuple[str, str]:
    """A heading's spaces before a line that is no label (few-shot label pattern)."""
    return "notes.md", "user:\n# " + " " * size + "x"


def heading_label_tabs(size: int) -> tuple[str, str]:
    return "notes.md", "user:\n# " + "\t" * size + "x"


def role_marker_spaces(size: int) -> tuple[str, str]:
    """A role word, spaces, then no colon where a marker needs one (role marker pattern)."""
    return "chat.prompty", PROMPTY_FRONTMATTER + "system" + " " * size + "x:"


def near_miss_spaces(size: int) -> tuple[str, str]:
    """The same after an unknown role (`# narrator:` near-miss pattern)."""
    return "chat.prompty", PROMPTY_FRONTMATTER + "# narrator" + " " * size + "x:"


def partial_name_without_close(size: int) -> tuple[str, str]:
    """`{{> ` and a long name never closed (Dotprompt partial pattern)."""
    return "story.prompt", DOTPROMPT_FRONTMATTER + "{{> " + "a" * size


def unclosed_tags_dotprompt(size: int) -> tuple[str, str]:
    return "story.prompt", DOTPROMPT_FRONTMATTER + repeated("{{", size)


def unclosed_tags_markdown(size: int) -> tuple[str, str]:
    return "notes.md", "user:\n" + repeated("{{", size)


def thread_openers_on_one_line(size: int) -> tuple[str, str]:
    """`![` over and over on one line (`![thread]` placeholders)."""
    return "chat.prompty", PROMPTY_FRONTMATTER + "user:\n" + repeated("![", size)


def inputs_without_close_in_example(size: int) -> tuple[str, str]:
    """`<input>` tags, none closed, inside one `<example>` block."""
    return "notes.md", "user:\n<example>" + repeated("<input>", size) + "</example>"


def example_tags_without_end(size: int) -> tuple[str, str]:
    """`<example` with no `>` anywhere after it."""
    return "notes.md", "user:\n" + repeated("<example", size)


def labels_between_example_blocks(size: int) -> tuple[str, str]:
    """Many `<example>` blocks, each followed by a Q/A pair outside it."""
    return "notes.md", "user:\n" + repeated("<example></example>\nq: a\na: b\n", size)


def unclosed_statements_in_answer(size: int) -> tuple[str, str]:
    """An assistant answer of `{%` never closed (is the answer only a template slot?)."""
    return (
        "chat.prompty",
        PROMPTY_FRONTMATTER + "user:\nq\nassistant:\n" + repeated("{%", size) + "\nuser:\nlive",
    )


def placeholders_in_many_messages(size: int) -> tuple[str, str]:
    """Thousands of messages and as many `{{history}}` placeholders."""
    return "chat.prompty", PROMPTY_FRONTMATTER + repeated("user:\n{{history}}\n", size)


def vscode_variables_without_close(size: int) -> tuple[str, str]:
    """`${a:` over and over with no `}` (VS Code prompt-file variables)."""
    return "review.prompt.md", "---\ndescription: review\n---\n" + repeated("${a:", size)


def model_name_of_dated_suffixes(size: int) -> tuple[str, str]:
    return "chat.prompty", prompty_with_model("x" + repeated("-0000", size))


def model_name_of_vertex_versions(size: int) -> tuple[str, str]:
    return "chat.prompty", prompty_with_model("x" + repeated("@a", size))


def model_name_with_spaces(size: int) -> tuple[str, str]:
    """Spaces inside a name, no `(note)` after them (the trailing-note pattern)."""
    return "chat.prompty", prompty_with_model("gpt" + " " * size + "x")


def model_name_of_prefixes(size: int) -> tuple[str, str]:
    return "chat.prompty", prompty_with_model(repeated("openai/", size) + "gpt-4o")


# The hostile text, and the format it must be read as (else the case tests another parser).
CASES: list[tuple[Callable[[int], tuple[str, str]], str]] = [
    (heading_label_spaces, "markdown"),
    (heading_label_tabs, "markdown"),
    (role_marker_spaces, "prompty"),
    (near_miss_spaces, "prompty"),
    (partial_name_without_close, "dotprompt"),
    (unclosed_tags_dotprompt, "dotprompt"),
    (unclosed_tags_markdown, "markdown"),
    (thread_openers_on_one_line, "prompty"),
    (inputs_without_close_in_example, "markdown"),
    (example_tags_without_end, "markdown"),
    (labels_between_example_blocks, "markdown"),
    (unclosed_statements_in_answer, "prompty"),
    (placeholders_in_many_messages, "prompty"),
    (vscode_variables_without_close, "prompt-md"),
    (model_name_of_dated_suffixes, "prompty"),
    (model_name_of_vertex_versions, "prompty"),
    (model_name_with_spaces, "prompty"),
    (model_name_of_prefixes, "prompty"),
]
BUILDERS = {build.__name__: build for build, _ in CASES}
# Cases whose hostile text is the model's name: it must reach the resolver whole.
MODEL_NAMES = {
    model_name_of_dated_suffixes,
    model_name_of_vertex_versions,
    model_name_with_spaces,
    model_name_of_prefixes,
}


# --- In the child process ------------------------------------------------------------------


def _spans(analysis: Any, problems: list[Any]) -> list[Any]:
    document = analysis.document
    spans = [p.span for p in problems]
    if document is None:
        return spans
    for message in document.messages:
        spans += [message.span, message.content_span]
        if message.marker is not None:
            spans.append(message.marker)
    for found in (document.variables, document.placeholders, document.examples):
        spans += [item.span for item in found]
    return spans


def measure(case: str) -> dict[str, Any]:
    """The best of a few analyses at each size, and what a sane result needs."""
    from server.core.prompt_analysis import AnalysisSettings, analyse_prompt, analysis_problems

    settings = AnalysisSettings()
    # The catalog, the encodings and the counting threads load once, before any timing.
    analyse_prompt("warm.prompty", PROMPTY_FRONTMATTER + "user:\nwarm up", settings)
    report: dict[str, Any] = {}
    for size, runs in ((SMALL, 3), (LARGE, 2)):
        file_name, text = BUILDERS[case](size)
        best = float("inf")
        for _ in range(runs):
            start = time.perf_counter()
            analysis = analyse_prompt(file_name, text, settings)
            problems = analysis_problems(analysis)
            best = min(best, time.perf_counter() - start)
        report[str(size)] = best
        report["format"] = analysis.format
        report["analysed"] = analysis.document is not None and analysis.skipped is None
        report["spans_outside"] = [
            (s.start, s.end)
            for s in _spans(analysis, problems)
            if not 0 <= s.start <= s.end <= len(text)
        ][:5]
        report["model_name_length"] = len(analysis.model.name)
    return report


_CHILD = (
    "import json, sys\n"
    "from tests.hostile.test_linear_parsing import measure\n"
    "print(json.dumps(measure(sys.argv[1])))\n"
)


# --- The test ------------------------------------------------------------------------------


@pytest.mark.parametrize(("build", "format"), CASES, ids=[build.__name__ for build, _ in CASES])
def test_analysis_is_linear_on_hostile_text(
    build: Callable[[int], tuple[str, str]], format: str
) -> None:
    try:
        child = subprocess.run(
            [sys.executable, "-c", _CHILD, build.__name__],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=DEADLINE_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"no analysis of 100 KB and 1 MB within {DEADLINE_S:.0f} s: superlinear")
    assert child.returncode == 0, child.stderr[-3000:]
    report = json.loads(child.stdout.strip().splitlines()[-1])
    small, large = report[str(SMALL)], report[str(LARGE)]
    assert report["format"] == format
    assert report["analysed"]
    assert report["spans_outside"] == []
    if build in MODEL_NAMES:
        assert report["model_name_length"] > LARGE // 2
    assert large < LARGE_LIMIT_S, f"1 MB took {large:.2f} s"
    growth = large / max(small, FLOOR_S)
    assert growth < MAX_GROWTH, f"100 KB: {small:.3f} s, 1 MB: {large:.3f} s ({growth:.0f}x)"
