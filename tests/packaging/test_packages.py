"""What `make package` built: each .vsix for its platform, carrying a wheelhouse that installs
the server there, and the CLI's wheel and sdist. Checked by `make test-package`
(PROMPTWEIGHT_TEST_PACKAGE=1), which builds them first."""

from __future__ import annotations

import os
import re
import tarfile
import zipfile
from pathlib import Path

import pytest

from tests.packaging.wheelhouses import REPO, TARGETS, VERSION, wheel_pythons, wheelhouse

PACKAGE_DIR = REPO / "build" / "package"
WHEELS = "extension/bundled/wheels/"

pytestmark = pytest.mark.skipif(
    os.environ.get("PROMPTWEIGHT_TEST_PACKAGE") != "1",
    reason="`make test-package` builds the packages and checks them",
)


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_each_vsix_is_for_its_platform_and_installs_there(target: str, tmp_path: Path) -> None:
    with zipfile.ZipFile(PACKAGE_DIR / f"promptweight-{target}.vsix") as vsix:
        manifest = vsix.read("extension.vsixmanifest").decode()
        names = vsix.namelist()
        assert re.search(rf'TargetPlatform="{re.escape(target)}"', manifest)
        assert "extension/images/icon.png" in names
        assert "extension/dist/extension.js" in names
        for name in names:
            if name.startswith(WHEELS):
                (tmp_path / Path(name).name).write_bytes(vsix.read(name))
    # The server wheel is the one built with the sdist, swapped in when the .vsix was staged.
    shipped = (tmp_path / f"promptweight-{VERSION}-py3-none-any.whl").read_bytes()
    assert shipped == (PACKAGE_DIR / f"promptweight-{VERSION}-py3-none-any.whl").read_bytes()
    for python in wheel_pythons():
        found = wheelhouse.closure(tmp_path, TARGETS[target], python, f"promptweight=={VERSION}")
        assert found.missing == [], f"Python {python}"


def test_the_cli_wheel_and_sdist_carry_the_offline_encodings() -> None:
    wheel = PACKAGE_DIR / f"promptweight-{VERSION}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        in_wheel = set(archive.namelist())
        metadata = archive.read(f"promptweight-{VERSION}.dist-info/METADATA").decode()
    with tarfile.open(PACKAGE_DIR / f"promptweight-{VERSION}.tar.gz") as archive:
        in_sdist = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    for name in ("server/encodings/o200k_base.tiktoken", "server/encodings/manifest.json"):
        assert name in in_wheel and name in in_sdist
    assert "Provides-Extra: train" in metadata
    assert "Project-URL: Repository, https://github.com/" in metadata
    assert f"promptweight-{VERSION}.dist-info/entry_points.txt" in in_wheel
