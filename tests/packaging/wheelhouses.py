"""The packaging tests' access to scripts/wheelhouse.py and to the wheelhouses on disk."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent.parent


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("wheelhouse", REPO / "scripts" / "wheelhouse.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    # dataclasses look the module up by name while the class bodies run.
    sys.modules["wheelhouse"] = module
    spec.loader.exec_module(module)
    return module


wheelhouse = _load_script()
TARGETS: dict[str, object] = wheelhouse.TARGETS
VERSION: str = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["version"]


def wheel_pythons() -> list[str]:
    """The Python versions the .vsix carries wheels for, as the Makefile says."""
    found = re.search(r"^WHEEL_PYTHONS \?= (.+)$", (REPO / "Makefile").read_text(), re.M)
    assert found, "WHEEL_PYTHONS is no longer set in the Makefile"
    return found.group(1).split()


def built(folder: Path) -> Path | None:
    """A wheelhouse the Makefile finished (its stamp is written last)."""
    return folder if (folder / ".built").exists() else None


def build_wheelhouse(target: str, python: str) -> Path:
    """One platform's wheelhouse for one Python, built once per pyproject.toml.

    What resolves depends on the requirements, all in pyproject.toml, and on how the
    wheelhouse is made: their hash names the folder, so a change to either downloads afresh.
    """
    inputs = [REPO / "pyproject.toml", REPO / "scripts" / "wheelhouse.py"]
    key = hashlib.sha256(b"".join(path.read_bytes() for path in inputs)).hexdigest()[:12]
    folder = REPO / "build" / "wheelhouse-test" / f"{target}-{python}-{key}"
    if built(folder):
        return folder
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build_python_dist.py"), str(partial)],
        check=True,
        capture_output=True,
    )
    (partial / f"promptweight-{VERSION}.tar.gz").unlink()
    (server_wheel,) = partial.glob("promptweight-*.whl")
    subprocess.run(
        [
            *(sys.executable, str(REPO / "scripts" / "wheelhouse.py"), "download", target),
            *(str(partial), str(server_wheel), python),
        ],
        check=True,
        capture_output=True,
    )
    (partial / ".built").touch()
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    return folder


def pip_dry_run(
    folder: Path, target: str, python: str, scratch: Path
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """pip's own resolution of the server from the wheelhouse alone, for the target's tags.

    Returns the run and the file names of the wheels it would install.
    """
    platforms = TARGETS[target].pip_platforms  # type: ignore[attr-defined]
    report = scratch / "report.json"
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--isolated", "--disable-pip-version-check"]
        + ["--dry-run", "--no-index", "--find-links", str(folder), "--only-binary=:all:"]
        + ["--implementation", "cp", "--python-version", python]
        + [arg for platform in platforms for arg in ("--platform", platform)]
        + ["--target", str(scratch / "target"), "--report", str(report), "--quiet"]
        + [f"promptweight=={VERSION}"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return done, []
    items = json.loads(report.read_text())["install"]
    return done, [item["download_info"]["url"].rsplit("/", 1)[1] for item in items]
