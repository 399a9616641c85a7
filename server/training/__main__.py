"""`python -m server.training train [CONFIG] [--base-model …] [--dataset FILE]… [--max-steps N]
[--output-dir DIR] [--resume RUN_DIR] [--run-dir RUN_DIR]`: one QLoRA run, its events as JSON
lines on stdout and, each flushed as it is written, in the run folder's `events.jsonl` (from
the first event when the caller names the folder). While it runs, the folder's `trainer.json`
marks it live (`server/core/training/run_marker.py`). SIGTERM or SIGINT, or a `stop` file in
the run folder, stops it at the next step, with a checkpoint to resume from. Exit status 0 only
when an adapter was written.

Under `accelerate launch` every rank runs this same command, with the `--run-dir` its caller
made: rank 0 writes the events and the run's files, the other ranks only their failures."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
from pathlib import Path
from typing import IO

from server.core.training.launch import new_run_dir
from server.core.training.run_config import RunConfigError, load_run_config
from server.core.training.run_marker import clear_stop, remove_marker, write_marker
from server.training.arguments import add_run_arguments, overrides
from shared_schemas.evaluation import EvalResult
from shared_schemas.training import Failed, TrainingEvent
from shared_schemas.training_setup import TryAdapterResult


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m server.training")
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="run QLoRA fine-tuning")
    add_run_arguments(train)
    train.add_argument("--resume", type=Path, metavar="RUN_DIR", help="continue this run")
    train.add_argument(
        "--run-dir", type=Path, metavar="RUN_DIR", help="a new run's folder, made by the caller"
    )
    doctor = commands.add_parser("doctor", help="what this interpreter can train, as JSON")
    doctor.add_argument("config", nargs="?", type=Path, metavar="CONFIG")
    trial = commands.add_parser("try", help="the adapter answers a held-out example, as JSON")
    trial.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    trial.add_argument("--max-new-tokens", type=int, default=128)
    compare = commands.add_parser("eval", help="the adapter against the full prompt, as JSON")
    compare.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    compare.add_argument("--prompt", type=Path, metavar="FILE")
    compare.add_argument("--max-new-tokens", type=int, default=128)
    compare.add_argument("--batch-size", type=int, default=8)
    return parser


class EventWriter:
    """Each event as one JSON line, on stdout and in the run's `events.jsonl`."""

    def __init__(self, out: IO[str], failures_only: bool = False) -> None:
        self.out = out
        self.log: IO[str] | None = None
        self.failures_only = failures_only

    def __call__(self, event: TrainingEvent) -> None:
        if self.failures_only and not isinstance(event, Failed):
            return
        line = event.model_dump_json(by_alias=True) + "\n"
        self.out.write(line)
        self.out.flush()
        if self.log is not None:
            self.log.write(line)
            self.log.flush()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "doctor":
        return run_doctor(args.config)
    if args.command == "try":
        return run_trial(args.run_dir, args.max_new_tokens)
    if args.command == "eval":
        return run_evaluation(args.run_dir, args.prompt, args.max_new_tokens, args.batch_size)
    # stdout carries the events alone: whatever a library prints goes to stderr instead.
    # Under a launcher every rank runs this; rank 0 tells the run, the others only their failure.
    main_process = os.environ.get("RANK", "0") == "0"
    emit = EventWriter(sys.stdout, failures_only=not main_process)
    sys.stdout = sys.stderr
    given = args.resume or args.run_dir  # a launch's ranks share the caller's folder
    # The log stays open until the failure below is written to it too.
    with contextlib.ExitStack() as files:
        if given is not None and main_process:
            # A folder named by the caller (the language server follows the run through it):
            # every event from the first goes to its `events.jsonl`, failures included.
            try:
                _open_run_folder(given.resolve(), args.config, emit, files, args.resume)
            except OSError as error:
                emit(Failed(error=f"cannot write the run folder {given}: {error}"))
                return 1
        try:
            run = load_run_config(args.config, overrides(args))
        except RunConfigError as error:
            emit(Failed(error=str(error), hint="fix the configuration"))
            return 2
        if not run.config.allow_download:
            # Before transformers loads: nothing reaches the hub unless the user allowed it.
            os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        cancel = threading.Event()
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda *_: cancel.set())

        try:
            from server.training import run as training  # torch loads here, after the checks
        except ImportError as error:
            emit(
                Failed(
                    error=f"{sys.executable} cannot train: {error}",
                    hint="install the training libraries into it: `Promptweight: Check Training "
                    "Environment` offers to, or run "
                    f"`{sys.executable} -m pip install 'promptweight[train]'`",
                )
            )
            return 1

        try:
            run_dir = given.resolve() if given else new_run_dir(run)
            if main_process:  # rank 0 writes the run's files
                if given is None:
                    _open_run_folder(run_dir, args.config, emit, files, None)
                (run_dir / "train.json").write_text(
                    run.config.model_dump_json(by_alias=True, indent=2) + "\n"
                )
            return training.train(run, run_dir, emit, cancel, resume=args.resume is not None)
        except Exception as error:  # reported as the run's last event; the caller stays up
            emit(training.failed(error))
            return 1


