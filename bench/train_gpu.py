"""`python -m bench.train_gpu [--steps N] [--quick] [--out build/bench-train-gpu.json]`: QLoRA
training speed on a CUDA GPU, Promptweight's run path against plain transformers + peft, in
the same run. `--smoke`: both paths for 2 steps on the tiny model on the CPU, to check the
mechanics anywhere (the tests run it); without CUDA and without --smoke it exits with 2.

The model is Llama-3-8B's architecture with random weights (nothing downloads), written to a
temporary folder one shard at a time, so host memory holds one shard, not 16 GB. The data is a
synthetic chat dataset shaped like few-shot exports: a system text, one user turn and a short
answer per record, a few hundred tokens each (a long tail to about two thousand).

(a) `server.training.run.train` itself: packed rows with restarting positions, SDPA, 4-bit NF4
with double quantisation, LoRA on every linear layer, paged 8-bit AdamW, gradient checkpointing.
(b) The plain way: the same 4-bit model, LoRA and training arguments, the attention transformers
picks by default, every record's tokens (the same ids as (a)) in batches padded to their
longest by `DataCollatorForLanguageModeling`.

Both see the same batch size (rows for (a), examples for (b)), so (a) trains more tokens per
step: compare tokens per second. Tokens are real ones (not padding), counted in each batch; step
time is between step ends (data loading included), the median after the first warm-up steps;
peak memory is `torch.cuda.max_memory_allocated` over the whole path. Prints a markdown table
and writes the figures as JSON (`{name: {value, unit, baseline, ratio}}`, baseline = (b)).
"""

from __future__ import annotations

import gc
import json
import random
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.results import Result, write_results
from bench.section import recorder, say, section_parser

EXIT_NO_GPU = 2
# Llama-3-8B's shape, by hand. The rotary base is left at its default: it does not change the
# cost of a step.
LLAMA_3_8B: dict[str, Any] = {
    "vocab_size": 128256,
    "hidden_size": 4096,
    "intermediate_size": 14336,
    "num_hidden_layers": 32,
    "num_attention_heads": 32,
    "num_key_value_heads": 8,
    "max_position_embeddings": 8192,
    "rms_norm_eps": 1e-5,
    "tie_word_embeddings": False,
}
SHARD_BYTES = 2 << 30
# Support-ticket words like the tiny tokenizer's training text, so most words are a token or
# two, as in a real vocabulary.
_TEXT = (
    "the ticket customer reports that printer network billing hardware answer classify "
    "summarise office charged twice month drops every hour support assistant one word "
    "sentence please help where is VPN on fire other account login password refund order"
)
WORDS = _TEXT.split()


@dataclass(frozen=True)
class Scale:
    """How large a bench run is."""

    steps: int
    warmup: int  # steps left out of the timings
    batch_size: int
    max_tokens: int
    records: int
    median_words: tuple[int, int, int]  # system, user, assistant


GPU = Scale(
    steps=20, warmup=3, batch_size=4, max_tokens=2048, records=800, median_words=(150, 60, 25)
)
SMOKE = Scale(steps=2, warmup=0, batch_size=2, max_tokens=256, records=24, median_words=(20, 10, 4))


@dataclass(frozen=True)
class PathResult:
    tokens_per_second: float
    step_seconds: float
    tokens_per_step: float
    peak_bytes: int | None


# --- The model and the data ------------------------------------------------------------------


