"""Every custom method between the client and the server: its name, kind, direction and payload
models. The server, the client (through the generated `METHODS` in protocol.ts) and the tests
take the names from here, never from string literals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from shared_schemas.advice import AdviceParams, AdviceResult
from shared_schemas.dataset_validation import ValidateDatasetParams, ValidateDatasetResult
from shared_schemas.evaluation import CompareAdapterParams, EvalResult
from shared_schemas.messages import (
    CountSelectionParams,
    CountSelectionResult,
    DocumentStats,
    ExportDatasetParams,
    ExportDatasetResult,
    ServerStatus,
    ServerStatusParams,
)
from shared_schemas.model_picker import ModelsParams, ModelsResult
from shared_schemas.reports import (
    TokenReportParams,
    TokenReportResult,
    TrainingHistory,
    TrainingHistoryParams,
)
from shared_schemas.training import (
    CancelTrainingParams,
    CancelTrainingResult,
    StartTrainingParams,
    StartTrainingResult,
    TrainingNotification,
    TrainingRuns,
    TrainingRunsParams,
)
from shared_schemas.training_setup import (
    CreateTrainingConfigParams,
    CreateTrainingConfigResult,
    InstallTrainingExtraParams,
    InstallTrainingExtraResult,
    TrainingChoices,
    TrainingChoicesParams,
    TrainingEnvironment,
    TrainingEnvironmentParams,
    TrainingPlan,
    TrainingPlanParams,
    TryAdapterParams,
    TryAdapterResult,
)
from shared_schemas.wire import WireModel


@dataclass(frozen=True)
class CustomMethod:
    key: str  # the name the generated TypeScript gives it
    name: str  # on the wire
    kind: Literal["request", "notification", "command"]
    direction: Literal["client-to-server", "server-to-client"]
    params: type[WireModel]
    result: type[WireModel] | None = None


DOCUMENT_STATS = CustomMethod(
    "documentStats", "promptweight/documentStats", "notification", "server-to-client", DocumentStats
)
COUNT_SELECTION = CustomMethod(
    "countSelection",
    "promptweight/countSelection",
    "request",
    "client-to-server",
    CountSelectionParams,
    CountSelectionResult,
)
SERVER_STATUS = CustomMethod(
    "serverStatus",
    "promptweight/serverStatus",
    "request",
    "client-to-server",
    ServerStatusParams,
    ServerStatus,
)
# `workspace/executeCommand` with `arguments: [ExportDatasetParams]`.
EXPORT_DATASET = CustomMethod(
    "exportDataset",
    "promptweight.server.exportDataset",
    "command",
    "client-to-server",
    ExportDatasetParams,
    ExportDatasetResult,
)

START_TRAINING = CustomMethod(
    "startTraining",
    "promptweight.server.startTraining",
    "command",
    "client-to-server",
    StartTrainingParams,
    StartTrainingResult,
)
CANCEL_TRAINING = CustomMethod(
    "cancelTraining",
    "promptweight.server.cancelTraining",
    "command",
    "client-to-server",
    CancelTrainingParams,
    CancelTrainingResult,
)
TRAINING_RUNS = CustomMethod(
    "trainingRuns",
    "promptweight/trainingRuns",
    "request",
    "client-to-server",
    TrainingRunsParams,
    TrainingRuns,
)
TRAINING = CustomMethod(
    "training", "promptweight/training", "notification", "server-to-client", TrainingNotification
)

TRAINING_ENVIRONMENT = CustomMethod(
    "trainingEnvironment",
    "promptweight/trainingEnvironment",
    "request",
    "client-to-server",
    TrainingEnvironmentParams,
    TrainingEnvironment,
)
INSTALL_TRAINING_EXTRA = CustomMethod(
    "installTrainingExtra",
    "promptweight.server.installTrainingExtra",
    "command",
    "client-to-server",
    InstallTrainingExtraParams,
    InstallTrainingExtraResult,
)
TRAINING_CHOICES = CustomMethod(
    "trainingChoices",
    "promptweight/trainingChoices",
    "request",
    "client-to-server",
    TrainingChoicesParams,
    TrainingChoices,
)
PLAN_TRAINING = CustomMethod(
    "planTraining",
    "promptweight/planTraining",
    "request",
    "client-to-server",
    TrainingPlanParams,
    TrainingPlan,
)
CREATE_TRAINING_CONFIG = CustomMethod(
    "createTrainingConfig",
    "promptweight.server.createTrainingConfig",
    "command",
    "client-to-server",
    CreateTrainingConfigParams,
    CreateTrainingConfigResult,
)
TRY_ADAPTER = CustomMethod(
    "tryAdapter",
    "promptweight.server.tryAdapter",
    "command",
    "client-to-server",
    TryAdapterParams,
    TryAdapterResult,
)

ADVICE = CustomMethod(
    "advice", "promptweight/advice", "request", "client-to-server", AdviceParams, AdviceResult
)

COMPARE_ADAPTER = CustomMethod(
    "compareAdapter",
    "promptweight.server.compareAdapter",
    "command",
    "client-to-server",
    CompareAdapterParams,
    EvalResult,
)

TOKEN_REPORT = CustomMethod(
    "tokenReport",
    "promptweight/tokenReport",
    "request",
    "client-to-server",
    TokenReportParams,
    TokenReportResult,
)
TRAINING_HISTORY = CustomMethod(
    "trainingHistory",
    "promptweight/trainingHistory",
    "request",
    "client-to-server",
    TrainingHistoryParams,
    TrainingHistory,
)

MODELS = CustomMethod(
    "models", "promptweight/models", "request", "client-to-server", ModelsParams, ModelsResult
)
VALIDATE_DATASET = CustomMethod(
    "validateDataset",
    "promptweight/validateDataset",
    "request",
    "client-to-server",
    ValidateDatasetParams,
    ValidateDatasetResult,
)

METHODS: tuple[CustomMethod, ...] = (
    DOCUMENT_STATS,
    COUNT_SELECTION,
    SERVER_STATUS,
    EXPORT_DATASET,
    START_TRAINING,
    CANCEL_TRAINING,
    TRAINING,
    TRAINING_RUNS,
    TRAINING_ENVIRONMENT,
    INSTALL_TRAINING_EXTRA,
    TRAINING_CHOICES,
    PLAN_TRAINING,
    CREATE_TRAINING_CONFIG,
    TRY_ADAPTER,
    ADVICE,
    COMPARE_ADAPTER,
    MODELS,
    VALIDATE_DATASET,
    TOKEN_REPORT,
    TRAINING_HISTORY,
)


def methods_table() -> dict[str, dict[str, str | None]]:
    """The registry as plain JSON, for the generated TypeScript."""
    return {
        m.key: {
            "name": m.name,
            "kind": m.kind,
            "direction": m.direction,
            "params": m.params.__name__,
            "result": m.result.__name__ if m.result else None,
        }
        for m in METHODS
    }
