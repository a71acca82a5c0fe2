"""The local engine: runs the pipeline over one store on this machine.

The store knows, per article, which stages are done. A run takes each stage of the pipeline in
order, hands it the articles that are due for it, and writes what it made, with the stage marks,
in one transaction; the articles whose results changed are marked due again for the later stages.
So a run that was killed is finished by running again, a command that needs an earlier stage runs
it first, and nothing is ever answered from missing data.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newstrace.brief import BriefOptions
from newstrace.brief.stage import BriefStage
from newstrace.checks import CheckOptions
from newstrace.checks.stage import CheckStage
from newstrace.engine.ingest import IngestOptions, IngestReport, ingest, ingest_items
from newstrace.engine.stages import (
    Pipeline,
    PipelineError,
    Stage,
    StageCallback,
    StageContext,
    StageResult,
    requires,
)
from newstrace.extract.stage import TemplateStep
from newstrace.extract.templates import TemplateOptions
from newstrace.model import Brief, Finding, Relation, Story
from newstrace.relate import RelateOptions
from newstrace.relate.stage import RelateStage
from newstrace.sources import SourceItem
from newstrace.store.base import STAGES, Store, later_stages
from newstrace.stories import StoryOptions
from newstrace.stories.stage import StoryStage
from newstrace.workers import Progress, Workers, default_workers


@dataclass(frozen=True)
class AnalyzeOptions:
    """Options of every stage, in one place.

    Attributes:
        stories: None: the options the store's stories were grouped with (the defaults in a new store).
        workers: worker processes for extraction and the stages' batch work.
    """

    ingest: IngestOptions = field(default_factory=IngestOptions)
    templates: TemplateOptions = field(default_factory=TemplateOptions)
    relate: RelateOptions = field(default_factory=RelateOptions)
    stories: StoryOptions | None = None
    checks: CheckOptions = field(default_factory=CheckOptions)
    brief: BriefOptions = field(default_factory=BriefOptions)
    workers: int = field(default_factory=default_workers)


@dataclass
class StageReport:
    """What one stage did in a run."""

    stage: str
    due: int
    made: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class RunReport:
    """What a run did: the ingest counts (when it ingested) and each stage's report."""

    ingest: IngestReport = field(default_factory=IngestReport)
    stages: list[StageReport] = field(default_factory=list)

    def _made(self, stage: str) -> list[Any]:
        return [record for report in self.stages if report.stage == stage for record in report.made]

    @property
    def relations(self) -> list[Relation]:
        return self._made("relate")

    @property
    def stories(self) -> list[Story]:
        return self._made("stories")

    @property
    def findings(self) -> list[Finding]:
        return self._made("checks")

    @property
    def briefs(self) -> list[Brief]:
        return self._made("brief")

    @property
    def notes(self) -> list[str]:
        return [note for report in self.stages for note in report.notes]


def default_stages(options: AnalyzeOptions) -> list[Stage]:
    """Every stage after extraction, in order, with its options."""
    return [
        RelateStage(options.relate),
        StoryStage(options.stories),
        CheckStage(options.checks),
        BriefStage(options.brief),
    ]


