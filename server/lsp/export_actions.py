"""The dataset export in the editor: a code action (resolved lazily), a quick fix on the
fine-tuning candidate, and the `promptweight.server.exportDataset` command.

Editors ask for code actions on every cursor move, so the action is answered from the kept
analysis alone: a title and `data` (`ExportActionData`), no edit and no file read. The edit
(which reads the target dataset to append only new records) is built in `codeAction/resolve`,
when the user picks the action. A client that cannot resolve an action's `edit` gets it at
once, as before. A client that cannot apply `documentChanges` (Neovim 0.7), in which neither
the file's creation nor a versioned edit can be said, gets the action as the export command,
which the server carries out by writing the file itself (`dataset_file.write_dataset`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lsprotocol import types
from pydantic import ValidationError
from pygls.capabilities import get_capability
from pygls.uris import to_fs_path

from server.core.datasets.dataset_file import DatasetError, inside
from server.core.datasets.export import ExportOptions
from server.core.prompt_analysis import PromptAnalysis
from server.core.prompt_model import PromptDocument
from server.core.source_text import decode_source
from server.lsp.dataset_export import (
    EXPORT_KIND,
    DatasetEdit,
    ExportRefused,
    dataset_edit,
    dataset_target,
    prompt_stem,
    write_dataset_file,
)
from server.lsp.dataset_view import is_dataset
from server.lsp.server import PromptweightServer, analyse
from server.lsp.wire import first_argument
from shared_schemas import ExportActionData, ExportDatasetParams, ExportDatasetResult
from shared_schemas.methods import EXPORT_DATASET

log = logging.getLogger(__name__)
FINE_TUNING_CANDIDATE = "fine-tuning-candidate"


@dataclass(frozen=True)
class MoreActions:
    """Another feature's code actions on prompts. pygls keeps one handler per method, so this
    module's handlers ask them too; `resolve` answers None for an action that is not its own."""

    actions: Callable[
        [PromptweightServer, types.CodeActionParams], Awaitable[list[types.CodeAction]]
    ]
    resolve: Callable[[PromptweightServer, types.CodeAction], Awaitable[types.CodeAction | None]]


MORE_ACTIONS: list[MoreActions] = []  # the short prompt's (short_prompt_actions.py)


async def _analysis_of(ls: PromptweightServer, uri: str) -> PromptAnalysis:
    """An open prompt's shared analysis, or a prompt on disk analysed for the export."""
    state = ls.documents.get(uri)
    if state is not None and not is_dataset(uri):
        result = await state.analysis()
        if result is not None:
            return result.analysis
    path = to_fs_path(uri)
    if path is None:
        raise ExportRefused(f"{uri} is not a file")
    text = decode_source(await asyncio.to_thread(Path(path).read_bytes)).text
    analysis = await asyncio.to_thread(analyse, uri, text, ls.folder_of(uri))
    assert analysis is not None  # only a `should_stop` stops it
    return analysis


def applies_document_changes(ls: PromptweightServer) -> bool:
    capabilities = ls.client_capabilities
    return bool(get_capability(capabilities, "workspace.workspace_edit.document_changes", False))


def can_create_files(ls: PromptweightServer) -> bool:
    capabilities = ls.client_capabilities
    if not applies_document_changes(ls):
        return False
    operations = get_capability(capabilities, "workspace.workspace_edit.resource_operations", [])
    return types.ResourceOperationKind.Create in (operations or [])


def _has_folders(ls: PromptweightServer) -> bool:
    """Whether the editor opened a workspace; a lone file's dataset goes beside it."""
    return bool(ls.workspace.folders) or ls.workspace.root_path is not None


def _in_some_folder(ls: PromptweightServer, target: Path) -> bool:
    roots = [to_fs_path(f.uri) for f in ls.workspace.folders.values()]
    if not roots and ls.workspace.root_path:
        roots = [ls.workspace.root_path]
    return any(root is not None and inside(target, root) for root in roots)


@dataclass(frozen=True)
class _Export:
    documents: list[PromptDocument]
    target: Path
    options: ExportOptions


