"""A platform's wheelhouse: every wheel the server needs, for each supported CPython.

    python scripts/wheelhouse.py download TARGET OUT_DIR SERVER_WHEEL 3.11 3.12 ...
    python scripts/wheelhouse.py check TARGET OUT_DIR VERSION 3.11 3.12 ...

TARGET is a VS Code platform (`vsce --target`). `pip download --platform` picks wheels by tag,
but it evaluates environment markers against the machine it runs on: from Linux it would leave
out `colorama; platform_system == "Windows"` (tqdm's), which a Windows install then looks for.
So after pip, the requirements are walked again with the target's markers and anything missing
is downloaded too; `check` is that walk alone, which the tests and `make package` run.
Standard library and `packaging` only (a dependency of pip and pytest), so any build Python
can run it.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from email.parser import HeaderParser
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.tags import Tag, compatible_tags, cpython_tags, mac_platforms
from packaging.utils import NormalizedName, canonicalize_name, parse_wheel_filename
from packaging.version import Version


@dataclass(frozen=True)
class Target:
    """What a VS Code platform means to pip (tags) and to environment markers."""

    # Passed to `pip download --platform`; pip widens a macOS tag to the older macOS
    # versions and universal builds itself, and `platform_tags` does the same here.
    pip_platforms: tuple[str, ...]
    sys_platform: str
    platform_system: str
    platform_machine: str
    os_name: str

    def platform_tags(self) -> list[str]:
        tags: list[str] = []
        for platform in self.pip_platforms:
            if platform.startswith("macosx_"):
                _, major, minor, arch = platform.split("_", 3)
                tags.extend(mac_platforms((int(major), int(minor)), arch))
            else:
                tags.append(platform)
        return tags


def _linux(machine: str) -> Target:
    # manylinux_2_28 (glibc 2.28: Debian 10, RHEL 8, Ubuntu 18.10) is the newest glibc a wheel
    # here may need: VS Code's own floor for its remote server. pip does not widen a
    # manylinux_2_28 tag to the older ones, so each is named.
    return Target(
        pip_platforms=(
            f"manylinux_2_28_{machine}",
            f"manylinux_2_17_{machine}",
            f"manylinux2014_{machine}",
            f"linux_{machine}",
        ),
        sys_platform="linux",
        platform_system="Linux",
        platform_machine=machine,
        os_name="posix",
    )


# macOS 11 is the oldest VS Code has supported since 1.98; tags from 11.0 down cover every
# wheel that runs there (pip also accepts 10.x and universal2 builds for it).
TARGETS: dict[str, Target] = {
    "linux-x64": _linux("x86_64"),
    "linux-arm64": _linux("aarch64"),
    "darwin-x64": Target(("macosx_11_0_x86_64",), "darwin", "Darwin", "x86_64", "posix"),
    "darwin-arm64": Target(("macosx_11_0_arm64",), "darwin", "Darwin", "arm64", "posix"),
    "win32-x64": Target(("win_amd64",), "win32", "Windows", "AMD64", "nt"),
}


def marker_environment(target: Target, python: str) -> dict[str, str]:
    return {
        "implementation_name": "cpython",
        "implementation_version": f"{python}.0",
        "os_name": target.os_name,
        "platform_machine": target.platform_machine,
        "platform_python_implementation": "CPython",
        "platform_release": "",
        "platform_system": target.platform_system,
        "platform_version": "",
        "python_full_version": f"{python}.0",
        "python_version": python,
        "sys_platform": target.sys_platform,
    }


def supported_tags(target: Target, python: str) -> set[Tag]:
    version = tuple(int(part) for part in python.split("."))
    platforms = target.platform_tags()
    return set(cpython_tags(version, None, platforms)) | set(
        compatible_tags(version, f"cp{python.replace('.', '')}", platforms)
    )


@dataclass(frozen=True)
class Wheel:
    path: Path
    name: NormalizedName
    version: Version


def installable_wheels(wheelhouse: Path, target: Target, python: str) -> list[Wheel]:
    """The wheels pip would consider on this target and Python, newest first."""
    tags = supported_tags(target, python)
    found = []
    for path in wheelhouse.glob("*.whl"):
        name, version, _, wheel_tags = parse_wheel_filename(path.name)
        if wheel_tags & tags:
            found.append(Wheel(path, name, version))
    return sorted(found, key=lambda wheel: wheel.version, reverse=True)


def wheel_metadata(path: Path) -> tuple[list[str], str]:
    """A wheel's Requires-Dist lines and Requires-Python, from its METADATA."""
    with zipfile.ZipFile(path) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        headers = HeaderParser().parsestr(archive.read(name).decode("utf-8"))
    return headers.get_all("Requires-Dist") or [], headers.get("Requires-Python") or ""


def _applies(marker: Marker | None, environment: dict[str, str], extras: set[str]) -> bool:
    if marker is None:
        return True
    return any(marker.evaluate({**environment, "extra": extra}) for extra in extras | {""})


@dataclass
class Closure:
    used: set[Path]
    missing: list[str]


