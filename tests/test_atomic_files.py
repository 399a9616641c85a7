"""Whole-file writes: a reader sees the old file or the new one, never half of either, and a
failed write leaves the old file as it was and no temporary file behind."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from server.core.atomic_files import write_bytes_atomically, write_new_file_atomically

OLD = b"the old contents, which a failed write must leave whole\n"


def leftovers(folder: Path, keep: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p != keep]


def test_a_reader_of_the_old_file_keeps_reading_the_old_file(tmp_path: Path) -> None:
    # Written in place, the open file would be truncated under its reader.
    path = tmp_path / "data.jsonl"
    path.write_bytes(OLD)
    with path.open("rb") as reader:
        write_bytes_atomically(path, b"new\n" * 1000)
        assert reader.read() == OLD
    assert path.read_bytes() == b"new\n" * 1000
    assert leftovers(tmp_path, path) == []


def test_the_mode_is_the_one_asked_for(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    write_bytes_atomically(path, b"x", mode=0o600)
    assert path.stat().st_mode & 0o777 == 0o600


# A file size limit makes the data write itself fail partway (EFBIG), as a full disk would.
# In a child process, so that the limit binds nothing else.
FAIL_MIDWAY = textwrap.dedent(
    """
    import resource, signal, sys
    from pathlib import Path
    from server.core.atomic_files import write_bytes_atomically

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.getrlimit(resource.RLIMIT_FSIZE)[1]))
    try:
        write_bytes_atomically(Path(sys.argv[1]), b"new contents\\n" * 100_000)
    except OSError as error:
        print(type(error).__name__, error.errno)
        sys.exit(3)
    """
)


def test_a_write_that_fails_midway_leaves_the_old_file_whole(tmp_path: Path) -> None:
    path = tmp_path / "data.jsonl"
    path.write_bytes(OLD)
    done = subprocess.run(
        [sys.executable, "-c", FAIL_MIDWAY, str(path)],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        timeout=60,
    )
    assert done.returncode == 3, done.stderr
    assert path.read_bytes() == OLD
    assert leftovers(tmp_path, path) == []


def test_a_rename_that_fails_leaves_the_target_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.mkdir()
    (target / "inside").write_bytes(OLD)
    with pytest.raises(OSError):
        write_bytes_atomically(target, b"new")
    assert (target / "inside").read_bytes() == OLD
    assert leftovers(tmp_path, target) == []


def test_a_new_file_never_replaces_one_already_there(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_bytes(OLD)
    with pytest.raises(FileExistsError):
        write_new_file_atomically(path, b"new")
    assert path.read_bytes() == OLD
    assert leftovers(tmp_path, path) == []


def test_a_new_file_is_written_whole_with_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.yaml"
    write_new_file_atomically(path, b"new\n" * 1000, mode=0o600)
    assert path.read_bytes() == b"new\n" * 1000
    assert path.stat().st_mode & 0o777 == 0o600
    assert leftovers(path.parent, path) == []
