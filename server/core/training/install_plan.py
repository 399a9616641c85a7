"""How the training libraries get into an interpreter: `python -m pip install` with the `[train]`
extra's own requirements, read from this package's metadata so they never drift from
pyproject.toml. An interpreter that lacks Promptweight itself gets it too, from the extension's
wheelhouse when there is one."""

from __future__ import annotations

import importlib.metadata
import re
import shlex

from shared_schemas.training_setup import InstallPlan

DISTRIBUTION = "promptweight"
_EXTRA_MARKER = re.compile(r"""\s*;\s*extra\s*==\s*["']train["']\s*$""")


def train_requirements() -> list[str]:
    """The `[train]` extra's requirements, e.g. `torch>=2.4`."""
    found = importlib.metadata.requires(DISTRIBUTION) or []
    return [_EXTRA_MARKER.sub("", r) for r in found if _EXTRA_MARKER.search(r)]


def install_plan(python: str, has_promptweight: bool, find_links: str | None) -> InstallPlan:
    """`has_promptweight`: whether `python` can already import the trainer (`server.training`)."""
    command = [python, "-m", "pip", "install", "--disable-pip-version-check", "--no-input"]
    if has_promptweight:
        command += train_requirements()
    else:
        version = importlib.metadata.version(DISTRIBUTION)
        if find_links:
            command += ["--find-links", find_links]
        command.append(f"{DISTRIBUTION}[train]=={version}")
    return InstallPlan(command=command, command_line=shlex.join(command))
