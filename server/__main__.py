"""`python -m server`: the Promptweight language server over stdio."""

from __future__ import annotations

import logging
import sys

from server.lsp.server import create_server


def main() -> None:
    # stdout carries LSP messages; logs go to stderr, which the editor shows in its output channel.
    logging.basicConfig(
        stream=sys.stderr,
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    logging.getLogger("pygls").setLevel(logging.WARNING)
    create_server().start_io()


if __name__ == "__main__":
    main()
