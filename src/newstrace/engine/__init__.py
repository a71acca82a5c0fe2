"""The engine: the one place that runs stages, moves records between them and writes them.

``LocalEngine`` runs on this machine over any store; ``analyze`` is its main job. Stages
(``engine.stages``) only read; the engine hands each the articles due for it, writes what it
made with the stage marks in one transaction, and owns the worker processes (``newstrace.workers``).
"""

from newstrace.engine.ingest import IngestOptions, IngestReport, extract_items, ingest, ingest_items
from newstrace.engine.local import (
    AnalyzeOptions,
    LocalEngine,
    RunReport,
    StageReport,
    analyze,
    default_stages,
)
from newstrace.engine.stages import Pipeline, PipelineError, Stage, StageCallback, StageContext, StageResult

__all__ = [
    "AnalyzeOptions",
    "IngestOptions",
    "IngestReport",
    "LocalEngine",
    "Pipeline",
    "PipelineError",
    "RunReport",
    "Stage",
    "StageCallback",
    "StageContext",
    "StageReport",
    "StageResult",
    "analyze",
    "default_stages",
    "extract_items",
    "ingest",
    "ingest_items",
]
