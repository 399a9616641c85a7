"""Requirements settled, from a real git repository whose commits have chosen dates."""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from server.core.advisor.advisor_settings import AdvisorSettings
from server.core.advisor.history import requirements_settled

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
SETTINGS = AdvisorSettings(max_recent_commits=3, min_age_days=14)

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo: Path, *args: str, when: datetime | None = None) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    env["HOME"] = str(repo)  # no user configuration reaches the test repository
    if when is not None:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = when.isoformat()
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


def make_repo(tmp_path: Path, days_ago: list[float], name: str = "triage.prompty") -> Path:
    """A repository where `name` was committed once per entry, that many days before NOW."""
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "config", "user.name", "Test")
    git(repo, "config", "user.email", "test@example.com")
    git(repo, "config", "commit.gpgsign", "false")
    prompt = repo / name
    for number, days in enumerate(sorted(days_ago, reverse=True)):
        prompt.write_text(f"user:\nversion {number}\n")
        git(repo, "add", name)
        git(repo, "commit", "-q", "-m", f"v{number}", when=NOW - timedelta(days=days))
    return prompt


HISTORIES = [
    # days ago of each commit, recent commits, passed, why
    ([60, 20, 10, 5], 3, True, "3 commits in 30 days: at the limit"),
    ([60, 20, 10, 5, 1], 4, False, "4 commits in 30 days: one over"),
    ([14.1], 1, True, "14 days old: at the minimum age"),
    ([13.9], 1, False, "13 days old: just under"),
    ([31, 29], 1, True, "only the commit inside the 30 days counts"),
]


@needs_git
@pytest.mark.parametrize(("days_ago", "recent", "passed", "why"), HISTORIES)
def test_recent_commits_and_age_decide(
    tmp_path: Path, days_ago: list[float], recent: int, passed: bool, why: str
) -> None:
    condition = requirements_settled(make_repo(tmp_path, days_ago), SETTINGS, NOW)
    assert (condition.measured, condition.passed) == (recent, passed), why


@needs_git
def test_the_value_and_evidence_name_the_commits(tmp_path: Path) -> None:
    prompt = make_repo(tmp_path, [45, 2])
    condition = requirements_settled(prompt, SETTINGS, NOW)
    assert condition.value == "1 commit in 30 days, 45 days old"
    assert condition.threshold == "≤ 3 commits in 30 days and ≥ 14 days old"
    assert condition.evidence[0].text.startswith("first committed 2025-04-17")
    assert condition.evidence[1].text.startswith("changed 2025-05-30")
    assert {e.path for e in condition.evidence} == {str(prompt)}


@needs_git
def test_a_renamed_file_keeps_its_age(tmp_path: Path) -> None:
    prompt = make_repo(tmp_path, [100])
    repo = prompt.parent
    git(repo, "mv", prompt.name, "renamed.prompty")
    git(repo, "commit", "-q", "-m", "rename", when=NOW - timedelta(days=40))
    condition = requirements_settled(repo / "renamed.prompty", SETTINGS, NOW)
    assert condition.value == "0 commits in 30 days, 100 days old"


@needs_git
def test_an_untracked_file_is_not_measured(tmp_path: Path) -> None:
    prompt = make_repo(tmp_path, [40])
    new = prompt.parent / "new.prompty"
    new.write_text("user:\nhi\n")
    condition = requirements_settled(new, SETTINGS, NOW)
    assert condition.passed is None
    assert condition.note is not None and "no commits" in condition.note


def test_a_file_outside_any_repository_is_not_measured(tmp_path: Path) -> None:
    # A folder of its own under the temporary root, which is not in a repository.
    prompt = tmp_path / "alone.prompty"
    prompt.write_text("user:\nhi\n")
    condition = requirements_settled(prompt, SETTINGS, NOW)
    assert (condition.value, condition.passed) == ("not measured", None)


def test_without_git_on_the_path_it_is_not_measured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no git executable
    condition = requirements_settled(tmp_path / "x.prompty", SETTINGS, NOW)
    assert condition.passed is None
    assert condition.note == "git is not installed (or not on PATH)"


def test_an_unsaved_prompt_is_not_measured() -> None:
    condition = requirements_settled(None, SETTINGS, NOW)
    assert (condition.passed, condition.note) == (None, "the prompt is not saved in a file")
