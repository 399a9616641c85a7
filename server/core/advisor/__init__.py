"""Prompt or fine-tune? Each condition of the decision measured from a prompt's analysis, its
datasets and its history, the break-even arithmetic, and the verdict (`verdict.py`)."""
