"""What a prompt file weighs: its parse, the tokens of each message and example, and the
figures (overhead, tools, saturation, cost) that follow from its model."""

from __future__ import annotations

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
from server.core.prompt_model import (
    FewShotExample,
    Message,
    Problem,
    PromptDocument,
    PromptFormat,
    Span,
    value_object,
)
from server.core.prompt_parser import PartialReader, detect_format, parse_prompt


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


@dataclass(frozen=True)
class PromptAnalysis:
    format: PromptFormat
    file_model: str | None  # as the file names it
    model: ModelChoice
    document: PromptDocument | None  # None: skipped, or JSON/YAML that is not a prompt
    messages: tuple[MessageWeight, ...] = ()
    examples: tuple[ExampleWeight, ...] = ()
    figures: Figures | None = None
    skipped: Skip | None = None
    usage_problems: tuple[Problem, ...] = ()

    @property
    def prompt_tokens(self) -> int | None:
        """The tokens of every message's content; frontmatter is configuration, not content."""
        if self.document is None:
            return None
        return sum(m.tokens for m in self.messages)


def analyse_prompt(
    file_name: str,
    text: str,
    settings: AnalysisSettings,
    read_partial: PartialReader | None = None,
) -> PromptAnalysis:
    format = detect_format(file_name, text)
    skipped = why_not_counted(text, settings.max_characters)
    if skipped is not None:
        return PromptAnalysis(
            format, None, choose_model(None, settings.models), None, skipped=skipped
        )
    document = parse_prompt(file_name, text, read_partial)
    if document is None:
        return PromptAnalysis(format, None, choose_model(None, settings.models), None)
    model = choose_model(document.metadata.model, settings.models)
    counter = model.counter
    # The messages are counted on worker threads while the few-shot examples are found; then
    # what examples hold beyond whole messages (chat pairs are whole messages) is counted.
    contents = [m.content for m in document.messages]
    counting = counter.start_counting(contents)
    found = document.examples
    whole = set(contents)
    extra = list(dict.fromkeys(t for e in found for t in (e.input, e.output) if t not in whole))
    counting_extra = counter.start_counting(extra)
    tokens = dict(zip(contents, counting.result(), strict=True))
    tokens.update(zip(extra, counting_extra.result(), strict=True))
    messages = tuple(map(MessageWeight, document.messages, map(tokens.__getitem__, contents)))
    examples = tuple(ExampleWeight(e, tokens[e.input], tokens[e.output]) for e in found)
    usage, usage_problems = usage_from_file(
        document.metadata, text, document.frontmatter, settings.usage
    )
    figures = figures_for(
        model.entry,
        usage,
        prompt_tokens=sum(m.tokens for m in messages),
        overhead=overhead_tokens(document.messages),
        tools=tool_tokens(document.metadata, counter),
        few_shot=sum(e.input_tokens + e.output_tokens for e in examples),
        system=system_share(
            [m.message.role for m in messages],
            [m.tokens for m in messages],
            [(e.example.message_index, e.input_tokens + e.output_tokens) for e in examples],
        ),
    )
    return PromptAnalysis(
        format=document.format,
        file_model=document.metadata.model,
        model=model,
        document=document,
        messages=messages,
        examples=examples,
        figures=figures,
        usage_problems=tuple(usage_problems + figure_problems(figures, usage, _top(document))),
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
        return []
    at = _top(analysis.document)
    problems = list(analysis.document.problems) + list(analysis.usage_problems)
    counter_note = analysis.model.counter.note
    for note in analysis.model.notes:
        code = "approximate-count" if note == counter_note else "unknown-model"
        problems.append(Problem("information", code, note, at))
    return sorted(problems, key=lambda p: p.span.start)
