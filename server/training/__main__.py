"""`python -m server.training train [CONFIG] [--base-model …] [--dataset FILE]… [--max-steps N]
[--output-dir DIR] [--resume RUN_DIR]`: one QLoRA run, its events as JSON lines on stdout
(and in the run folder's `events.jsonl`). SIGTERM or SIGINT stops it at the next step, with a
checkpoint to resume from. Exit status 0 only when an adapter was written."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path
from typing import IO

from server.core.training.run_config import RunConfigError, load_run_config
from server.training.arguments import add_run_arguments, overrides
from shared_schemas.training import Failed, TrainingEvent


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m server.training")
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="run QLoRA fine-tuning")
    add_run_arguments(train)
    train.add_argument("--resume", type=Path, metavar="RUN_DIR", help="continue this run")
    doctor = commands.add_parser("doctor", help="what this interpreter can train, as JSON")
    doctor.add_argument("config", nargs="?", type=Path, metavar="CONFIG")
    return parser


class EventWriter:
    """Each event as one JSON line, on stdout and in the run's `events.jsonl`."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.log: IO[str] | None = None

    def __call__(self, event: TrainingEvent) -> None:
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
    # stdout carries the events alone: whatever a library prints goes to stderr instead.
    emit = EventWriter(sys.stdout)
    sys.stdout = sys.stderr
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

    from server.training import run as training  # torch loads here, after the checks above

    try:
        run_dir = args.resume.resolve() if args.resume else training.new_run_dir(run)
        with (run_dir / "events.jsonl").open("a", encoding="utf-8") as log:
            emit.log = log
            (run_dir / "train.json").write_text(
                run.config.model_dump_json(by_alias=True, indent=2) + "\n"
            )
            return training.train(run, run_dir, emit, cancel, resume=args.resume is not None)
    except Exception as error:  # reported as the run's last event; the caller stays up
        emit(training.failed(error))
        return 1


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


if __name__ == "__main__":
    sys.exit(main())
