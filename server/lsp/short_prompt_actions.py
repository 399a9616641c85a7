"""The short prompt in the editor: after a fine-tune, a code action on the original prompt that
writes `<name>.tuned.<ext>` (the prompt without its few-shot examples, naming the adapter), and
the original's weight in the short prompt's stats.

The action is offered on a prompt with examples when a finished run trained on its exported
dataset (`short_prompt.newest_adapter`). Finding that walks the workspace folder and reads run
folders, so it is done off the event loop, once per prompt when first asked, then answered from
what was found while a new look runs in the background every `RUNS_FRESH_S`. The short text
and its tokens (for the title's "N tokens saved per call") are worked out once per document
version, in a thread. As for the export, a client that resolves edits gets the action with
`data` and no edit; the edit (CreateFile, never over an existing file, then the text) is built
in `codeAction/resolve`. pygls has one code action handler: this module's are asked from the
export's (`export_actions.MORE_ACTIONS`).

Two actions when the system text has lines stating the output format (`drop_format`): the short
prompt with them, and without them.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from lsprotocol import types
from pydantic import ValidationError
from pygls.uris import from_fs_path, to_fs_path

from server.core.advisor.short_prompt import (
    ShortPromptRefused,
    adapter_reference,
    newest_adapter,
    original_path,
    short_prompt_text,
    tuned_path,
    why_no_short_prompt,
)
from server.core.prompt_analysis import PromptAnalysis
from server.core.safe_files import read_regular_bytes
from server.core.source_text import decode_source
from server.lsp.dataset_view import is_dataset
from server.lsp.export_actions import (
    MORE_ACTIONS,
    MoreActions,
    can_create_files,
    resolves_edits,
)
from server.lsp.folders import FolderContext
from server.lsp.server import PromptweightServer, analyse
from shared_schemas.messages import OriginalPrompt
from shared_schemas.wire import WireModel

log = logging.getLogger(__name__)
SHORT_PROMPT_KIND = f"{types.CodeActionKind.Source.value}.promptweight.shortPrompt"
# How long what was found about a prompt's runs is answered before it is looked up again.
RUNS_FRESH_S = 30.0
# How often a short prompt's original is checked on disk, at most (when its stats are sent).
ORIGINAL_CHECK_S = 2.0


class ShortPromptActionData(WireModel):
    """The action's `data`, which the client keeps opaque and sends back to resolve it."""

    kind: Literal["shortPrompt"]  # required: the export's `data` never validates as this
    uri: str
    version: int
    drop_format: bool = False


@dataclass(frozen=True)
class _Runs:
    looked_at: float  # time.monotonic()
    run_dir: Path | None


@dataclass(frozen=True)
class _Short:
    """One version's short prompt, with and without its format lines."""

    version: int
    run_dir: Path
    target: Path
    text: str
    saved: int
    without_format: tuple[str, int] | None  # (text, saved), when it differs


@dataclass(frozen=True)
class _Original:
    checked_at: float
    stamp: tuple[int, int] | None  # (mtime_ns, size); None: no original on disk
    original: OriginalPrompt | None


_RUNS: dict[str, _Runs] = {}  # by prompt URI
_LOOKUPS: dict[str, asyncio.Task[Path | None]] = {}
_SHORT: dict[str, _Short] = {}
_ORIGINALS: dict[str, _Original] = {}  # by short prompt URI
_CHECKS: dict[str, asyncio.Task[None]] = {}


async def _look(ls: PromptweightServer, uri: str, prompt: Path) -> Path | None:
    folder = ls.folder_of(uri)
    try:
        run_dir = await asyncio.to_thread(
            newest_adapter, prompt, folder.root, folder.options.dataset_folder
        )
    except OSError as error:
        log.info("no runs found for %s: %s", uri, error)
        run_dir = None
    _RUNS[uri] = _Runs(time.monotonic(), run_dir)
    return run_dir


def _lookup(ls: PromptweightServer, uri: str, prompt: Path) -> asyncio.Task[Path | None]:
    """The one look at this prompt's runs under way (started if none is)."""
    task = _LOOKUPS.get(uri)
    if task is None:
        task = asyncio.get_running_loop().create_task(_look(ls, uri, prompt))
        _LOOKUPS[uri] = task
        task.add_done_callback(lambda _: _LOOKUPS.pop(uri, None))
    return task


