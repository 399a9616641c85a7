"""The QLoRA trainer: the only package that imports torch, transformers, peft and bitsandbytes.
It runs in its own process (`python -m server.training`), started with an argument list by the
CLI or the language server, and speaks JSON lines (`shared_schemas.training`) on stdout."""
