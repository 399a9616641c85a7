"""Setting up a QLoRA run from the editor: checking the training interpreter (and installing
the `[train]` extra into it), the choices the Start Fine-Tuning wizard offers, the config it
writes, and trying a finished run's adapter on a held-out example."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from shared_schemas.training import DoctorReport, MemoryEstimate, TrainingConfig
from shared_schemas.wire import WireModel


class TrainingEnvironmentParams(WireModel):
    """Request `promptweight/trainingEnvironment`: the training interpreter of the folder that
    holds `config` (or of `folder`), checked with that config's run when one is given."""

    config: str | None = Field(default=None, description="A `*.train.yaml` URI.")
    folder: str | None = Field(default=None, description="A workspace folder URI.")


class InstallPlan(WireModel):
    """What installing the training libraries runs: an argument list, never a shell."""

    command: list[str] = Field(description="The executable first, then its arguments.")
    command_line: str = Field(description="The same, quoted for a terminal: to run by hand.")


class TrainingEnvironment(WireModel):
    python: str = Field(description="The training interpreter.")
    report: DoctorReport | None = Field(description="Null when the interpreter did not answer.")
    error: str | None = Field(default=None, description="Why it did not answer.")
    install: InstallPlan | None = Field(
        default=None, description="How to add the missing libraries, when some are missing."
    )


class InstallTrainingExtraParams(WireModel):
    """Command `promptweight.server.installTrainingExtra`: pip-installs the `[train]` extra into
    the folder's training interpreter, as cancellable work-done progress."""

    folder: str | None = Field(default=None, description="A workspace folder URI.")
    find_links: str | None = Field(
        default=None,
        description="The extension's wheelhouse: where pip finds Promptweight's own wheel.",
    )


class InstallTrainingExtraResult(WireModel):
    installed: bool
    message: str = Field(description="What happened; on failure, the command to run by hand.")


class BaseModelChoice(WireModel):
    id: str = Field(description="As `baseModel` takes it: a relative folder or a hub id.")
    source: Literal["folder", "cache"]
    detail: str = Field(description="The architecture and size, when its config says.")


class TrainingChoicesParams(WireModel):
    """Request `promptweight/trainingChoices`: what the wizard can offer in a folder."""

    folder: str = Field(description="A workspace folder URI.")


class TrainingChoices(WireModel):
    datasets: list[str] = Field(description="`.jsonl` files, relative to the folder.")
    base_models: list[BaseModelChoice]
    configs: list[str] = Field(description="URIs of the folder's `*.train.yaml` files.")


class TrainingPlanParams(WireModel):
    """Request `promptweight/planTraining`: the config file a run would be, without writing it."""

    folder: str = Field(description="A workspace folder URI.")
    config: TrainingConfig


class TrainingPlan(WireModel):
    uri: str = Field(description="Where the config would be written: a file that does not exist.")
    text: str = Field(description="The YAML it would hold.")
    estimate: MemoryEstimate | None = Field(description="Null when the base model is unreadable.")
    estimate_note: str | None = Field(default=None, description="Why there is no estimate.")


class CreateTrainingConfigParams(WireModel):
    """Command `promptweight.server.createTrainingConfig`: writes a plan's text, atomically, to
    its URI, refusing a file that exists."""

    uri: str
    text: str


class CreateTrainingConfigResult(WireModel):
    written: bool
    message: str


class TryAdapterParams(WireModel):
    """Command `promptweight.server.tryAdapter`: one held-out example answered by the run's
    adapter on its 4-bit base model."""

    run_dir: str = Field(description="The run folder (a path).")
    max_new_tokens: int = Field(default=128, ge=1, le=4096)


class AdapterTrial(WireModel):
    run_dir: str
    base_model: str
    held_out: bool = Field(description="False when the run held nothing out (a training example).")
    prompt: list[dict[str, str]] = Field(description="The messages before the expected answer.")
    expected: str
    answer: str
    prompt_tokens: int
    answer_tokens: int
    seconds: float


class TryAdapterResult(WireModel):
    trial: AdapterTrial | None
    error: str | None = None
