"""The LSP adapter: thin handlers that translate between pygls and the plain-Python core."""