async def _export_of(ls: PromptweightServer, uris: list[str], target_uri: str | None) -> _Export:
    """What exporting prompts `uris` (open or on disk) means: their documents, the dataset
    (`target_uri`, or `<stem>.train.jsonl` of the first prompt's folder settings) and the
    options."""
    documents = []
    for uri in uris:
        analysis = await _analysis_of(ls, uri)
        if analysis.document is not None:
            documents.append(analysis.document)
    first = Path(to_fs_path(uris[0]) or "")
    folder = ls.folder_of(uris[0])
    if target_uri:
        target = await asyncio.to_thread(Path(to_fs_path(target_uri) or "").resolve)
        if _has_folders(ls) and not _in_some_folder(ls, target):
            raise ExportRefused(f"the dataset {target} would be outside the workspace")
    elif folder.root is None and _has_folders(ls):
        raise ExportRefused(f"{first.name} is outside the workspace folders")
    else:
        target = dataset_target(first, folder.options.dataset_folder, folder.root)
    options = ExportOptions(
        format=folder.options.export_format, system=folder.options.export_system
    )
    return _Export(documents, target, options)


async def export_edit(
    ls: PromptweightServer, uris: list[str], target_uri: str | None
) -> DatasetEdit:
    """The dataset edit for prompts `uris` into `target_uri` or their default dataset."""
    export = await _export_of(ls, uris, target_uri)
    open_target = ls.workspace.text_documents.get(export.target.as_uri())
    return await asyncio.to_thread(
        dataset_edit,
        export.documents,
        export.target,
        export.options,
        open_target.source if open_target else None,
        can_create_files(ls),
        ls.encoding,
    )


def resolves_edits(ls: PromptweightServer) -> bool:
    properties = get_capability(
        ls.client_capabilities, "text_document.code_action.resolve_support.properties", []
    )
    return "edit" in (properties or [])


def _lazy_title(ls: PromptweightServer, uri: str, examples: int) -> str:
    folder = ls.folder_of(uri)
    name = prompt_stem(Path(to_fs_path(uri) or uri).name) + ".train.jsonl"
    noun = "example" if examples == 1 else "examples"
    where = f"{folder.options.dataset_folder}/{name}" if folder.options.dataset_folder else name
    return f"Export {examples} few-shot {noun} to {where}"


async def code_actions(
    ls: PromptweightServer, params: types.CodeActionParams
) -> list[types.CodeAction]:
    uri = params.text_document.uri
    state = ls.documents.get(uri)
    if state is None or is_dataset(uri):
        return []
    result = await state.analysis()
    if result is None or result.analysis.document is None or not result.analysis.examples:
        return []
    if to_fs_path(uri) is None or (_has_folders(ls) and state.folder.root is None):
        return []  # nowhere inside the workspace to write a dataset
    wanted = params.context.only
    want_source = not wanted or any(EXPORT_KIND.startswith(kind) for kind in wanted)
    candidates = [d for d in params.context.diagnostics if d.code == FINE_TUNING_CANDIDATE]
    want_fix = bool(candidates) and (not wanted or types.CodeActionKind.QuickFix in wanted)
    if not (want_source or want_fix):
        return []
    if not applies_document_changes(ls):
        examples = len(result.analysis.examples)
        return _command_actions(ls, uri, examples, want_source, candidates if want_fix else [])
    if resolves_edits(ls):
        title = _lazy_title(ls, uri, len(result.analysis.examples))
        edit = None
    else:
        try:
            export = await export_edit(ls, [uri], None)
        except (ExportRefused, DatasetError, OSError) as why:
            log.info("no dataset export for %s: %s", uri, why)
            return []
        title, edit = export.title, export.edit
    actions = []
    if want_source:
        data = ExportActionData(uri=uri, version=result.version).to_wire()
        actions.append(types.CodeAction(title=title, kind=EXPORT_KIND, edit=edit, data=data))
    if want_fix:
        data = ExportActionData(uri=uri, version=result.version, quick_fix=True).to_wire()
        actions.append(
            types.CodeAction(
                title=title,
                kind=types.CodeActionKind.QuickFix,
                diagnostics=candidates,
                edit=edit,
                is_preferred=True,
                data=data,
            )
        )
    return actions