def write_random_model(
    settings: dict[str, Any], folder: Path, shard_bytes: int = SHARD_BYTES
) -> Path:
    """A Llama of this shape with random bf16 weights, saved in `folder` shard by shard
    (safetensors and their index, as `save_pretrained` writes a large model)."""
    import torch
    from safetensors.torch import save_file
    from transformers import AutoModelForCausalLM, LlamaConfig

    config = LlamaConfig(**settings)
    with torch.device("meta"):  # shapes only: nothing is allocated
        skeleton = AutoModelForCausalLM.from_config(config)  # type: ignore[no-untyped-call]
    device = "cuda" if torch.cuda.is_available() else "cpu"  # the GPU draws numbers far faster
    generator = torch.Generator(device).manual_seed(0)
    weight_map: dict[str, str] = {}
    shard: dict[str, Any] = {}
    held, total = 0, 0

    def flush() -> None:
        nonlocal shard, held
        name = f"model-{len(set(weight_map.values())):05d}.safetensors"
        save_file(shard, str(folder / name), metadata={"format": "pt"})
        weight_map.update(dict.fromkeys(shard, name))
        shard, held = {}, 0

    for name, tensor in skeleton.state_dict().items():
        if name.endswith("norm.weight"):
            value = torch.ones(tensor.shape, dtype=torch.bfloat16)
        else:  # initializer_range's scale, so activations stay finite through 32 layers
            drawn = torch.randn(tensor.shape, generator=generator, device=device)
            value = (drawn * config.initializer_range).to(torch.bfloat16).cpu()
        shard[name] = value
        held += value.nbytes
        total += value.nbytes
        if held >= shard_bytes:
            flush()
    if shard:
        flush()
    index = {"metadata": {"total_size": total}, "weight_map": weight_map}
    (folder / "model.safetensors.index.json").write_text(json.dumps(index, indent=2))
    config.save_pretrained(folder)
    return folder


def model_folder(folder: Path, settings: dict[str, Any] | None) -> Path:
    """The tiny model's tokenizer (nothing downloads) with random weights of `settings`' shape;
    None: the tiny model's own shape, still written shard by shard so the smoke run checks the
    writer too."""
    from server.training.tiny_model import build_tiny_model

    build_tiny_model(folder)
    tiny = json.loads((folder / "config.json").read_text())
    shape = settings or {key: tiny[key] for key in LLAMA_3_8B if key in tiny}
    tokens = {key: tiny[key] for key in ("bos_token_id", "eos_token_id", "pad_token_id")}
    (folder / "model.safetensors").unlink()  # replaced by the shards
    shard_bytes = SHARD_BYTES if settings else 64 << 10
    return write_random_model({**shape, **tokens}, folder, shard_bytes)


def synthetic_records(scale: Scale, seed: int = 0) -> list[list[dict[str, str]]]:
    """Few-shot-export-shaped conversations; lengths log-normal around the scale's medians."""
    chooser = random.Random(seed)

    def text(median: int) -> str:
        count = max(1, round(median * chooser.lognormvariate(0, 0.6)))
        return " ".join(chooser.choice(WORDS) for _ in range(count)) + "."

    system, user, assistant = scale.median_words
    return [
        [
            {"role": "system", "content": text(system)},
            {"role": "user", "content": text(user)},
            {"role": "assistant", "content": text(assistant)},
        ]
        for _ in range(scale.records)
    ]


def write_dataset(records: list[list[dict[str, str]]], path: Path) -> Path:
    lines = (json.dumps({"messages": messages}) for messages in records)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


# --- The two paths ---------------------------------------------------------------------------


def peak_memory(measure: Callable[[], Any]) -> tuple[Any, int | None]:
    import torch

    gc.collect()
    if not torch.cuda.is_available():
        return measure(), None
    torch.cuda.empty_cache()
    torch.cuda.reset_peak_memory_stats()
    result = measure()
    return result, int(torch.cuda.max_memory_allocated())


def summary(probe: Any, warmup: int, peak: int | None) -> PathResult:
    _, tokens = probe.measured(warmup)
    return PathResult(
        tokens_per_second=probe.tokens_per_second(warmup),
        step_seconds=probe.median_step_seconds(warmup),
        tokens_per_step=sum(tokens) / len(tokens) if tokens else 0.0,
        peak_bytes=peak,
    )