async def _adapter_for(ls: PromptweightServer, uri: str, prompt: Path) -> Path | None:
    kept = _RUNS.get(uri)
    if kept is None:
        return await _lookup(ls, uri, prompt)
    if time.monotonic() - kept.looked_at > RUNS_FRESH_S:
        _lookup(ls, uri, prompt)  # for the next request; this one answers what is known
    return kept.run_dir


def _input_tokens(analysis: PromptAnalysis) -> int:
    return analysis.figures.input_tokens if analysis.figures else analysis.prompt_tokens or 0


def _uri(path: Path) -> str:
    return from_fs_path(str(path)) or path.as_uri()


def _work_out(
    folder: FolderContext, prompt: Path, version: int, analysis: PromptAnalysis, run_dir: Path
) -> _Short:
    """The short prompt of one version and what it saves per call (on a worker thread)."""
    assert analysis.document is not None
    text = analysis.document.text
    target = tuned_path(prompt)
    target_uri = _uri(target)
    reference = adapter_reference(target, run_dir)

    def shortened(drop_format: bool) -> tuple[str, int]:
        short = short_prompt_text(text, analysis, reference, drop_format)
        weighed = analyse(target_uri, short, folder)
        assert weighed is not None  # only a `should_stop` stops it
        return short, _input_tokens(analysis) - _input_tokens(weighed)

    short, saved = shortened(False)
    without_format = shortened(True)
    return _Short(
        version,
        run_dir,
        target,
        short,
        saved,
        without_format if without_format[0] != short else None,
    )


async def _short_prompt(ls: PromptweightServer, uri: str) -> _Short | None:
    """The open prompt's short prompt as it is now, or None when none is offered."""
    result = await ls.analysed_now(uri)
    path = to_fs_path(uri)
    if result is None or path is None or is_dataset(uri):
        return None
    document = result.analysis.document
    if document is None or not document.examples:
        return None
    run_dir = await _adapter_for(ls, uri, Path(path))
    # After the runs (looked up once, then kept): this compares each message holding examples
    # with the file's text, which a prompt without a run need not pay on every cursor move.
    if run_dir is None or why_no_short_prompt(document) is not None:
        return None
    kept = _SHORT.get(uri)
    if kept is not None and kept.version == result.version and kept.run_dir == run_dir:
        return kept
    try:
        found = await asyncio.to_thread(
            _work_out, ls.folder_of(uri), Path(path), result.version, result.analysis, run_dir
        )
    except ShortPromptRefused as why:
        log.info("no short prompt for %s: %s", uri, why)
        return None
    _SHORT[uri] = found
    return found


def _title(saved: int, drop_format: bool) -> str:
    without = ", without its format lines" if drop_format else ""
    noun = "token" if saved == 1 else "tokens"
    return (
        f"Write the short prompt for the fine-tuned adapter{without} "
        f"({saved:,} {noun} saved per call)"
    )


async def _edit(ls: PromptweightServer, short: _Short, text: str) -> types.WorkspaceEdit:
    """CreateFile, refused by the editor if the file exists meanwhile, then the text; raises
    when it exists now (on disk, or open unsaved), so that the user is told why, rather than
    shown a failed edit."""
    uri = _uri(short.target)
    if uri in ls.workspace.text_documents or await asyncio.to_thread(short.target.exists):
        raise ShortPromptRefused(f"{short.target.name} already exists; it is not overwritten")
    start = types.Position(0, 0)
    return types.WorkspaceEdit(
        document_changes=[
            types.CreateFile(
                uri=uri, options=types.CreateFileOptions(overwrite=False, ignore_if_exists=False)
            ),
            types.TextDocumentEdit(
                text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None),
                edits=[types.TextEdit(types.Range(start, start), text)],
            ),
        ]
    )


