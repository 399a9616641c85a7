"""One QLoRA run: a 4-bit NF4 base model, LoRA adapters on every linear layer, the Hugging Face
`Trainer`, and an event for everything worth telling (`shared_schemas.training`).

The run folder `<outputDir>/<time>-<name>/` holds the adapter (`adapter_model.safetensors`,
`adapter_config.json`), the tokenizer, the exact config (`train.json`), `events.jsonl`,
`metrics.json`, a model card (`README.md`) and the checkpoints a run resumes from; while the
run goes, its marker (`trainer.json`) and, once asked to stop, a `stop` file.
"""

from __future__ import annotations

import json
import math
import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training
from transformers import (
    AutoModelForCausalLM,
    AutoTokenizer,
    BitsAndBytesConfig,
    EarlyStoppingCallback,
    PrinterCallback,
    Trainer,
    TrainerCallback,
    TrainerControl,
    TrainerState,
    TrainingArguments,
)

from server.core.atomic_files import write_bytes_atomically
from server.core.datasets.validation import ValidationOptions, validate_dataset
from server.core.safe_files import lines_within, open_regular
from server.core.training.launch import new_run_dir as new_run_dir  # the bench's, too
from server.core.training.memory_estimate import ModelShape, ModelShapeError
from server.core.training.run_config import RunConfig
from server.core.training.run_estimate import NoEstimate, estimate_run
from server.core.training.run_marker import stop_requested
from server.training.chat_data import ConversationError, Sequence, to_sequence
from server.training.checkpoints import (
    CheckpointWriteError,
    causes,
    discard_incomplete,
    disk_full,
    latest_checkpoint,
    storage_hint,
)
from server.training.packing import Pack, collate, pack
from server.training.ranks import any_rank, local_rank, world_size
from shared_schemas.training import (
    Checkpoint,
    Eval,
    Failed,
    Finished,
    Log,
    Started,
    Step,
    TrainingEvent,
)

Emit = Callable[[TrainingEvent], None]
# Above this a base model is refused without CUDA: 4-bit layers on a CPU train a 0.5B model at
# minutes a step, which no one wants; SmolLM2-135M and the tiny test model still train there.
CPU_PARAMETER_LIMIT = 200_000_000


class RunError(Exception):
    """The run cannot go on; `hint` says what to change."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


def _records(path: Path) -> list[dict[str, Any]]:
    """The dataset's records, refused when the validator finds an error in it."""
    options = ValidationOptions(count_tokens=len, max_problems=5)
    with open_regular(path) as stream:
        report = validate_dataset(lines_within(stream, 1 << 34), options, str(path))
    if report.error_count:
        # The first error, not the first problem: a warning does not stop a run. (The report
        # keeps a few problems only; warnings may have filled them.)
        first = next((p for p in report.problems if p.severity == "error"), None)
        where = f", the first on line {first.line + 1}: {first.message}" if first else ""
        raise RunError(
            f"{path.name} has {report.error_count} errors{where}",
            f"run `promptweight validate {path}` and fix them",
        )
    records = []
    with path.open(encoding="utf-8-sig") as lines:
        for line in lines:
            if line.strip():
                records.append(json.loads(line))
    return records


Example = tuple[list[dict[str, str]], Sequence]  # the record's messages, and their tokens


def _examples(tokenizer: Any, run: RunConfig, emit: Emit) -> list[Example]:
    examples: list[Example] = []
    for path in run.datasets:
        if not path.is_file():
            raise RunError(f"the dataset {path} does not exist", "export one from a prompt first")
        for number, record in enumerate(_records(path), start=1):
            messages = record.get("messages")
            if not isinstance(messages, list):
                continue  # other formats are exported for other trainers
            try:
                sequence = to_sequence(tokenizer, messages, run.config.max_sequence_tokens)
            except ConversationError as error:
                emit(Log(level="warning", message=f"{path.name} line {number}: {error}; skipped"))
                continue
            examples.append((messages, sequence))
    if not examples:
        raise RunError(
            "no example with assistant tokens to train on",
            "the datasets need chat records (`messages`) with assistant answers",
        )
    return examples


