"""`python -m bench.fuzz [--quick] [--seconds N] [--out build/bench-fuzz.json]`: mutated prompt
files fed to every parser and to the dataset validator, for a fixed time.

Seeds: the files of tests/corpus/ and examples/, the families of bench/hostile_inputs.py at
small sizes, and a few dataset lines. Each input is a seed put through one to four random
mutations (insert, delete, duplicate or splice slices; insert syntax such as `{{`, `---`,
`<example>`, `system:`, `*alias`, `&a`; runs of one token; brackets nested hundreds deep;
undecodable bytes as surrogate escapes; CRLF; truncation), made from `(run seed, input number)`
alone, so any input can be made again. Each input is given to every target: `analyse_prompt`
(which parses) as a `.prompty`, `.prompt` (with a partial reader that invents partials that
include more partials), `.prompt.md`, `.chat.json`, `.chat.yaml`, `.jinja2` and `.md` file,
with its problem list, its lazily built weights and every span converted to a position; and
`validate_dataset` on its lines.

A failure is an exception escaping a target, a span outside the text (or a dataset problem
outside its line), or a target taking more than `SLOW_S` (5 s) on one input. The targets run
in a pool of child processes (bench/worker_process.py): one that does not answer within
`HANG_S` is killed, and that is a failure too. Failing inputs are written to
build/fuzz-failures/ (the input under a name with the target's suffix, and a `.json` beside
it saying what failed); `python -m bench.fuzz --replay FILE` runs one again in this process.

- `fuzz_inputs_tried`: inputs given to every target in the time (60 s, 10 s with --quick).
- `fuzz_failures`: inputs on which some target failed (goal: 0).
- `fuzz_slowest_target_ms`: the slowest single target run that did not fail.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import itertools
import json
import os
import platform
import random
import shutil
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench.hostile_inputs import FIXED, SCALED
from bench.lsp_client import REPO
from bench.results import Result
from bench.section import Record, Say, recorder, report, say, section_parser
from bench.worker_process import Json, Worker, serve

SUFFIXES = (".prompty", ".prompt", ".prompt.md", ".chat.json", ".chat.yaml", ".jinja2", ".md")
DATASET = "dataset"
TARGETS = (*SUFFIXES, DATASET)
SLOW_S = 5.0
HANG_S = SLOW_S + 5.0
MAX_INPUT = 100_000  # characters; an input is cut to this after its mutations
FAILURES = REPO / "build" / "fuzz-failures"
MAX_SAVED = 50
MAX_SAVED_PER_KIND = 5

# --- Seeds -----------------------------------------------------------------------------------

SEED_FOLDERS = (REPO / "tests" / "corpus", REPO / "examples")
SEED_SIZES = (300, 3000)
DATASET_SEED = (
    '{"messages": [{"role": "system", "content": "Be brief."}, {"role": "user", "content": '
    '"Hi {{name}}"}, {"role": "assistant", "content": "Hello.", "weight": 1}]}\n'
    '{"messages": [{"role": "user", "content": "2+2?"}, {"role": "assistant", "tool_calls": '
    '[{"id": "c1", "type": "function", "function": {"name": "add", "arguments": "{}"}}]}, '
    '{"role": "tool", "tool_call_id": "c1", "content": "4"}], "tools": []}\n'
)


def seeds() -> list[str]:
    """Every seed text, in a fixed order (the parent and the children must agree)."""
    texts = []
    for folder in SEED_FOLDERS:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.name != "SOURCES.md":
                texts.append(path.read_bytes().decode("utf-8", "surrogateescape"))
    for size in SEED_SIZES:
        texts += [generate(size)[1] for generate in SCALED.values()]
    texts += [FIXED[name](0)[1] for name in ("deep_tools", "deep_tools_block", "billion_laughs")]
    texts.append(DATASET_SEED)
    return texts


# --- Mutations -------------------------------------------------------------------------------

TOKENS = (
    "---\n",
    "\n---\n",
    "...\n",
    "\n",
    "\r\n",
    "\r",
    "system:\n",
    "user:\n",
    "assistant:\n",
    "# user:\n",
    "## System:\n",
    "tool[name=x]:\n",
    'user[name=a, b="c"]:\n',
    "system",
    ":",
    "A:\n",
    "Q: ",
    "Input: ",
    "Output: ",
    "### Input:\n",
    "**Output:**",
    "{{",
    "}}",
    "{{{",
    "{{ name }}",
    "{{> style}}",
    "{{> ",
    '{{role "user"}}',
    '{{#role "model"}}',
    "{{/role}}",
    "{{history}}",
    "{{media url=x}}",
    "{{!-- c --}}",
    "{{!",
    "{% if x %}",
    "{%",
    "{#",
    "<<<dotprompt:role:user>>>",
    "<<<dotprompt:media:url x>>>",
    "${input:x:y}",
    "${",
    "![thread]\n",
    "![",
    "<example>",
    "</example>",
    "<input>",
    "</input>",
    "<output>",
    "</output>",
    "<|endoftext|>",
    "<|im_start|>",
    "&a ",
    "*a",
    "<<: *a",
    "!!python/object:os.system ",
    "? ",
    "- ",
    "model: gpt-4o\n",
    "model: x@a@a-0000-0000\n",
    "tools: [",
    "configuration:\n  name: ",
    '{"role": "user", "content": "',
    '"messages": [',
    '"}',
    '"',
    "\\",
    "\\u",
    "\\ud800",
    "[",
    "]",
    "{",
    "}",
    "\t",
    " ",
    "\ufeff",
    "\x00",
    "\u2028",
    "\ud800",
    "\udcff",
    "🧪",
    "é",
)
RUNS = ("{{", "[", "{", " ", "\n", "- ", "#", "![", "<input>", "@a", "-0000", "a", "*a ", "\\")
NESTINGS = (
    ("[", "]"),
    ("{", "}"),
    ('{"a": ', "}"),
    ("- ", ""),
    ("{{#if x}}", "{{/if}}"),
    ("<example>", "</example>"),
    ("(", ")"),
)
DEPTHS = (10, 100, 500, 990, 1001, 2000, 10_000)


def _slice(rng: random.Random, text: str) -> tuple[int, int]:
    start = rng.randint(0, len(text))
    return start, min(len(text), start + rng.choice((1, 4, 16, 64, 256, 4096)))


def _insert(rng: random.Random, text: str, piece: str) -> str:
    at = rng.randint(0, len(text))
    return text[:at] + piece + text[at:]


def mutate(rng: random.Random, text: str, pool: list[str]) -> str:
    """One random mutation of `text`."""
    kind = rng.randrange(12)
    if kind == 0:  # delete a slice
        start, end = _slice(rng, text)
        return text[:start] + text[end:]
    if kind == 1:  # duplicate a slice
        start, end = _slice(rng, text)
        return _insert(rng, text, text[start:end] * rng.choice((1, 2, 10)))
    if kind == 2:  # splice in a slice of another seed
        other = rng.choice(pool)
        start, end = _slice(rng, other)
        return _insert(rng, text, other[start:end])
    if kind in (3, 4, 5):  # a piece of syntax
        return _insert(rng, text, rng.choice(TOKENS))
    if kind == 6:  # a run of one token
        # Now and then a run long enough that a quadratic scan of it takes seconds.
        length = rng.choice((2, 10, 100, 1000, 5000, 5000, 50_000))
        return _insert(rng, text, rng.choice(RUNS) * length)
    if kind == 7:  # deep nesting
        opening, closing = rng.choice(NESTINGS)
        depth = rng.choice(DEPTHS)
        closed = closing * depth if rng.random() < 0.7 else ""
        return _insert(rng, text, opening * depth + closed)
    if kind == 8:  # a character replaced by any code point, surrogates included
        if not text:
            return text
        at = rng.randrange(len(text))
        return text[:at] + chr(rng.randrange(0x110000)) + text[at + 1 :]
    if kind == 9:  # bytes that are not UTF-8, as a decoder with surrogateescape reads them
        raw = bytes(rng.randrange(0x80, 0x100) for _ in range(rng.randint(1, 4)))
        return _insert(rng, text, raw.decode("utf-8", "surrogateescape"))
    if kind == 10:  # line endings
        return text.replace("\n", rng.choice(("\r\n", "\r", "\n\n")))
    return text[: rng.randint(0, len(text))]  # truncated


def fuzz_input(pool: list[str], run_seed: int, number: int) -> str:
    """Input `number` of the run seeded `run_seed`: a seed and one to four mutations."""
    rng = random.Random(f"{run_seed}:{number}")
    text = rng.choice(pool)
    for _ in range(rng.randint(1, 4)):
        text = mutate(rng, text, pool)
    return text[:MAX_INPUT]


def _surrogates(error: UnicodeError) -> tuple[bytes, int]:
    """Encoding errors: a surrogate escape (U+DC80..U+DCFF) is the byte it stands for, any
    other lone surrogate is written as UTF-8 would if it allowed them (not valid UTF-8)."""
    assert isinstance(error, UnicodeEncodeError)
    out = b""
    for character in error.object[error.start : error.end]:
        point = ord(character)
        if 0xDC80 <= point <= 0xDCFF:
            out += bytes([point - 0xDC00])
        else:
            out += character.encode("utf-8", "surrogatepass")
    return out, error.end


codecs.register_error("bench-surrogates", _surrogates)


def to_bytes(text: str) -> bytes:
    """The text as a file would hold it; undecodable bytes (surrogate escapes) come back."""
    return text.encode("utf-8", "bench-surrogates")


# --- The targets (in the child) ----------------------------------------------------------------


class Failed(Exception):
    """A target's result broke an invariant."""


