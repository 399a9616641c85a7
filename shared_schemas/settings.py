"""The `promptweight.*` settings: defined once, here.

`Settings` is what the server reads; VS Code's `contributes.configuration` in package.json is
generated from it (`shared_schemas/vscode_settings.py`, `make generate`), and the client sends
exactly the keys it defines (the generated `SETTINGS` table in protocol.ts). Each field's
`scope` is VS Code's: `resource` settings may differ per workspace folder, `window` ones are
the server's own, `machine-overridable` ones may name files or executables and are taken from
the workspace only when it is trusted. Its `group` is its section of the Settings editor.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from shared_schemas.model_catalog import ModelOverride
from shared_schemas.wire import WireModel

SettingScope = Literal["application", "machine", "machine-overridable", "window", "resource"]
# The Settings editor's sections, in order (package.json's `contributes.configuration` groups).
SettingGroup = Literal["general", "costs", "datasets", "training", "advisor"]
SETTING_GROUPS: dict[SettingGroup, str] = {
    "general": "General",
    "costs": "Costs and Context",
    "datasets": "Datasets",
    "training": "Training",
    "advisor": "Advisor",
}


def _scope(
    scope: SettingScope,
    group: SettingGroup | None = None,
    *,
    restricted: bool = False,
    **extra: Any,
) -> dict[str, Any]:
    """VS Code's facts about a setting. `restricted`: Restricted Mode ignores the workspace's
    value (`restrictedConfigurations`); implied by the machine scopes, which name files or
    executables. A setting without a group is shown under General."""
    facts: dict[str, Any] = {"scope": scope, **extra}
    if group is not None:
        facts["group"] = group
    if restricted:
        facts["restricted"] = True
    return facts


class Settings(WireModel):
    """Every setting the server reads, with its VS Code scope and documentation."""

    model: str = Field(
        default="gpt-4o-mini",
        min_length=1,
        description="Model for prompt files that do not name their own (in their frontmatter). "
        "OpenAI models count exactly; open-weight models exactly when their `tokenizer.json` is "
        "found locally; others are estimated and shown with `≈`.",
        json_schema_extra=_scope("resource", "general"),
    )
    debounce_ms: int = Field(
        default=100,
        ge=0,
        le=10_000,
        description="Delay after the last edit before a prompt file is recounted, in milliseconds.",
        json_schema_extra=_scope("window", "general"),
    )
    max_document_characters: int = Field(
        default=4_000_000,
        ge=1,
        description="Documents longer than this are not counted.",
        json_schema_extra=_scope("resource", "general"),
    )
    max_output_tokens: int = Field(
        default=1024,
        ge=1,
        le=10_000_000,
        description="Expected output tokens per call, for files that declare none (Prompty "
        "`max_tokens`, Dotprompt `config.maxOutputTokens`). Used for cost and context "
        "saturation.",
        json_schema_extra=_scope("resource", "costs"),
    )
    budget_tokens: int = Field(
        default=0,
        ge=0,
        le=100_000_000,
        description="Room reserved per call for runtime content such as retrieved documents or "
        "chat history; a file's frontmatter `promptweight.budget` overrides it.",
        json_schema_extra=_scope("resource", "costs"),
    )
    calls_per_day: int = Field(
        default=1000,
        ge=0,
        le=1_000_000_000,
        description="Calls per day, for the monthly cost; a file's frontmatter "
        "`promptweight.callsPerDay` overrides it.",
        json_schema_extra=_scope("resource", "costs"),
    )
    saturation_warning: float = Field(
        default=0.8,
        gt=0,
        le=1,
        description="Share of the context window (prompt + output + budget) at which a warning "
        "is shown; over 100% is an error.",
        json_schema_extra=_scope("resource", "costs"),
    )
    few_shot_share_info: float = Field(
        default=0.3,
        ge=0,
        le=1,
        description="Share of the prompt spent on few-shot examples above which the file is "
        "flagged as a fine-tuning candidate.",
        json_schema_extra=_scope("resource", "general"),
    )
    models: dict[str, ModelOverride] = Field(
        default_factory=dict,
        description='Models to add, or catalog facts to override, by name: `{"my-model": '
        '{"contextWindow": 32768, "inputUsdPerMillion": 0.2, "outputUsdPerMillion": 0.6, '
        '"tokenizer": {"kind": "huggingface", "repo": "org/name"}, "tokenizerPath": '
        '"tokenizers/my-model.json"}}`. `tokenizerPath` is relative to the workspace folder and '
        "must stay inside it.",
        json_schema_extra=_scope("machine-overridable", "general"),
    )
    dataset_folder: str = Field(
        default="",
        description="Folder for exported datasets, relative to the workspace folder (it must "
        "stay inside it). Empty: beside the prompt, as `<prompt>.train.jsonl`.",
        # A path: in Restricted Mode the workspace may not point reads and writes elsewhere.
        json_schema_extra=_scope("resource", "datasets", restricted=True),
    )
    export_format: Literal["openai", "prompt-completion", "alpaca", "sharegpt"] = Field(
        default="openai",
        description="Record format of exported datasets: OpenAI chat fine-tuning (also Hugging "
        "Face's conversational format), prompt-completion, Alpaca or ShareGPT.",
        json_schema_extra=_scope("resource", "datasets"),
    )
    export_system: Literal["strip", "keep", "omit"] = Field(
        default="strip",
        description="The system message of exported records.",
        json_schema_extra=_scope(
            "resource",
            "datasets",
            enumDescriptions=[
                "The prompt's system text with its examples taken out",
                "The system text as written",
                "No system message",
            ],
        ),
    )
    training_model: str = Field(
        default="gpt-4o-mini",
        min_length=1,
        description="Model whose tokenizer measures `.jsonl` dataset examples against "
        "`promptweight.maxSequenceTokens`.",
        json_schema_extra=_scope("resource", "datasets"),
    )
    training_python: str = Field(
        default="",
        alias="training.python",
        description="Python interpreter that runs QLoRA training (it needs the `[train]` extra: "
        "torch, transformers, peft, bitsandbytes, accelerate). Empty: the language server's. "
        "Only a user or machine setting: a workspace cannot choose what runs.",
        json_schema_extra=_scope("machine", "training"),
    )
    max_sequence_tokens: int = Field(
        default=16_384,
        ge=1,
        le=10_000_000,
        description="Dataset examples longer than this, in the training model's tokens, draw a "
        "warning.",
        json_schema_extra=_scope("resource", "datasets"),
    )

    advisor_gpu_hour_usd: float = Field(
        default=1.0,
        ge=0,
        le=1000,
        alias="advisor.gpuHourUsd",
        description="US dollars per GPU-hour for the advisor's local QLoRA model: training it, "
        "and serving it (an on-demand RTX 4090 or L40S costs about $0.35 to $1.10 in 2026).",
        json_schema_extra=_scope("resource", "advisor"),
    )
    advisor_serving_tokens_per_second: float = Field(
        default=1000.0,
        gt=0,
        le=1_000_000,
        alias="advisor.servingTokensPerSecond",
        description="Tokens per second one GPU serves the fine-tuned 7-8B model at (vLLM on an "
        "RTX 4090 does about 1,000 at 32 concurrent requests).",
        json_schema_extra=_scope("resource", "advisor"),
    )
    advisor_training_tokens_per_second: float = Field(
        default=2500.0,
        gt=0,
        le=1_000_000,
        alias="advisor.trainingTokensPerSecond",
        description="Tokens per second QLoRA training processes, for the one-off training cost.",
        json_schema_extra=_scope("resource", "advisor"),
    )
    advisor_cache_hit_rate: float = Field(
        default=0.5,
        ge=0,
        le=1,
        alias="advisor.cacheHitRate",
        description="Share of calls whose static prompt prefix is a provider cache hit.",
        json_schema_extra=_scope("resource", "advisor"),
    )
    advisor_payback_days: int = Field(
        default=90,
        ge=1,
        le=3650,
        alias="advisor.paybackDays",
        description="A fine-tune must pay its training cost back within this many days.",
        json_schema_extra=_scope("resource", "advisor"),
    )
    advisor_min_examples: int = Field(
        default=100,
        ge=1,
        alias="advisor.minExamples",
        description="Labelled examples (few-shot plus exported datasets) to consider fine-tuning.",
        json_schema_extra=_scope("resource", "advisor"),
    )
    advisor_confident_examples: int = Field(
        default=1000,
        ge=1,
        alias="advisor.confidentExamples",
        description="Labelled examples to recommend fine-tuning with confidence.",
        json_schema_extra=_scope("resource", "advisor"),
    )
    advisor_format_consistency: float = Field(
        default=0.9,
        ge=0,
        le=1,
        alias="advisor.formatConsistency",
        description="Share of examples whose outputs share one format for it to count as stable.",
        json_schema_extra=_scope("resource", "advisor"),
    )
    advisor_max_recent_commits: int = Field(
        default=3,
        ge=0,
        alias="advisor.maxRecentCommits",
        description="Commits touching the prompt in the last 30 days above which its "
        "requirements still evolve.",
        json_schema_extra=_scope("resource", "advisor"),
    )
    advisor_min_age_days: int = Field(
        default=14,
        ge=0,
        alias="advisor.minAgeDays",
        description="Days since the prompt's first commit below which it is too new to settle.",
        json_schema_extra=_scope("resource", "advisor"),
    )
    advisor_long_prompt_tokens: int = Field(
        default=2000,
        ge=1,
        alias="advisor.longPromptTokens",
        description="Prompt tokens per call (prefill) from which latency is a ceiling reached.",
        json_schema_extra=_scope("resource", "advisor"),
    )
    advisor_monthly_cost_usd: float = Field(
        default=1000.0,
        ge=0,
        alias="advisor.monthlyCostUsd",
        description="Monthly cost of the prompt from which cost is a ceiling reached.",
        json_schema_extra=_scope("resource", "advisor"),
    )
    advisor_max_diversity: float = Field(
        default=0.5,
        ge=0,
        le=1,
        alias="advisor.maxDiversity",
        description="Above this share of distinct outputs among the examples, the task is too "
        "varied for a fine-tune to generalise.",
        json_schema_extra=_scope("resource", "advisor"),
    )


def _extra(name: str) -> dict[str, Any]:
    extra = Settings.model_fields[name].json_schema_extra
    assert isinstance(extra, dict)
    return extra


def setting_scope(name: str) -> SettingScope:
    scope = _extra(name)["scope"]
    assert isinstance(scope, str)
    return scope  # type: ignore[return-value]


def setting_group(name: str) -> SettingGroup:
    group = _extra(name).get("group", "general")
    assert group in SETTING_GROUPS, f"{name}: unknown settings group {group!r}"
    return group  # type: ignore[no-any-return]


def is_restricted(name: str) -> bool:
    """Whether Restricted Mode must ignore the workspace's value: it names an executable or a
    path (the machine scopes), or is marked so."""
    scope = setting_scope(name)
    return scope in ("machine", "machine-overridable") or bool(_extra(name).get("restricted"))


class FolderSettings(WireModel):
    """One workspace folder's settings, as VS Code resolves them for that folder."""

    uri: str = Field(description="The workspace folder's URI.")
    settings: dict[str, Any] = Field(
        default_factory=dict,
        description="Settings keys (as in `Settings`) with this folder's values; each is "
        "validated on its own, like the top-level ones.",
    )


class InitializationOptions(Settings):
    """Sent by the client in `initialize`: the settings of the whole window, and of each
    workspace folder. The client restarts the server when any of them changes."""

    workspace_trusted: bool = Field(
        default=False,
        description="Whether the editor trusts the workspace: training, which runs code, is "
        "refused otherwise.",
    )
    folders: list[FolderSettings] = Field(
        default_factory=list,
        description="Per workspace folder; a document takes the settings of the folder that "
        "holds it, and the window's otherwise.",
    )
