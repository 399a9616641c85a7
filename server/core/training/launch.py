"""The trainer's argument list: `python -I -m server.training train …` alone, or the same entry
point under `accelerate launch` for `launcher: accelerate` (data parallel, one process per GPU;
an `accelerateConfig` file brings DeepSpeed or FSDP). No torch: the CLI and the language server
build it before anything heavy loads.

How the launch is made, and why (accelerate 1.x, checked here on a CPU-only machine):
- `--cpu --num_processes N` starts ONE process: accelerate's CPU path hands several processes
  to `mpirun` only when given an MPI hostfile, and otherwise runs the script once. So is a
  config file of `distributed_type: MULTI_CPU` or `NO`. Their launcher is a plain `Popen`
  that does not pass SIGTERM on either: a cancel would leave the trainer running, orphaned.
  Such config files are refused.
- `--multi_gpu` runs torch's elastic launcher (torchrun) whatever the hardware: N processes with
  RANK / LOCAL_RANK / WORLD_SIZE, which forwards SIGTERM to every rank. On a machine without
  CUDA the Trainer (`use_cpu`) then joins them over gloo: world size N.
- A config file decides the distributed type itself: `--multi_gpu` beside a DeepSpeed or FSDP
  file would override it, so it is given only without a file.
- `--no_python PYTHON -I -m server.training`: every rank runs the exact command of a
  single-process run, isolated (`-I`) so nothing in the workspace shadows the trainer.
- One process without a file needs no launcher, and gets none.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import yaml

from server.core.safe_files import read_regular_bytes
from server.core.training.run_config import RunConfig, RunConfigError
from server.core.yaml_limits import compose_limited

ACCELERATE_LAUNCH = "accelerate.commands.launch"
# accelerate's `distributed_type`s that its launcher runs as one unsignalled child (see above).
_ONE_PROCESS_TYPES = {"NO", "MULTI_CPU"}
_MAX_CONFIG_BYTES = 1 << 20


def new_run_dir(run: RunConfig) -> Path:
    """`<outputDir>/<time>-<name>/`, made now; never an existing one."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    folder = run.output_dir / f"{stamp}-{run.config.name}"
    folder.mkdir(parents=True, exist_ok=False)
    return folder


def launches(run: RunConfig) -> bool:
    """Whether the run goes through `accelerate launch`."""
    config = run.config
    return config.launcher == "accelerate" and (
        config.processes > 1 or config.accelerate_config is not None
    )


def start_command(python: str, run: RunConfig, flags: Sequence[str], resuming: bool) -> list[str]:
    """`trainer_command`, with the run folder made first when the processes of a launch will
    share it (each rank would otherwise stamp its own); the trainer makes it, or resumes one,
    otherwise. Raises `RunConfigError`, before any folder is made, for a bad accelerateConfig."""
    if not launches(run) or resuming:
        return trainer_command(python, run, flags)
    return new_run_command(python, run, flags)[0]


def new_run_command(python: str, run: RunConfig, flags: Sequence[str]) -> tuple[list[str], Path]:
    """A new run's argument list and its folder, made now and passed as `--run-dir`: the
    language server follows a run through the folder's files (`events.jsonl`, `trainer.json`),
    not through the trainer's pipes, so it names the folder before the trainer starts. Raises
    `RunConfigError`, before any folder is made, for a bad accelerateConfig."""
    if launches(run) and run.config.accelerate_config is not None:
        accelerate_config_file(run)
    try:
        run_dir = new_run_dir(run)
    except OSError as error:
        raise RunConfigError(f"cannot make the run folder in {run.output_dir}: {error}") from error
    return trainer_command(python, run, flags, run_dir), run_dir


def accelerate_config_file(run: RunConfig) -> Path:
    """The `accelerateConfig` file, checked: inside the config's folder once links are
    resolved, a regular file, and of a distributed type that really starts its processes."""
    assert run.config.accelerate_config is not None
    path = run.path(run.config.accelerate_config)
    if not path.is_relative_to(run.folder.resolve()):
        raise RunConfigError(f"accelerateConfig {path} is outside the config's folder")
    try:
        text = read_regular_bytes(path, _MAX_CONFIG_BYTES).decode("utf-8")
        loaded, _, refusal = compose_limited(text, yaml.SafeLoader, single=True)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise RunConfigError(f"cannot read accelerateConfig {path}: {error}") from error
    if refusal is not None or not isinstance(loaded, dict):
        raise RunConfigError(f"accelerateConfig {path} is not an `accelerate config` file")
    kind = str(loaded.get("distributed_type", "NO"))
    if kind in _ONE_PROCESS_TYPES:
        raise RunConfigError(
            f"accelerateConfig {path}: distributed_type {kind} starts one process that cancel "
            "cannot reach; use MULTI_GPU (also on a CPU), DEEPSPEED or FSDP"
        )
    return path


def trainer_command(
    python: str, run: RunConfig, flags: Sequence[str], run_dir: Path | None = None
) -> list[str]:
    """The argument list that starts the run: `flags` are the trainer's (config, overrides,
    `--resume`); `run_dir` the folder `shared_run_dir` made, if any."""
    trainer = [python, "-I", "-m", "server.training", "train", *flags]
    if run_dir is not None:
        trainer += ["--run-dir", str(run_dir)]
    if not launches(run):
        return trainer
    config = run.config
    launcher = [python, "-I", "-m", ACCELERATE_LAUNCH, "--num_processes", str(config.processes)]
    if config.accelerate_config is not None:
        launcher += ["--config_file", str(accelerate_config_file(run))]
    else:
        # The values accelerate would otherwise warn it guessed; port 0: a free one, so two
        # runs on one machine never meet.
        launcher += ["--multi_gpu", "--num_machines", "1", "--mixed_precision", "no"]
        launcher += ["--dynamo_backend", "no", "--main_process_port", "0"]
    return [*launcher, "--no_python", *trainer]