def invented_partial(name: str) -> str:
    """A partial reader at its most hostile: every partial includes two more, made up."""
    return f"partial of {name} {{{{> {name}a}}}} {{{{> {name}b}}}}\n"


def check_prompt(file_name: str, text: str) -> None:
    from server.core.prompt_analysis import AnalysisSettings, analyse_prompt, analysis_problems
    from server.core.prompt_model import LineIndex, Span

    analysis = analyse_prompt(file_name, text, AnalysisSettings(), invented_partial)
    problems = analysis_problems(analysis)
    _ = analysis.messages, analysis.examples, analysis.prompt_tokens
    spans: list[tuple[str, Span]] = [("problem", p.span) for p in problems]
    document = analysis.document
    if document is not None:
        if len(analysis.message_tokens) != len(document.messages):
            raise Failed("message_tokens and messages differ in length")
        spans.append(("body", document.body))
        if document.frontmatter is not None:
            spans.append(("frontmatter", document.frontmatter))
        for message in document.messages:
            spans += [("message", message.span), ("content", message.content_span)]
            if message.marker is not None:
                spans.append(("marker", message.marker))
        spans += [("example", e.span) for e in document.examples]
        spans += [("variable", v.span) for v in document.variables]
        spans += [("placeholder", p.span) for p in document.placeholders]
    index = LineIndex(text)
    for what, span in spans:
        if not 0 <= span.start <= span.end <= len(text):
            raise Failed(f"{what} span {span.start}..{span.end} outside the text (0..{len(text)})")
        index.position(span.start)
        index.position(span.end)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def check_dataset(text: str) -> None:
    from server.core.datasets.validation import ValidationOptions, validate_dataset

    lines = list(io.BytesIO(to_bytes(text)))
    report = validate_dataset(iter(lines), ValidationOptions(count_tokens=_dataset_counter()))
    for problem in report.problems:
        if not 0 <= problem.line < len(lines):
            raise Failed(f"dataset problem {problem.code} on line {problem.line} of {len(lines)}")
        # The line as the validator reads it: without its `\n`, and one `\r` before it.
        line = lines[problem.line].removesuffix(b"\n").removesuffix(b"\r")
        if problem.line == 0 and line.startswith(b"\xef\xbb\xbf"):
            line = line[3:]
        length = utf16_length(line.decode("utf-8", "replace"))
        if not 0 <= problem.start_character <= problem.end_character <= length:
            raise Failed(
                f"dataset problem {problem.code} at characters {problem.start_character}.."
                f"{problem.end_character} of a line of {length}"
            )


