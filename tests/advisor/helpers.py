"""Analyses of small prompt texts, as the advisor gets them."""

from __future__ import annotations

from server.core.prompt_analysis import AnalysisSettings, PromptAnalysis, analyse_prompt


def analyse(text: str, name: str = "task.prompty") -> PromptAnalysis:
    return analyse_prompt(name, text, AnalysisSettings())


def in_text_examples(pairs: list[tuple[str, str]], live: str = "{{ticket}}") -> str:
    """A Prompty file whose system message holds `Input:` / `Output:` examples."""
    blocks = "\n\n".join(f"Input: {given}\nOutput: {answer}" for given, answer in pairs)
    return f"system:\nAnswer as the examples do.\n\n{blocks}\n\nuser:\n{live}\n"
