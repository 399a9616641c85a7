"""What a prompt file weighs: its parse, plus the tokens of each message and example."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import tiktoken

from server.core.document_weight import DEFAULT_MAX_DOCUMENT_CHARACTERS, Skip, why_not_counted
from server.core.encodings import get_encoding
from server.core.prompt_model import (
    FewShotExample,
    Message,
    Problem,
    PromptDocument,
    PromptFormat,
    Span,
)
from server.core.prompt_parser import PartialReader, detect_format, parse_prompt
from server.core.token_count import count_tokens
from server.core.tokenizer_choice import TokenizerChoice, choose_tokenizer

# Texts up to this size are remembered, so unchanged messages are not re-encoded on each
# keystroke; larger ones would make the cache hold megabytes per entry.
_CACHED_TEXT_LIMIT = 16_384
_PROVIDER_PREFIX = re.compile(r"^[\w.-]+/")
_TRAILING_NOTE = re.compile(r"\s*\([^)]*\)\s*$")


@lru_cache(maxsize=4096)
def _cached_count(encoding_name: str, text: str) -> int:
    return count_tokens(get_encoding(encoding_name), text)


def tokens_of(encoding: tiktoken.Encoding, text: str) -> int:
    if len(text) <= _CACHED_TEXT_LIMIT:
        return _cached_count(encoding.name, text)
    return count_tokens(encoding, text)


def normalise_model_name(name: str) -> str:
    """`openai/GPT-4o`, `GPT-4o (copilot)` → `gpt-4o`: the spelling of tiktoken's model table."""
    bare = _TRAILING_NOTE.sub("", _PROVIDER_PREFIX.sub("", name.strip()))
    return bare.lower().replace(" ", "-")


@dataclass(frozen=True)
class MessageWeight:
    message: Message
    tokens: int


@dataclass(frozen=True)
class ExampleWeight:
    example: FewShotExample
    input_tokens: int
    output_tokens: int


@dataclass(frozen=True)
class PromptAnalysis:
    format: PromptFormat
    file_model: str | None  # as the file names it
    tokenizer: TokenizerChoice
    document: PromptDocument | None  # None: skipped, or JSON/YAML that is not a prompt
    messages: tuple[MessageWeight, ...] = ()
    examples: tuple[ExampleWeight, ...] = ()
    skipped: Skip | None = None

    @property
    def prompt_tokens(self) -> int | None:
        """The tokens of every message's content; frontmatter is configuration, not content."""
        if self.document is None:
            return None
        return sum(m.tokens for m in self.messages)


def choose_model_tokenizer(file_model: str | None, default_model: str) -> TokenizerChoice:
    """The file's own model when it names one, else the configured default."""
    if file_model:
        choice = choose_tokenizer(normalise_model_name(file_model))
        return TokenizerChoice(file_model, choice.encoding, choice.exact, choice.note)
    return choose_tokenizer(default_model)


def analyse_prompt(
    file_name: str,
    text: str,
    default_model: str,
    max_characters: int = DEFAULT_MAX_DOCUMENT_CHARACTERS,
    read_partial: PartialReader | None = None,
) -> PromptAnalysis:
    format = detect_format(file_name, text)
    skipped = why_not_counted(text, max_characters)
    if skipped is not None:
        return PromptAnalysis(format, None, choose_tokenizer(default_model), None, skipped=skipped)
    document = parse_prompt(file_name, text, read_partial)
    if document is None:
        return PromptAnalysis(format, None, choose_tokenizer(default_model), None)
    tokenizer = choose_model_tokenizer(document.metadata.model, default_model)
    encoding = get_encoding(tokenizer.encoding)
    return PromptAnalysis(
        format=document.format,
        file_model=document.metadata.model,
        tokenizer=tokenizer,
        document=document,
        messages=tuple(MessageWeight(m, tokens_of(encoding, m.content)) for m in document.messages),
        examples=tuple(
            ExampleWeight(e, tokens_of(encoding, e.input), tokens_of(encoding, e.output))
            for e in document.examples
        ),
    )


def analysis_problems(analysis: PromptAnalysis) -> list[Problem]:
    """Everything worth telling the author: parse problems, why nothing was counted, and
    whether the counts are only approximate."""
    start = Span(0, 0)
    if analysis.skipped is not None:
        return [
            Problem(
                "error", analysis.skipped.code, f"not counted: {analysis.skipped.reason}", start
            )
        ]
    problems = list(analysis.document.problems) if analysis.document else []
    if analysis.document is not None and analysis.tokenizer.note:
        at = analysis.document.frontmatter or start
        problems.append(
            Problem(
                "information",
                "approximate-count",
                analysis.tokenizer.note,
                Span(at.start, at.start),
            )
        )
    return problems
