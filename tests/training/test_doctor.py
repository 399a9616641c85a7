"""`promptweight doctor`: what the training interpreter has, and whether a run fits."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from server.core.training.run_config import load_run_config
from server.training.doctor import fit
from shared_schemas.training import DoctorReport, GpuInfo
from tests.training.test_memory_estimate import ARCHITECTURES

pytest.importorskip("torch")
PROMPTWEIGHT = str(Path(sys.executable).parent / "promptweight")
SMOLLM2 = ARCHITECTURES["smollm2-135m"]


def doctor_json(*args: str, cwd: Path, env: dict[str, str] | None = None) -> DoctorReport:
    result = subprocess.run(
        [PROMPTWEIGHT, "doctor", *args, "--json"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    return DoctorReport.model_validate_json(result.stdout)


def test_this_machine_trains_4bit_on_its_cpu(tmp_path: Path) -> None:
    report = doctor_json(cwd=tmp_path)
    assert report.torch and report.bitsandbytes and not report.missing
    assert report.four_bit_works and report.device == "cpu" and report.gpus == []
    assert any("needs one" in advice for advice in report.advice)


def test_a_configured_run_gets_its_estimate(tmp_path: Path, tiny_model: Path) -> None:
    (tmp_path / "promptweight.train.yaml").write_text(
        f"baseModel: {tiny_model}\ndatasets: [d.jsonl]\nbatchSize: 2\nmaxSequenceTokens: 128\n"
    )
    report = doctor_json("promptweight.train.yaml", cwd=tmp_path)
    assert report.estimate is not None and report.estimate.total > 0
    assert report.fits is None  # no GPU to fit on


def test_missing_training_libraries_are_named_with_the_command_to_install_them(
    tmp_path: Path,
) -> None:
    # An interpreter without bitsandbytes: a finder at the front of the import system refuses it.
    (tmp_path / "sitecustomize.py").write_text(
        "import sys\n"
        "class Absent:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'bitsandbytes':\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Absent())\n"
    )
    env = {"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}
    report = doctor_json(cwd=tmp_path, env=env)
    assert report.missing == ["bitsandbytes"] and not report.four_bit_works
    assert any("pip install 'promptweight[train]'" in advice for advice in report.advice)


@pytest.mark.parametrize(
    ("free_gib", "fits"),
    [(80, True), (1, False)],
)
def test_a_run_that_cannot_fit_says_what_to_lower(
    tmp_path: Path, free_gib: int, fits: bool
) -> None:
    model = tmp_path / "smollm2"
    model.mkdir()
    (model / "config.json").write_text(json.dumps(SMOLLM2))
    (tmp_path / "run.yaml").write_text(
        "baseModel: smollm2\ndatasets: [d.jsonl]\nbatchSize: 16\nmaxSequenceTokens: 4096\n"
    )
    run = load_run_config(tmp_path / "run.yaml", {})
    gpu = GpuInfo(index=0, name="test", total_bytes=80 << 30, free_bytes=free_gib << 30, bf16=True)
    advice: list[str] = []
    result = fit(run, [gpu], advice)
    assert result["fits"] is fits
    assert any("lower batchSize (now 16)" in a for a in advice) is not fits
