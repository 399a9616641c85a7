"""YAML aliases and deep nesting in prompt files are refused with a located diagnostic, before
anything is built from them: never an expansion to gigabytes, a circular value or a
RecursionError, through the analysis and through `promptweight check`.

Each case marks with ⟦ the place its diagnostic must start at: the first alias, or the bracket
that opens the 101st level. The mark is removed before the file is read.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

from server.core.prompt_analysis import AnalysisSettings, analyse_prompt, analysis_problems

PROMPTWEIGHT = str(Path(sys.executable).parent / "promptweight")
TIMEOUT_S = 20
ADDRESS_SPACE = 2 << 30  # the CLI runs under this limit: an expansion would fail, not swap
PEAK_RSS = 1 << 30  # what a refused file may cost the CLI at most (about 130 MB in practice)
SPAN_TEXT = {"yaml-alias": r"\*\w+", "too-deep": r"\["}  # the alias, or the bracket
BODY = "system:\nYou answer questions about the weather.\n"


def billion_laughs() -> str:
    """Ten strings, then eight levels each ten aliases of the one before: 10^9 strings."""
    lines = ["---", "model: gpt-4o", "l0: &l0 [" + ", ".join(["lol"] * 10) + "]"]
    for level in range(1, 8):
        aliases = ", ".join([f"*l{level - 1}"] * 10)
        mark = "⟦" if level == 1 else ""
        lines.append(f"l{level}: &l{level} [{mark}{aliases}]")
    lines += ["tools: [{type: function, function: {name: f, parameters: *l7}}]", "---"]
    return "\n".join(lines) + "\n" + BODY


def megabyte_aliased_by_chat_messages() -> str:
    """One megabyte string, and 2,000 chat messages that each alias it: 2 GB of content."""
    messages = "".join("- {role: user, content: *big}\n" for _ in range(1999))
    return f"big: &big {'x' * 1_000_000}\nmessages:\n- {{role: user, content: ⟦*big}}\n{messages}"


def nested(depth: int, past_limit_at: int) -> str:
    """`depth` nested lists, marked at the `past_limit_at`-th bracket (counting from 1)."""
    return "[" * (past_limit_at - 1) + "⟦" + "[" * (depth - past_limit_at + 1) + "]" * depth


# (name, file name, marked text, diagnostic code, whether the body is still counted)
CASES = [
    ("billion laughs in frontmatter tools", "laughs.prompty", billion_laughs(), "yaml-alias", True),
    (
        "an alias inside its own anchor",
        "self.prompty",
        "---\ntools: &t [{p: ⟦*t}]\n---\n" + BODY,
        "yaml-alias",
        True,
    ),
    (
        "a megabyte aliased by 2,000 chat-YAML messages",
        "big.chat.yaml",
        megabyte_aliased_by_chat_messages(),
        "yaml-alias",
        False,
    ),
    (
        # root mapping 1, `tools` list 2, tool 3: level 101 is the 98th bracket of `p`.
        "frontmatter tools nested 990 deep",
        "deep-tools.prompty",
        "---\ntools: [{p: " + nested(990, 98) + "}]\n---\n" + BODY,
        "too-deep",
        True,
    ),
    (
        # root mapping 1, `promptweight` 2: level 101 is the 99th bracket of `budget`.
        "a budget value nested 998 deep",
        "deep-budget.prompty",
        "---\npromptweight:\n  budget: " + nested(998, 99) + "\n---\n" + BODY,
        "too-deep",
        True,
    ),
    (
        # messages list 1, message 2: level 101 is the 99th bracket of `x`.
        "a chat JSON message nested 990 deep",
        "deep.chat.json",
        '[{"role": "user", "content": "hi", "x": ' + nested(990, 99) + "}]",
        "too-deep",
        False,
    ),
]
IDS = [case[0] for case in CASES]


def unmarked(marked: str) -> tuple[str, int]:
    at = marked.index("⟦")
    return marked[:at] + marked[at + 1 :], at


@pytest.mark.parametrize(
    ("file_name", "marked", "code", "body_counted"), [c[1:] for c in CASES], ids=IDS
)
def test_the_analysis_reports_the_place_and_counts_what_it_safely_can(
    file_name: str, marked: str, code: str, body_counted: bool
) -> None:
    text, at = unmarked(marked)
    started = time.perf_counter()
    analysis = analyse_prompt(file_name, text, AnalysisSettings())
    assert time.perf_counter() - started < TIMEOUT_S
    [problem] = [p for p in analysis_problems(analysis) if p.code == code]
    assert (problem.severity, problem.span.start) == ("error", at)
    assert re.fullmatch(SPAN_TEXT[code], text[problem.span.start : problem.span.end])
    assert analysis.figures is not None and analysis.figures.tool_tokens == 0
    if body_counted:
        assert analysis.prompt_tokens and analysis.prompt_tokens > 0


def run_check(path: Path) -> tuple[int, str, str, int]:
    """`promptweight check --format json` under an address-space limit: its exit code, output,
    errors and peak resident memory in bytes."""

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))

    out, err = path.with_suffix(".out"), path.with_suffix(".err")
    with out.open("wb") as stdout, err.open("wb") as stderr:
        child = subprocess.Popen(
            [PROMPTWEIGHT, "check", "--format", "json", str(path)],
            stdout=stdout,
            stderr=stderr,
            preexec_fn=limit_memory,
        )
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                child.kill()
                child.wait()
                pytest.fail(f"`promptweight check` ran past {TIMEOUT_S} s")
            time.sleep(0.02)
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    return child.returncode, out.read_text(), err.read_text(), usage.ru_maxrss * 1024


@pytest.mark.parametrize(("file_name", "marked", "code"), [c[1:4] for c in CASES], ids=IDS)
def test_check_reports_the_place_within_time_and_memory(
    tmp_path: Path, file_name: str, marked: str, code: str
) -> None:
    text, at = unmarked(marked)
    path = tmp_path / file_name
    path.write_text(text, encoding="utf-8")
    status, out, err, peak = run_check(path)
    assert status in (0, 1) and "Traceback" not in err, err
    assert peak < PEAK_RSS
    [file] = json.loads(out)["files"]
    [diagnostic] = [d for d in file["diagnostics"] if d["code"] == code]
    line = text.count("\n", 0, at)
    character = at - (text.rfind("\n", 0, at) + 1)
    assert diagnostic["range"]["start"] == {"line": line, "character": character}
