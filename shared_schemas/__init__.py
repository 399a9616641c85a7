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
    ExampleReport,
    ExportDatasetParams,
    ExportDatasetResult,
    FileReport,
    InitializationOptions,
    MessageReport,
    Position,
    PromptFigures,
    Range,
    ReportDiagnostic,
    Severity,
    SkippedFile,
    TokenBreakdown,
    VariableReport,
)

__all__ = [
    "CheckReport",
    "CountSelectionParams",
    "CountSelectionResult",
    "DatasetProblem",
    "DatasetReport",
    "DatasetSummary",
    "DocumentStats",
    "ExampleReport",
    "ExportDatasetParams",
    "ExportDatasetResult",
    "FileReport",
    "InitializationOptions",
    "MessageReport",
    "Position",
    "PromptFigures",
    "Range",
    "ReportDiagnostic",
    "Severity",
    "SkippedFile",
    "TokenBreakdown",
    "TokenDistribution",
    "VariableReport",
]
