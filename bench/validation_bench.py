"""How fast `promptweight validate` checks a dataset, against parsing its lines with json.loads.

`validation_throughput()` builds a realistic chat fine-tuning dataset in memory (a shared system
prompt, varied user questions and assistant answers), then times, in the same run, the whole
validation (decoding, checks, duplicate digests, token counts with gpt-4o-mini's tokenizer)
and a bare `json.loads` of every line. The ratio says what the checks cost over parsing alone.
"""

from __future__ import annotations

import json
import random
import time
from typing import TypedDict

from server.core.datasets.validation import ValidationOptions, validate_dataset
from server.core.model_choice import ModelSettings, choose_model


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_WORDS = _words(
    "account backup billing branch cache certificate cluster customer dashboard database "
    "deployment device domain email error export feature firewall gateway incident invoice "
    "license limit message metric migration network order password payment permission plan "
    "policy project query quota region release report request schedule server service session "
    "snapshot storage subscription ticket token update upload version volume webhook workspace "
    "checks confirms restores blocks renews exports rotates resets approves migrates scales"
)
_SYSTEM = "You are a support assistant for Acme Cloud. Answer briefly and cite the relevant guide."


def _sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words)).capitalize() + "."


def dataset_lines(records: int, seed: int = 0) -> list[bytes]:
    """`records` distinct JSONL lines of a typical size (about 100 tokens each)."""
    rng = random.Random(seed)
    lines = []
    for number in range(records):
        question = f"Ticket {number}: " + _sentence(rng, rng.randint(12, 30))
        answer = " ".join(_sentence(rng, rng.randint(8, 16)) for _ in range(rng.randint(2, 5)))
        record = {
            "messages": [
                {"role": "system", "content": _SYSTEM},
                {"role": "user", "content": question},
                {"role": "assistant", "content": answer},
            ]
        }
        lines.append(json.dumps(record).encode() + b"\n")
    return lines


class Throughput(TypedDict):
    value: float  # records validated per second
    unit: str
    baseline: float  # records parsed by json.loads per second, on the same lines


def validation_throughput(records: int = 100_000) -> Throughput:
    """Records per second validated, with json.loads records per second as the baseline."""
    lines = dataset_lines(records)
    counter = choose_model("gpt-4o-mini", ModelSettings()).counter
    options = ValidationOptions(count_tokens=counter.count)

    start = time.perf_counter()
    report = validate_dataset(lines, options)
    validating = time.perf_counter() - start
    if report.summary.examples != records or report.problems:
        raise RuntimeError(f"the generated dataset should be clean: {report.problems[:3]}")

    start = time.perf_counter()
    for line in lines:
        json.loads(line)
    parsing = time.perf_counter() - start

    return {"value": records / validating, "unit": "records/s", "baseline": records / parsing}


if __name__ == "__main__":
    print(validation_throughput())
