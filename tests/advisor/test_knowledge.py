"""Knowledge in context: retrieval placeholders, pasted data and reference sections."""

from __future__ import annotations

import pytest

from server.core.advisor.advisor_settings import AdvisorSettings
from server.core.advisor.knowledge import (
    DATA_RUN_LINES,
    REFERENCE_SECTION_CHARACTERS,
    is_retrieval_name,
    knowledge_in_context,
)
from tests.advisor.helpers import analyse, in_text_examples

SETTINGS = AdvisorSettings()


@pytest.mark.parametrize(
    ("name", "retrieval"),
    [
        ("context", True),
        ("documents", True),
        ("retrieved_docs", True),
        ("retrievedDocs", True),
        ("search_results", True),
        ("knowledge_base", True),
        ("doc.content", True),
        ("passages", True),
        ("sources", True),
        ("history", False),
        ("chat_history", False),
        ("conversation", False),
        ("thread", False),
        ("question", False),
        ("source_language", False),
        ("document_type", False),
        ("test_results", False),
        ("ticket", False),
    ],
)
def test_retrieval_names(name: str, retrieval: bool) -> None:
    assert is_retrieval_name(name) is retrieval


def test_a_retrieval_variable_is_knowledge_with_its_line() -> None:
    text = "system:\nAnswer from the documents.\n\n{{documents}}\nuser:\n{{question}}\n"
    condition = knowledge_in_context(analyse(text), SETTINGS)
    assert (condition.passed, condition.value) == (False, "1 retrieval placeholder")
    (evidence,) = condition.evidence
    assert (evidence.start_line, evidence.end_line) == (4, 4)
    assert evidence.text == "retrieval placeholder `documents`"


def test_a_prompty_retrieval_placeholder_is_knowledge() -> None:
    condition = knowledge_in_context(analyse("system:\nUse these.\n![docs]\nuser:\nhi\n"), SETTINGS)
    assert condition.passed is False


def test_history_alone_is_no_knowledge() -> None:
    text = "system:\nBe kind.\n{{history}}\n![thread]\nuser:\n{{question}}\n"
    condition = knowledge_in_context(analyse(text), SETTINGS)
    assert (condition.passed, condition.value, condition.measured) == (True, "none found", 0)


def table(rows: int) -> str:
    return "\n".join(f"| SKU-{n} | widget {n} | {n}.99 |" for n in range(rows))


@pytest.mark.parametrize(("rows", "passed"), [(DATA_RUN_LINES, False), (DATA_RUN_LINES - 1, True)])
def test_pasted_table_rows_from_the_run_length_on(rows: int, passed: bool) -> None:
    text = f"system:\nPrices:\n{table(rows)}\n\nAnswer briefly.\nuser:\n{{{{q}}}}\n"
    condition = knowledge_in_context(analyse(text), SETTINGS)
    assert condition.passed is passed
    if not passed:
        (evidence,) = condition.evidence
        assert (evidence.start_line, evidence.end_line) == (3, 2 + rows)


@pytest.mark.parametrize(
    "line",
    ['  "sku": "A-1",', "A-1,widget,9.99,blue", "A-1\twidget\t9.99"],
)
def test_json_csv_and_tsv_lines_are_data(line: str) -> None:
    body = "\n".join([line] * DATA_RUN_LINES)
    condition = knowledge_in_context(analyse(f"system:\n{body}\nuser:\nq\n"), SETTINGS)
    assert condition.passed is False


def test_prose_with_commas_is_not_data() -> None:
    body = "\n".join(["Be brief, polite, and exact, always."] * (DATA_RUN_LINES + 5))
    condition = knowledge_in_context(analyse(f"system:\n{body}\nuser:\nq\n"), SETTINGS)
    assert condition.passed is True


def test_data_inside_few_shot_examples_is_behaviour_not_knowledge() -> None:
    answer = "\n".join(f"| row {n} | value |" for n in range(DATA_RUN_LINES + 5))
    text = in_text_examples([("make a table", answer)])
    condition = knowledge_in_context(analyse(text), SETTINGS)
    assert condition.passed is True


def section(title: str, size: int) -> str:
    return f"## {title}\n" + "Our refund policy covers returns.\n" * (size // 33 + 1)


@pytest.mark.parametrize(
    ("title", "size", "passed"),
    [
        ("Reference", REFERENCE_SECTION_CHARACTERS, False),
        ("Reference", REFERENCE_SECTION_CHARACTERS - 100, True),
        ("Tone of voice", REFERENCE_SECTION_CHARACTERS * 2, True),  # instructions, however long
    ],
)
def test_long_reference_sections(title: str, size: int, passed: bool) -> None:
    text = f"system:\n# Support\n{section(title, size)}\n## Rules\nBe kind.\nuser:\nq\n"
    condition = knowledge_in_context(analyse(text), SETTINGS)
    assert condition.passed is passed


def test_a_long_tagged_reference_block_is_knowledge() -> None:
    body = "Widgets ship in five days.\n" * 100
    text = f"system:\n<documents>\n{body}</documents>\nAnswer from them.\nuser:\nq\n"
    condition = knowledge_in_context(analyse(text), SETTINGS)
    assert condition.passed is False
    (evidence,) = condition.evidence
    assert (evidence.start_line, evidence.end_line) == (2, 103)  # <documents> to </documents>


def test_a_chat_json_prompts_structure_is_not_data() -> None:
    messages = ",\n".join(
        f'  {{"role": "user", "content": "line {n}"}}' for n in range(DATA_RUN_LINES + 5)
    )
    condition = knowledge_in_context(analyse(f"[\n{messages}\n]\n", "t.chat.json"), SETTINGS)
    assert condition.passed is True
