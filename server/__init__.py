"""Promptweight: what a prompt weighs, computed by a plain-Python core behind an LSP adapter."""

__version__ = "0.1.0"
