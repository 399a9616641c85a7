"""The advisor in the editor: a code lens on a prompt's first line with the verdict's one-line
summary, `promptweight/advice`, the whole report, which the lens's command opens, and an
information diagnostic on the first line when the verdict is to fine-tune or combine both.

Advice reads the prompt's datasets and asks git about its history, so it is never computed on
the keystroke path: the lens is sent unresolved and resolved (`codeLens/resolve`) only when the
editor shows it, and the report is asked for; each computes it off the event loop, once per
document version. A save computes it again. The diagnostic shows the newest advice, which an
edit does not take away until the next one is made.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import to_fs_path

from server.core.advisor.advise import AdviceContext, advise
from server.core.advisor.advisor_settings import AdvisorSettings
from server.lsp.server import PromptweightServer
from shared_schemas.advice import AdviceParams, AdviceResult, FileAdvice
from shared_schemas.methods import ADVICE

LENS_KIND = "advice"
SHOW_ADVICE = "promptweight.showAdvice"  # the client's command, which opens the report
# The newest advice of each document: (version, advice).
_ADVICE: dict[str, tuple[int, FileAdvice]] = {}


async def advice_for(ls: PromptweightServer, uri: str) -> FileAdvice | None:
    result = await ls.analysed_now(uri)
    path = to_fs_path(uri)
    if result is None or result.analysis.document is None or path is None:
        return None
    kept = _ADVICE.get(uri)
    if kept is not None and kept[0] == result.version:
        return kept[1]
    folder = ls.folder_of(uri)
    context = AdviceContext(
        settings=AdvisorSettings.from_settings(folder.options),
        dataset_folder=folder.options.dataset_folder,
        workspace_root=folder.root,
        saturation_warning=folder.options.saturation_warning,
    )
    found = await asyncio.to_thread(advise, Path(path), result.analysis, context)
    shown = _diagnostic_message(kept[1]) if kept else None
    _ADVICE[uri] = (result.version, found)
    if _diagnostic_message(found) != shown:
        await ls.publish_full(uri)  # the advice diagnostic appears, changes or goes
    return found


def _diagnostic_message(advice: FileAdvice) -> str | None:
    if advice.verdict == "keep-prompting":
        return None
    return f"{advice.summary} (Promptweight: Show Advice has the evidence)"


def diagnostics(uri: str) -> list[types.Diagnostic]:
    kept = _ADVICE.get(uri)
    message = _diagnostic_message(kept[1]) if kept else None
    if message is None:
        return []
    return [
        types.Diagnostic(
            range=types.Range(types.Position(0, 0), types.Position(0, 0)),
            message=message,
            severity=types.DiagnosticSeverity.Information,
            source="promptweight",
            code="advice",
        )
    ]


def unresolved_lens(uri: str) -> types.CodeLens:
    return types.CodeLens(
        range=types.Range(types.Position(0, 0), types.Position(0, 0)),
        data={"kind": LENS_KIND, "uri": uri},
    )


def forget(uri: str) -> None:
    _ADVICE.pop(uri, None)


def hover_line(uri: str) -> str | None:
    """The verdict's short form for the breakdown hover, once advice has been worked out."""
    kept = _ADVICE.get(uri)
    if kept is None:
        return None
    advice = kept[1]
    flips = f" Would change {'; '.join(f.text for f in advice.flips)}." if advice.flips else ""
    return f"**Advice:** {advice.summary}.{flips} *Promptweight: Show Advice* has the evidence."


def register(server: PromptweightServer) -> None:
    server.extra_diagnostics.append(diagnostics)
    server.hover_additions.append(hover_line)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    async def on_save(ls: PromptweightServer, params: types.DidSaveTextDocumentParams) -> None:
        # A save is when a prompt (or its dataset beside it) has changed for good.
        if params.text_document.uri in _ADVICE:
            await advice_for(ls, params.text_document.uri)

    @server.feature(types.CODE_LENS_RESOLVE)
    async def on_resolve(ls: PromptweightServer, lens: types.CodeLens) -> types.CodeLens:
        data: Any = lens.data
        if not isinstance(data, dict) or data.get("kind") != LENS_KIND:
            return lens
        uri = str(data.get("uri"))
        found = await advice_for(ls, uri)
        title = found.summary if found else "Advice: not a prompt"
        lens.command = types.Command(title=title, command=SHOW_ADVICE, arguments=[uri])
        return lens

    @server.feature(ADVICE.name)
    async def on_advice(ls: PromptweightServer, raw: Any) -> dict[str, object]:
        params = AdviceParams.model_validate(raw)
        return AdviceResult(advice=await advice_for(ls, params.uri)).to_wire()
