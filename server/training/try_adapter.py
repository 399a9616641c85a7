"""`python -m server.training try RUN_DIR`: the run's adapter answers one of its held-out
examples (`heldout.jsonl`), on the same 4-bit base model it was trained on, with the tokenizer
and chat template saved beside it. One `AdapterTrial` JSON line on stdout."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM, AutoTokenizer, BitsAndBytesConfig

from server.training.chat_data import prompt_ids
from shared_schemas.training import Started, TrainingConfig, parse_event
from shared_schemas.training_setup import AdapterTrial


class TrialError(Exception):
    """The run folder cannot be tried; the message says why."""


def _started(run_dir: Path) -> Started:
    events = run_dir / "events.jsonl"
    if events.is_file():
        for line in events.read_text(encoding="utf-8").splitlines():
            try:
                event = parse_event(line)
            except ValueError:
                continue
            if isinstance(event, Started):
                return event
    raise TrialError(f"{run_dir} has no started run in its events.jsonl")


def _example(run_dir: Path) -> tuple[list[dict[str, str]], str, bool]:
    """The prompt (messages before the last assistant answer), that answer, and whether it was
    held out of training."""
    path = run_dir / "heldout.jsonl"
    if not path.is_file():
        raise TrialError(f"{run_dir} has no heldout.jsonl (a run from an older version?)")
    for line in path.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        messages = record["messages"]
        last = max(
            (i for i, m in enumerate(messages) if m.get("role") == "assistant"), default=None
        )
        if last is not None:
            return messages[:last], messages[last]["content"], bool(record.get("heldOut"))
    raise TrialError(f"{path} holds no example with an assistant answer")


@dataclass(frozen=True)
class LoadedAdapter:
    model: Any  # a `PeftModel` in eval mode: `disable_adapter()` gives the base alone
    tokenizer: Any  # the run's, with the chat template it trained with
    base_model: str


def _finished(run_dir: Path) -> Started:
    if not (run_dir / "adapter_config.json").is_file():
        raise TrialError(f"{run_dir} has no adapter yet: the run has not finished")
    return _started(run_dir)


def load_adapter(run_dir: Path) -> LoadedAdapter:
    """The run's adapter on its 4-bit base, loaded as the run quantised it."""
    started = _finished(run_dir)
    config = TrainingConfig.model_validate_json((run_dir / "train.json").read_text())
    cuda = torch.cuda.is_available()
    dtype = torch.bfloat16 if not cuda or torch.cuda.is_bf16_supported() else torch.float16
    tokenizer = AutoTokenizer.from_pretrained(run_dir)
    base = AutoModelForCausalLM.from_pretrained(
        started.base_model,
        quantization_config=BitsAndBytesConfig(  # type: ignore[no-untyped-call]
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=config.double_quantization,
            bnb_4bit_compute_dtype=dtype,
        ),
        device_map={"": 0 if cuda else "cpu"},
        dtype=dtype,
        trust_remote_code=config.trust_remote_code,
    )
    model: Any = PeftModel.from_pretrained(base, str(run_dir))
    model.eval()
    return LoadedAdapter(model, tokenizer, started.base_model)


def try_adapter(run_dir: Path, max_new_tokens: int) -> AdapterTrial:
    _finished(run_dir)  # refused before the example is read
    prompt, expected, held_out = _example(run_dir)
    loaded = load_adapter(run_dir)
    model, tokenizer = loaded.model, loaded.tokenizer
    ids = torch.tensor([prompt_ids(tokenizer, prompt)], device=model.device)
    started_at = time.monotonic()
    with torch.no_grad():
        output = model.generate(
            input_ids=ids,
            attention_mask=torch.ones_like(ids),
            max_new_tokens=max_new_tokens,
            do_sample=False,
            pad_token_id=tokenizer.pad_token_id or tokenizer.eos_token_id,
        )
    seconds = time.monotonic() - started_at
    answer_ids = output[0, ids.shape[1] :]
    return AdapterTrial(
        run_dir=str(run_dir),
        base_model=loaded.base_model,
        held_out=held_out,
        prompt=prompt,
        expected=expected,
        answer=str(tokenizer.decode(answer_ids, skip_special_tokens=True)).strip(),
        prompt_tokens=int(ids.shape[1]),
        answer_tokens=int(answer_ids.shape[0]),
        seconds=seconds,
    )
