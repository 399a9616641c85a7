"""`promptweight doctor [CONFIG] [--json]`: whether this machine can train, asked of the
trainer's own interpreter in its own process (the CLI never imports torch): torch and CUDA,
each GPU's free memory, whether bitsandbytes 4-bit runs, and, given a config, the run's
estimated peak memory against the free memory. Exit status 0 when a run can start here."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from pydantic import ValidationError

from shared_schemas.training import DoctorReport

EXIT_OK, EXIT_CANNOT_TRAIN = 0, 1


def add_doctor_command(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    doctor = subparsers.add_parser(
        "doctor",
        help="check the training environment and a run's memory",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    doctor.add_argument("config", nargs="?", type=Path, metavar="CONFIG")
    doctor.add_argument("--json", action="store_true")


def _size(count: int) -> str:
    for unit, scale in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count} bytes"


def render_text(report: DoctorReport) -> str:
    lines = [f"Python {report.python_version} ({report.python})"]
    if report.missing:
        lines.append(f"missing: {', '.join(report.missing)}")
    lines.append(f"torch {report.torch or '-'}, CUDA {report.cuda or '-'}")
    for gpu in report.gpus:
        lines.append(
            f"GPU {gpu.index}: {gpu.name}, {_size(gpu.free_bytes)} of {_size(gpu.total_bytes)} free"
        )
    works = "works" if report.four_bit_works else f"fails ({report.four_bit_error or 'absent'})"
    lines.append(f"bitsandbytes {report.bitsandbytes or '-'}: 4-bit on {report.device} {works}")
    if report.estimate is not None:
        e = report.estimate
        lines.append(
            f"estimated peak: {_size(e.total)} (4-bit weights {_size(e.base_weights)}, "
            f"other weights {_size(e.other_weights)}, LoRA and optimiser "
            f"{_size(e.lora_weights + e.lora_gradients + e.optimizer_state)}, "
            f"activations {_size(e.activations)}, logits {_size(e.logits)})"
        )
        if report.fits is not None:
            lines.append("fits" if report.fits else "does not fit")
    lines += [f"- {advice}" for advice in report.advice]
    return "\n".join(lines)


def can_train(report: DoctorReport) -> bool:
    return not report.missing and report.four_bit_works and report.fits is not False


def run_doctor(args: argparse.Namespace) -> int:
    command = [sys.executable, "-m", "server.training", "doctor"]
    if args.config is not None:
        command.append(str(args.config))
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=300)
    try:
        report = DoctorReport.model_validate_json(result.stdout)
    except ValidationError:
        reason = result.stdout.strip() or result.stderr.strip().splitlines()[-1:] or ["?"]
        print(
            f"promptweight: error: the training environment did not answer: {reason}",
            file=sys.stderr,
        )
        return EXIT_CANNOT_TRAIN
    print(report.model_dump_json(by_alias=True, indent=2) if args.json else render_text(report))
    return EXIT_OK if can_train(report) else EXIT_CANNOT_TRAIN
