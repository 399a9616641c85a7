"""Each platform's wheelhouse installs the server offline there, for every supported Python.

Two checks per platform and Python: pip's own resolver (`pip install --dry-run --no-index`
with the platform's tags), and the walk of scripts/wheelhouse.py, which evaluates environment
markers for that platform (pip evaluates them for the machine it runs on, so from Linux it
would not notice that Windows needs colorama).

Windows with Python 3.11 is always checked: its wheelhouse is downloaded once per
pyproject.toml (about 15 s). bundled/wheels (linux-x64, `make vsix`) is checked when built.
`make test-package` builds every platform's wheelhouse with `make package` and checks them all
(PROMPTWEIGHT_TEST_PACKAGE=1): 20 more cases, about a minute, which `make test` leaves to it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

from tests.packaging.wheelhouses import (
    REPO,
    TARGETS,
    VERSION,
    build_wheelhouse,
    built,
    pip_dry_run,
    wheel_pythons,
    wheelhouse,
)

ALWAYS = ("win32-x64", "3.11")
PYTHONS = wheel_pythons()
# Compiled dependencies: each must come as a wheel for the platform itself.
NATIVE = {"pydantic-core", "tiktoken", "pyyaml", "tokenizers", "regex"}


def wheelhouse_for(target: str, python: str, source: str) -> Path:
    if source == "bundled":
        folder = built(REPO / "bundled" / "wheels")
        if folder is None:
            pytest.skip("bundled/wheels is not built (`make vsix`)")
        return folder
    if os.environ.get("PROMPTWEIGHT_TEST_PACKAGE") == "1":
        folder = built(REPO / "build" / "wheelhouses" / target)
        assert folder is not None, f"`make package` did not build the {target} wheelhouse"
        return folder
    if (target, python) == ALWAYS:
        return build_wheelhouse(target, python)
    pytest.skip(f"{target}'s wheelhouse is checked by `make test-package`")


CASES = [
    pytest.param(target, python, "package", id=f"{target}-py{python}")
    for target in TARGETS
    for python in PYTHONS
] + [
    pytest.param("linux-x64", python, "bundled", id=f"bundled-linux-x64-py{python}")
    for python in PYTHONS
]


def test_the_always_checked_platform_is_supported() -> None:
    assert ALWAYS[0] in TARGETS and ALWAYS[1] in PYTHONS


@pytest.mark.parametrize(("target", "python", "source"), CASES)
def test_pip_resolves_the_server_offline_for_the_platform(
    target: str, python: str, source: str, tmp_path: Path
) -> None:
    folder = wheelhouse_for(target, python, source)
    done, wheels = pip_dry_run(folder, target, python, tmp_path)
    assert done.returncode == 0, done.stderr
    tags = wheelhouse.supported_tags(TARGETS[target], python)
    names = set()
    for wheel in wheels:
        name, _, _, wheel_tags = parse_wheel_filename(wheel)
        names.add(name)
        assert wheel_tags & tags, f"{wheel} does not install on {target} with Python {python}"
    assert {"promptweight", *NATIVE} <= names


@pytest.mark.parametrize(("target", "python", "source"), CASES)
def test_every_requirement_has_a_wheel_with_the_platform_markers(
    target: str, python: str, source: str
) -> None:
    folder = wheelhouse_for(target, python, source)
    found = wheelhouse.closure(folder, TARGETS[target], python, f"promptweight=={VERSION}")
    assert found.missing == []


@pytest.fixture(scope="module")
def windows_wheelhouse() -> Path:
    return wheelhouse_for(*ALWAYS, "package")


@pytest.mark.parametrize(
    ("removed", "missing"),
    [
        # Only Windows asks for it (tqdm's and click's markers): pip from Linux never would.
        ("colorama-*.whl", "colorama"),
        ("pydantic_core-*-cp311-*.whl", "pydantic-core"),
        ("tiktoken-*-cp311-*.whl", "tiktoken"),
    ],
)
def test_a_wheelhouse_without_a_needed_wheel_is_refused(
    windows_wheelhouse: Path, removed: str, missing: str, tmp_path: Path
) -> None:
    folder = tmp_path / "wheels"
    shutil.copytree(windows_wheelhouse, folder)
    (victim,) = folder.glob(removed)
    victim.unlink()
    found = wheelhouse.closure(folder, TARGETS[ALWAYS[0]], ALWAYS[1], f"promptweight=={VERSION}")
    assert missing in {canonicalize_name(Requirement(r).name) for r in found.missing}


@pytest.mark.parametrize("other", ["linux-x64", "darwin-arm64"])
def test_another_platforms_wheels_do_not_resolve(
    windows_wheelhouse: Path, other: str, tmp_path: Path
) -> None:
    done, _ = pip_dry_run(windows_wheelhouse, other, ALWAYS[1], tmp_path)
    assert done.returncode != 0
    found = wheelhouse.closure(
        windows_wheelhouse, TARGETS[other], ALWAYS[1], f"promptweight=={VERSION}"
    )
    # regex is tiktoken's requirement: with no tiktoken to take, the walk never asks for it.
    assert {canonicalize_name(Requirement(r).name) for r in found.missing} >= NATIVE - {"regex"}
