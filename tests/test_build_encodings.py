"""The build turns npm tiktoken's data into the official files, or refuses."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NPM_TIKTOKEN = REPO / "node_modules" / "tiktoken"
SCRIPT = REPO / "scripts" / "build_encodings.py"


def build(npm_dir: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(npm_dir), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )


def test_build_reproduces_the_bundled_files(tmp_path: Path) -> None:
    result = build(NPM_TIKTOKEN, tmp_path)
    assert result.returncode == 0, result.stderr
    for name in ("o200k_base.tiktoken", "cl100k_base.tiktoken", "manifest.json"):
        assert (tmp_path / name).read_bytes() == (REPO / "server" / "encodings" / name).read_bytes()


@pytest.fixture
def tampered_npm(tmp_path: Path) -> Path:
    npm = tmp_path / "npm-tiktoken"
    (npm / "encoders").mkdir(parents=True)
    shutil.copy(NPM_TIKTOKEN / "package.json", npm / "package.json")
    for name in ("o200k_base", "cl100k_base"):
        shutil.copy(NPM_TIKTOKEN / "encoders" / f"{name}.json", npm / "encoders" / f"{name}.json")
    path = npm / "encoders" / "cl100k_base.json"
    data = json.loads(path.read_text())
    fields = data["bpe_ranks"].split(" ")
    # Two ranks swapped: still well formed, no longer official.
    fields[2], fields[3] = fields[3], fields[2]
    data["bpe_ranks"] = " ".join(fields)
    path.write_text(json.dumps(data))
    return npm


def test_build_refuses_data_that_differs_from_tiktokens_pin(
    tampered_npm: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = build(tampered_npm, out)
    assert result.returncode == 1
    assert "cl100k_base" in result.stderr and "pins" in result.stderr
    assert not (out / "cl100k_base.tiktoken").exists()
    assert not (out / "manifest.json").exists()