def _open_run_folder(
    run_dir: Path,
    config: Path | None,
    emit: EventWriter,
    files: contextlib.ExitStack,
    resume: Path | None,
) -> None:
    """Rank 0's part of the run folder: `events.jsonl` opened for the events, and the live-run
    marker (`trainer.json`), removed again, with any stop request, once the last event is
    written (the stack closes after it). A stop request left by an earlier cancel of a resumed
    run is cleared first: it is no request for this one."""
    emit.log = files.enter_context((run_dir / "events.jsonl").open("a", encoding="utf-8"))
    if resume is not None:
        clear_stop(run_dir)
    marker = write_marker(run_dir, config)
    files.callback(clear_stop, run_dir)
    files.callback(remove_marker, run_dir, marker)


def run_doctor(config: Path | None) -> int:
    """The `DoctorReport` as one JSON line; exit 2 when the config is unreadable."""
    from server.training.doctor import doctor

    try:
        run = load_run_config(config, {}) if config is not None else None
    except RunConfigError as error:
        print(Failed(error=str(error)).model_dump_json(by_alias=True))
        return 2
    print(doctor(run).model_dump_json(by_alias=True))
    return 0


def run_trial(run_dir: Path, max_new_tokens: int) -> int:
    """A `TryAdapterResult` as the last line of stdout; exit 1 when the run cannot be tried."""
    out = sys.stdout
    sys.stdout = sys.stderr  # libraries' prints stay off the result's line
    os.environ["HF_HUB_OFFLINE"] = "1"  # the base model was loaded once already: it is here
    from server.training.try_adapter import TrialError, try_adapter

    try:
        result = TryAdapterResult(trial=try_adapter(run_dir.resolve(), max_new_tokens))
    except (TrialError, OSError, ValueError) as error:
        result = TryAdapterResult(trial=None, error=str(error))
    out.write(result.model_dump_json(by_alias=True) + "\n")
    return 0 if result.trial is not None else 1


def run_evaluation(run_dir: Path, prompt: Path | None, max_new_tokens: int, batch_size: int) -> int:
    """An `EvalResult` as the last line of stdout; exit 1 when the run cannot be evaluated."""
    out = sys.stdout
    sys.stdout = sys.stderr  # libraries' prints stay off the result's line
    os.environ["HF_HUB_OFFLINE"] = "1"  # the base model was loaded once already: it is here
    from server.core.training.evaluation import EvalSetupError

    try:
        from server.training.evaluate import evaluate
        from server.training.try_adapter import TrialError
    except ImportError as error:
        message = f"{sys.executable} cannot run the models: {error}"
        out.write(EvalResult(report=None, error=message).model_dump_json(by_alias=True) + "\n")
        return 1
    try:
        report = evaluate(run_dir.resolve(), prompt, max(1, max_new_tokens), max(1, batch_size))
        result = EvalResult(report=report)
    # RuntimeError: out of memory, said in one line rather than a traceback.
    except (EvalSetupError, TrialError, OSError, ValueError, RuntimeError) as error:
        result = EvalResult(report=None, error=str(error))
    out.write(result.model_dump_json(by_alias=True) + "\n")
    return 0 if result.report is not None else 1


if __name__ == "__main__":
    sys.exit(main())
