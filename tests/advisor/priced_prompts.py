"""Prompts whose token counts are known by construction, for the advisor's cost arithmetic.

In o200k_base, `cat cat … cat` of n words is n tokens, so a test can work its figures out by
hand from the word counts; each test still asserts the counts it relies on.
"""

from __future__ import annotations

from server.core.model_choice import ModelSettings
from server.core.prompt_analysis import AnalysisSettings, PromptAnalysis, analyse_prompt
from shared_schemas.model_catalog import ModelOverride


def cats(words: int) -> str:
    return " ".join(["cat"] * words)


def prompty(
    model: str = "gpt-4o-mini",
    system_words: int = 1000,
    example_words: int = 500,
    calls_per_day: int = 1000,
    frontmatter: str = "",
) -> str:
    """A system message of `system_words` words and one in-text example whose input has
    `example_words` words and whose output is `hardware` (1 token), then `{{ticket}}` alone in
    the user turn; 100 output tokens. gpt-4o-mini counts its messages as
    (system_words + example_words + 7, 3): the `Input:` / `Output:` lines add 7."""
    return f"""---
model:
  configuration:
    name: {model}
  parameters:
    max_tokens: 100
promptweight:
  callsPerDay: {calls_per_day}
{frontmatter}---
system:
{cats(system_words)}
Input: {cats(example_words)}
Output: hardware

user:
{{{{ticket}}}}
"""


def analysed(
    text: str, file_name: str = "triage.prompty", overrides: dict[str, ModelOverride] | None = None
) -> PromptAnalysis:
    models = ModelSettings(overrides=tuple((overrides or {}).items()))
    return analyse_prompt(file_name, text, AnalysisSettings(models=models))
