"""`python -m bench.hostile_scaling [--quick] [--out build/bench-hostile-scaling.json]`: whether
pathological prompt files cost linear time and bounded memory.

Each family of bench/hostile_inputs.py is generated at 100 KB and at 1 MB, and analysed as the
server analyses a document (`analyse_prompt` and its problem list, the cyclic collector paused;
a `.jsonl` family goes to `validate_dataset` instead) in a child process that is killed past a
deadline or a memory limit, so a regression cannot hang the benchmark or the machine. The child
has analysed a small file of every format first, so imports and tokenizer loading are not
counted.

- `hostile_scaling_<family>`: the 1 MB time against the 100 KB time. Linear is 10x; the goal
  is 20x. FAILED when either size timed out (100 KB: after 20 s, 5 s with --quick; 1 MB: after
  40 times the 100 KB time, at least 10 s and at most 60 s, 15 s with --quick), raised, or
  passed the memory limit (4 GB, or half the machine's memory if less).
- `hostile_memory_<family>`: how far the child's resident memory rose while it analysed the
  1 MB file (the kernel's high-water mark, reset just before), against the file's size.
- `hostile_<family>_ms` / `_memory_mb` / `_diagnostics` for the fixed files (deep nesting,
  YAML aliases; they deserve a diagnostic, not a crash), and the role markers just under the
  4M-character limit against their 1 MB time (not with --quick).
- `hostile_scaling_failures`: how many families failed.

Without --quick each file gets a fresh child, so neither caches nor freed memory carry over
from one to the next, and each time is the fastest of 3 runs at 100 KB and 2 at 1 MB (the
memory is the first run's); with --quick one child runs every file once (a new child after a
failure), so its figures are rougher.
"""

from __future__ import annotations

import gc
import io
import sys
import time
import traceback
from dataclasses import dataclass, replace

from bench.hostile_inputs import ALL, FIXED, SCALED, is_dataset
from bench.section import Record, Say, run_alone
from bench.worker_process import Json, PeakMemory, Worker, serve

SMALL = 100_000
LARGE = 1_000_000
SMALL_TIMEOUT_S = 20.0
# Without --quick, the fastest of this many runs (each in a fresh child) at each size.
SMALL_RUNS = 3
LARGE_RUNS = 2
QUICK_SMALL_TIMEOUT_S = 5.0
LARGE_TIMEOUT_FLOOR_S = 10.0
LARGE_TIMEOUT_FACTOR = 40.0
FIXED_TIMEOUT_S = 60.0
MB = 1_000_000
# The fixed families that must produce a diagnostic.
NEEDS_DIAGNOSTIC = ("deep_tools", "deep_tools_block", "billion_laughs")


# --- The child -------------------------------------------------------------------------------


def _analyse(file_name: str, text: str) -> list[tuple[str, str]]:
    """What the server does with the file; the (severity, code) of each problem it reports."""
    if is_dataset(file_name):
        from server.core.datasets.validation import ValidationOptions, validate_dataset
        from server.core.model_choice import ModelSettings, choose_model

        counter = choose_model("gpt-4o-mini", ModelSettings()).counter
        lines = io.BytesIO(text.encode("utf-8", "surrogateescape"))  # as a file reads
        report = validate_dataset(lines, ValidationOptions(count_tokens=counter.count))
        return [(p.severity, p.code) for p in report.problems]
    from server.core.garbage_collection import collection_paused
    from server.core.prompt_analysis import AnalysisSettings, analyse_prompt, analysis_problems

    with collection_paused():
        analysis = analyse_prompt(file_name, text, AnalysisSettings())
        problems = analysis_problems(analysis)
        _ = analysis.messages, analysis.examples
    return [(p.severity, p.code) for p in problems]


