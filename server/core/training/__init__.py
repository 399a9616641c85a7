"""Training facts that need no torch: the memory pre-flight (the trainer itself runs in its own
process, `python -m server.training`)."""
