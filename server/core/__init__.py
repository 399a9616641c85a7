"""The analysis core: plain Python. It never imports pygls, lsprotocol, torch or transformers."""