WARM_UP = [
    ("w.prompty", "---\nmodel: gpt-4o\n---\nsystem:\nHi {{name}}.\n\nuser:\nInput: a\nOutput: b\n"),
    ("w.prompty", "---\nmodel: gpt-4\n---\nsystem:\nHi.\n"),
    ("w.md", "# Input: a\nOutput: b\n"),
    ("w.prompt", '---\nmodel: googleai/gemini-2.5-flash\n---\n{{role "user"}}\n{{> x}} hi\n'),
    ("w.prompt.md", "---\nmode: agent\n---\nDo ${input:x}.\n"),
    ("w.chat.json", '[{"role": "user", "content": "hi"}]'),
    ("w.chat.yaml", "- role: user\n  content: hi\n"),
    ("w.jsonl", '{"messages": [{"role": "user", "content": "hi"}]}\n'),
]


def warm_up() -> Json:
    for file_name, text in WARM_UP:
        _analyse(file_name, text)
    return {"ready": True}


def run_one(question: Json) -> Json:
    """Generate one family at one size and analyse it: seconds, memory rise, problems."""
    family, size = str(question["family"]), int(question["size"])
    file_name, text = ALL[family](size)
    gc.collect()
    memory = PeakMemory()
    try:
        with memory:
            started = time.perf_counter()
            problems = _analyse(file_name, text)
            seconds = time.perf_counter() - started
    except Exception as error:  # a crash is a result, and the child serves on
        return {
            "bytes": len(text.encode("utf-8", "surrogateescape")),
            "error": f"{type(error).__name__}: {error}"[:500],
            "traceback": traceback.format_exc()[-4000:],
        }
    return {
        "bytes": len(text.encode("utf-8", "surrogateescape")),
        "seconds": seconds,
        "memory_rise": memory.rise,
        "memory_reset": memory.reset,
        "problems": len(problems),
        "diagnostics": sum(severity in ("error", "warning") for severity, _ in problems),
        "codes": sorted({code for _, code in problems})[:10],
    }


# --- The parent ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    family: str
    size: int
    bytes: int = 0
    seconds: float | None = None
    memory_rise: int | None = None
    diagnostics: int = 0
    codes: tuple[str, ...] = ()
    failure: str | None = None  # why there is no time

    def describe(self) -> str:
        if self.failure is not None:
            return f"FAILED ({self.failure})"
        rise = "?" if self.memory_rise is None else f"{self.memory_rise / MB:.1f} MB"
        codes = f"; problems: {', '.join(self.codes)}" if self.codes else ""
        return f"{self.seconds:.3f} s, memory +{rise}{codes}"


class Runner:
    """Runs files in children: one child for all (`fresh` False) or one each."""

    def __init__(self, fresh: bool, say: Say) -> None:
        self.fresh = fresh
        self.say = say
        self.worker: Worker | None = None

    def run(self, family: str, size: int, timeout: float) -> Run:
        if self.worker is None or not self.worker.alive:
            self.worker = Worker("bench.hostile_scaling")
            if self.worker.ready.answer is None:
                self.say(f"the child did not start:\n{self.worker.error_tail()}")
                self.close()
                return Run(family, size, failure="the child did not start")
        worker = self.worker
        reply = worker.ask({"family": family, "size": size}, timeout)
        answer = reply.answer
        run: Run
        if answer is None:
            limit = worker.memory_limit / MB
            why = {
                "timeout": f"timed out after {timeout:.0f} s",
                "memory": f"passed the memory limit of {limit:,.0f} MB",
                "died": f"the child died ({worker.exit_description()})",
            }[reply.failure or "died"]
            if reply.failure == "died":
                self.say(worker.error_tail())
            run = Run(family, size, failure=why)
        elif "error" in answer:
            self.say(f"{family} at {size:,} raised:\n{answer.get('traceback', '')}")
            run = Run(family, size, int(answer["bytes"]), failure=f"raised {answer['error']}")
        else:
            run = Run(
                family,
                size,
                int(answer["bytes"]),
                float(answer["seconds"]),
                answer.get("memory_rise"),
                int(answer["diagnostics"]),
                tuple(answer["codes"]),
            )
        if self.fresh or run.failure is not None:
            self.close()
        return run

    def fastest(self, family: str, size: int, timeout: float, runs: int) -> Run:
        """The fastest of `runs` runs, with the first one's memory; the first failure if any
        fails (the rest are not run)."""
        done: list[Run] = []
        for _ in range(runs):
            run = self.run(family, size, timeout)
            if run.failure is not None:
                return run
            done.append(run)
        fastest = min(done, key=lambda run: run.seconds or 0.0)
        return replace(fastest, memory_rise=done[0].memory_rise)

    def close(self) -> None:
        if self.worker is not None:
            self.worker.close()
            self.worker = None


