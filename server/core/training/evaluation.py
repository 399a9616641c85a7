"""The proof after a fine-tune, without torch: what `promptweight eval RUN_DIR` asks the two
models, how their answers are scored, and what the short prompt saves. The trainer process
(`server/training/evaluate.py`) generates; the CLI (`server/cli_eval.py`) counts and prices.
Both build the same cases from the same files here, so the prompts they measure agree.

For each record of the run's `heldout.jsonl`:
- the short prompt is the record's own messages up to its last assistant turn: what the
  adapter was trained on (the export strips the few-shot examples from the system text);
- the full prompt is the original prompt's messages as written, examples and template
  variables included, with its last user turn replaced by the record's. An example that is the
  held-out record itself is left out of it, or the base model could copy the answer.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from server.core.advisor.output_shapes import consistency, output_form
from server.core.atomic_files import write_bytes_atomically
from server.core.datasets.export import without_spans
from server.core.economics import DAYS_PER_MONTH, REPLY_PRIMING_TOKENS, TOKENS_PER_MESSAGE
from server.core.few_shot import in_text_examples
from server.core.json_values import TooDeepError, loads_bounded
from server.core.partials import partials_beside
from server.core.prompt_analysis import AnalysisSettings, PromptAnalysis, analyse_prompt
from server.core.prompt_files import is_prompt_file, prompt_stem
from server.core.prompt_model import FewShotExample, Message, PromptDocument, Role, Span
from server.core.safe_files import read_regular_bytes
from server.core.source_text import decode_source
from server.core.token_counters import TokenCounter
from shared_schemas.evaluation import (
    EVAL_FILE,
    EvalExample,
    EvalReport,
    EvalTotals,
    ProjectedSaving,
)
from shared_schemas.training import TrainingConfig

Chat = list[dict[str, str]]
HELD_OUT = "heldout.jsonl"
ADAPTER = "adapter_config.json"
MAX_HELD_OUT_BYTES = 256 << 20
DATASET_SUFFIXES = (".train.jsonl", ".jsonl")  # `<stem>.train.jsonl` is what the export names


class EvalSetupError(Exception):
    """The run cannot be evaluated as asked; the message says why (a usage error)."""


@dataclass(frozen=True)
class HeldOutRecord:
    prompt: Chat  # the messages before the last assistant turn
    expected: str  # that turn
    held_out: bool


@dataclass(frozen=True)
class EvalCase:
    given: str  # the record's last user turn
    expected: str
    full: Chat
    short: Chat
    held_out: bool
    example_left_out: bool


def require_adapter(run_dir: Path) -> None:
    if not run_dir.is_dir():
        raise EvalSetupError(f"{run_dir} is not a run folder")
    if not (run_dir / ADAPTER).is_file():
        raise EvalSetupError(f"{run_dir} has no adapter yet: the run has not finished")


def held_out_records(run_dir: Path) -> list[HeldOutRecord]:
    """The records of `heldout.jsonl` that end in an assistant answer, in file order."""
    try:
        raw = read_regular_bytes(run_dir / HELD_OUT, MAX_HELD_OUT_BYTES)
    except FileNotFoundError:
        raise EvalSetupError(
            f"{run_dir} has no {HELD_OUT} (a run from an older version?)"
        ) from None
    except OSError as error:
        raise EvalSetupError(f"cannot read {run_dir / HELD_OUT}: {error}") from error
    records = []
    for number, line in enumerate(raw.decode("utf-8", errors="replace").splitlines(), 1):
        try:
            record = json.loads(line)
            messages = [
                {"role": str(m["role"]), "content": str(m["content"])} for m in record["messages"]
            ]
        except (ValueError, TypeError, KeyError) as error:
            raise EvalSetupError(
                f"{run_dir / HELD_OUT}:{number}: not a chat record ({error})"
            ) from None
        last = max((i for i, m in enumerate(messages) if m["role"] == "assistant"), default=None)
        if last is not None:
            records.append(
                HeldOutRecord(
                    messages[:last], messages[last]["content"], record.get("heldOut") is True
                )
            )
    if not records:
        raise EvalSetupError(f"{run_dir / HELD_OUT} holds no example with an assistant answer")
    return records


def _config_folder(run_dir: Path, output_dir: str) -> Path | None:
    """The folder the run's config was read from: the run is `<folder>/<outputDir>/<name>`."""
    if Path(output_dir).is_absolute():
        return None
    folder = run_dir.resolve().parent
    for _ in Path(output_dir).parts:
        folder = folder.parent
    # `..` in outputDir, or a link on the way: then the walk above went elsewhere.
    return folder if (folder / output_dir).resolve() == run_dir.resolve().parent else None


