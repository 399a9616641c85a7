"""`python -m bench.vsix_bench`: what the .vsix weighs, each platform's (`make package`) and
`make vsix`'s, in MB.

The baseline is the same package without its wheelhouse (the compressed size of everything
outside bundled/wheels): the ratio says how much of the download is the server's Python
environment rather than the extension itself.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from bench.lsp_client import REPO
from bench.section import Record, Say, run_alone

MB = 1024 * 1024
WHEELS = "extension/bundled/wheels/"


def packages() -> dict[str, Path]:
    """Figure name → .vsix, for those built."""
    found = {"vsix_mb": REPO / "build" / "promptweight.vsix"}
    for path in sorted((REPO / "build" / "package").glob("promptweight-*.vsix")):
        target = path.stem.removeprefix("promptweight-").replace("-", "_")
        found[f"vsix_{target}_mb"] = path
    return {name: path for name, path in found.items() if path.exists()}


def without_wheels(path: Path) -> int:
    with zipfile.ZipFile(path) as archive:
        return sum(i.compress_size for i in archive.infolist() if not i.filename.startswith(WHEELS))


def measure(quick: bool, say: Say, record: Record) -> None:
    built = packages()
    if not built:
        say("vsix size skipped: none built (make vsix, make package)")
        record("vsix_mb", None, "skipped: no .vsix built (make vsix)")
        return
    for name, path in built.items():
        say(f"{path.relative_to(REPO)}: {path.stat().st_size / MB:.1f} MB")
        record(name, path.stat().st_size / MB, "MB", without_wheels(path) / MB)


def main(argv: list[str] | None = None) -> int:
    return run_alone("python -m bench.vsix_bench", __doc__, "bench-vsix.json", measure, argv)


if __name__ == "__main__":
    import sys

    sys.exit(main())