def large_timeout(small_seconds: float, cap: float) -> float:
    return min(cap, max(LARGE_TIMEOUT_FLOOR_S, LARGE_TIMEOUT_FACTOR * small_seconds))


def measure(quick: bool, say: Say, record: Record) -> None:
    cap = 15.0 if quick else 60.0
    fixed = [family for family in FIXED if not (quick and family == "role_markers_at_limit")]
    say(
        f"hostile files: {len(SCALED)} families at {SMALL:,} and {LARGE:,} characters, "
        f"{len(fixed)} fixed files, each in a child process"
    )
    runner = Runner(fresh=not quick, say=say)
    failed: list[str] = []
    large_runs: dict[str, Run] = {}
    try:
        for family in SCALED:
            small_timeout = QUICK_SMALL_TIMEOUT_S if quick else SMALL_TIMEOUT_S
            small = runner.fastest(family, SMALL, small_timeout, 1 if quick else SMALL_RUNS)
            if small.seconds is None:
                large = Run(family, LARGE, failure=f"not run: at {SMALL:,}, {small.failure}")
            else:
                timeout = large_timeout(small.seconds, cap)
                large = runner.fastest(family, LARGE, timeout, 1 if quick else LARGE_RUNS)
            large_runs[family] = large
            ratio = (
                f"{large.seconds / small.seconds:.1f}x"
                if large.seconds is not None and small.seconds
                else "-"
            )
            say(f"  {family}: 100 KB {small.describe()}; 1 MB {large.describe()}; ratio {ratio}")
            failure = small.failure or large.failure
            if failure is not None:
                failed.append(family)
            record(
                f"hostile_scaling_{family}",
                None if large.seconds is None else large.seconds * 1000,
                "ms",
                None if small.seconds is None else small.seconds * 1000,
                failure=None if failure is None else f"{family}: {failure}",
            )
            record(
                f"hostile_memory_{family}",
                None if large.memory_rise is None else large.memory_rise / MB,
                "MB",
                large.bytes / MB if large.bytes else None,
                failure=None if large.failure is None else f"{family}: {large.failure}",
            )
        for family in fixed:
            at_limit = family == "role_markers_at_limit"
            reference = large_runs.get("role_markers")
            timeout = FIXED_TIMEOUT_S if not quick else cap
            if at_limit and reference is not None and reference.seconds is not None:
                timeout = min(cap, max(20.0, 16 * reference.seconds))
            run = runner.run(family, 0, timeout)
            say(f"  {family} ({run.bytes:,} bytes): {run.describe()}")
            if run.failure is not None:
                failed.append(family)
            failure = None if run.failure is None else f"{family}: {run.failure}"
            baseline_ms = baseline_mb = None
            if at_limit:
                if reference is not None and reference.seconds is not None:
                    baseline_ms = reference.seconds * 1000
                baseline_mb = run.bytes / MB if run.bytes else None
            record(
                f"hostile_{family}_ms",
                None if run.seconds is None else run.seconds * 1000,
                "ms",
                baseline_ms,
                failure=failure,
            )
            record(
                f"hostile_{family}_memory_mb",
                None if run.memory_rise is None else run.memory_rise / MB,
                "MB",
                baseline_mb,
                failure=failure,
            )
            if family in NEEDS_DIAGNOSTIC:
                record(
                    f"hostile_{family}_diagnostics",
                    None if run.seconds is None else run.diagnostics,
                    "problems",
                    failure=failure,
                )
    finally:
        runner.close()
    if failed:
        say(f"hostile files that failed: {', '.join(failed)}")
    record("hostile_scaling_failures", len(failed), "families")


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["--worker"]:
        return serve(run_one, warm_up)
    return run_alone(
        "python -m bench.hostile_scaling",
        __doc__,
        "bench-hostile-scaling.json",
        measure,
        arguments,
    )


if __name__ == "__main__":
    sys.exit(main())
