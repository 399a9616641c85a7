"""QLoRA training: the run's configuration (`promptweight.train.yaml`) and every event the
trainer process writes (one JSON object a line on its stdout, told apart by `type`)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, TypeAdapter, ValidationInfo, field_validator

from shared_schemas.wire import WireModel


class LoraSettings(WireModel):
    rank: int = Field(default=16, ge=1, le=1024)
    alpha: int = Field(default=32, ge=1, description="Scaling: the update is alpha/rank.")
    dropout: float = Field(default=0.05, ge=0, lt=1)
    target_modules: list[str] | Literal["all-linear"] = Field(
        default="all-linear", description="Module names to adapt; default every linear layer."
    )


class TrainingConfig(WireModel):
    """`promptweight.train.yaml`: one QLoRA run. Paths are relative to the config's folder."""

    name: str = Field(default="run", min_length=1, max_length=80, pattern=r"^[\w.-]+$")
    base_model: str = Field(
        min_length=1,
        description="A local model folder, or a Hugging Face id already in the local cache.",
    )
    datasets: list[str] = Field(min_length=1, description="`.jsonl` chat datasets to train on.")
    eval_split: float = Field(
        default=0.1, ge=0, le=0.5, description="Share of the examples held out for eval loss."
    )
    lora: LoraSettings = Field(default_factory=LoraSettings)
    double_quantization: bool = Field(
        default=True, description="Quantise the 4-bit blocks' scales too (NF4 either way)."
    )
    compute_dtype: Literal["auto", "bfloat16", "float16", "float32"] = Field(
        default="auto", description="auto: bfloat16 where supported, else float16."
    )
    learning_rate: float = Field(default=2e-4, gt=0, le=1)
    lr_scheduler: Literal["cosine", "linear", "constant"] = "cosine"
    warmup_ratio: float = Field(default=0.03, ge=0, lt=1)
    epochs: float = Field(default=3, gt=0, le=1000)
    max_steps: int | None = Field(default=None, ge=1, description="Overrides epochs when set.")
    batch_size: int = Field(default=4, ge=1, le=4096, description="Packed sequences per step.")
    gradient_accumulation: int = Field(default=1, ge=1, le=4096)
    max_sequence_tokens: int = Field(default=2048, ge=16, le=1_048_576)
    packing: bool = Field(
        default=True,
        description="Pack short examples into full sequences, each attending only to itself.",
    )
    gradient_checkpointing: bool = True
    early_stopping_patience: int | None = Field(
        default=3, ge=1, description="Evaluations without a better eval loss before stopping."
    )
    eval_steps: int = Field(default=50, ge=1)
    save_steps: int = Field(default=50, ge=1, description="Steps between checkpoints.")
    save_total_limit: int = Field(
        default=3,
        ge=1,
        description="Checkpoints kept; the oldest is deleted once a newer one is complete.",
    )
    seed: int = 42
    output_dir: str = Field(default="runs", description="Runs go to `<outputDir>/<time>-<name>/`.")
    allow_download: bool = Field(
        default=False, description="Let the base model download from the Hugging Face hub."
    )
    trust_remote_code: bool = Field(
        default=False, description="Run the model repository's own Python code (off: safe)."
    )
    launcher: Literal["none", "accelerate"] = Field(
        default="none",
        description="accelerate: `processes` data-parallel copies under `accelerate launch`.",
    )
    processes: int = Field(
        default=1, ge=1, le=1024, description="Processes to launch, one per GPU (accelerate)."
    )
    accelerate_config: str | None = Field(
        default=None,
        description="An `accelerate config` file (DeepSpeed, FSDP) passed to `accelerate launch`.",
    )

    @field_validator("processes", "accelerate_config")
    @classmethod
    def _needs_accelerate(cls, value: object, info: ValidationInfo) -> object:
        # Only a launcher starts several processes; a silent single-process run would mislead.
        if value not in (None, 1) and info.data.get("launcher") != "accelerate":
            raise ValueError("needs `launcher: accelerate`")
        return value

    @field_validator("accelerate_config")
    @classmethod
    def _inside_config_folder(cls, value: str | None) -> str | None:
        # The launcher runs what this file names, so it stays beside the config (links are
        # resolved and checked again when the run is launched).
        if value is None:
            return value
        parts = value.replace("\\", "/").split("/")
        if parts[0] == "" or ":" in parts[0] or ".." in parts:
            raise ValueError("a path inside the config's folder, relative to it")
        return value


class MemoryEstimate(WireModel):
    """The pre-flight estimate of a run's peak accelerator memory, in bytes (see
    `server/core/training/memory_estimate.py` for the formula)."""

    base_weights: int = Field(description="4-bit linear layers with their quantisation constants.")
    other_weights: int = Field(description="Embeddings, norms, output layer: not quantised.")
    lora_weights: int
    lora_gradients: int
    optimizer_state: int
    activations: int = Field(description="At the configured batch and sequence length.")
    activations_without_checkpointing: int
    logits: int = Field(description="Output logits, their fp32 loss copy and its gradient.")
    total: int


