"""The bench's package figures: which .vsix each names, and what counts as the extension."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from bench import vsix_bench


def write_vsix(path: Path, files: dict[str, bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)


def test_the_baseline_is_everything_but_the_wheelhouse(tmp_path: Path) -> None:
    code, wheel = b"console.log(1);" * 50, bytes(range(256)) * 400
    write_vsix(
        tmp_path / "a.vsix",
        {
            "extension/dist/extension.js": code,
            "extension/bundled/wheels/x-1-py3-none-any.whl": wheel,
        },
    )
    write_vsix(tmp_path / "code.vsix", {"extension/dist/extension.js": code})
    with zipfile.ZipFile(tmp_path / "code.vsix") as archive:
        expected = sum(i.compress_size for i in archive.infolist())
    assert vsix_bench.without_wheels(tmp_path / "a.vsix") == expected
    assert vsix_bench.without_wheels(tmp_path / "a.vsix") < (tmp_path / "a.vsix").stat().st_size


@pytest.mark.parametrize(
    ("built", "figures"),
    [
        ([], []),
        (["build/promptweight.vsix"], ["vsix_mb"]),
        (
            [
                "build/package/promptweight-win32-x64.vsix",
                "build/package/promptweight-darwin-arm64.vsix",
            ],
            ["vsix_darwin_arm64_mb", "vsix_win32_x64_mb"],
        ),
    ],
)
def test_each_built_vsix_has_its_figure(
    built: list[str], figures: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vsix_bench, "REPO", tmp_path)
    for name in built:
        write_vsix(tmp_path / name, {"extension/package.json": b"{}"})
    assert sorted(vsix_bench.packages()) == figures