def _write_held_out(run_dir: Path, held_out: list[Example], trained: list[Example]) -> None:
    """`heldout.jsonl`: the eval split's records, which Try Adapter (and a comparison with the
    prompt) answer; a run that holds nothing out gives one training record, marked as such."""
    chosen = [(m, True) for m, _ in held_out] or [(m, False) for m, _ in trained[-1:]]
    lines = [json.dumps({"messages": m, "heldOut": h}, ensure_ascii=False) for m, h in chosen]
    text = "".join(line + "\n" for line in lines)
    write_bytes_atomically(run_dir / "heldout.jsonl", text.encode("utf-8"))


class _Packs(torch.utils.data.Dataset[Pack]):
    def __init__(self, packs: list[Pack]) -> None:
        self.packs = packs

    def __len__(self) -> int:
        return len(self.packs)

    def __getitem__(self, index: int) -> Pack:
        return self.packs[index]


def _rows(sequences: list[Sequence], run: RunConfig) -> list[Pack]:
    if run.config.packing:
        return pack(sequences, run.config.max_sequence_tokens)
    return [Pack((s,)) for s in sequences]


def _compute_dtype(run: RunConfig, cuda: bool) -> torch.dtype:
    chosen = run.config.compute_dtype
    if chosen == "auto":
        if not cuda or torch.cuda.is_bf16_supported():
            return torch.bfloat16
        return torch.float16
    dtype: torch.dtype = getattr(torch, chosen)
    return dtype


class _Events(TrainerCallback):
    """Trainer callbacks to events; cancels at the next step when asked: by a signal (`cancel`)
    or by a `stop` file in the run folder, which any process can write on any platform (a
    language server that did not start this trainer, after a window reload)."""

    def __init__(self, emit: Emit, cancel: threading.Event, run_dir: Path) -> None:
        self.emit = emit
        self.cancel = cancel
        self.run_dir = run_dir
        self.since = time.monotonic()
        self.counted = 0
        self.cancelled = False

    def on_log(
        self, args: Any, state: TrainerState, control: TrainerControl, logs: Any = None, **_: Any
    ) -> None:
        logs = logs or {}
        if "loss" not in logs:
            return
        now = time.monotonic()
        seen = state.num_input_tokens_seen
        rate = (seen - self.counted) / max(now - self.since, 1e-9)
        self.since, self.counted = now, seen
        memory = torch.cuda.max_memory_allocated() if torch.cuda.is_available() else None
        self.emit(
            Step(
                step=state.global_step,
                total_steps=state.max_steps,
                epoch=float(state.epoch or 0),
                loss=float(logs["loss"]),
                learning_rate=float(logs.get("learning_rate", 0.0)),
                grad_norm=float(logs["grad_norm"]) if "grad_norm" in logs else None,
                tokens_per_second=rate,
                memory_bytes=memory,
            )
        )

    def on_evaluate(
        self, args: Any, state: TrainerState, control: TrainerControl, metrics: Any = None, **_: Any
    ) -> None:
        if metrics and "eval_loss" in metrics:
            self.emit(Eval(step=state.global_step, loss=float(metrics["eval_loss"])))

    def on_save(self, args: Any, state: TrainerState, control: TrainerControl, **_: Any) -> None:
        path = Path(args.output_dir) / f"checkpoint-{state.global_step}"
        self.emit(Checkpoint(step=state.global_step, path=str(path)))

    def on_step_end(
        self, args: Any, state: TrainerState, control: TrainerControl, **_: Any
    ) -> None:
        if not self.cancel.is_set() and stop_requested(self.run_dir):  # one stat a step
            self.cancel.set()
        if any_rank(self.cancel.is_set(), args.device):  # all ranks stop at the same step
            self.cancelled = True
            control.should_save = True  # the run resumes from here
            control.should_training_stop = True


class _Trainer(Trainer):
    """The `Trainer`, with a checkpoint that cannot be written reported as such and removed
    (it cannot be resumed from, and a full disk needs its space back)."""

    def _save_checkpoint(self, model: Any, trial: Any) -> None:
        try:
            super()._save_checkpoint(model, trial)
        except Exception as error:
            folder = Path(str(self.args.output_dir)) / f"checkpoint-{self.state.global_step}"
            if self.args.should_save:  # the one process that writes checkpoints
                discard_incomplete(folder.parent.parent)
            raise CheckpointWriteError(folder, error, self.args.save_total_limit or 0) from error


