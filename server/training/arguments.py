"""The flags `promptweight train` and `python -m server.training train` share (no torch here:
the CLI imports it)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("config", nargs="?", type=Path, metavar="CONFIG")
    parser.add_argument("--base-model", metavar="PATH_OR_ID", help="overrides baseModel")
    parser.add_argument(
        "--dataset", action="append", metavar="FILE", help="overrides datasets (repeatable)"
    )
    parser.add_argument("--max-steps", type=int, metavar="N", help="overrides maxSteps")
    parser.add_argument("--output-dir", metavar="DIR", help="overrides outputDir")


def overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The flags as the config's wire names; None: not given."""
    return {
        "baseModel": args.base_model,
        "datasets": args.dataset,
        "maxSteps": args.max_steps,
        "outputDir": args.output_dir,
    }


def as_flags(args: argparse.Namespace) -> list[str]:
    """The same flags again, for the trainer's argument list."""
    flags = [str(args.config)] if args.config is not None else []
    if args.base_model:
        flags += ["--base-model", args.base_model]
    for dataset in args.dataset or []:
        flags += ["--dataset", dataset]
    if args.max_steps is not None:
        flags += ["--max-steps", str(args.max_steps)]
    if args.output_dir:
        flags += ["--output-dir", args.output_dir]
    return flags
