"""What a prompt file weighs: its parse, the tokens of each message and example, and the
figures (overhead, tools, saturation, cost) that follow from its model."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from server.core.countable import DEFAULT_MAX_DOCUMENT_CHARACTERS, Skip, why_not_counted
from server.core.economics import (
    Figures,
    UsageDefaults,
    figure_problems,
    figures_for,
    overhead_tokens,
    system_share,
    tool_tokens,
    usage_from_file,
)
from server.core.model_choice import ModelChoice, ModelSettings, choose_model
from server.core.prompt_files import is_prompt_file
from server.core.prompt_model import (
    FewShotExample,
    Message,
    Metadata,
    Problem,
    PromptDocument,
    PromptFormat,
    Span,
    value_object,
)
from server.core.prompt_parser import PartialReader, detect_format, parse_prompt
from server.core.token_counters import PendingCounts


@dataclass(frozen=True)
class AnalysisSettings:
    models: ModelSettings = field(default_factory=ModelSettings)
    usage: UsageDefaults = field(default_factory=UsageDefaults)
    max_characters: int = DEFAULT_MAX_DOCUMENT_CHARACTERS


@value_object
class MessageWeight:
    message: Message
    tokens: int


@value_object
class ExampleWeight:
    example: FewShotExample
    input_tokens: int
    output_tokens: int


NOT_CHAT_CODE = "not-chat"
NOT_CHAT_MESSAGE = (
    "a chat file holds a list of {role, content} messages, or an object whose `messages` is one"
)


@dataclass(frozen=True)
class PromptAnalysis:
    format: PromptFormat
    file_model: str | None  # as the file names it
    model: ModelChoice
    document: PromptDocument | None  # None: skipped, or JSON/YAML that is not a prompt
    message_tokens: tuple[int, ...] = ()  # of each of the document's messages
    example_tokens: tuple[tuple[int, int], ...] = ()  # of each example's input and output
    figures: Figures | None = None
    skipped: Skip | None = None
    usage_problems: tuple[Problem, ...] = ()
    # Why some text was counted only approximately (a tokenizer that refused it whole).
    count_notes: tuple[str, ...] = ()

    @property
    def exact(self) -> bool:
        """Whether every count is the model's own tokenizer's, exactly."""
        return self.model.exact and not self.count_notes

    # The weights are built on first use: the figures of a large prompt go out before.
    @functools.cached_property
    def messages(self) -> tuple[MessageWeight, ...]:
        if self.document is None:
            return ()
        return tuple(map(MessageWeight, self.document.messages, self.message_tokens))

    @functools.cached_property
    def examples(self) -> tuple[ExampleWeight, ...]:
        if self.document is None:
            return ()
        return tuple(
            ExampleWeight(example, given, answer)
            for example, (given, answer) in zip(
                self.document.examples, self.example_tokens, strict=True
            )
        )

    @property
    def prompt_tokens(self) -> int | None:
        """The tokens of every message's content; frontmatter is configuration, not content."""
        if self.document is None:
            return None
        return sum(self.message_tokens)


class AnalysisStopped(Exception):
    """The caller no longer wants this analysis (a newer version, or its time ran out)."""


def _never() -> bool:
    return False


# Most problems one file reports; the rest are summed up in one more.
MAX_PROBLEMS = 1000


def not_counted(format: PromptFormat, settings: AnalysisSettings, skip: Skip) -> PromptAnalysis:
    """The analysis of a text that was not counted: why, and the model it would have used."""
    return PromptAnalysis(format, None, choose_model(None, settings.models), None, skipped=skip)


