"""`python -m bench.train_packing [--quick] [--out build/bench-train-packing.json]`: what the
trainer computes on, and whether the pre-flight memory estimate holds, on this CPU.

1. Real-token share. Every prompt of `tests/corpus/` goes through `promptweight export` into
   one dataset (those without few-shot examples add nothing), whose records become sequences as
   a run makes them (`to_sequence` with the tiny model's tokenizer, cut at the maximum length)
   and are packed as a run packs them (`pack`). For each maximum length:
   - `train_packed_real_share_<L>`: the share of computed token positions that are real, when
     batches of `batchSize` packed rows are padded to their longest row; its baseline is the
     plain transformers + peft way, batches of `batchSize` examples in the dataset's order
     padded to their longest example, so the ratio is packed / padded;
   - `train_padded_to_max_real_share_<L>`: every example padded to L (`padding="max_length"`).
   Positions count what the linear layers and the MLP compute. Attention over a packed row still
   computes the whole row's square with SDPA and a block-diagonal mask, so it is not counted.
2. The pre-flight estimate (`server/core/training/memory_estimate.py`) against what is there:
   - `train_weight_estimate_<model>_mb`: the weight part against real 4-bit models loaded here
     (`server/training/footprint.py`; the tiny model, SmolLM2-135M's shape and, without
     --quick, a small Qwen2 and Qwen2-0.5B's shape, random weights); the ratio is
     estimate / measured;
   - `train_adapter_estimate_tiny_kb`: LoRA weights, gradients and AdamW state against the
     bytes they hold after one real optimiser step of the run path on the tiny model (CPU:
     fp32 AdamW; the paged 8-bit one is CUDA's).
Without torch and the training libraries the section is recorded as skipped, with the reason.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.lsp_client import REPO
from bench.section import Record, Say, run_alone
from server.core.training.memory_estimate import ModelShape, RunShape, estimate, weight_bytes
from shared_schemas.training import TrainingConfig

CORPUS = REPO / "tests" / "corpus"
LENGTHS = (256, 512, 1024, 2048)
TRAINING_LIBRARIES = ("torch", "transformers", "peft", "bitsandbytes")
# Qwen2-0.5B's shape, by hand (nothing downloads): 24 layers, tied embeddings, q/k/v biases.
QWEN2_0_5B: dict[str, Any] = {
    "model_type": "qwen2",
    "vocab_size": 151936,
    "hidden_size": 896,
    "intermediate_size": 4864,
    "num_hidden_layers": 24,
    "num_attention_heads": 14,
    "num_key_value_heads": 2,
    "tie_word_embeddings": True,
}
MB = 1_000_000


# --- Real-token share: plain arithmetic over lengths -----------------------------------------


def batches(lengths: Sequence[int], batch_size: int) -> list[Sequence[int]]:
    return [lengths[i : i + batch_size] for i in range(0, len(lengths), batch_size)]


def real_share(lengths: Sequence[int], batch_size: int) -> float:
    """Real tokens over computed positions when consecutive rows of these lengths go in
    batches of `batch_size`, each padded to its longest row."""
    computed = sum(len(batch) * max(batch) for batch in batches(lengths, batch_size))
    return sum(lengths) / computed if computed else 0.0


def padded_to_max_share(lengths: Sequence[int], max_tokens: int) -> float:
    return sum(lengths) / (len(lengths) * max_tokens) if lengths else 0.0


# --- The corpus dataset, through the project's own export and the run's reader ---------------


def corpus_dataset(folder: Path) -> Path:
    """`promptweight export` of every corpus prompt into one dataset in `folder`."""
    from server.cli import main as promptweight

    prompts = sorted(str(p) for p in CORPUS.rglob("*") if p.is_file() and p.name != "SOURCES.md")
    dataset = folder / "corpus.train.jsonl"
    printed = io.StringIO()  # one line per prompt: not the benchmark's business
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        status = promptweight(["export", *prompts, "-o", str(dataset)])
    if status != 0:
        raise RuntimeError(f"promptweight export failed ({status}): {printed.getvalue()[-2000:]}")
    return dataset


def run_config(base_model: Path, dataset: Path, **settings: Any) -> Any:
    """A run of `base_model` on `dataset` with the config's defaults but `settings`."""
    from server.core.training.run_config import RunConfig

    config = TrainingConfig.model_validate(
        {"baseModel": str(base_model), "datasets": [str(dataset)], **settings}
    )
    return RunConfig(config, dataset.parent)


def corpus_conversations(dataset: Path) -> list[list[dict[str, str]]]:
    lines = dataset.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["messages"] for line in lines if line.strip()]


def trainable_sequences(
    tokenizer: Any, conversations: list[list[dict[str, str]]], max_tokens: int
) -> list[Any]:
    """The conversations' sequences, cut at `max_tokens`; as in a run, one whose assistant
    tokens all lie past the cut is skipped."""
    from server.training.chat_data import ConversationError, to_sequence

    sequences = []
    for messages in conversations:
        with contextlib.suppress(ConversationError):
            sequences.append(to_sequence(tokenizer, messages, max_tokens))
    return sequences


