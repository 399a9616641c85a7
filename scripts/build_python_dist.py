"""The CLI's Python distributions: an sdist, and the wheel built from that sdist.

    python scripts/build_python_dist.py OUT_DIR

The same two steps as `python -m build`, without adding `build` to the tools: setuptools'
PEP 517 hook writes the sdist (in this interpreter, which has setuptools>=77 as pyproject
requires), and `pip wheel` builds the wheel from the unpacked sdist in an isolated build
environment. Building from the sdist proves it is complete: a file it lacks (the generated
encodings) fails the wheel, or the check below, instead of shipping.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# What both distributions must carry for the CLI to count offline.
REQUIRED = (
    "server/encodings/o200k_base.tiktoken",
    "server/encodings/cl100k_base.tiktoken",
    "server/encodings/manifest.json",
    "shared_schemas/data/model_catalog.json",
)


def build_sdist(out: Path) -> Path:
    with tempfile.TemporaryDirectory() as scratch:
        # A copy of the sources: setuptools writes its egg-info and build/ beside them, and
        # the checkout is shared with other builds.
        source = Path(scratch) / "src"
        source.mkdir()
        for name in ("pyproject.toml", "README.md", "LICENSE"):
            shutil.copy2(REPO / name, source / name)
        for package in ("server", "shared_schemas"):
            shutil.copytree(
                REPO / package, source / package, ignore=shutil.ignore_patterns("__pycache__")
            )
        code = (
            "import sys; from setuptools import build_meta; "
            "print(build_meta.build_sdist(sys.argv[1]))"
        )
        done = subprocess.run(
            [sys.executable, "-c", code, str(out.resolve())],
            cwd=source,
            capture_output=True,
            text=True,
            check=True,
        )
    return out / done.stdout.strip().splitlines()[-1]


def build_wheel(sdist: Path, out: Path) -> Path:
    before = set(out.glob("*.whl"))
    subprocess.run(
        [
            *(sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check"),
            *("--no-deps", "--wheel-dir", str(out), str(sdist)),
        ],
        check=True,
    )
    (wheel,) = set(out.glob("*.whl")) - before
    return wheel


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    sdist = build_sdist(out)
    wheel = build_wheel(sdist, out)
    with tarfile.open(sdist) as archive:
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    with zipfile.ZipFile(wheel) as archive:
        in_wheel = set(archive.namelist())
    missing = [f"{sdist.name}: {n}" for n in REQUIRED if n not in in_sdist]
    missing += [f"{wheel.name}: {n}" for n in REQUIRED if n not in in_wheel]
    for line in missing:
        print(f"missing {line}", file=sys.stderr)
    print(f"built {sdist} and {wheel}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
