"""Which workspace folder a document belongs to, and that folder's settings.

A document takes the folder whose path holds it most closely (folders may nest); dataset
targets, tokenizer paths and every analysis setting are resolved against that folder. A
document outside every folder gets the window's settings and no folder: nothing is exported
for it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pygls.uris import to_fs_path

from server.core.prompt_analysis import AnalysisSettings
from server.lsp.settings import analysis_settings
from shared_schemas import Settings


@dataclass(frozen=True)
class FolderContext:
    uri: str | None  # None: outside every workspace folder
    root: Path | None
    options: Settings
    settings: AnalysisSettings


def _normalised(path: str) -> str:
    # No filesystem access: this runs for every request, and the answer must not change with
    # what a symlink points at now (containment checks that resolve links run at export time).
    return os.path.normcase(os.path.normpath(path))  # URIs give absolute paths


def contains(root: Path, path: str) -> bool:
    folder, candidate = _normalised(str(root)), _normalised(path)
    return candidate == folder or candidate.startswith(folder.rstrip(os.sep) + os.sep)


class Folders:
    def __init__(self, window: Settings, by_uri: dict[str, Settings]) -> None:
        self.window = window
        # The settings the client sent per folder, by path: the client and pygls may quote a
        # folder's URI differently.
        self._by_path = {
            _normalised(path): settings
            for uri, settings in by_uri.items()
            if (path := to_fs_path(uri)) is not None
        }
        self._contexts: dict[str, FolderContext] = {}
        self.outside = FolderContext(None, None, window, analysis_settings(window, None))

    def _context(self, uri: str, root: Path) -> FolderContext:
        found = self._contexts.get(uri)
        if found is None or found.root != root:
            options = self._by_path.get(_normalised(str(root)), self.window)
            found = FolderContext(uri, root, options, analysis_settings(options, root))
            self._contexts[uri] = found
        return found

    def of(self, document_uri: str, folder_uris: Iterable[str]) -> FolderContext:
        """The folder of `document_uri` among the workspace's `folder_uris` (as they are now:
        folders come and go with `workspace/didChangeWorkspaceFolders`)."""
        path = to_fs_path(document_uri)
        if path is None:
            return self.outside
        best: tuple[int, str, Path] | None = None
        for uri in folder_uris:
            root_path = to_fs_path(uri)
            if root_path is None:
                continue
            root = Path(root_path)
            if contains(root, path) and (best is None or len(root_path) > best[0]):
                best = (len(root_path), uri, root)
        if best is None:
            return self.outside
        return self._context(best[1], best[2])
