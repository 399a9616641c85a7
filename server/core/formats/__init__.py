"""Parsers from prompt-file text to `PromptDocument`, one module per format family."""
