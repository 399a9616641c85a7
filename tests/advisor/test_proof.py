"""The fine-tune's proof in the advice: a run without an adapter, or without a comparison yet,
is named as not measured while the advice still answers; a comparison made on a GPU measures
the serving speed the local model's costs then use."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from server.core.advisor.advise import AdviceContext, advise
from server.core.prompt_analysis import AnalysisSettings, analyse_prompt
from shared_schemas.advice import FileAdvice
from shared_schemas.evaluation import EVAL_FILE, EvalReport
from tests.advisor.test_short_prompt import write_run, write_training
from tests.lsp.test_short_prompt_actions import PROMPT

RUN = "20261201-120000-triage"


def totals(match_rate: float, prompt_tokens: float, seconds: float) -> dict[str, object]:
    return {
        "valid": 4,
        "validRate": 1.0,
        "matches": round(4 * match_rate),
        "matchRate": match_rate,
        "promptTokensPerCall": prompt_tokens,
        "answerTokensPerCall": 10.0,
        "secondsPerCall": seconds,
    }


def write_eval(run_dir: Path, device: str) -> None:
    report = EvalReport.model_validate(
        {
            "runDir": str(run_dir),
            "baseModel": "tiny-model",
            "promptPath": "triage.prompty",
            "formatRule": "JSON with keys category",
            "device": device,
            "batchSize": 8,
            "maxNewTokens": 32,
            "examples": [],
            "full": totals(0.5, 400.0, 0.2),
            # 90 prompt + 10 answer tokens in 0.05 s: 2,000 tokens/s.
            "short": totals(0.75, 90.0, 0.05),
        }
    )
    (run_dir / EVAL_FILE).write_text(report.model_dump_json(by_alias=True))


def advised(folder: Path) -> FileAdvice:
    path = folder / "triage.prompty"
    path.write_text(PROMPT)
    analysis = analyse_prompt(path.name, PROMPT, AnalysisSettings())
    context = AdviceContext(workspace_root=folder, now=datetime(2026, 12, 1, tzinfo=UTC))
    return advise(path, analysis, context)


def test_a_run_without_an_adapter_leaves_the_proof_unmeasured(tmp_path: Path) -> None:
    write_training(tmp_path)
    write_run(tmp_path, RUN, finished=False)
    advice = advised(tmp_path)
    assert advice.proof is None and advice.verdict == "keep-prompting"
    assert any("has no adapter" in n for n in advice.not_measured)


def test_an_adapter_without_a_comparison_says_how_to_make_one(tmp_path: Path) -> None:
    write_training(tmp_path)
    write_run(tmp_path, RUN)
    advice = advised(tmp_path)
    assert advice.proof is None
    assert any("promptweight eval" in n for n in advice.not_measured)


@pytest.mark.parametrize(("device", "speed"), [("cuda", 2000.0), ("cpu", None)])
def test_a_comparison_is_the_proof_and_a_gpus_speed_is_measured(
    tmp_path: Path, device: str, speed: float | None
) -> None:
    write_training(tmp_path)
    write_eval(write_run(tmp_path, RUN), device)
    advice = advised(tmp_path)
    assert advice.proof is not None
    assert (advice.proof.match_rate_short, advice.proof.match_rate_full) == (0.75, 0.5)
    assert advice.proof.serving_tokens_per_second == speed
    assert any(r.startswith(f"the fine-tune {RUN} matched 75%") for r in advice.reasons)
    assert advice.break_even is not None
    # One GPU serves 86,400 s a day at the speed used, over each call's tokens.
    [local] = [n for n in advice.break_even.notes if n.startswith("local QLoRA keeps")]
    tokens_per_call = advice.break_even.fine_tuned[0].input_tokens + 1024  # max output
    serves = 86_400 * (speed or 1000.0) / tokens_per_call
    assert f"one serves {serves:,.0f} calls a day" in local
