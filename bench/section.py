"""What the benchmark's sections share: how a figure is recorded, and `run_alone`, the `main`
of a section run on its own (`python -m bench.<section> [--quick] [--out ...]`)."""

from __future__ import annotations

import argparse
import os
import platform
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from bench.lsp_client import REPO
from bench.results import GOALS, Result, table, write_results

Say = Callable[[str], None]


class Record(Protocol):
    def __call__(
        self,
        name: str,
        value: float | None,
        unit: str,
        baseline: float | None = None,
        failure: str | None = None,
    ) -> None: ...


def recorder(results: dict[str, Result]) -> Record:
    """A `Record` that keeps each figure in `results`, with its goal from bench/results.py."""

    def record(
        name: str,
        value: float | None,
        unit: str,
        baseline: float | None = None,
        failure: str | None = None,
    ) -> None:
        results[name] = Result(value, unit, baseline, GOALS.get(name), failure)

    return record


def say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def run_alone(
    prog: str,
    description: str | None,
    default_out: str,
    measure: Callable[[bool, Say, Record], None],
    argv: list[str] | None = None,
) -> int:
    """Parse `--quick` and `--out`, measure, write the results and print their table."""
    parser = section_parser(prog, description, default_out)
    args = parser.parse_args(argv)
    results: dict[str, Result] = {}
    say(f"Python {platform.python_version()}, {os.cpu_count()} CPUs")
    measure(args.quick, say, recorder(results))
    return report(results, args.out)


def section_parser(prog: str, description: str | None, default_out: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog, description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=REPO / "build" / default_out)
    parser.add_argument("--quick", action="store_true", help="a shorter run, for a quick look")
    return parser


def report(results: dict[str, Result], out: Path) -> int:
    """Write the results to `out` and print their table."""
    write_results(out, results)
    print(table(results))
    print(f"\nwritten to {out}")
    missed = [name for name, r in results.items() if r.status in ("MISSED", "FAILED")]
    if missed:
        print(f"goals missed or failed: {', '.join(missed)}")
    return 0