def _parameters(run: RunConfig) -> int | None:
    """The base model's parameter count from its `config.json` (linear layers and
    embeddings: norms are too few to matter), before it loads; None when unknown."""
    found = run.base_model_config()
    if found is None:
        return None
    try:
        shape = ModelShape.from_config(found)
    except ModelShapeError:
        return None
    linear = shape.layers * sum(a * b for a, b in shape.linear_layers())
    return linear + shape.vocabulary * shape.hidden * (1 if shape.tied_embeddings else 2)


def _refuse_without_cuda(source: str, parameters: int | None) -> None:
    if parameters is not None and parameters > CPU_PARAMETER_LIMIT:
        raise RunError(
            f"no CUDA GPU here, and {source} has {parameters / 1e9:.2f}B parameters: 4-bit "
            "QLoRA of real models needs CUDA; the CPU path is for tiny models and tests",
            "train on a machine with an NVIDIA GPU and a CUDA build of torch (`promptweight "
            "doctor` checks one), or point baseModel at a tiny model to try the trainer out",
        )


def train(run: RunConfig, run_dir: Path, emit: Emit, cancel: threading.Event, resume: bool) -> int:
    """The whole run; the exit status (0 only when an adapter was written). Running out of
    memory or disk, wherever it happens (loading, a step, an eval, a save), is reported with
    what to change in this run."""
    try:
        return _train(run, run_dir, emit, cancel, resume)
    except (RunError, CheckpointWriteError):
        raise
    except Exception as error:
        explained = _explain(error, run, run_dir)
        if explained is None:
            raise
        raise explained from error


