"""Few-shot examples out of prompt files, as fine-tuning datasets."""
