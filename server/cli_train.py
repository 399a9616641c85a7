"""`promptweight train [CONFIG] [--base-model PATH] [--dataset FILE]... [--max-steps N]
[--output-dir DIR] [--resume RUN_DIR] [--json]`: a QLoRA run in its own process
(`python -m server.training`, an argument list, never a shell). The trainer's events are shown
as a progress line on a terminal, or passed through as JSON lines with `--json`. Ctrl-C stops
the run at its next step with a checkpoint (`--resume RUN_DIR` continues it). Exit status 0
only when an adapter was written; 1 when the run failed or was stopped; 2 for a usage error."""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO

from pydantic import ValidationError

from server.core.training.launch import start_command
from server.core.training.run_config import RunConfigError, load_run_config
from server.training.arguments import add_run_arguments, as_flags, overrides
from shared_schemas.training import Failed, Finished, Started, Step, TrainingEvent, parse_event

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
STOP_TIMEOUT_S = 60  # after SIGTERM, the trainer saves a checkpoint; then it is killed


def add_train_command(
    subparsers: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    train = subparsers.add_parser(
        "train",
        help="fine-tune a base model on datasets with QLoRA (needs the [train] extra)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_run_arguments(train)
    train.add_argument("--resume", type=Path, metavar="RUN_DIR", help="continue this run")
    train.add_argument("--json", action="store_true", help="the events as JSON lines")


def _show(event: TrainingEvent, out: IO[str], terminal: bool) -> None:
    if isinstance(event, Step):
        line = (
            f"step {event.step}/{event.total_steps}  loss {event.loss:.4f}  "
            f"lr {event.learning_rate:.2e}  {event.tokens_per_second:,.0f} tokens/s"
        )
        out.write(("\r" + line + "\x1b[K") if terminal else line + "\n")
    elif isinstance(event, Started):
        out.write(
            f"training {event.base_model} ({event.quantization}) on {event.device}: "
            f"{event.trainable_parameters:,} of {event.total_parameters:,} parameters trainable, "
            f"{event.train_examples} examples ({event.eval_examples} held out), "
            f"{event.total_steps} steps\n  run folder: {event.run_dir}\n"
        )
    else:
        if terminal:
            out.write("\n")
        if isinstance(event, Finished):
            state = "stopped" if event.cancelled else "finished"
            out.write(
                f"{state} after {event.steps} steps: train loss {event.train_loss}, eval loss "
                f"{event.eval_loss}\n  adapter: {event.adapter_path}\n"
            )
        elif isinstance(event, Failed):
            out.write(f"failed: {event.error}\n" + (f"  {event.hint}\n" if event.hint else ""))
        else:
            out.write(f"{event.type}: {event.model_dump(exclude={'type'})}\n")
    out.flush()


def ended_early(status: int) -> Failed:
    """The last event of a trainer that ended without writing one (killed, or crashed)."""
    how = f"ended with status {status}"
    if status < 0:
        try:
            how = f"was killed by {signal.Signals(-status).name}"
        except ValueError:
            how = f"was killed by signal {-status}"
    return Failed(
        error=f"the trainer {how} before its last event",
        hint="what it wrote to stderr may say why; `--resume RUN_DIR` continues the run from "
        "its last complete checkpoint",
    )


def run_train(args: argparse.Namespace) -> int:
    flags = as_flags(args)
    if args.resume is not None:
        flags += ["--resume", str(args.resume)]
    try:
        run = load_run_config(args.config, overrides(args))  # refused here, before torch loads
        command = start_command(sys.executable, run, flags, resuming=args.resume is not None)
    except RunConfigError as error:
        print(f"promptweight: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    terminal = sys.stdout.isatty() and not args.json
    trainer = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, bufsize=1)
    last: TrainingEvent | None = None
    assert trainer.stdout is not None
    try:
        for line in trainer.stdout:
            if args.json:
                sys.stdout.write(line)
                sys.stdout.flush()
            try:
                last = parse_event(line)
            except ValidationError:
                continue
            if not args.json:
                _show(last, sys.stdout, terminal)
        trainer.wait()
        if not isinstance(last, Finished | Failed):
            last = ended_early(trainer.returncode)
            if args.json:
                sys.stdout.write(last.model_dump_json(by_alias=True) + "\n")
                sys.stdout.flush()
            else:
                _show(last, sys.stdout, terminal)
    except KeyboardInterrupt:
        trainer.terminate()  # the trainer saves a checkpoint at its next step, then exits
        try:
            trainer.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            trainer.kill()
            trainer.wait()
        return EXIT_FAILED
    written = isinstance(last, Finished) and not last.cancelled
    return EXIT_OK if written and trainer.returncode == 0 else EXIT_FAILED