def analyse_prompt(
    file_name: str,
    text: str,
    settings: AnalysisSettings,
    read_partial: PartialReader | None = None,
    should_stop: Callable[[], bool] = _never,
) -> PromptAnalysis:
    """The whole analysis of one prompt file. `should_stop` is asked between its phases (parse,
    examples, counts); when it answers True the analysis raises `AnalysisStopped`, so that work
    nobody waits for any more ends early and gives its core back."""
    format = detect_format(file_name, text)
    skipped = why_not_counted(text, settings.max_characters)
    if skipped is not None:
        return not_counted(format, settings, skipped)
    # Counting starts as soon as the parser knows the messages' contents, on worker threads,
    # while the parse goes on and few-shot examples are found.
    counting: list[tuple[ModelChoice, PendingCounts]] = []

    def start_counting(metadata: Metadata, contents: Iterator[str]) -> None:
        model = choose_model(metadata.model, settings.models)
        # The text's length hints at the contents' (partials can make them longer).
        counting.append((model, model.counter.start_counting(contents, len(text))))

    document = parse_prompt(file_name, text, read_partial, start_counting)
    if document is None:
        # JSON or YAML without messages: configuration, unless its name says it is a chat
        # (`.chat.json`), which makes it a broken prompt, in the editor and in CI alike.
        broken = (Problem("error", NOT_CHAT_CODE, NOT_CHAT_MESSAGE, Span(0, 0)),)
        problems = broken if is_prompt_file(file_name) else ()
        return PromptAnalysis(
            format, None, choose_model(None, settings.models), None, usage_problems=problems
        )
    # `parse_prompt` announces the contents exactly once for every document it returns.
    [(model, pending)] = counting
    counter = model.counter
    if should_stop():
        pending.cancel()
        raise AnalysisStopped
    found = document.examples
    if should_stop():
        pending.cancel()
        raise AnalysisStopped
    # Then what examples hold beyond whole messages (chat pairs are whole messages).
    whole = set(pending.texts)
    extra = list(dict.fromkeys(t for e in found for t in (e.input, e.output) if t not in whole))
    pending_extra = counter.start_counting(extra, sum(map(len, extra)))
    tokens = dict(zip(pending.texts, pending.result(), strict=True))
    tokens.update(zip(extra, pending_extra.result(), strict=True))
    count_notes = tuple(dict.fromkeys(why for _, why in pending.notes + pending_extra.notes))
    message_tokens = tuple(tokens[m.content] for m in document.messages)
    example_tokens = tuple((tokens[e.input], tokens[e.output]) for e in found)
    usage, usage_problems = usage_from_file(
        document.metadata, text, document.frontmatter, settings.usage
    )
    figures = figures_for(
        model.entry,
        usage,
        prompt_tokens=sum(message_tokens),
        overhead=overhead_tokens(document.messages),
        tools=tool_tokens(document.metadata, counter),
        few_shot=sum(given + answer for given, answer in example_tokens),
        system=system_share(
            [m.role for m in document.messages],
            list(message_tokens),
            [
                (e.message_index, given + answer)
                for e, (given, answer) in zip(found, example_tokens, strict=True)
            ],
        ),
    )
    return PromptAnalysis(
        format=document.format,
        file_model=document.metadata.model,
        model=model,
        document=document,
        message_tokens=message_tokens,
        example_tokens=example_tokens,
        figures=figures,
        usage_problems=tuple(usage_problems + figure_problems(figures, usage, _top(document))),
        count_notes=count_notes,
    )


def _top(document: PromptDocument) -> Span:
    """Where file-wide diagnostics go: the frontmatter's first line, else the first line."""
    first_line_end = document.text.find("\n")
    end = len(document.text) if first_line_end == -1 else first_line_end
    start = document.frontmatter.start if document.frontmatter else 0
    return Span(start, max(start, min(end, start + 3 if document.frontmatter else end)))


def analysis_problems(analysis: PromptAnalysis) -> list[Problem]:
    """Everything worth telling the author: parse problems, why nothing was counted, the
    model's notes, and the figures' warnings."""
    if analysis.skipped is not None:
        reason = f"not counted: {analysis.skipped.reason}"
        return [Problem("error", analysis.skipped.code, reason, Span(0, 0))]
    if analysis.document is None:
        return list(analysis.usage_problems)
    at = _top(analysis.document)
    problems = list(analysis.document.problems) + list(analysis.usage_problems)
    counter_note = analysis.model.counter.note
    for note in analysis.model.notes:
        code = "approximate-count" if note == counter_note else "unknown-model"
        problems.append(Problem("information", code, note, at))
    for note in analysis.count_notes:
        problems.append(Problem("information", "approximate-count", f"approximate: {note}", at))
    problems.sort(key=lambda p: p.span.start)
    if len(problems) > MAX_PROBLEMS:
        rest = len(problems) - MAX_PROBLEMS
        more = Problem("information", "more-problems", f"{rest:,} more problems not shown", at)
        problems = [*problems[:MAX_PROBLEMS], more]
    return problems