def _command_actions(
    ls: PromptweightServer,
    uri: str,
    examples: int,
    want_source: bool,
    candidates: list[types.Diagnostic],
) -> list[types.CodeAction]:
    """The export as the command, for a client without `documentChanges`. Whether anything is
    new is found when it runs: answering here from the analysis alone keeps code actions from
    reading the dataset on every cursor move."""
    if not ls.trusted:
        return []  # the command writes files, which Restricted Mode refuses
    title = _lazy_title(ls, uri, examples)
    arguments = [ExportDatasetParams(uris=[uri]).to_wire()]
    command = types.Command(title=title, command=EXPORT_DATASET.name, arguments=arguments)
    actions = []
    if want_source:
        actions.append(types.CodeAction(title=title, kind=EXPORT_KIND, command=command))
    if candidates:
        actions.append(
            types.CodeAction(
                title=title,
                kind=types.CodeActionKind.QuickFix,
                diagnostics=candidates,
                is_preferred=True,
                command=command,
            )
        )
    return actions


async def _write_export(
    ls: PromptweightServer, uris: list[str], target_uri: str | None
) -> ExportDatasetResult:
    try:
        export = await _export_of(ls, uris, target_uri)
        written = await asyncio.to_thread(
            write_dataset_file, export.documents, export.target, export.options
        )
    except (ExportRefused, DatasetError, OSError) as why:
        return ExportDatasetResult(applied=False, message=str(why))
    name = export.target.name
    if not written.written:
        message = f"{name} already holds all {written.skipped} examples"
        return ExportDatasetResult(applied=False, message=message)
    message = f"wrote {written.written} new examples to {name}, {written.skipped} already there"
    return ExportDatasetResult(applied=True, message=message, written=written.written)


async def resolve(ls: PromptweightServer, action: types.CodeAction) -> types.CodeAction:
    if action.edit is not None:
        return action
    try:
        data = ExportActionData.model_validate(action.data)
    except ValidationError:
        return action  # not ours
    try:
        export = await export_edit(ls, [data.uri], None)
    except (ExportRefused, DatasetError, OSError) as why:
        # The editor applies nothing; say why rather than leave the user wondering.
        ls.window_show_message(
            types.ShowMessageParams(types.MessageType.Info, f"Promptweight: {why}")
        )
        return action
    action.edit = export.edit
    action.title = export.title
    return action


async def export_command(ls: PromptweightServer, raw: Any) -> dict[str, object]:
    """`[{"uris": [...], "target": "file:///…/x.train.jsonl" | null}]`: one dataset from one
    or several prompts, applied as a workspace edit (undoable)."""
    params = ExportDatasetParams.model_validate(first_argument(raw))
    if not ls.trusted:
        # Restricted Mode reads, never writes: the code action's edit, which the user applies
        # and can undo, is still offered.
        message = "writing datasets from commands needs a trusted workspace"
        return ExportDatasetResult(applied=False, message=message).to_wire()
    if not applies_document_changes(ls):
        # No edit this client can apply creates or versions a file: the server writes it.
        return (await _write_export(ls, params.uris, params.target)).to_wire()
    try:
        export = await export_edit(ls, params.uris, params.target)
    except (ExportRefused, DatasetError, OSError) as why:
        return ExportDatasetResult(applied=False, message=str(why)).to_wire()
    applied = await ls.workspace_apply_edit_async(
        types.ApplyWorkspaceEditParams(edit=export.edit, label="Promptweight: export dataset")
    )
    message = f"{export.title}: {export.written} written, {export.skipped} already there"
    if not applied.applied:
        message = f"the editor did not apply the export: {applied.failure_reason or 'refused'}"
    return ExportDatasetResult(
        applied=applied.applied, message=message, written=export.written
    ).to_wire()


async def all_code_actions(
    ls: PromptweightServer, params: types.CodeActionParams
) -> list[types.CodeAction]:
    found = await code_actions(ls, params)
    for more in MORE_ACTIONS:
        try:
            found += await more.actions(ls, params)
        except Exception:  # another feature's failure costs the export nothing
            log.exception("code actions for %s failed", params.text_document.uri)
    return found


async def resolve_any(ls: PromptweightServer, action: types.CodeAction) -> types.CodeAction:
    for more in MORE_ACTIONS:
        resolved = await more.resolve(ls, action)
        if resolved is not None:
            return resolved
    return await resolve(ls, action)


def register(server: PromptweightServer) -> None:
    server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.Source],
            resolve_provider=True,
        ),
    )(all_code_actions)
    server.feature(types.CODE_ACTION_RESOLVE)(resolve_any)
    server.command(EXPORT_DATASET.name)(export_command)