def training_config(model: Path, dataset: Path, scale: Scale, work: Path) -> Any:
    from server.core.training.run_config import RunConfig
    from shared_schemas.training import TrainingConfig

    config = TrainingConfig.model_validate(
        {
            "name": "bench",
            "baseModel": str(model),
            "datasets": [str(dataset)],
            "evalSplit": 0,
            "maxSteps": scale.steps,
            "saveSteps": scale.steps + 1,  # no checkpoint inside the timed steps
            "batchSize": scale.batch_size,
            "maxSequenceTokens": scale.max_tokens,
            "outputDir": str(work / "runs"),
        }
    )
    return RunConfig(config, work)


def run_path(run: Any, pad_id: int, warmup: int) -> PathResult:
    """(a): Promptweight's run, unchanged, probed."""
    from bench.train_probe import Probe, probing
    from server.training import run as training_run

    probe = Probe(pad_id=pad_id)

    def train() -> int:
        with probing(probe):
            return training_run.train(
                run, training_run.new_run_dir(run), lambda _: None, threading.Event(), False
            )

    status, peak = peak_memory(train)
    if status != 0:
        raise RuntimeError(f"the run path ended with status {status}")
    return summary(probe, warmup, peak)


def plain_path(run: Any, records: list[list[dict[str, str]]], warmup: int) -> PathResult:
    """(b): transformers + peft as their documentation's QLoRA recipe has it."""
    import torch
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training
    from transformers import (
        AutoModelForCausalLM,
        AutoTokenizer,
        BitsAndBytesConfig,
        DataCollatorForLanguageModeling,
        PrinterCallback,
        Trainer,
        TrainingArguments,
    )

    from bench.train_probe import Probe, probing
    from server.training.chat_data import ConversationError, to_sequence

    config = run.config
    cuda = torch.cuda.is_available()
    dtype = torch.bfloat16 if not cuda or torch.cuda.is_bf16_supported() else torch.float16
    tokenizer = AutoTokenizer.from_pretrained(config.base_model)
    examples = []
    for messages in records:  # the very ids (a) trains on, so tokens per second compare
        try:
            ids = to_sequence(tokenizer, messages, config.max_sequence_tokens).input_ids
        except ConversationError:
            continue
        examples.append({"input_ids": ids})
    probe = Probe(pad_id=tokenizer.pad_token_id)

    def train() -> None:
        quantization = BitsAndBytesConfig(  # type: ignore[no-untyped-call]
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=config.double_quantization,
            bnb_4bit_compute_dtype=dtype,
        )
        model = AutoModelForCausalLM.from_pretrained(
            config.base_model,
            quantization_config=quantization,
            device_map={"": 0 if cuda else "cpu"},
            dtype=dtype,
        )
        say(f"plain path attention: {model.config._attn_implementation}")
        model = prepare_model_for_kbit_training(  # type: ignore[no-untyped-call]
            model,
            use_gradient_checkpointing=config.gradient_checkpointing,
            gradient_checkpointing_kwargs={"use_reentrant": False},
        )
        lora = config.lora
        adapted = get_peft_model(
            model,
            LoraConfig(
                r=lora.rank,
                lora_alpha=lora.alpha,
                lora_dropout=lora.dropout,
                target_modules=lora.target_modules,
                task_type="CAUSAL_LM",
            ),
        )
        arguments = TrainingArguments(
            output_dir=str(run.output_dir / "plain"),
            per_device_train_batch_size=config.batch_size,
            gradient_accumulation_steps=config.gradient_accumulation,
            learning_rate=config.learning_rate,
            lr_scheduler_type=config.lr_scheduler,
            max_steps=config.max_steps,
            save_strategy="no",
            seed=config.seed,
            bf16=cuda and dtype == torch.bfloat16,
            fp16=cuda and dtype == torch.float16,
            use_cpu=not cuda,
            optim="paged_adamw_8bit" if cuda else "adamw_torch",
            gradient_checkpointing=config.gradient_checkpointing,
            gradient_checkpointing_kwargs={"use_reentrant": False},
            report_to=[],
            disable_tqdm=True,
        )
        with probing(probe):
            trainer = Trainer(
                model=adapted,
                args=arguments,
                train_dataset=examples,
                data_collator=DataCollatorForLanguageModeling(tokenizer, mlm=False),
            )
            trainer.remove_callback(PrinterCallback)  # stdout carries the table alone
            trainer.train()

    _, peak = peak_memory(train)
    return summary(probe, warmup, peak)