def _dataset_stem(name: str) -> str:
    for suffix in DATASET_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def find_prompt(run_dir: Path) -> Path:
    """The prompt whose export the run trained on: `<stem>.<prompt ext>` beside one of the
    config's datasets, `<stem>.train.jsonl`. Raises `EvalSetupError` for none or several."""
    try:
        config = TrainingConfig.model_validate_json((run_dir / "train.json").read_bytes())
    except (OSError, ValidationError) as error:
        raise EvalSetupError(f"cannot read {run_dir / 'train.json'}: {error}") from None
    folder = _config_folder(run_dir, config.output_dir)
    found: list[Path] = []
    for dataset in config.datasets:
        path = Path(dataset) if Path(dataset).is_absolute() or folder is None else folder / dataset
        if not path.is_absolute() or not path.parent.is_dir():
            continue
        stem = _dataset_stem(path.name)
        found += sorted(
            entry
            for entry in path.parent.iterdir()
            if is_prompt_file(entry.name) and prompt_stem(entry.name) == stem and entry.is_file()
        )
    if len(found) != 1:
        named = f"several ({', '.join(map(str, found))})" if found else "none"
        raise EvalSetupError(
            f"which prompt did {run_dir} learn? found {named} beside its datasets: "
            "give it with --prompt FILE"
        )
    return found[0]


def read_prompt(path: Path, settings: AnalysisSettings) -> PromptAnalysis:
    """The prompt's analysis; `EvalSetupError` when it cannot be read or is no prompt."""
    try:
        raw = read_regular_bytes(path, 4 * settings.max_characters)
    except OSError as error:
        raise EvalSetupError(f"cannot read {path}: {error.strerror or error}") from None
    text = decode_source(raw).text
    analysis = analyse_prompt(
        path.name, text, settings, partials_beside(path, settings.max_characters)
    )
    if analysis.document is None or not analysis.document.messages:
        raise EvalSetupError(f"{path} is not a prompt with messages")
    return analysis


def _in_text_span(document: PromptDocument, message: Message, example: FewShotExample) -> Span:
    """Where an in-text example lies, relative to its message's content."""
    region = message.content_span
    if document.text[region.start : region.end] == message.content:
        return Span(example.span.start - region.start, example.span.end - region.start)
    # Content that is not verbatim source (a JSON string with escapes): found again in it.
    whole = Span(0, len(message.content))
    alone = Message(message.role, message.content, span=whole, content_span=whole)
    for found in in_text_examples(message.content, [alone])[0]:
        if (found.input, found.output) == (example.input, example.output):
            return found.span
    return Span(0, 0)


def full_prompt(document: PromptDocument, given: str, left_out: FewShotExample | None) -> Chat:
    """The prompt's messages as written, with `given` as its last user turn, less `left_out`."""
    messages = list(document.messages)
    last_user = max((i for i, m in enumerate(messages) if m.role is Role.USER), default=None)
    # A last user message that holds written examples keeps them; the input comes after it.
    keeps_examples = any(e.message_index == last_user for e in document.examples)
    end = len(messages) if last_user is None else last_user + keeps_examples
    chat: Chat = []
    skip = -1
    for index, message in enumerate(messages[:end]):
        if index == skip:
            continue
        content = message.content
        if left_out is not None and left_out.kind == "chat-pair":
            if message.span.start == left_out.span.start:
                skip = index + 1  # the pair's answer
                continue
        elif left_out is not None and left_out.message_index == index:
            content = without_spans(content, [_in_text_span(document, message, left_out)])
        chat.append({"role": message.role.value, "content": content})
    return [*chat, {"role": "user", "content": given}]


def eval_cases(document: PromptDocument, records: Sequence[HeldOutRecord]) -> list[EvalCase]:
    cases = []
    for record in records:
        given = next((m["content"] for m in reversed(record.prompt) if m["role"] == "user"), "")
        example = next(
            (e for e in document.examples if (e.input, e.output) == (given, record.expected)),
            None,
        )
        cases.append(
            EvalCase(
                given=given,
                expected=record.expected,
                full=full_prompt(document, given, example),
                short=record.prompt,
                held_out=record.held_out,
                example_left_out=example is not None,
            )
        )
    return cases


@dataclass(frozen=True)
class FormatRule:
    """What a valid answer looks like: the format most expected outputs share."""

    kind: str = ""  # "json", "label" or "shape"; "": no format to check
    key: tuple[str, ...] = ()  # a JSON object's sorted keys, or a shape's line kinds
    labels: frozenset[str] = field(default_factory=frozenset)
    described: str = ""

    def valid(self, answer: str) -> bool | None:
        if not self.kind:
            return None
        form = output_form(answer)
        if self.kind == "label":
            return form.kind == "label" and form.key[0] in self.labels
        return form.kind == self.kind and form.key == self.key


def format_rule(outputs: Sequence[str]) -> FormatRule:
    """The format of the largest group of outputs that share one (the advisor's format
    stability), when it holds most of them; otherwise no format is checked, since a rule
    drawn from a minority would call most expected outputs invalid themselves."""
    forms = [output_form(output) for output in outputs]
    group = consistency(forms)
    if 2 * group.consistent <= len(forms):
        return FormatRule()
    first = forms[group.members[0]]
    if first.kind == "label":
        labels = frozenset(forms[i].key[0] for i in group.members)
        return FormatRule("label", labels=labels, described=group.form)
    return FormatRule(first.kind, first.key, described=group.form)


