"""One word, one number: the CLI's table, its JSON, and what the server sends for the same file
show the same figure under the same name. "Input tokens" is what one call sends (content, chat
overhead, tools and output schema); "content tokens" is the messages' content alone. (The
status bar's words are checked in client/test/statusText.test.ts.)"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lsprotocol import types

from shared_schemas import DocumentStats
from tests.lsp.conftest import PromptClient
from tests.test_cli import check, check_json

# Each with chat overhead, so that the two figures differ and a swap shows; one with tools too.
FILES = {
    "triage.prompty": (
        "---\nmodel: gpt-4o\n---\nsystem:\nSort the ticket into a team.\nuser:\n{{ticket}}\n"
    ),
    "tools.prompty": (
        "---\nmodel:\n  id: gpt-4o\ntools:\n  - type: function\n    function:\n"
        "      name: lookup\n      description: Find an order by its number.\n---\n"
        "system:\nHelp with orders.\nuser:\nWhere is order 42?\n"
    ),
    "classify.jinja2": (
        "---\nmodel: gpt-4o\n---\n# system:\nClassify the text.\n# user:\n{{text}}\n"
    ),
}
# Linear: each run (`[\d,≈]+`, ` +`) ends at a character the next piece must start with.
TABLE_LINE = re.compile(
    r"^ *(?P<input>[\d,≈]+) input tokens +(?P<content>[\d,≈]+) content tokens +\S+"
)
ROW = re.compile(r"^\| (?P<label>[^|]+?) \| (?P<count>[\d,≈]+) \|$")


def number(shown: str) -> int:
    return int(shown.replace(",", "").replace("≈", ""))


async def server_stats(client: PromptClient, path: Path, text: str) -> DocumentStats:
    client.open(path.as_uri(), text)
    return await client.stats(path.as_uri())


async def breakdown_rows(client: PromptClient, path: Path) -> dict[str, int]:
    hover = await client.lsp.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(path.as_uri()), types.Position(0, 0))
    )
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    rows = (ROW.match(line.replace("**", "")) for line in hover.contents.value.splitlines())
    return {m["label"]: number(m["count"]) for m in rows if m}


async def lens_title(client: PromptClient, path: Path) -> str:
    lenses = await client.lsp.text_document_code_lens_async(
        types.CodeLensParams(types.TextDocumentIdentifier(path.as_uri()))
    )
    assert lenses and lenses[0].command is not None
    return lenses[0].command.title


@pytest.mark.parametrize("name", FILES)
async def test_the_table_and_the_editor_agree_on_names_and_numbers(
    client: PromptClient, tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    path.write_text(FILES[name], encoding="utf-8")
    table = TABLE_LINE.match(check(str(path)).stdout.splitlines()[0])
    assert table is not None
    stats = await server_stats(client, path, FILES[name])
    assert stats.input_tokens is not None and stats.prompt_tokens is not None
    assert stats.input_tokens != stats.prompt_tokens, "equal figures would hide a swap"

    assert (number(table["input"]), number(table["content"])) == (
        stats.input_tokens,
        stats.prompt_tokens,
    )
    assert (await lens_title(client, path)).startswith(f"{stats.input_tokens:,} input tokens · ")
    rows = await breakdown_rows(client, path)
    assert (rows["Input tokens per call"], rows["Content tokens"]) == (
        stats.input_tokens,
        stats.prompt_tokens,
    )


@pytest.mark.parametrize("name", FILES)
async def test_the_json_report_and_the_editor_send_the_same_fields(
    client: PromptClient, tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    path.write_text(FILES[name], encoding="utf-8")
    _, report = check_json(str(path))
    stats = await server_stats(client, path, FILES[name])
    assert (report.files[0].input_tokens, report.files[0].prompt_tokens) == (
        stats.input_tokens,
        stats.prompt_tokens,
    )