class Started(WireModel):
    type: Literal["started"] = "started"
    run_dir: str
    base_model: str
    trainable_parameters: int
    total_parameters: int
    quantization: str = Field(description="e.g. `nf4, double quantisation, bfloat16 compute`.")
    device: str
    total_steps: int
    train_examples: int
    eval_examples: int
    resumed_from_step: int = 0
    processes: int = Field(default=1, description="Training processes (data parallel).")


class Step(WireModel):
    type: Literal["step"] = "step"
    step: int
    total_steps: int
    epoch: float
    loss: float
    learning_rate: float
    grad_norm: float | None = None
    tokens_per_second: float
    memory_bytes: int | None = Field(description="Peak accelerator memory so far; null on CPU.")


class Eval(WireModel):
    type: Literal["eval"] = "eval"
    step: int
    loss: float


class Checkpoint(WireModel):
    type: Literal["checkpoint"] = "checkpoint"
    step: int
    path: str


class Finished(WireModel):
    type: Literal["finished"] = "finished"
    adapter_path: str
    steps: int
    train_loss: float | None
    eval_loss: float | None
    stopped_early: bool = False
    cancelled: bool = False


class Failed(WireModel):
    type: Literal["failed"] = "failed"
    error: str
    hint: str | None = None


class Log(WireModel):
    type: Literal["log"] = "log"
    level: Literal["info", "warning", "error"] = "info"
    message: str


TrainingEvent = Annotated[
    Started | Step | Eval | Checkpoint | Finished | Failed | Log, Field(discriminator="type")
]


_EVENTS: TypeAdapter[TrainingEvent] = TypeAdapter(TrainingEvent)


def parse_event(line: str | bytes) -> TrainingEvent:
    """One line of the trainer's stdout as its event; raises `pydantic.ValidationError`."""
    return _EVENTS.validate_json(line)


class GpuInfo(WireModel):
    index: int
    name: str
    total_bytes: int
    free_bytes: int
    bf16: bool = Field(description="Whether it computes in bfloat16.")


class DoctorReport(WireModel):
    """`promptweight doctor --json`: whether this interpreter can train, and whether the
    configured run fits."""

    python: str = Field(description="The training interpreter's executable.")
    python_version: str
    missing: list[str] = Field(description="Training libraries this interpreter lacks.")
    torch: str | None = None
    cuda: str | None = Field(default=None, description="The CUDA version torch was built with.")
    gpus: list[GpuInfo] = Field(default_factory=list)
    bitsandbytes: str | None = None
    four_bit_works: bool = Field(
        default=False, description="A 4-bit NF4 layer ran forward and backward on the device."
    )
    four_bit_error: str | None = None
    device: str = Field(default="cpu", description="Where a run would train.")
    estimate: MemoryEstimate | None = Field(
        default=None, description="The configured run's peak memory, when a config was given."
    )
    fits: bool | None = Field(
        default=None, description="Whether the estimate fits the GPU's free memory."
    )
    advice: list[str] = Field(default_factory=list, description="What to do, in order.")


class StartTrainingParams(WireModel):
    """Command `promptweight.server.startTraining`, client to server."""

    config: str = Field(description="The URI of the run's `promptweight.train.yaml`.")
    max_steps: int | None = Field(default=None, ge=1, description="Overrides the config's.")


class StartTrainingResult(WireModel):
    started: bool
    message: str
    progress_token: str | None = Field(default=None, description="The run's work-done progress.")


class CancelTrainingParams(WireModel):
    """Command `promptweight.server.cancelTraining`: the run of this config, or the only one."""

    config: str | None = None


class CancelTrainingResult(WireModel):
    cancelled: bool
    message: str


class TrainingNotification(WireModel):
    """Notification `promptweight/training`, server to client: one event of a run."""

    config: str = Field(description="The URI of the run's config.")
    event: TrainingEvent
    reattached_at_step: int | None = Field(
        default=None,
        description="Set only on a `started` event sent again by a server that found the run "
        "going (after a window reload or a server restart): the step the run had reached. "
        "Its history is in `promptweight/trainingHistory`; live events follow this one.",
    )


class RunSummary(WireModel):
    """One run folder, as its files tell it."""

    run_dir: str
    name: str
    state: Literal["running", "finished", "stopped", "failed", "interrupted"] = Field(
        description="interrupted: it ended without a last event (resume it with `--resume`)."
    )
    steps: int
    total_steps: int | None
    last_loss: float | None
    eval_loss: float | None
    adapter_path: str | None = Field(description="The adapter, once written.")
    events: list[TrainingEvent] = Field(description="Its history, for curves (the last 10,000).")


class TrainingRunsParams(WireModel):
    """Request `promptweight/trainingRuns`, client to server: the runs of one config."""

    config: str = Field(description="The URI of a `promptweight.train.yaml`.")


class TrainingRuns(WireModel):
    runs: list[RunSummary] = Field(description="Newest first.")