def _dataset_counter() -> Callable[[str], int]:
    from server.core.model_choice import ModelSettings, choose_model

    return choose_model("gpt-4o-mini", ModelSettings()).counter.count


def run_target(target: str, text: str) -> None:
    if target == DATASET:
        check_dataset(text)
    else:
        check_prompt("fuzz" + target, text)


class Child:
    """The child's state: the seeds, and the last input made (each is asked for every target)."""

    def __init__(self) -> None:
        self.pool = seeds()
        self.last: tuple[int, int, str] | None = None

    def warm_up(self) -> Json:
        for target in TARGETS:
            run_target(target, self.pool[0])
        return {"seeds": len(self.pool)}

    def answer(self, question: Json) -> Json:
        run_seed, number, target = (
            int(question["seed"]),
            int(question["number"]),
            question["target"],
        )
        if self.last is None or self.last[:2] != (run_seed, number):
            self.last = (run_seed, number, fuzz_input(self.pool, run_seed, number))
        text = self.last[2]
        started = time.perf_counter()
        try:
            run_target(target, text)
        except Failed as failure:
            return {"failure": "invariant", "detail": str(failure), "seconds": _since(started)}
        except Exception as error:
            return {
                "failure": "exception",
                "detail": f"{type(error).__name__}: {error}"[:1000],
                "where": _where(error),
                "traceback": traceback.format_exc()[-6000:],
                "seconds": _since(started),
            }
        seconds = _since(started)
        if seconds > SLOW_S:
            return {"failure": "slow", "detail": f"took {seconds:.1f} s", "seconds": seconds}
        return {"seconds": seconds}


