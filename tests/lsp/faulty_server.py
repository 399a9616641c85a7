"""`python -m tests.lsp.faulty_server`: the real server with one planted fault, for the test of
what a failing analysis does: analysing a file whose name holds `explodes` raises."""

from __future__ import annotations

from typing import Any

import server.lsp.server as lsp_server
from server.__main__ import main
from server.core.prompt_analysis import PromptAnalysis

_real = lsp_server.analyse_prompt


def _failing(file_name: str, text: str, *args: Any, **kwargs: Any) -> PromptAnalysis:
    if "explodes" in file_name:
        raise RuntimeError("planted fault")
    return _real(file_name, text, *args, **kwargs)


lsp_server.analyse_prompt = _failing  # type: ignore[assignment]

if __name__ == "__main__":
    main()
