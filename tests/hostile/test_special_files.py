"""Files that are not what their names say: FIFOs, devices, links out of their folder.

Each case runs the real console script with a timeout (a FIFO read the old way blocks forever),
or calls the core function that the command and the language server share.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from server.core.datasets.dataset_file import (
    DatasetWriteError,
    WriteMode,
    existing_keys,
    write_dataset,
)
from server.core.partials import partials_beside
from server.core.safe_files import UnsafeFileError, read_regular_bytes
from shared_schemas import CheckReport

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs and symlinks")

PROMPTWEIGHT = str(Path(sys.executable).parent / "promptweight")
TIMEOUT_S = 20
PROMPT = '{{role "system"}}\n{{> style}}\n{{role "user"}}\nTell me a story.\n'
STYLE = "Speak as a pirate."
TRANSLATE = "system:\nTranslate.\n\nInput: cat\nOutput: chat\n"
OUTSIDE_BYTES = b'{"messages": []}\nsecret, not a record\n'


def promptweight(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PROMPTWEIGHT, *args], capture_output=True, text=True, check=False, timeout=TIMEOUT_S
    )


def check_json(*paths: Path) -> tuple[int, CheckReport]:
    result = promptweight("check", "--format", "json", *map(str, paths))
    return result.returncode, CheckReport.model_validate_json(result.stdout)


# --- Partials: `{{> style}}` reads `_style.prompt` beside the prompt ---------------------------


def fifo_partial(folder: Path) -> None:
    os.mkfifo(folder / "_style.prompt")


def dev_zero_partial(folder: Path) -> None:
    (folder / "_style.prompt").symlink_to("/dev/zero")


def partial_linked_outside(folder: Path) -> None:
    secret = folder.parent / "outside" / "_secret.prompt"
    secret.parent.mkdir()
    secret.write_text("the secret")
    (folder / "_style.prompt").symlink_to(secret)


def partial_linked_to_a_fifo_inside(folder: Path) -> None:
    os.mkfifo(folder / "pipe")
    (folder / "_style.prompt").symlink_to(folder / "pipe")


def partial_linked_inside(folder: Path) -> None:
    (folder / "shared").mkdir()
    (folder / "shared" / "style.txt").write_text(STYLE)
    (folder / "_style.prompt").symlink_to(Path("shared") / "style.txt")


def plain_partial(folder: Path) -> None:
    (folder / "_style.prompt").write_text(STYLE)


@dataclass(frozen=True)
class Refused:
    reason: str


PARTIALS: list[tuple[Callable[[Path], None], str | Refused]] = [
    # how `_style.prompt` is made, what the reader gives (or why it refuses)
    (fifo_partial, Refused("not a regular file (a FIFO)")),
    (dev_zero_partial, Refused("a link to /dev/zero, outside")),
    (partial_linked_outside, Refused("outside")),
    (partial_linked_to_a_fifo_inside, Refused("not a regular file (a FIFO)")),
    (partial_linked_inside, STYLE),
    (plain_partial, STYLE),
]


def prompts_folder(tmp_path: Path, make_partial: Callable[[Path], None]) -> Path:
    folder = tmp_path / "prompts"
    folder.mkdir()
    make_partial(folder)
    (folder / "story.prompt").write_text(PROMPT)
    return folder / "story.prompt"


@pytest.mark.parametrize(("make_partial", "expected"), PARTIALS)
def test_partial_reader_reads_only_regular_files_in_the_folder(
    tmp_path: Path, make_partial: Callable[[Path], None], expected: str | Refused
) -> None:
    prompt = prompts_folder(tmp_path, make_partial)
    if isinstance(expected, Refused):
        with pytest.raises(OSError, match=re.escape(expected.reason)):
            partials_beside(prompt)("style")
    else:
        assert partials_beside(prompt)("style") == expected


@pytest.mark.parametrize(("make_partial", "expected"), PARTIALS)
def test_check_reports_an_unreadable_partial_and_does_not_hang(
    tmp_path: Path, make_partial: Callable[[Path], None], expected: str | Refused
) -> None:
    status, report = check_json(prompts_folder(tmp_path, make_partial))
    codes = [d.code for d in report.files[0].diagnostics]
    if isinstance(expected, Refused):  # the system message is then empty, too
        assert (status, codes) == (1, ["empty-message", "missing-partial"])
        [missing] = [d for d in report.files[0].diagnostics if d.code == "missing-partial"]
        assert expected.reason in missing.message
    else:
        assert (status, codes) == (0, [])


PARTIAL_LIMITS = [
    # partials' characters, the reader's limit, what is read
    ([10], 10, ["x" * 10]),
    ([11], 10, [None]),
    ([6, 5], 10, ["x" * 6, None]),  # the limit is for all the partials of one reader
]


@pytest.mark.parametrize(("sizes", "limit", "expected"), PARTIAL_LIMITS)
def test_partials_are_read_within_the_character_limit(
    tmp_path: Path, sizes: list[int], limit: int, expected: list[str | None]
) -> None:
    for number, size in enumerate(sizes):
        (tmp_path / f"_p{number}.prompt").write_text("x" * size)
    read = partials_beside(tmp_path / "story.prompt", max_characters=limit)

    def read_or_none(name: str) -> str | None:
        try:
            return read(name)
        except OSError as refused:  # over the limit
            assert "over the limit" in str(refused)
            return None

    assert [read_or_none(f"p{number}") for number in range(len(sizes))] == expected


# --- check DIR: what a folder search reads ------------------------------------------------


def link_to_a_file_outside(root: Path) -> str | None:
    outside = root.parent / "outside.prompt"
    outside.write_text("secret")
    (root / "leak.prompt").symlink_to(outside)
    return "outside"


def fifo_in_the_folder(root: Path) -> str | None:
    os.mkfifo(root / "leak.prompt")
    return "FIFO"


def link_to_a_fifo_inside(root: Path) -> str | None:
    os.mkfifo(root / "pipe")
    (root / "leak.prompt").symlink_to(root / "pipe")
    return "FIFO"


def dangling_link_inside(root: Path) -> str | None:
    (root / "leak.prompt").symlink_to(root / "absent.prompt")
    return "missing file"


def link_to_a_folder_outside(root: Path) -> str | None:
    outside = root.parent / "elsewhere"
    outside.mkdir()
    (outside / "leak.prompt").write_text("secret")
    (root / "linked").symlink_to(outside, target_is_directory=True)
    return None  # not searched, so nothing to report


SEARCHES = [
    link_to_a_file_outside,
    fifo_in_the_folder,
    link_to_a_fifo_inside,
    dangling_link_inside,
    link_to_a_folder_outside,
]


@pytest.mark.parametrize("make_leak", SEARCHES)
def test_check_folder_reads_nothing_through_a_special_file(
    tmp_path: Path, make_leak: Callable[[Path], str | None]
) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "good.prompt").write_text("hello")
    reason = make_leak(root)
    status, report = check_json(root)
    assert status == 0
    assert [Path(f.path).name for f in report.files] == ["good.prompt"]
    if reason is None:
        assert report.skipped == []
    else:
        [skipped] = report.skipped
        assert Path(skipped.path).name == "leak.prompt" and reason in skipped.reason


def test_check_folder_still_reads_a_link_that_stays_inside(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "hello.txt").write_text("hello")
    (tmp_path / "linked.prompt").symlink_to(tmp_path / "notes" / "hello.txt")
    status, report = check_json(tmp_path)
    assert status == 0 and report.skipped == []
    assert [(Path(f.path).name, f.prompt_tokens) for f in report.files] == [("linked.prompt", 1)]


def fifo(tmp_path: Path) -> Path:
    os.mkfifo(tmp_path / "pipe.prompt")
    return tmp_path / "pipe.prompt"


def dev_zero(tmp_path: Path) -> Path:
    (tmp_path / "zero.prompt").symlink_to("/dev/zero")
    return tmp_path / "zero.prompt"


@pytest.mark.parametrize(
    ("make_file", "kind"), [(fifo, "a FIFO"), (dev_zero, "a character device")]
)
def test_check_of_a_special_file_named_on_the_command_line_is_an_error(
    tmp_path: Path, make_file: Callable[[Path], Path], kind: str
) -> None:
    status, report = check_json(make_file(tmp_path))
    [diagnostic] = report.files[0].diagnostics
    assert status == 1
    assert (diagnostic.code, diagnostic.message) == (
        "unreadable",
        f"cannot read: not a regular file ({kind})",
    )


def test_validate_of_a_fifo_is_an_error(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "data.jsonl")
    result = promptweight("validate", str(tmp_path / "data.jsonl"))
    assert result.returncode == 2
    assert "not a regular file (a FIFO)" in result.stderr


def test_reading_a_device_is_refused_before_any_byte(tmp_path: Path) -> None:
    with pytest.raises(UnsafeFileError, match="character device"):
        read_regular_bytes("/dev/zero", 10)


# --- export -o: never through a link, never over a special file --------------------------


def dangling_link(tmp_path: Path) -> Path:
    target = tmp_path / "outside" / "new.jsonl"
    target.parent.mkdir()
    return target


def link_to_an_outside_file(tmp_path: Path) -> Path:
    target = tmp_path / "outside" / "data.jsonl"
    target.parent.mkdir()
    target.write_bytes(OUTSIDE_BYTES)
    return target


def link_to_a_sibling_file(tmp_path: Path) -> Path:
    target = tmp_path / "repo" / "real.jsonl"
    target.write_bytes(OUTSIDE_BYTES)
    return target


LINKED_OUTPUTS = [dangling_link, link_to_an_outside_file, link_to_a_sibling_file]
MODES: list[list[str]] = [[], ["--append"], ["--force"]]


def output_link(tmp_path: Path, make_target: Callable[[Path], Path]) -> Path:
    (tmp_path / "repo").mkdir()
    link = tmp_path / "repo" / "out.jsonl"
    link.symlink_to(make_target(tmp_path))
    return link


def snapshot(path: Path) -> bytes | None:
    return path.read_bytes() if path.exists() else None


@pytest.mark.parametrize("mode", MODES, ids=lambda m: m[0] if m else "create")
@pytest.mark.parametrize("make_target", LINKED_OUTPUTS)
def test_export_never_writes_through_a_symlink(
    tmp_path: Path, make_target: Callable[[Path], Path], mode: list[str]
) -> None:
    link = output_link(tmp_path, make_target)
    target = Path(os.path.realpath(link))
    before = snapshot(target)
    (tmp_path / "repo" / "t.prompty").write_text(TRANSLATE)
    result = promptweight("export", str(tmp_path / "repo" / "t.prompty"), "-o", str(link), *mode)
    assert result.returncode == 1
    assert "is a symbolic link" in result.stderr
    assert snapshot(target) == before  # dangling: still nothing there
    assert link.is_symlink()


@pytest.mark.parametrize("mode", ["create", "append", "force"])
@pytest.mark.parametrize("make_target", LINKED_OUTPUTS)
def test_write_dataset_refuses_a_symlink(
    tmp_path: Path, make_target: Callable[[Path], Path], mode: WriteMode
) -> None:
    link = output_link(tmp_path, make_target)
    target = Path(os.path.realpath(link))
    before, files = snapshot(target), sorted(link.parent.iterdir())
    with pytest.raises(DatasetWriteError, match="is a symbolic link"):
        write_dataset(link, ['{"messages": []}'], mode)
    assert snapshot(target) == before
    assert sorted(link.parent.iterdir()) == files  # no temporary file left


def test_export_onto_a_fifo_is_refused(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "out.jsonl")
    (tmp_path / "t.prompty").write_text(TRANSLATE)
    result = promptweight("export", str(tmp_path / "t.prompty"), "-o", str(tmp_path / "out.jsonl"))
    assert result.returncode == 1
    assert "not a regular file (a FIFO)" in result.stderr


def test_existing_keys_of_a_fifo_is_refused_not_a_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "out.jsonl")
    with pytest.raises(UnsafeFileError, match="FIFO"):
        existing_keys(tmp_path / "out.jsonl")