def _since(started: float) -> float:
    return time.perf_counter() - started


def _where(error: BaseException) -> str:
    """The innermost frame in the project's code: what tells one bug from another."""
    frames = traceback.extract_tb(error.__traceback__)
    ours = [f for f in frames if "/server/" in f.filename or "/shared_schemas/" in f.filename]
    if not (ours or frames):
        return "?"
    frame = (ours or frames)[-1]
    return f"{Path(frame.filename).name}:{frame.lineno} {frame.name}"


# --- The parent ------------------------------------------------------------------------------


@dataclass
class Campaign:
    run_seed: int
    deadline: float
    pool: list[str]
    say: Say
    numbers: Iterator[int] = field(default_factory=itertools.count)
    lock: threading.Lock = field(default_factory=threading.Lock)
    tried: int = 0
    failed_inputs: set[int] = field(default_factory=set)
    kinds: dict[str, int] = field(default_factory=dict)
    saved: int = 0
    slowest: float = 0.0

    def next_number(self) -> int | None:
        with self.lock:
            return next(self.numbers) if time.perf_counter() < self.deadline else None

    def drive(self) -> None:
        """One worker thread: a child, given input after input until the time is up."""
        worker = self._start()
        try:
            while (number := self.next_number()) is not None:
                for target in TARGETS:
                    if worker is None or not worker.alive:
                        worker = self._start()
                    if worker is None:
                        return
                    question = {"seed": self.run_seed, "number": number, "target": target}
                    reply = worker.ask(question, HANG_S)
                    answer: Json
                    if reply.answer is None:
                        kind = {"timeout": "hang", "memory": "memory"}.get(
                            reply.failure or "", "crash"
                        )
                        answer = {
                            "failure": kind,
                            "detail": f"{reply.failure} after {reply.seconds:.1f} s; the child "
                            f"{worker.exit_description()}",
                            "stderr": worker.error_tail() if kind == "crash" else "",
                        }
                    else:
                        answer = reply.answer
                    self._note(number, target, answer)
                with self.lock:
                    self.tried += 1
        finally:
            if worker is not None:
                worker.close()

    def _start(self) -> Worker | None:
        worker = Worker("bench.fuzz")
        if worker.ready.answer is None:
            self.say(f"the fuzzing child did not start:\n{worker.error_tail()}")
            worker.close()
            return None
        return worker

    def _note(self, number: int, target: str, answer: Json) -> None:
        failure = answer.get("failure")
        with self.lock:
            if failure is None:
                self.slowest = max(self.slowest, float(answer["seconds"]))
                return
            # What tells one bug from another: where an exception was raised, which
            # invariant broke; a hang, crash or slow input is one kind per target.
            signature = f"{target} {failure}"
            if failure == "exception":
                signature += f": {answer.get('where')}"
            elif failure == "invariant":
                signature += f": {str(answer.get('detail'))[:40]}"
            first = signature not in self.kinds
            self.kinds[signature] = self.kinds.get(signature, 0) + 1
            self.failed_inputs.add(number)
            keep = self.saved < MAX_SAVED and self.kinds[signature] <= MAX_SAVED_PER_KIND
            if keep:
                self.saved += 1
        if first:
            self.say(f"  fuzz failure: {signature} ({answer.get('detail')})")
        if keep:
            try:
                self._save(number, target, answer)
            except (OSError, ValueError) as error:
                self.say(f"  could not save fuzz input {number}: {error!r}")

    def _save(self, number: int, target: str, answer: Json) -> None:
        text = fuzz_input(self.pool, self.run_seed, number)
        raw = to_bytes(text)
        digest = hashlib.sha1(raw).hexdigest()[:10]
        suffix = ".jsonl" if target == DATASET else target
        path = FAILURES / f"{self.run_seed}-{number}-{digest}{suffix}"
        FAILURES.mkdir(parents=True, exist_ok=True)
        path.write_bytes(raw)
        about = {
            "target": target,
            "run_seed": self.run_seed,
            "number": number,
            "replay": f"python -m bench.fuzz --replay {path.relative_to(REPO)}",
            **answer,
            # Exactly, lone surrogates included (the file beside holds them as bytes).
            "text": text,
        }
        path.with_name(path.name + ".json").write_text(json.dumps(about, indent=2) + "\n")


