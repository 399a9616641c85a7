"""Requirements settled: has the prompt stopped changing?

What is measured, from git: the commits that touched the file in the last `RECENT_DAYS` (30)
days, and its age (the days since the first commit that has it, following renames). One
`git log --follow --format=%h %ct -- FILE` answers both, counted here against one clock, so
the two figures cannot disagree about "now". Committer dates are used: they say when a change
landed on the branch, which a rebase moves and an author date does not.

Threshold: at most `promptweight.advisor.maxRecentCommits` (default 3) commits in the last 30
days and at least `promptweight.advisor.minAgeDays` (default 14) days old. Why: a fine-tune
freezes the task as its data shows it; while the instructions still change every week, each
change would need new data and a new run, which prompting absorbs for free.

git is asked as a subprocess with an argument list (never a shell), in the file's folder, with
a timeout. No git, no repository, a file git does not track, or git failing or taking too
long: not measured, never a failure.
"""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from server.core.advisor.advisor_settings import RECENT_DAYS, AdvisorSettings
from server.core.advisor.evidence import capped, not_measured
from shared_schemas.advice import Condition, Evidence

ID: Final = "requirements-settled"
LABEL = "Requirements are settled"
GIT_TIMEOUT_SECONDS = 10.0
# Commits listed in the evidence; the count covers them all.
SHOWN_COMMITS = 5


class _NotMeasured(Exception):
    """Why git could not say; the condition's note."""


def _git_log(path: Path) -> list[tuple[str, int]]:
    """(short hash, committer time) of each commit that touched `path`, newest first."""
    git = shutil.which("git")
    if git is None:
        raise _NotMeasured("git is not installed (or not on PATH)")
    try:
        done = subprocess.run(
            [git, "log", "--follow", "--format=%h %ct", "--", path.name],
            cwd=path.parent,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise _NotMeasured(f"git log took more than {GIT_TIMEOUT_SECONDS:.0f} s") from error
    except OSError as error:
        raise _NotMeasured(f"git could not run: {error.strerror or error}") from error
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        reason = message[0] if message else f"git log exited with {done.returncode}"
        if "not a git repository" in reason:
            reason = "the file is not in a git repository"
        raise _NotMeasured(reason)
    commits = []
    for line in done.stdout.decode("utf-8", errors="replace").splitlines():
        # Only `hash seconds` lines: a configured `log.showSignature` adds lines of its own.
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            commits.append((parts[0], int(parts[1])))
    if not commits:
        raise _NotMeasured("the file has no commits in git (untracked or not committed yet)")
    return commits


def _day(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d")


def requirements_settled(
    prompt_path: Path | None, settings: AdvisorSettings, now: datetime | None = None
) -> Condition:
    threshold = (
        f"≤ {settings.max_recent_commits:,} commits in {RECENT_DAYS} days"
        f" and ≥ {settings.min_age_days:,} days old"
    )
    if prompt_path is None:
        return not_measured(ID, LABEL, threshold, "the prompt is not saved in a file")
    try:
        commits = _git_log(prompt_path)
    except _NotMeasured as why:
        return not_measured(ID, LABEL, threshold, str(why))
    now = now or datetime.now(UTC)
    since = (now - timedelta(days=RECENT_DAYS)).timestamp()
    recent = [(sha, at) for sha, at in commits if at >= since]
    first = commits[-1][1]
    age_days = max(0, int((now.timestamp() - first) // 86_400))
    recent_text = f"{len(recent):,} commit{'' if len(recent) == 1 else 's'} in {RECENT_DAYS} days"
    age_text = f"{age_days:,} day{'' if age_days == 1 else 's'} old"
    evidence = [
        Evidence(text=f"first committed {_day(first)} ({commits[-1][0]})", path=str(prompt_path))
    ]
    evidence += [
        Evidence(text=f"changed {_day(at)} ({sha})", path=str(prompt_path))
        for sha, at in recent[:SHOWN_COMMITS]
    ]
    if len(recent) > SHOWN_COMMITS:
        evidence.append(Evidence(text=f"and {len(recent) - SHOWN_COMMITS:,} more recent commits"))
    return Condition(
        id=ID,
        label=LABEL,
        value=f"{recent_text}, {age_text}",
        measured=len(recent),
        threshold=threshold,
        passed=len(recent) <= settings.max_recent_commits and age_days >= settings.min_age_days,
        evidence=capped(evidence),
        note=f"{len(commits):,} commits in all",
    )