def closure(wheelhouse: Path, target: Target, python: str, root: str) -> Closure:
    """Follows `root`'s requirements through the wheelhouse with the target's markers.

    Not a resolver: the newest wheel that satisfies a requirement is taken, and a project met
    again must satisfy the new specifier with the wheel already taken. pip's own resolution
    (`pip install --dry-run --no-index --platform ...`) is checked beside this in the tests;
    this adds what pip cannot evaluate from another platform: the markers.
    """
    environment = marker_environment(target, python)
    candidates = installable_wheels(wheelhouse, target, python)
    chosen: dict[NormalizedName, Wheel] = {}
    extras_seen: dict[NormalizedName, set[str]] = {}
    result = Closure(used=set(), missing=[])
    pending = [(Requirement(root), {""})]
    while pending:
        requirement, parent_extras = pending.pop()
        if not _applies(requirement.marker, environment, parent_extras):
            continue
        name = canonicalize_name(requirement.name)
        wanted = set(requirement.extras)
        if name in chosen:
            if not requirement.specifier.contains(chosen[name].version, prereleases=True):
                result.missing.append(f"{requirement} (have {chosen[name].version})")
            if wanted <= extras_seen[name]:
                continue
            extras_seen[name] |= wanted
            wheel = chosen[name]
        else:
            match = next(
                (
                    wheel
                    for wheel in candidates
                    if wheel.name == name
                    and requirement.specifier.contains(wheel.version, prereleases=True)
                    and SpecifierSet(wheel_metadata(wheel.path)[1]).contains(python)
                ),
                None,
            )
            if match is None:
                result.missing.append(str(requirement))
                continue
            chosen[name] = wheel = match
            extras_seen[name] = wanted
            result.used.add(wheel.path)
        requires, _ = wheel_metadata(wheel.path)
        pending.extend((Requirement(line), extras_seen[name] | {""}) for line in requires)
    return result


def pip_download(
    target: Target, python: str, out: Path, requirements: list[str], pip_python: str
) -> None:
    platforms = [arg for platform in target.pip_platforms for arg in ("--platform", platform)]
    done = subprocess.run(
        [
            pip_python,
            "-m",
            "pip",
            "download",
            "--quiet",
            "--disable-pip-version-check",
            "--only-binary=:all:",
            "--implementation",
            "cp",
            "--python-version",
            python,
            *platforms,
            "--dest",
            str(out),
            *requirements,
        ],
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    # A pip configuration's missing --find-links folders are warned about once per project.
    noise = "WARNING: Location"
    sys.stderr.writelines(line for line in done.stderr.splitlines(True) if noise not in line)
    if done.returncode != 0:
        raise SystemExit(f"pip download failed for {python} on {target.pip_platforms[0]}")


def _bare(requirement: str) -> str:
    """A requirement without its marker (pip would evaluate it against this machine)."""
    parsed = Requirement(requirement.split(" (have ")[0])
    parsed.marker = None
    return str(parsed)


def download(target_name: str, out: Path, server_wheel: Path, pythons: list[str]) -> int:
    target = TARGETS[target_name]
    root = f"promptweight=={parse_wheel_filename(server_wheel.name)[1]}"
    used: set[Path] = set()
    for python in pythons:
        pip_download(target, python, out, [str(server_wheel)], sys.executable)
        found = closure(out, target, python, root)
        # Each round fetches what the markers added (and, with pip's markers again, their own
        # requirements); a chain of platform-only requirements is short.
        for _ in range(4):
            if not found.missing:
                break
            pip_download(target, python, out, [_bare(r) for r in found.missing], sys.executable)
            found = closure(out, target, python, root)
        if found.missing:
            print(f"{target_name} Python {python}: missing {found.missing}", file=sys.stderr)
            return 1
        used |= found.used
    # What pip fetched for this machine's markers only (none today) would ship for nothing.
    for path in set(out.glob("*.whl")) - used:
        print(f"{target_name}: not needed there, removed {path.name}")
        path.unlink()
    return 0


def check(target_name: str, wheelhouse: Path, version: str, pythons: list[str]) -> int:
    failures = 0
    for python in pythons:
        found = closure(wheelhouse, TARGETS[target_name], python, f"promptweight=={version}")
        for requirement in found.missing:
            print(f"{target_name} Python {python}: no wheel for {requirement}", file=sys.stderr)
            failures += 1
    return 1 if failures else 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    get = commands.add_parser("download")
    get.add_argument("target", choices=sorted(TARGETS))
    get.add_argument("out", type=Path)
    get.add_argument("server_wheel", type=Path)
    get.add_argument("pythons", nargs="+")
    verify = commands.add_parser("check")
    verify.add_argument("target", choices=sorted(TARGETS))
    verify.add_argument("wheelhouse", type=Path)
    verify.add_argument("version")
    verify.add_argument("pythons", nargs="+")
    args = parser.parse_args(argv)
    if args.command == "download":
        return download(args.target, args.out, args.server_wheel, args.pythons)
    return check(args.target, args.wheelhouse, args.version, args.pythons)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