def measure_for(seconds: float, run_seed: int, workers: int, say: Say, record: Record) -> None:
    shutil.rmtree(FAILURES, ignore_errors=True)
    pool = seeds()
    campaign = Campaign(run_seed, time.perf_counter() + seconds, pool, say)
    say(
        f"fuzzing for {seconds:g} s with {workers} children: {len(pool)} seeds, run seed "
        f"{run_seed}, targets {', '.join(TARGETS)} ..."
    )
    threads = [threading.Thread(target=campaign.drive) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    failures = len(campaign.failed_inputs)
    say(
        f"fuzzing: {campaign.tried:,} inputs, {failures} failing"
        + (f"; saved to {FAILURES}" if campaign.saved else "")
    )
    for signature, count in sorted(campaign.kinds.items(), key=lambda kv: -kv[1]):
        say(f"  {count:5d} x {signature}")
    record("fuzz_inputs_tried", campaign.tried, "inputs")
    record("fuzz_failures", failures, "inputs")
    record("fuzz_failure_kinds", len(campaign.kinds), "kinds")
    record("fuzz_slowest_target_ms", campaign.slowest * 1000, "ms")


def default_workers() -> int:
    return max(1, min(8, os.cpu_count() or 1))


def measure(quick: bool, say: Say, record: Record) -> None:
    """As `make bench` runs it: 60 s (10 s with --quick), a run seed that changes each time."""
    run_seed = random.SystemRandom().randrange(1 << 31)
    measure_for(10.0 if quick else 60.0, run_seed, default_workers(), say, record)


def replay(path: Path) -> int:
    """Run the target named by the file's suffix on it, here; print what happens. The text
    comes from the `.json` beside the file when there is one (exact, lone surrogates and all),
    else from the file."""
    raw = path.read_bytes()
    text = raw.decode("utf-8", "surrogateescape")
    about = path.with_name(path.name + ".json")
    if about.is_file():
        text = json.loads(about.read_text(encoding="utf-8"))["text"]
    name = path.name
    target = (
        DATASET
        if name.endswith(".jsonl")
        else max((s for s in SUFFIXES if name.endswith(s)), key=len, default=".prompty")
    )
    print(f"{path}: {len(raw):,} bytes, target {target}")
    started = time.perf_counter()
    try:
        run_target(target, text)
    except Exception:
        traceback.print_exc()
        return 1
    finally:
        print(f"{time.perf_counter() - started:.3f} s")
    print("no failure")
    return 0


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    if arguments[:1] == ["--worker"]:
        child = Child()
        return serve(child.answer, child.warm_up)
    parser = section_parser("python -m bench.fuzz", __doc__, "bench-fuzz.json")
    parser.add_argument("--seconds", type=float, help="how long to fuzz (default 60, quick 10)")
    parser.add_argument("--seed", type=int, help="the run seed (default: a random one)")
    parser.add_argument("--workers", type=int, default=default_workers())
    parser.add_argument("--replay", type=Path, help="run one saved input again, here")
    args = parser.parse_args(arguments)
    if args.replay is not None:
        return replay(args.replay)
    seconds = args.seconds if args.seconds is not None else 10.0 if args.quick else 60.0
    run_seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 31)
    results: dict[str, Result] = {}
    say(f"Python {platform.python_version()}, {os.cpu_count()} CPUs")
    measure_for(seconds, run_seed, args.workers, say, recorder(results))
    return report(results, args.out)


if __name__ == "__main__":
    sys.exit(main())
