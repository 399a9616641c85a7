"""`promptweight/tokenReport` and `promptweight/trainingHistory` from a real server over stdio:
the report agrees with the `documentStats` it follows, typing included, and a run's history
comes back from its folder."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from lsprotocol import types

from server.core.live_counts import LiveCounts
from server.lsp.document_state import Analysed, DocumentState
from server.lsp.server import PromptweightServer
from server.lsp.token_report import token_report
from shared_schemas.methods import TOKEN_REPORT, TRAINING_HISTORY
from shared_schemas.reports import TokenReport, TokenReportResult, TrainingHistory
from tests.lsp.conftest import PromptClient
from tests.lsp.test_document_state import URI, Analyser, Editor, state_for
from tests.test_training_history import step, write_run

TRIAGE = (
    "---\nmodel:\n  configuration:\n    name: gpt-4o\n---\nsystem:\nClassify the ticket.\n"
    "Input: printer on fire\nOutput: hardware\n\nBe brief and kind.\n\nuser:\nThe VPN drops.\n"
    "\nassistant:\nnetwork\n\nuser:\n{{ticket}}\n"
)


async def report_of(client: PromptClient, uri: str) -> TokenReportResult:
    raw = await client.lsp.protocol.send_request_async(TOKEN_REPORT.name, {"uri": uri})
    return TokenReportResult.model_validate(raw)


async def opened_report(client: PromptClient, uri: str, text: str) -> TokenReport:
    client.open(uri, text)
    await client.stats(uri)
    report = (await report_of(client, uri)).report
    assert report is not None
    return report


async def test_each_message_is_reported_with_its_role_tokens_and_range(
    client: PromptClient, tmp_path: Path
) -> None:
    uri = (tmp_path / "triage.prompty").as_uri()
    report = await opened_report(client, uri, TRIAGE)
    assert [(m.role, m.range.start.line) for m in report.messages] == [
        ("system", 5),
        ("user", 12),
        ("assistant", 15),
        ("user", 18),
    ]
    assert sum(m.content_tokens for m in report.messages) == report.prompt_tokens


async def test_each_few_shot_example_is_reported_with_its_input_and_output_tokens(
    client: PromptClient, tmp_path: Path
) -> None:
    uri = (tmp_path / "triage.prompty").as_uri()
    report = await opened_report(client, uri, TRIAGE)
    assert [(e.kind, e.label) for e in report.few_shot_examples] == [
        ("input-output", "printer on fire"),
        ("chat-pair", "The VPN drops."),
    ]
    example_tokens = sum(e.input_tokens + e.output_tokens for e in report.few_shot_examples)
    assert example_tokens == report.few_shot_tokens


async def test_the_figures_are_those_of_the_stats(client: PromptClient, tmp_path: Path) -> None:
    uri = (tmp_path / "triage.prompty").as_uri()
    report = await opened_report(client, uri, TRIAGE)
    stats = await client.stats(uri)
    assert (report.version, report.model, report.encoding, report.exact) == (
        stats.version,
        stats.model,
        stats.encoding,
        stats.exact,
    )
    assert (report.input_tokens, report.saturation, report.cost_per_call_usd) == (
        stats.input_tokens,
        stats.saturation,
        stats.cost_per_call_usd,
    )


async def test_a_file_that_names_no_model_is_reported_with_the_configured_one(
    client: PromptClient, tmp_path: Path
) -> None:
    uri = (tmp_path / "plain.prompty").as_uri()
    report = await opened_report(client, uri, "system:\nBe brief.\n\nuser:\n{{question}}\n")
    stats = await client.stats(uri)
    assert report.model == stats.model == "gpt-4o-mini"  # the setting's default


async def test_the_cost_is_given_at_standard_volumes_and_the_configured_one(
    client: PromptClient, tmp_path: Path
) -> None:
    uri = (tmp_path / "triage.prompty").as_uri()
    report = await opened_report(client, uri, TRIAGE)
    assert [(v.calls_per_day, v.configured) for v in report.volumes] == [
        (1_000, True),  # the default callsPerDay
        (10_000, False),
        (100_000, False),
    ]


async def test_after_typing_the_report_is_of_the_newest_version(
    client: PromptClient, tmp_path: Path
) -> None:
    uri = (tmp_path / "triage.prompty").as_uri()
    before = await opened_report(client, uri, TRIAGE)
    # Plain typing inside the user message: recounted live, without a parse.
    end_of_question = types.Position(13, 14)
    version = client.edit(uri, types.Range(end_of_question, end_of_question), " a lot")
    stats = await client.stats(uri, version)
    after = (await report_of(client, uri)).report
    assert after is not None and after.version == version
    assert after.prompt_tokens == stats.prompt_tokens
    assert after.messages[1].content_tokens > before.messages[1].content_tokens


class OneDocument:
    """The server as the report sees it: its open documents, and no full analysis to ask for."""

    def __init__(self, state: DocumentState) -> None:
        self.documents = {URI: state}

    async def analysed_now(self, uri: str) -> Analysed | None:
        raise AssertionError("the report asked for a full analysis")


async def test_after_plain_typing_the_report_comes_from_the_live_recount() -> None:
    editor = Editor()
    editor.text = TRIAGE
    analyser = Analyser(editor)
    state = state_for(editor, analyser)
    first = await state.analysis()
    assert first is not None
    state.live = LiveCounts.of(first.analysis, TRIAGE)
    editor.version, editor.text = 2, TRIAGE.replace("The VPN drops.", "The VPN drops a lot.")
    assert state.live is not None and state.live.apply(editor.text) is not None
    result = await token_report(cast(PromptweightServer, OneDocument(state)), URI)
    assert result.report is not None and result.report.version == 2
    assert analyser.texts == [TRIAGE]  # the typed version was never analysed


async def test_a_document_that_is_not_open_has_no_report(
    client: PromptClient, tmp_path: Path
) -> None:
    result = await report_of(client, (tmp_path / "closed.prompty").as_uri())
    assert result.report is None and result.reason == "the document is not open"


async def test_json_that_is_not_a_chat_has_no_report(client: PromptClient, tmp_path: Path) -> None:
    uri = (tmp_path / "settings.chat.json").as_uri()
    client.open(uri, '{"theme": "dark"}')
    await client.stats(uri)
    assert (await report_of(client, uri)).report is None


async def history_of(client: PromptClient, config: Path, run_dir: Path | None) -> TrainingHistory:
    params = {"config": config.as_uri(), "runDir": str(run_dir) if run_dir else None}
    raw = await client.lsp.protocol.send_request_async(TRAINING_HISTORY.name, params)
    return TrainingHistory.model_validate(raw)


async def test_a_runs_history_comes_back_from_its_folder(
    client: PromptClient, tmp_path: Path
) -> None:
    config = tmp_path / "promptweight.train.yaml"
    config.write_text("baseModel: tiny\ndatasets: [data.jsonl]\noutputDir: runs\n")
    run_dir = write_run(tmp_path / "runs", "20261201-100000-triage", step(1), step(2))
    history = await history_of(client, config, run_dir)
    assert history.run is not None
    assert [e.type for e in history.run.events] == ["started", "step", "step"]


async def test_a_folder_outside_the_configs_runs_has_no_history(
    client: PromptClient, tmp_path: Path
) -> None:
    config = tmp_path / "promptweight.train.yaml"
    config.write_text("baseModel: tiny\ndatasets: [data.jsonl]\noutputDir: runs\n")
    elsewhere = write_run(tmp_path / "other", "20261201-100000-triage", step(1))
    assert (await history_of(client, config, elsewhere)).run is None