def _train(run: RunConfig, run_dir: Path, emit: Emit, cancel: threading.Event, resume: bool) -> int:
    config = run.config
    base = run.base_model_folder()
    if base is None and not config.allow_download:
        from huggingface_hub import try_to_load_from_cache

        if not isinstance(try_to_load_from_cache(config.base_model, "config.json"), str):
            raise RunError(
                f"the base model {config.base_model!r} is neither a local folder nor in the "
                "Hugging Face cache",
                "download it once (`hf download NAME`), or set `allowDownload: true`",
            )
    source = str(base) if base is not None else config.base_model
    cuda = torch.cuda.is_available()
    if not cuda:
        _refuse_without_cuda(source, _parameters(run))  # before anything large loads
    dtype = _compute_dtype(run, cuda)
    tokenizer = AutoTokenizer.from_pretrained(source, trust_remote_code=config.trust_remote_code)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    examples = _examples(tokenizer, run, emit)
    random.Random(config.seed).shuffle(examples)
    held = int(len(examples) * config.eval_split)
    _write_held_out(run_dir, examples[:held], examples[held:])
    eval_sequences = [sequence for _, sequence in examples[:held]]
    train_sequences = [sequence for _, sequence in examples[held:]]
    quantization = BitsAndBytesConfig(  # type: ignore[no-untyped-call]
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_use_double_quant=config.double_quantization,
        bnb_4bit_compute_dtype=dtype,
    )
    device = "cuda" if cuda else "cpu"
    model = AutoModelForCausalLM.from_pretrained(
        source,
        quantization_config=quantization,
        # One whole copy per rank on its own GPU: DDP refuses a 4-bit model spread over several.
        device_map={"": local_rank() if cuda else "cpu"},
        dtype=dtype,
        attn_implementation="sdpa",
        trust_remote_code=config.trust_remote_code,
    )
    model = prepare_model_for_kbit_training(  # type: ignore[no-untyped-call]
        model,
        use_gradient_checkpointing=config.gradient_checkpointing,
        gradient_checkpointing_kwargs={"use_reentrant": False},
    )
    lora = config.lora
    peft_model = get_peft_model(
        model,
        LoraConfig(
            r=lora.rank,
            lora_alpha=lora.alpha,
            lora_dropout=lora.dropout,
            target_modules=lora.target_modules,
            task_type="CAUSAL_LM",
        ),
    )
    trainable, total = peft_model.get_nb_trainable_parameters()
    if not cuda:
        _refuse_without_cuda(source, total)  # an architecture `_parameters` cannot read

    def collator(packs: list[Pack]) -> dict[str, Any]:
        return collate(packs, tokenizer.pad_token_id, torch.bool)

    train_rows, eval_rows = _rows(train_sequences, run), _rows(eval_sequences, run)
    steps_per_epoch = math.ceil(
        len(train_rows) / (config.batch_size * config.gradient_accumulation * world_size())
    )
    total_steps = config.max_steps or math.ceil(steps_per_epoch * config.epochs)
    evaluating = bool(eval_rows)
    arguments = TrainingArguments(
        output_dir=str(run_dir / "checkpoints"),
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=config.batch_size,
        gradient_accumulation_steps=config.gradient_accumulation,
        learning_rate=config.learning_rate,
        lr_scheduler_type=config.lr_scheduler,
        # Steps, not a ratio: transformers 4 and 5 both take an integer.
        warmup_steps=math.ceil(total_steps * config.warmup_ratio),
        num_train_epochs=config.epochs,
        max_steps=config.max_steps or -1,
        logging_steps=1,
        eval_strategy="steps" if evaluating else "no",
        eval_steps=config.eval_steps,
        save_strategy="steps",
        save_steps=config.save_steps,
        save_total_limit=config.save_total_limit,
        load_best_model_at_end=evaluating and config.early_stopping_patience is not None,
        metric_for_best_model="eval_loss" if evaluating else None,
        greater_is_better=False,
        seed=config.seed,
        bf16=cuda and dtype == torch.bfloat16,
        fp16=cuda and dtype == torch.float16,
        use_cpu=not cuda,
        optim="paged_adamw_8bit" if cuda else "adamw_torch",
        gradient_checkpointing=config.gradient_checkpointing,
        gradient_checkpointing_kwargs={"use_reentrant": False},
        report_to=[],
        remove_unused_columns=False,
        disable_tqdm=True,
        dataloader_num_workers=0,
        include_num_input_tokens_seen=True,
        # LoRA under DDP: every adapter weight gets a gradient; searching for unused ones
        # costs a graph walk a step and breaks with checkpointing.
        ddp_find_unused_parameters=False,
    )
    events = _Events(emit, cancel, run_dir)
    callbacks: list[Any] = [events]
    if evaluating and config.early_stopping_patience is not None:
        callbacks.append(EarlyStoppingCallback(config.early_stopping_patience))
    trainer = _Trainer(
        model=peft_model,
        args=arguments,
        train_dataset=_Packs(train_rows),
        eval_dataset=_Packs(eval_rows) if evaluating else None,
        data_collator=collator,
        callbacks=callbacks,
    )
    trainer.remove_callback(PrinterCallback)  # its dicts are the events' business
    if resume and arguments.should_save:
        discard_incomplete(run_dir)  # cut short by a kill mid-save: never resumed from
    checkpoint = latest_checkpoint(run_dir) if resume else None
    emit(
        Started(
            run_dir=str(run_dir),
            base_model=source,
            trainable_parameters=trainable,
            total_parameters=total,
            quantization=(
                f"nf4{', double quantisation' if config.double_quantization else ''}, "
                f"{str(dtype).removeprefix('torch.')} compute"
            ),
            device=device,
            total_steps=total_steps,
            train_examples=len(train_sequences),
            eval_examples=len(eval_sequences),
            resumed_from_step=int(checkpoint.name[11:]) if checkpoint else 0,
            processes=arguments.world_size,
        )
    )
    started = time.monotonic()
    result = trainer.train(resume_from_checkpoint=str(checkpoint) if checkpoint else None)
    eval_loss = None
    if evaluating:
        eval_loss = float(trainer.evaluate()["eval_loss"])
    if not trainer.is_world_process_zero():
        return 0  # rank 0 writes the adapter and the run's files
    peft_model.save_pretrained(str(run_dir))
    tokenizer.save_pretrained(run_dir)
    metrics = {
        "train_loss": float(result.training_loss),
        "eval_loss": eval_loss,
        "steps": trainer.state.global_step,
        "tokens_seen": trainer.state.num_input_tokens_seen,
        "wall_seconds": time.monotonic() - started,
        "peak_memory_bytes": torch.cuda.max_memory_allocated() if cuda else None,
        "loss_curve": [
            {"step": e["step"], "loss": e["loss"]} for e in trainer.state.log_history if "loss" in e
        ],
        "eval_curve": [
            {"step": e["step"], "loss": e["eval_loss"]}
            for e in trainer.state.log_history
            if "eval_loss" in e
        ],
    }
    (run_dir / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    (run_dir / "README.md").write_text(_model_card(run, source, metrics))
    stopped_early = (
        not events.cancelled
        and trainer.state.global_step < total_steps
        and evaluating
        and config.early_stopping_patience is not None
    )
    emit(
        Finished(
            adapter_path=str(run_dir / "adapter_model.safetensors"),
            steps=trainer.state.global_step,
            train_loss=float(result.training_loss),
            eval_loss=eval_loss,
            stopped_early=stopped_early,
            cancelled=events.cancelled,
        )
    )
    return 0


def _model_card(run: RunConfig, source: str, metrics: dict[str, Any]) -> str:
    config = run.config
    curve = ", ".join(f"{p['step']}: {p['loss']:.4f}" for p in metrics["loss_curve"])
    return (
        f"# {config.name}: a QLoRA adapter for {source}\n\n"
        "Trained by Promptweight: 4-bit NF4 base model, LoRA adapters "
        f"(rank {config.lora.rank}, alpha {config.lora.alpha}, dropout {config.lora.dropout}, "
        f"modules {config.lora.target_modules}).\n\n"
        f"- Data: {', '.join(config.datasets)} (loss on assistant tokens only)\n"
        f"- Steps: {metrics['steps']}, tokens seen: {metrics['tokens_seen']:,}\n"
        f"- Train loss: {metrics['train_loss']:.4f}; eval loss: {metrics['eval_loss']}\n"
        f"- Learning rate {config.learning_rate} ({config.lr_scheduler}), batch "
        f"{config.batch_size} x {config.gradient_accumulation}, max sequence "
        f"{config.max_sequence_tokens} tokens, seed {config.seed}\n"
        f"- Loss by step: {curve}\n\n"
        "Load it with `PeftModel.from_pretrained(base_model, this_folder)`.\n"
    )


def _out_of_memory(error: BaseException) -> bool:
    for cause in causes(error):
        if isinstance(cause, torch.OutOfMemoryError | MemoryError):
            return True
        # The CPU allocator's failure is a plain RuntimeError, as are some CUDA libraries'.
        text = str(cause).lower()
        if isinstance(cause, RuntimeError) and (
            "out of memory" in text or "can't allocate memory" in text
        ):
            return True
    return False


def _memory_hint(run: RunConfig | None) -> str:
    if run is None:
        return (
            "lower batchSize or maxSequenceTokens, turn on gradientCheckpointing, or lower "
            "lora.rank"
        )
    config = run.config
    hint = (
        f"lower batchSize (now {config.batch_size}) or maxSequenceTokens (now "
        f"{config.max_sequence_tokens})"
        + ("" if config.gradient_checkpointing else ", turn on gradientCheckpointing")
        + f", or lower lora.rank (now {config.lora.rank})"
    )
    cuda = torch.cuda.is_available()
    try:
        estimate = estimate_run(run, torch.cuda.is_bf16_supported() if cuda else None)
    except NoEstimate:
        return hint
    gib = 1 << 30
    hint += f"; the pre-flight estimate of this run is {estimate.total / gib:.1f} GiB"
    if cuda:
        total = torch.cuda.get_device_properties(0).total_memory
        hint += f" of the GPU's {total / gib:.1f} GiB"
    return hint + " (`promptweight doctor CONFIG` shows its parts)"


def _explain(error: BaseException, run: RunConfig | None, run_dir: Path | None) -> RunError | None:
    """A RunError that says what to change, for an error that has a known remedy."""
    if _out_of_memory(error):
        where = "GPU memory" if torch.cuda.is_available() else "memory"
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return RunError(f"out of {where}: {first}", _memory_hint(run))
    if disk_full(error):
        hint = (
            storage_hint(run_dir, run.config.save_total_limit)
            if run is not None and run_dir is not None
            else "free space on the run folder's disk, then continue with `--resume RUN_DIR`"
        )
        return RunError(f"the disk is full: {type(error).__name__}: {error}", hint)
    return None


def failed(error: BaseException) -> Failed:
    """The run's last event for `error`."""
    explained = None if hasattr(error, "hint") else _explain(error, None, None)
    reported = explained or error
    return Failed(
        error=f"{type(reported).__name__}: {reported}", hint=getattr(reported, "hint", None)
    )