def _json_value(text: str) -> Any:
    if not text.startswith(("{", "[")):
        return None
    try:
        return loads_bounded(text)
    except (ValueError, TooDeepError, RecursionError):
        return None


def same_answer(answer: str, expected: str) -> bool:
    """Exact match, leading and trailing space aside; JSON by value (key order and spacing
    are not the answer)."""
    answer, expected = answer.strip(), expected.strip()
    if answer == expected:
        return True
    value = _json_value(expected)
    return value is not None and _json_value(answer) == value


@dataclass(frozen=True)
class Generated:
    """One side's answers, in the cases' order, from the trainer."""

    answers: list[str]
    prompt_tokens: list[int]
    answer_tokens: list[int]
    seconds: float


def score(
    cases: Sequence[EvalCase], rule: FormatRule, full: Generated, short: Generated
) -> tuple[list[EvalExample], EvalTotals, EvalTotals]:
    rows = [
        EvalExample(
            input=case.given,
            expected=case.expected,
            answer_full=full.answers[i],
            answer_short=short.answers[i],
            valid_full=rule.valid(full.answers[i]),
            valid_short=rule.valid(short.answers[i]),
            match_full=same_answer(full.answers[i], case.expected),
            match_short=same_answer(short.answers[i], case.expected),
            prompt_tokens_full=full.prompt_tokens[i],
            prompt_tokens_short=short.prompt_tokens[i],
            held_out=case.held_out,
            example_left_out=case.example_left_out,
        )
        for i, case in enumerate(cases)
    ]
    return rows, _totals(rows, rule, full, "full"), _totals(rows, rule, short, "short")


def _totals(rows: list[EvalExample], rule: FormatRule, side: Generated, name: str) -> EvalTotals:
    count = max(len(rows), 1)
    valid = sum(bool(getattr(row, f"valid_{name}")) for row in rows) if rule.kind else None
    matches = sum(bool(getattr(row, f"match_{name}")) for row in rows)
    return EvalTotals(
        valid=valid,
        valid_rate=None if valid is None else valid / count,
        matches=matches,
        match_rate=matches / count,
        prompt_tokens_per_call=sum(side.prompt_tokens) / count,
        answer_tokens_per_call=sum(side.answer_tokens) / count,
        seconds_per_call=side.seconds / count,
    )


def billed_tokens(counter: TokenCounter, chat: Chat) -> int:
    """A chat's input tokens as the prompt's model is billed: contents plus chat framing."""
    contents = counter.count_all([m["content"] for m in chat])
    return sum(contents) + TOKENS_PER_MESSAGE * len(chat) + REPLY_PRIMING_TOKENS


def projected_saving(
    analysis: PromptAnalysis, cases: Sequence[EvalCase], calls_per_day: int | None
) -> ProjectedSaving:
    """The short prompt's saving against the full one, with the prompt model's counter and
    input price, at `calls_per_day` (None: the prompt's own volume)."""
    counter = analysis.model.counter
    count = max(len(cases), 1)
    full = sum(billed_tokens(counter, case.full) for case in cases) / count
    short = sum(billed_tokens(counter, case.short) for case in cases) / count
    price = analysis.model.entry.input_usd_per_million
    figures = analysis.figures
    calls = calls_per_day if calls_per_day is not None else figures.calls_per_day if figures else 0
    saved = full - short
    return ProjectedSaving(
        model=analysis.model.entry.id,
        exact_counts=analysis.exact,
        prompt_tokens_full=full,
        prompt_tokens_short=short,
        tokens_saved_per_call=saved,
        calls_per_day=calls,
        input_price_per_million=price,
        saving_per_month_usd=saved * calls * DAYS_PER_MONTH * price / 1_000_000,
    )


def eval_command(
    python: str, run_dir: Path, prompt: Path, max_new_tokens: int, batch_size: int
) -> list[str]:
    """The trainer's argument list for a comparison (never a shell)."""
    return [
        python,
        "-I",
        "-m",
        "server.training",
        "eval",
        str(run_dir),
        "--prompt",
        str(prompt),
        "--max-new-tokens",
        str(max_new_tokens),
        "--batch-size",
        str(batch_size),
    ]


def completed_report(
    report: EvalReport,
    analysis: PromptAnalysis,
    cases: Sequence[EvalCase],
    calls_per_day: int | None,
    run_dir: Path,
) -> EvalReport:
    """The trainer's report with the prompt-side saving, kept in the run folder as `eval.json`
    (the advisor reads it as the proof, and a GPU's measured serving speed)."""
    done = report.model_copy(update={"saving": projected_saving(analysis, cases, calls_per_day)})
    text = done.model_dump_json(by_alias=True, indent=2) + "\n"
    write_bytes_atomically(run_dir / EVAL_FILE, text.encode("utf-8"))
    return done
