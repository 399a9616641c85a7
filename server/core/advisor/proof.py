"""After a fine-tune: the runs trained on a prompt's exported dataset, and the newest one's
comparison with the prompt (`promptweight eval` keeps it in the run folder as `eval.json`).

A run that has no adapter, or an adapter but no comparison yet, leaves the proof unmeasured and
says so; the advisor still answers from the rest. A comparison made on a GPU also measures how
fast the fine-tuned model serves, which then replaces `advisor.servingTokensPerSecond`."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

from pydantic import ValidationError

from server.core.advisor.labelled_examples import find_datasets
from server.core.safe_files import read_regular_bytes
from server.core.training.choices import training_choices
from server.core.training.run_config import RunConfigError, load_run_config
from server.core.training.run_folders import find_runs
from shared_schemas.advice import Proof
from shared_schemas.evaluation import EVAL_FILE, EvalReport
from shared_schemas.training import RunSummary

_MAX_REPORT_BYTES = 64 << 20


def prompt_runs(prompt: Path, root: Path | None, dataset_folder: str) -> list[RunSummary]:
    """The runs of every `*.train.yaml` in the workspace folder (the ones Start Fine-Tuning
    offers) that trains on this prompt's exported dataset, newest first."""
    datasets = {os.path.realpath(p) for p in find_datasets(prompt, dataset_folder, root)}
    if not datasets:
        return []
    runs: list[RunSummary] = []
    for uri in training_choices(root or prompt.parent).configs:
        try:
            config = load_run_config(Path(url2pathname(urlparse(uri).path)), {})
        except RunConfigError:
            continue  # a config that cannot start a run trained nothing either
        if not datasets.isdisjoint(os.path.realpath(p) for p in config.datasets):
            runs += find_runs(config.output_dir, set())
    # Run folders are named `<time>-<name>`: the later name is the newer run.
    return sorted(runs, key=lambda run: Path(run.run_dir).name, reverse=True)


def _proof_of(report: EvalReport) -> Proof:
    short = report.short
    speed = None
    if report.device == "cuda" and short.seconds_per_call > 0:
        speed = (short.prompt_tokens_per_call + short.answer_tokens_per_call) / (
            short.seconds_per_call
        )
    return Proof(
        run_dir=report.run_dir,
        device=report.device,
        examples=len(report.examples),
        valid_rate_full=report.full.valid_rate,
        valid_rate_short=short.valid_rate,
        match_rate_full=report.full.match_rate,
        match_rate_short=short.match_rate,
        prompt_tokens_full=report.full.prompt_tokens_per_call,
        prompt_tokens_short=short.prompt_tokens_per_call,
        seconds_per_call_short=short.seconds_per_call,
        serving_tokens_per_second=speed,
        saving_per_month_usd=report.saving.saving_per_month_usd if report.saving else None,
    )


def read_proof(prompt: Path, root: Path | None, dataset_folder: str) -> tuple[Proof | None, str]:
    """The newest finished run's comparison, or None and why not ("" when no run exists)."""
    runs = prompt_runs(prompt, root, dataset_folder)
    if not runs:
        return None, ""
    finished = next((r for r in runs if r.state == "finished" and r.adapter_path), None)
    if finished is None:
        newest = runs[0]
        return None, (
            f"the fine-tune's proof: run {Path(newest.run_dir).name} is {newest.state} and has "
            "no adapter, so it could not be compared with the prompt"
        )
    path = Path(finished.run_dir) / EVAL_FILE
    name = Path(finished.run_dir).name
    try:
        report = EvalReport.model_validate_json(read_regular_bytes(path, _MAX_REPORT_BYTES))
    except FileNotFoundError:
        return None, (
            f"the fine-tune's proof: run {name} has an adapter but no comparison with the prompt "
            f"yet (`promptweight eval {finished.run_dir}`)"
        )
    except (OSError, ValidationError) as error:
        return None, f"the fine-tune's proof: {path} is unreadable ({error})"
    return _proof_of(report), ""