def measure_shares(
    tiny: Path, dataset: Path, lengths: Sequence[int], say: Say, record: Record
) -> None:
    from transformers import AutoTokenizer

    from server.training.packing import pack

    tokenizer = AutoTokenizer.from_pretrained(tiny)
    conversations = corpus_conversations(dataset)
    batch_size = TrainingConfig.model_fields["batch_size"].default
    for length in lengths:
        # Cut at the maximum length as a run cuts them, so both ways train the same tokens.
        sequences = trainable_sequences(tokenizer, conversations, length)
        examples = [len(s.input_ids) for s in sequences]
        rows = [p.length for p in pack(sequences, length)]
        if length == lengths[-1]:
            say(
                f"corpus dataset: {len(examples)} examples, {min(examples)}-{max(examples)} "
                f"tokens (cut at {length}); {len(rows)} packed rows; batches of {batch_size}"
            )
        if len(sequences) < len(conversations):
            skipped = len(conversations) - len(sequences)
            say(f"at {length} tokens, {skipped} examples keep no assistant token: skipped")
        record(
            f"train_packed_real_share_{length}",
            100 * real_share(rows, batch_size),
            "%",
            100 * real_share(examples, batch_size),
        )
        record(
            f"train_padded_to_max_real_share_{length}",
            100 * padded_to_max_share(examples, length),
            "%",
        )


# --- The pre-flight estimate against what is really there ------------------------------------


def shape_of(folder: Path) -> ModelShape:
    return ModelShape.from_config(json.loads((folder / "config.json").read_text()))


def measure_weights(name: str, folder: Path, say: Say, record: Record) -> None:
    from server.training.footprint import load_four_bit, weight_bytes_loaded

    say(f"loading {name} in 4-bit ...")
    measured = weight_bytes_loaded(load_four_bit(folder, double_quantization=True))
    quantised, other = weight_bytes(shape_of(folder), RunShape(1, 1, lora_rank=16))
    record(f"train_weight_estimate_{name}_mb", (quantised + other) / MB, "MB", measured / MB)


def measure_adapter(tiny: Path, dataset: Path, work: Path, say: Say, record: Record) -> None:
    """One optimiser step of the run path itself, probed."""
    from transformers import AutoTokenizer

    from bench.train_probe import Probe, probing
    from server.training import run as training_run

    say("one optimiser step of the tiny model ...")
    run = run_config(
        tiny, dataset, maxSteps=1, evalSplit=0, maxSequenceTokens=512, outputDir=str(work)
    )
    probe = Probe(pad_id=AutoTokenizer.from_pretrained(tiny).pad_token_id)
    with probing(probe):
        training_run.train(
            run, training_run.new_run_dir(run), lambda _: None, threading.Event(), False
        )
    if probe.adapter is None:
        raise RuntimeError("the run took no optimiser step")
    parts = estimate(
        shape_of(tiny),
        RunShape(1, 1, lora_rank=run.config.lora.rank, paged_8bit_optimizer=False),
    )
    estimated = parts["lora_weights"] + parts["lora_gradients"] + parts["optimizer_state"]
    record("train_adapter_estimate_tiny_kb", estimated / 1000, "KB", probe.adapter.total / 1000)


def missing_library() -> str | None:
    missing = [name for name in TRAINING_LIBRARIES if importlib.util.find_spec(name) is None]
    return f"{', '.join(missing)} not installed (pip install '.[train]')" if missing else None


def measure(quick: bool, say: Say, record: Record) -> None:
    missing = missing_library()
    if missing is not None:
        say(f"training bench skipped: {missing}")
        record("train_packing", None, f"skipped: {missing}")
        return
    from server.training.footprint import ARCHITECTURES, save_random_model
    from server.training.tiny_model import build_tiny_model

    with tempfile.TemporaryDirectory(prefix="pw-train-bench-") as scratch:
        work = Path(scratch)
        tiny = build_tiny_model(work / "tiny")
        dataset = corpus_dataset(work)
        measure_shares(tiny, dataset, LENGTHS, say, record)
        measure_weights("tiny", tiny, say, record)
        shapes = {"smollm2_135m": ARCHITECTURES["smollm2-135m"]}
        if not quick:
            shapes |= {"qwen2_small": ARCHITECTURES["qwen2-small"], "qwen2_0_5b": QWEN2_0_5B}
        for name, settings in shapes.items():
            say(f"writing {name} with random weights ...")
            measure_weights(name, save_random_model(settings, work / name), say, record)
        measure_adapter(tiny, dataset, work / "runs", say, record)


def main(argv: list[str] | None = None) -> int:
    return run_alone(
        "python -m bench.train_packing", __doc__, "bench-train-packing.json", measure, argv
    )


if __name__ == "__main__":
    import sys

    sys.exit(main())
