"""`promptweight eval`, the proof after a fine-tune: the scoring against hand-made
expectations, the two prompts built from a prompt file, and a real evaluation of a tiny
model's run on the CPU (the mechanics; a run of two steps answers badly)."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from server.cli_eval import render_text
from server.core.economics import DAYS_PER_MONTH
from server.core.prompt_analysis import AnalysisSettings
from server.core.training.evaluation import (
    HeldOutRecord,
    eval_cases,
    format_rule,
    read_prompt,
    same_answer,
)
from shared_schemas.evaluation import EvalReport
from tests.training.test_training_runs import PROMPT

pytest.importorskip("peft")
pytest.importorskip("bitsandbytes")

PROMPTWEIGHT = str(Path(sys.executable).parent / "promptweight")
SYSTEM = "Classify the support ticket as network, hardware, billing or other. Answer with one word."
# The prompt the training runs export and train on.
CHAT_PAIRS = PROMPT
IN_TEXT = f"""system:
{SYSTEM}

Input: The VPN drops every hour.
Output: network

Input: The printer is on fire.
Output: hardware

Input: Where is the office?
Output: other

user:
{{{{ticket}}}}
"""
CONFIG = """name: triage
baseModel: tiny
datasets: [triage.train.jsonl]
evalSplit: 0.5
batchSize: 2
maxSequenceTokens: 256
"""
LABELS = ["network", "hardware", "billing", "other"]
JSON_OUTPUTS = [
    '{"label": "a", "score": 1}',
    '{"score": 2, "label": "b"}',
    '{"label": "c", "score": 3}',
]


@pytest.mark.parametrize(
    ("outputs", "answer", "valid"),
    [
        (LABELS, "billing", True),
        (LABELS, " other\n", True),
        (LABELS, "Billing", False),  # not in the set: labels are compared as written
        (LABELS, "shipping", False),
        (LABELS, "The ticket is about the network, clearly, as it says.", False),
        (JSON_OUTPUTS, '{"score": 9, "label": "z"}', True),
        (JSON_OUTPUTS, '```json\n{"label": "z", "score": 9}\n```', True),
        (JSON_OUTPUTS, '{"label": "z"}', False),
        (JSON_OUTPUTS, "label: z", False),
        (["- one\n- two", "- three\n- four"], "- five\n- six", True),
        (["- one\n- two", "- three\n- four"], "# Five\nsix", False),
        # No format most outputs share: validity is not checked rather than drawn from one.
        (["network", '{"a": 1}', "A long answer, in prose, that goes on for a while."], "x", None),
        (
            ["A long answer, in prose, that goes on for a while.", "Another, just as long."],
            "x",
            None,
        ),
    ],
)
def test_validity_is_the_format_most_expected_outputs_share(
    outputs: list[str], answer: str, valid: bool | None
) -> None:
    assert format_rule(outputs).valid(answer) is valid


@pytest.mark.parametrize(
    ("answer", "expected", "same"),
    [
        ("billing", "billing", True),
        (" billing\n", "billing", True),
        ("Billing", "billing", False),
        ("billing.", "billing", False),
        ('{"b": 1, "a": [2, 3]}', '{"a": [2, 3], "b": 1}', True),  # JSON by value
        ('{"a": 1}', '{"a": 2}', False),
        ('{"a": 1', '{"a": 1}', False),
    ],
)
def test_an_exact_match_ignores_only_outer_space_and_json_layout(
    answer: str, expected: str, same: bool
) -> None:
    assert same_answer(answer, expected) is same


@pytest.mark.parametrize(
    ("prompt", "full_system", "full_turns"),
    [
        (
            CHAT_PAIRS,
            SYSTEM,
            [
                ("user", "The VPN drops every hour."),
                ("assistant", "network"),
                ("user", "I was charged twice this month."),
                ("assistant", "billing"),
                ("user", "Where is the office?"),
                ("assistant", "other"),
            ],
        ),
        (
            IN_TEXT,
            f"{SYSTEM}\n\nInput: The VPN drops every hour.\nOutput: network\n\n"
            "Input: Where is the office?\nOutput: other",
            [],
        ),
    ],
    ids=["chat-pairs", "in-text"],
)
def test_the_full_prompt_keeps_every_example_but_the_one_asked(
    tmp_path: Path, prompt: str, full_system: str, full_turns: list[tuple[str, str]]
) -> None:
    path = tmp_path / "triage.prompty"
    path.write_text(prompt)
    document = read_prompt(path, AnalysisSettings()).document
    assert document is not None
    asked = "The printer is on fire."
    short = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": asked}]
    unseen = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": "It is slow."}]
    cases = eval_cases(
        document, [HeldOutRecord(short, "hardware", True), HeldOutRecord(unseen, "other", True)]
    )
    full = [(m["role"], m["content"]) for m in cases[0].full]
    assert full == [("system", full_system), *full_turns, ("user", asked)]
    assert cases[0].short == short and cases[0].example_left_out
    # An input the prompt has no example of: every example stays.
    assert len(cases[1].full) == len(document.messages) and not cases[1].example_left_out
    assert cases[1].full[-1] == {"role": "user", "content": "It is slow."}


@pytest.fixture(scope="module")
def run_dir(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("workspace")
    (folder / "tiny").symlink_to(tiny_model)
    (folder / "triage.prompty").write_text(CHAT_PAIRS)
    export = [PROMPTWEIGHT, "export", "triage.prompty", "-o", "triage.train.jsonl"]
    subprocess.run(export, cwd=folder, check=True, capture_output=True)
    (folder / "promptweight.train.yaml").write_text(CONFIG)
    train = [PROMPTWEIGHT, "train", "promptweight.train.yaml", "--max-steps", "2"]
    subprocess.run(train, cwd=folder, check=True, capture_output=True, timeout=300)
    [found] = (folder / "runs").iterdir()
    return found


def evaluate(*args: str) -> subprocess.CompletedProcess[str]:
    command = [PROMPTWEIGHT, "eval", *args, "--max-new-tokens", "3"]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


def test_eval_answers_each_held_out_example_both_ways(run_dir: Path) -> None:
    result = evaluate(str(run_dir), "--json", "--calls-per-day", "20000")
    assert result.returncode == 0, result.stderr[-2000:]
    report = EvalReport.model_validate_json(result.stdout)
    held_out = (run_dir / "heldout.jsonl").read_text().splitlines()
    assert len(report.examples) == len(held_out) == 2
    # The prompt was found beside the dataset the run trained on.
    assert report.prompt_path == str(run_dir.parent.parent / "triage.prompty")
    assert report.format_rule == "labels from a set of 4"
    for row in report.examples:
        assert row.held_out and row.example_left_out and row.expected in LABELS
        assert 0 < row.prompt_tokens_short < row.prompt_tokens_full
        assert row.valid_full is (row.answer_full in LABELS)
        assert row.match_full is (row.answer_full == row.expected)
    for side in (report.full, report.short):
        assert side.valid is not None and side.seconds_per_call > 0
        assert 0 < side.answer_tokens_per_call <= 3
    saving = report.saving
    assert saving is not None and saving.model == "gpt-4o-mini"
    assert 0 < saving.prompt_tokens_short < saving.prompt_tokens_full
    assert saving.calls_per_day == 20000
    saved = saving.prompt_tokens_full - saving.prompt_tokens_short
    assert saving.tokens_saved_per_call == pytest.approx(saved)
    assert saving.saving_per_month_usd == pytest.approx(
        saved * 20000 * DAYS_PER_MONTH * saving.input_price_per_million / 1e6
    )
    text = io.StringIO()
    render_text(report, text)
    assert "exact match" in text.getvalue() and f"${saving.saving_per_month_usd:,.2f}" in (
        text.getvalue()
    )


def _copy(run_dir: Path, into: Path, *names: str) -> Path:
    copy = into / "runs" / run_dir.name
    copy.mkdir(parents=True)
    for name in names:
        shutil.copy(run_dir / name, copy / name)
    return copy


@pytest.mark.parametrize(
    ("case", "status", "message"),
    [
        ("missing", 2, "not a run folder"),
        ("no adapter", 2, "no adapter"),
        ("no prompt", 2, "give it with --prompt"),
        ("prompt unreadable", 2, "cannot read"),
        ("trainer fails", 1, "no started run"),
    ],
)
def test_eval_exit_status(
    run_dir: Path, tmp_path: Path, case: str, status: int, message: str
) -> None:
    run_files = ("adapter_config.json", "heldout.jsonl", "train.json")
    prompt = run_dir.parent.parent / "triage.prompty"
    args = {
        "missing": lambda: [str(tmp_path / "nowhere")],
        "no adapter": lambda: [str(_copy(run_dir, tmp_path, "heldout.jsonl", "train.json"))],
        # Copied away from its dataset: nothing beside it names the prompt.
        "no prompt": lambda: [str(_copy(run_dir, tmp_path, *run_files))],
        "prompt unreadable": lambda: [str(run_dir), "--prompt", str(tmp_path / "gone.prompty")],
        # No events.jsonl: the trainer cannot tell the base model, and says so.
        "trainer fails": lambda: [
            str(_copy(run_dir, tmp_path, *run_files)),
            "--prompt",
            str(prompt),
        ],
    }[case]()
    result = evaluate(*args)
    assert result.returncode == status
    assert message in result.stderr and not result.stdout