class LocalEngine:
    """Runs newstrace's stages over ``store`` in this process and its worker processes.

    Example:
        >>> from newstrace.store import MemoryStore
        >>> with LocalEngine(MemoryStore()) as engine:
        ...     report = engine.analyze(["examples/demo"])  # doctest: +SKIP
    """

    def __init__(self, store: Store, options: AnalyzeOptions | None = None, workers: Workers | None = None) -> None:
        self.store = store
        self.options = options or AnalyzeOptions()
        self.workers = workers or Workers(self.options.workers)
        self.stages = {stage.name: stage for stage in default_stages(self.options)}
        self.templates = TemplateStep(self.options.templates)

    def __enter__(self) -> LocalEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.workers.close()

    def pipeline(self, upto: str = STAGES[-1]) -> Pipeline:
        """The stages after extraction up to ``upto``, in order."""
        if upto not in self.stages:
            raise PipelineError(f"no stage {upto!r} to run up to; the stages are {', '.join(self.stages)}")
        names = STAGES[1 : STAGES.index(upto) + 1]
        return Pipeline([self.stages[name] for name in names])

    def ingest(self, paths: Iterable[str | Path], progress: Progress | None = None) -> IngestReport:
        """Read, extract and store ``paths`` (see ``engine.ingest.ingest``); later stages are left due."""
        return ingest(self.store, paths, self.workers, self.options.ingest, progress)

    def ingest_documents(self, documents: Iterable[SourceItem], progress: Progress | None = None) -> IngestReport:
        """Extract and store documents read elsewhere (fetched, posted): ``ingest`` without the reading."""
        return ingest_items(self.store, documents, self.workers, self.options.ingest, progress)

    def analyze(self, paths: Iterable[str | Path], stage: StageCallback | None = None) -> RunReport:
        """Ingest ``paths``, then bring every stored article through every stage."""
        report = RunReport(self.ingest(paths, _progress(stage, "ingesting", None)))
        report.stages = self.run(stage=stage).stages
        return report

    def run(self, pipeline: Pipeline | None = None, stage: StageCallback | None = None) -> RunReport:
        """Run each stage of ``pipeline`` (every stage by default) on the articles due for it.

        Raises:
            PipelineError: the pipeline starts after a stage that some articles have not been through.
        """
        pipeline = pipeline or self.pipeline()
        first = pipeline.stages[0].name
        needed = requires(first)
        if needed != STAGES[0] and (lacking := self.store.stages.missing(needed)):
            raise PipelineError(
                f"{len(lacking)} articles have not been through {needed}, which {first} needs "
                f"(first: {lacking[0]}); run the stages before {first} first"
            )
        note = self._strip_templates() if first == STAGES[1] else None
        report = RunReport()
        for step in pipeline.stages:
            due = self.store.stages.pending(step.name)
            report.stages.append(self._run_stage(step, due, stage))
        if note:
            report.stages[0].notes.insert(0, note)
        return report

    def redo(self, name: str, stage: StageCallback | None = None) -> RunReport:
        """Run stage ``name`` again on every article (after bringing the stages before it up to date).

        The later stages become due for the articles whose results changed.
        """
        before = STAGES.index(name) - 1
        report = self.run(self.pipeline(STAGES[before]), stage) if before > 0 else RunReport()
        if before == 0:
            self._strip_templates()
        report.stages.append(self._run_stage(self.stages[name], self.store.articles.ids(), stage))
        return report

    def _strip_templates(self) -> str | None:
        """Move site template lines out of the articles due for relate, before relate reads them
        (``extract.stage``); a note for the run's report when any moved."""
        changes, done = self.templates.run(self.store, self.store.stages.pending(STAGES[1]), self.workers)
        if changes.settings or changes.articles_rewritten:
            self.store.commit(changes)
        return f"site templates: {done.lines} lines moved out of {done.articles} articles" if done.articles else None

    def _run_stage(self, step: Stage, due: Sequence[str], stage: StageCallback | None) -> StageReport:
        if not due:
            return StageReport(step.name, 0)
        progress = _progress(stage, _DESCRIPTIONS[step.name], None) or (lambda n: None)
        result = step.run(due, StageContext(self.store, self.workers, progress))
        self._commit(step.name, result)
        return StageReport(step.name, len(due), result.made, result.notes)

    def _commit(self, name: str, result: StageResult) -> None:
        changes = result.changes
        changes.mark(name, result.done)
        if later_stages(name):
            changes.reset(later_stages(name)[0], result.changed)
        self.store.commit(changes)


_DESCRIPTIONS = {
    "relate": "relating",
    "stories": "grouping into stories",
    "checks": "cross-checking",
    "brief": "writing briefs",
}


def _progress(stage: StageCallback | None, name: str, total: int | None) -> Progress | None:
    return stage(name, total) if stage else None


def analyze(
    store: Store,
    paths: Iterable[str | Path],
    options: AnalyzeOptions | None = None,
    stage: StageCallback | None = None,
) -> RunReport:
    """Ingest ``paths`` into ``store`` and run every stage over what is due: the main job.

    Args:
        store: where everything is read and written.
        paths: files, directories or ``-`` (standard input).
        options: options of every stage.
        stage: progress reporting, called as each stage starts.

    Returns:
        A ``RunReport`` with the ingest counts and what each stage made or changed.
    """
    with LocalEngine(store, options) as engine:
        return engine.analyze(paths, stage)