async def code_actions(
    ls: PromptweightServer, params: types.CodeActionParams
) -> list[types.CodeAction]:
    uri = params.text_document.uri
    wanted = params.context.only
    if wanted and not any(SHORT_PROMPT_KIND.startswith(kind) for kind in wanted):
        return []
    if uri not in ls.documents or not can_create_files(ls):
        return []
    short = await _short_prompt(ls, uri)
    if short is None:
        return []
    variants = [(False, short.text, short.saved)]
    if short.without_format is not None:
        variants.append((True, *short.without_format))
    actions = []
    for drop_format, text, saved in variants:
        edit = None
        if not resolves_edits(ls):
            try:
                edit = await _edit(ls, short, text)
            except ShortPromptRefused as why:
                log.info("no short prompt for %s: %s", uri, why)
                return []
        data = ShortPromptActionData(
            kind="shortPrompt", uri=uri, version=short.version, drop_format=drop_format
        )
        actions.append(
            types.CodeAction(
                title=_title(saved, drop_format),
                kind=SHORT_PROMPT_KIND,
                edit=edit,
                data=data.to_wire(),
            )
        )
    return actions


async def resolve(ls: PromptweightServer, action: types.CodeAction) -> types.CodeAction | None:
    try:
        data = ShortPromptActionData.model_validate(action.data)
    except ValidationError:
        return None  # not ours
    if action.edit is not None:
        return action
    short = await _short_prompt(ls, data.uri)
    variant = (short.text, short.saved) if short is not None else None
    if short is not None and data.drop_format:
        variant = short.without_format
    if short is None or variant is None:
        message = "the short prompt is no longer offered (no finished run, or no examples)"
    else:
        try:
            action.edit = await _edit(ls, short, variant[0])
            action.title = _title(variant[1], data.drop_format)
            return action
        except ShortPromptRefused as why:
            message = str(why)
    # The editor applies nothing; say why rather than leave the user wondering.
    ls.window_show_message(
        types.ShowMessageParams(types.MessageType.Info, f"Promptweight: {message}")
    )
    return action


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_mtime_ns, found.st_size


def _weigh_original(original: Path, folder: FolderContext) -> OriginalPrompt | None:
    """The original on disk, analysed as the editor analyses it (on a worker thread)."""
    uri = _uri(original)
    limit = folder.options.max_document_characters * 4  # UTF-8: at most 4 bytes a character
    try:
        text = decode_source(read_regular_bytes(original, limit)).text
    except OSError:
        return None
    analysis = analyse(uri, text, folder)
    if analysis is None or analysis.document is None or analysis.skipped is not None:
        return None
    return OriginalPrompt(uri=uri, input_tokens=_input_tokens(analysis))


async def _check_original(ls: PromptweightServer, uri: str, original: Path) -> None:
    kept = _ORIGINALS.get(uri)
    stamp = await asyncio.to_thread(_stamp, original)
    if kept is not None and stamp == kept.stamp:
        _ORIGINALS[uri] = replace(kept, checked_at=time.monotonic())
        return
    folder = ls.folder_of(_uri(original))
    found = None if stamp is None else await asyncio.to_thread(_weigh_original, original, folder)
    _ORIGINALS[uri] = _Original(time.monotonic(), stamp, found)
    if found != (kept.original if kept else None) and uri in ls.documents:
        ls.schedule_recount(uri, 0)  # the stats again, with what was found


def original_of(ls: PromptweightServer, uri: str) -> OriginalPrompt | None:
    """For a short prompt's stats: its original as last weighed. Called as the stats are sent,
    so it reads nothing: a check of the original's file (re-weighed when its modification time
    or size changed) starts in the background, and sends the stats again when it finds
    something new."""
    path = to_fs_path(uri)
    original = original_path(Path(path)) if path is not None else None
    if original is None:
        return None
    kept = _ORIGINALS.get(uri)
    due = kept is None or time.monotonic() - kept.checked_at > ORIGINAL_CHECK_S
    if due and uri not in _CHECKS:
        task = asyncio.get_running_loop().create_task(_check_original(ls, uri, original))
        _CHECKS[uri] = task
        task.add_done_callback(lambda done: _checked(uri, done))
    return kept.original if kept else None


def _checked(uri: str, task: asyncio.Task[None]) -> None:
    _CHECKS.pop(uri, None)
    if not task.cancelled() and task.exception() is not None:
        log.error("checking the original of %s failed", uri, exc_info=task.exception())


def register(server: PromptweightServer) -> None:
    actions = MoreActions(code_actions, resolve)
    if actions not in MORE_ACTIONS:  # one entry, however many servers a process creates
        MORE_ACTIONS.append(actions)
    server.original_of = lambda uri: original_of(server, uri)
