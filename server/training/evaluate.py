"""`python -m server.training eval RUN_DIR --prompt FILE`: the run's held-out examples answered
by the base model with the prompt's full few-shot prompt, then by the adapter with the short
prompt it was trained on (`server/core/training/evaluation.py` builds both and scores them).
The base loads once, in 4-bit as the run trained it; the first side runs with the adapter
disabled. Generation is greedy, in left-padded batches. One `EvalResult` JSON line."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import torch

from server.core.prompt_analysis import AnalysisSettings
from server.core.training.evaluation import (
    Chat,
    Generated,
    eval_cases,
    find_prompt,
    format_rule,
    held_out_records,
    read_prompt,
    require_adapter,
    score,
)
from server.training.chat_data import prompt_ids
from server.training.try_adapter import load_adapter
from shared_schemas.evaluation import EvalReport


def _generate(
    model: Any, tokenizer: Any, chats: list[Chat], max_new_tokens: int, batch_size: int
) -> Generated:
    prompts = [prompt_ids(tokenizer, chat) for chat in chats]
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    answers: list[str] = [""] * len(prompts)
    answer_tokens = [0] * len(prompts)
    # Prompts of like length share a batch, so little of it is padding.
    order = sorted(range(len(prompts)), key=lambda i: len(prompts[i]))
    seconds = 0.0
    for start in range(0, len(order), batch_size):
        batch = order[start : start + batch_size]
        width = max(len(prompts[i]) for i in batch)
        # Left padding: every row's answer then starts at the same column, `width`.
        ids = [[pad] * (width - len(prompts[i])) + prompts[i] for i in batch]
        mask = [[0] * (width - len(prompts[i])) + [1] * len(prompts[i]) for i in batch]
        started = time.monotonic()
        with torch.no_grad():
            output = model.generate(
                input_ids=torch.tensor(ids, device=model.device),
                attention_mask=torch.tensor(mask, device=model.device),
                max_new_tokens=max_new_tokens,
                do_sample=False,
                pad_token_id=pad,
            )
        seconds += time.monotonic() - started  # the output is on the host by now: synchronised
        for row, index in zip(output[:, width:].tolist(), batch, strict=True):
            # What follows the end of an answer is padding, or the end token repeated.
            ends = [n for n, token in enumerate(row) if token in (pad, tokenizer.eos_token_id)]
            kept = row[: ends[0]] if ends else row
            answer_tokens[index] = len(kept)
            answers[index] = str(tokenizer.decode(kept, skip_special_tokens=True)).strip()
    return Generated(answers, [len(p) for p in prompts], answer_tokens, seconds)


def evaluate(
    run_dir: Path, prompt: Path | None, max_new_tokens: int, batch_size: int
) -> EvalReport:
    require_adapter(run_dir)
    records = held_out_records(run_dir)
    prompt = prompt if prompt is not None else find_prompt(run_dir)
    document = read_prompt(prompt, AnalysisSettings()).document
    assert document is not None  # read_prompt refuses a file without one
    cases = eval_cases(document, records)
    # Valid format is judged against every labelled output there is: the prompt's examples
    # (the set a label must come from) and the held-out answers.
    rule = format_rule([e.output for e in document.examples] + [c.expected for c in cases])
    loaded = load_adapter(run_dir)
    model, tokenizer = loaded.model, loaded.tokenizer
    # One untimed token first: the first call pays for kernels and caches warming up, and
    # would count against whichever side went first.
    _generate(model, tokenizer, [cases[0].short], 1, 1)
    with model.disable_adapter():
        full = _generate(model, tokenizer, [c.full for c in cases], max_new_tokens, batch_size)
    short = _generate(model, tokenizer, [c.short for c in cases], max_new_tokens, batch_size)
    rows, full_totals, short_totals = score(cases, rule, full, short)
    return EvalReport(
        run_dir=str(run_dir),
        base_model=loaded.base_model,
        prompt_path=str(prompt),
        format_rule=rule.described,
        device=str(loaded.model.device.type),
        batch_size=batch_size,
        max_new_tokens=max_new_tokens,
        examples=rows,
        full=full_totals,
        short=short_totals,
    )
