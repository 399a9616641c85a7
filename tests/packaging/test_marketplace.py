"""What the Marketplace and PyPI show: the icon as drawn, one repository everywhere."""

from __future__ import annotations

import importlib.util
import json
import tomllib

from PIL import Image, ImageChops

from tests.packaging.wheelhouses import REPO

PACKAGE = json.loads((REPO / "package.json").read_text())
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())


def test_the_committed_icon_is_the_script_s_drawing() -> None:
    spec = importlib.util.spec_from_file_location("draw_icon", REPO / "scripts" / "draw_icon.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    committed = Image.open(REPO / PACKAGE["icon"]).convert("RGBA")
    assert committed.size == (128, 128)  # the Marketplace's minimum, shown at that size
    # Resampling may round differently in another Pillow: a channel off by a few is the same.
    difference = ImageChops.difference(committed, module.draw())
    assert max(high for _, high in difference.getextrema()) <= 4


def test_the_icon_ships_in_the_vsix() -> None:
    lines = (REPO / ".vscodeignore").read_text().splitlines()
    assert f"!{PACKAGE['icon']}" in lines


def test_one_repository_in_package_json_and_pyproject() -> None:
    url = PACKAGE["repository"]["url"].removesuffix(".git")
    assert url.startswith("https://github.com/")
    assert PYPROJECT["project"]["urls"]["Repository"] == url
    assert PYPROJECT["project"]["urls"]["Issues"] == f"{url}/issues"