# --- The report ------------------------------------------------------------------------------


def figures(ours: PathResult, plain: PathResult) -> dict[str, Result]:
    results: dict[str, Result] = {}
    record = recorder(results)
    record("train_gpu_tokens_per_s", ours.tokens_per_second, "tokens/s", plain.tokens_per_second)
    record("train_gpu_step_ms", 1000 * ours.step_seconds, "ms", 1000 * plain.step_seconds)
    record("train_gpu_tokens_per_step", ours.tokens_per_step, "tokens", plain.tokens_per_step)
    if ours.peak_bytes is not None and plain.peak_bytes is not None:
        record("train_gpu_peak_memory_mb", ours.peak_bytes / 1e6, "MB", plain.peak_bytes / 1e6)
    return results


def markdown(results: dict[str, Result], device: str) -> str:
    def number(x: float | None) -> str:
        return "-" if x is None else f"{x:,.2f}" if abs(x) < 10 else f"{x:,.0f}"

    lines = [
        f"{device}, {datetime.now(UTC):%Y-%m-%d}",
        "",
        "| measure | Promptweight | transformers + peft | ratio |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, r in results.items():
        label = f"{name.removeprefix('train_gpu_')} ({r.unit})"
        lines.append(f"| {label} | {number(r.value)} | {number(r.baseline)} | {number(r.ratio)} |")
    return "\n".join(lines)


def bench(
    scale: Scale, settings: dict[str, Any] | None, work: Path
) -> tuple[PathResult, PathResult]:
    from transformers import AutoTokenizer

    say("writing the model's random weights ...")
    model = model_folder(work / "model", settings)
    records = synthetic_records(scale)
    dataset = write_dataset(records, work / "synthetic.train.jsonl")
    run = training_config(model, dataset, scale, work)
    pad_id = AutoTokenizer.from_pretrained(model).pad_token_id
    say(f"(a) Promptweight's run path, {scale.steps} steps ...")
    ours = run_path(run, pad_id, scale.warmup)
    say(f"(b) plain transformers + peft, {scale.steps} steps ...")
    plain = plain_path(run, records, scale.warmup)
    return ours, plain


def main(argv: list[str] | None = None) -> int:
    parser = section_parser("python -m bench.train_gpu", __doc__, "bench-train-gpu.json")
    parser.add_argument("--steps", type=int, help=f"steps per path (default {GPU.steps})")
    parser.add_argument(
        "--smoke", action="store_true", help="2 steps of each path on the tiny model, on the CPU"
    )
    args = parser.parse_args(argv)
    try:
        import torch
    except ImportError:
        say("bench.train_gpu needs the training libraries: pip install '.[train]'")
        return EXIT_NO_GPU
    if args.smoke:
        scale, settings, device = SMOKE, None, "CPU (smoke: the tiny model)"
    elif not torch.cuda.is_available():
        say(
            "bench.train_gpu measures QLoRA of an 8B model and needs a CUDA GPU; none is here. "
            "`--smoke` checks its mechanics on the CPU with the tiny model."
        )
        return EXIT_NO_GPU
    else:
        steps = args.steps or (8 if args.quick else GPU.steps)
        scale, settings = replace(GPU, steps=steps), LLAMA_3_8B
        device = f"{torch.cuda.get_device_name()}, torch {torch.__version__}"
    with tempfile.TemporaryDirectory(prefix="pw-train-gpu-") as scratch:
        ours, plain = bench(scale, settings, Path(scratch))
    results = figures(ours, plain)
    write_results(args.out, results)
    print(markdown(results, device))
    print(f"\nwritten to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
