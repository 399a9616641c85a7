"""The one contract between Promptweight's processes: pydantic models, JSON on the wire.

Every message that crosses a process boundary (custom LSP notifications and requests,
initialization options, CLI JSON output) is a model here. `python -m shared_schemas.generate`
writes their JSON Schema, from which the client's TypeScript types are generated.
"""

from shared_schemas.datasets import (
    DatasetProblem,
    DatasetReport,
    DatasetSummary,
    TokenDistribution,
)
from shared_schemas.messages import (
    CheckReport,
    CountSelectionParams,
    CountSelectionResult,
    DocumentStats,
    DocumentStatus,
    ExampleReport,
    ExportActionData,
    ExportDatasetParams,
    ExportDatasetResult,
    FileReport,
    MessageReport,
    Position,
    PromptFigures,
    Range,
    ReportDiagnostic,
    ServerStatus,
    ServerStatusParams,
    Severity,
    SkippedFile,
    TokenBreakdown,
    VariableReport,
)
from shared_schemas.settings import FolderSettings, InitializationOptions, Settings

__all__ = [
    "CheckReport",
    "CountSelectionParams",
    "CountSelectionResult",
    "DatasetProblem",
    "DatasetReport",
    "DatasetSummary",
    "DocumentStats",
    "DocumentStatus",
    "ExampleReport",
    "ExportActionData",
    "ExportDatasetParams",
    "ExportDatasetResult",
    "FileReport",
    "FolderSettings",
    "InitializationOptions",
    "MessageReport",
    "Position",
    "PromptFigures",
    "Range",
    "ReportDiagnostic",
    "ServerStatus",
    "ServerStatusParams",
    "Settings",
    "Severity",
    "SkippedFile",
    "TokenBreakdown",
    "TokenDistribution",
    "VariableReport",
]
