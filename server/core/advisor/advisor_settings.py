"""The advisor's thresholds and prices, from the `promptweight.advisor.*` settings (each is
documented in `shared_schemas/settings.py`)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from shared_schemas.settings import Settings

RECENT_DAYS = 30  # "commits in the last 30 days", as the issue and the hover say it


@dataclass(frozen=True)
class AdvisorSettings:
    gpu_hour_usd: float = 1.0
    serving_tokens_per_second: float = 1000.0
    training_tokens_per_second: float = 2500.0
    cache_hit_rate: float = 0.5
    payback_days: int = 90
    min_examples: int = 100
    confident_examples: int = 1000
    format_consistency: float = 0.9
    max_recent_commits: int = 3
    min_age_days: int = 14
    long_prompt_tokens: int = 2000
    monthly_cost_usd: float = 1000.0
    max_diversity: float = 0.5
    epochs: int = 3  # as `promptweight validate` assumes for training tokens

    @classmethod
    def from_settings(cls, settings: Settings) -> AdvisorSettings:
        values = {
            f.name: getattr(settings, f"advisor_{f.name}")
            for f in fields(cls)
            if hasattr(settings, f"advisor_{f.name}")
        }
        return cls(**values)
