"""The training benches' mechanics: the GPU bench's smoke mode runs both paths on the CPU, and
the real-token share is right on a case worked by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.train_packing import padded_to_max_share, real_share


def test_the_real_token_share_counts_each_batch_padded_to_its_longest_row() -> None:
    # Batches of 2: (3, 5) computes 2 x 5 = 10 positions, (2, 2) 4, (4,) 4; real: 16 of 18.
    assert real_share([3, 5, 2, 2, 4], batch_size=2) == pytest.approx(16 / 18)
    # One row a batch: nothing is padding.
    assert real_share([3, 5, 2], batch_size=1) == 1.0
    # Everything padded to 8: 16 of 5 x 8 positions.
    assert padded_to_max_share([3, 5, 2, 2, 4], max_tokens=8) == pytest.approx(16 / 40)
    assert real_share([], batch_size=4) == padded_to_max_share([], max_tokens=8) == 0.0


def test_the_gpu_bench_runs_both_paths_in_smoke_mode(tmp_path: Path) -> None:
    for library in ("torch", "transformers", "peft", "bitsandbytes"):
        pytest.importorskip(library)
    from bench.train_gpu import main

    out = tmp_path / "bench.json"
    assert main(["--smoke", "--out", str(out)]) == 0
    results = json.loads(out.read_text())
    tokens = results["train_gpu_tokens_per_s"]
    assert tokens["value"] > 0 and tokens["baseline"] > 0
    # Packed rows hold more real tokens than the padded batches of as many examples.
    per_step = results["train_gpu_tokens_per_step"]
    assert per_step["value"] > per_step["baseline"]
