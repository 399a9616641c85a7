"""Whether this interpreter can train, and whether the configured run fits: torch and CUDA,
each GPU with its free memory, a real 4-bit layer run forward and backward on the device, and
the pre-flight memory estimate against the free memory. Libraries are imported only to look at
them, so a missing one is reported, never a crash."""

from __future__ import annotations

import importlib
import importlib.util
import platform
import sys
from typing import Any

from server.core.training.run_config import RunConfig
from server.core.training.run_estimate import NoEstimate, estimate_run
from shared_schemas.training import DoctorReport, GpuInfo

LIBRARIES = ("torch", "transformers", "peft", "bitsandbytes", "accelerate")
# The CUDA context, the allocator's slack and kernels' workspaces: kept free of the estimate.
HEADROOM = 0.9


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a broken install is as good as none
        return False


def _four_bit_check(torch: Any, device: str) -> str | None:
    """None when a 4-bit NF4 layer runs forward and backward on `device`, else why not."""
    try:
        import bitsandbytes

        layer = bitsandbytes.nn.Linear4bit(  # type: ignore[attr-defined,no-untyped-call]
            64, 64, bias=False, compute_dtype=torch.bfloat16, quant_type="nf4"
        ).to(device)
        inputs = torch.randn(2, 64, device=device, dtype=torch.bfloat16, requires_grad=True)
        layer(inputs).float().sum().backward()
        return None if inputs.grad is not None else "no gradient reached the input"
    except Exception as error:  # any failure is the answer, reported as it came
        return f"{type(error).__name__}: {error}"


def doctor(run: RunConfig | None) -> DoctorReport:
    missing = [name for name in LIBRARIES if not _importable(name)]
    report: dict[str, Any] = {
        "python": sys.executable,
        "python_version": platform.python_version(),
        "missing": missing,
    }
    advice: list[str] = []
    if missing:
        advice.append(
            f"install the training libraries into {sys.executable}: "
            f"{sys.executable} -m pip install 'promptweight[train]'"
        )
    if "torch" not in missing:
        torch = importlib.import_module("torch")
        report["torch"] = torch.__version__
        report["cuda"] = torch.version.cuda
        gpus = []
        if torch.cuda.is_available():
            for index in range(torch.cuda.device_count()):
                free, total = torch.cuda.mem_get_info(index)
                properties = torch.cuda.get_device_properties(index)
                gpus.append(
                    GpuInfo(
                        index=index,
                        name=properties.name,
                        total_bytes=total,
                        free_bytes=free,
                        bf16=properties.major >= 8,
                    )
                )
        report["gpus"] = gpus
        report["device"] = "cuda:0" if gpus else "cpu"
        if not gpus:
            advice.append(
                "no CUDA GPU: 4-bit QLoRA of real models needs one; on this CPU only tiny "
                "models train (tests, trying it out)"
            )
        if "bitsandbytes" not in missing:
            report["bitsandbytes"] = importlib.import_module("bitsandbytes").__version__
            error = _four_bit_check(torch, report["device"])
            report["four_bit_works"] = error is None
            report["four_bit_error"] = error
            if error is not None:
                advice.append(
                    f"bitsandbytes 4-bit does not run here ({error}): "
                    "`python -m bitsandbytes` says why"
                )
    if run is not None:
        fitted = fit(run, report.get("gpus", []), advice)
        report.update(fitted)
    return DoctorReport.model_validate({**report, "advice": advice})


def fit(run: RunConfig, gpus: list[GpuInfo], advice: list[str]) -> dict[str, Any]:
    """The estimate, and whether it fits the first GPU's free memory; `advice` gets what to
    lower when it does not."""
    config = run.config
    cuda = bool(gpus)
    try:
        found = estimate_run(run, gpus[0].bf16 if cuda else None)
    except NoEstimate as error:
        advice.append(str(error))
        return {}
    result: dict[str, Any] = {"estimate": found}
    if cuda:
        free = gpus[0].free_bytes
        fits = found.total <= HEADROOM * free
        result["fits"] = fits
        if not fits:
            gib = 1 << 30
            advice.append(
                f"the run needs about {found.total / gib:.1f} GiB and "
                f"{free / gib:.1f} GiB is free: "
                f"lower batchSize (now {config.batch_size}) or maxSequenceTokens (now "
                f"{config.max_sequence_tokens})"
                + ("" if config.gradient_checkpointing else ", or turn on gradientCheckpointing")
            )
    return result
