"""Write the JSON Schema of every wire model (`python -m shared_schemas.generate [OUT]`) and,
without OUT, package.json's settings from the `Settings` model.

The client's TypeScript types are generated from this file by json-schema-to-typescript; tests
fail when either generated file is stale.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic.json_schema import models_json_schema

from shared_schemas import (
    advice,
    dataset_validation,
    datasets,
    evaluation,
    messages,
    model_picker,
    reports,
    settings,
    training,
    training_setup,
)
from shared_schemas.methods import methods_table
from shared_schemas.vscode_settings import write_package_json
from shared_schemas.wire import WireModel

SCHEMA_PATH = Path(__file__).resolve().parent / "json" / "protocol.schema.json"

WIRE_MODELS: tuple[type[WireModel], ...] = (
    settings.Settings,
    settings.InitializationOptions,
    messages.DocumentStats,
    messages.CountSelectionParams,
    messages.CountSelectionResult,
    messages.CheckReport,
    messages.ExportDatasetParams,
    messages.ExportDatasetResult,
    messages.ExportActionData,
    messages.ServerStatusParams,
    messages.ServerStatus,
    datasets.DatasetReport,
    datasets.ValidateReport,
    training.TrainingConfig,
    training.MemoryEstimate,
    training.Started,
    training.Step,
    training.Eval,
    training.Checkpoint,
    training.Finished,
    training.Failed,
    training.Log,
    training.DoctorReport,
    training.StartTrainingParams,
    training.StartTrainingResult,
    training.CancelTrainingParams,
    training.CancelTrainingResult,
    training.TrainingNotification,
    training.TrainingRunsParams,
    training.TrainingRuns,
    training_setup.TrainingEnvironmentParams,
    training_setup.TrainingEnvironment,
    training_setup.InstallTrainingExtraParams,
    training_setup.InstallTrainingExtraResult,
    training_setup.TrainingChoicesParams,
    training_setup.TrainingChoices,
    training_setup.TrainingPlanParams,
    training_setup.TrainingPlan,
    training_setup.CreateTrainingConfigParams,
    training_setup.CreateTrainingConfigResult,
    training_setup.TryAdapterParams,
    training_setup.TryAdapterResult,
    advice.AdviceReport,
    advice.AdviceParams,
    advice.AdviceResult,
    evaluation.EvalReport,
    evaluation.EvalResult,
    evaluation.CompareAdapterParams,
    model_picker.ModelsParams,
    model_picker.ModelsResult,
    dataset_validation.ValidateDatasetParams,
    dataset_validation.ValidateDatasetResult,
    reports.TokenReportParams,
    reports.TokenReportResult,
    reports.TrainingHistoryParams,
    reports.TrainingHistory,
)


def protocol_schema() -> dict[str, object]:
    _, schema = models_json_schema(
        [(model, "serialization") for model in WIRE_MODELS],
        ref_template="#/$defs/{model}",
    )
    defs = schema["$defs"]
    # Property titles make json-schema-to-typescript emit an alias type per field (Encoding1,
    # Encoding2, ...); the interfaces read better with the types inlined.
    for definition in defs.values():
        for prop in definition.get("properties", {}).values():
            prop.pop("title", None)
    # One root object that references every message, so every type is generated.
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "PromptweightProtocol",
        "type": "object",
        "properties": {
            model.__name__: {"$ref": f"#/$defs/{model.__name__}"} for model in WIRE_MODELS
        },
        "additionalProperties": False,
        "$defs": defs,
        # Read by client/generate-types.mjs: the method names, and the settings the client sends.
        "x-methods": methods_table(),
        "x-settings": {
            (field.alias or name): field.json_schema_extra["scope"]  # type: ignore[index]
            for name, field in settings.Settings.model_fields.items()
        },
    }


def render() -> str:
    return json.dumps(protocol_schema(), indent=2, sort_keys=True) + "\n"


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else SCHEMA_PATH
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render(), encoding="utf-8")
    if len(argv) <= 1:
        write_package_json()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
