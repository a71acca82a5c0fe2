"""The whole job over a store: ingest, then relate, group into stories and cross-check what came in.

Each later stage works on the articles that are new, against everything already stored,
so analysing a store piece by piece gives what analysing it at once would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from newstrace.checks import DEFAULT_OPTIONS as DEFAULT_CHECK_OPTIONS
from newstrace.checks import CheckOptions
from newstrace.checks.store import check_stories
from newstrace.model import Finding, Relation, Story
from newstrace.pipeline import IngestOptions, IngestReport, ProgressCallback, ingest
from newstrace.relate import RelateOptions, relate_store
from newstrace.store import SQLiteStore
from newstrace.stories import StoryOptions, assign_stories

StageCallback = Callable[[str, int | None], ProgressCallback]
"""Called when a stage starts, with its name and its size when known; returns that stage's progress callback."""


@dataclass(frozen=True)
class AnalyzeOptions:
    """Options of every stage, in one place."""

    ingest: IngestOptions = field(default_factory=IngestOptions)
    relate: RelateOptions = field(default_factory=RelateOptions)
    stories: StoryOptions | None = None  # None: the options of the store's last stories rebuild
    checks: CheckOptions = DEFAULT_CHECK_OPTIONS


@dataclass
class AnalyzeReport:
    """What a run found: the ingest counts, and the relations, stories and findings it made or changed."""

    ingest: IngestReport
    relations: list[Relation] = field(default_factory=list)
    stories: list[Story] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def update_stages(
    store: SQLiteStore,
    article_ids: Sequence[str],
    options: AnalyzeOptions | None = None,
    stage: StageCallback | None = None,
) -> tuple[list[Relation], list[Story], list[Finding]]:
    """Relate ``article_ids`` to the store, place them in stories, and re-check the stories that changed."""
    options = options or AnalyzeOptions()
    if not article_ids:
        return [], [], []
    # No total: relate_store relates the whole store instead when the new articles are a large share of it.
    relations = relate_store(store, article_ids, options.relate, _progress(stage, "relating", None))
    _progress(stage, "grouping into stories", None)
    stories = assign_stories(store, article_ids, options.stories)
    findings = check_stories(store, stories, options.checks, _progress(stage, "cross-checking", len(stories)))
    return relations, stories, findings


def analyze(
    store: SQLiteStore,
    paths: Iterable[str | Path],
    options: AnalyzeOptions | None = None,
    stage: StageCallback | None = None,
) -> AnalyzeReport:
    """Ingest ``paths`` into ``store`` and run every later stage over the new articles.

    Args:
        store: where everything is read and written.
        paths: files, directories or ``-`` (standard input).
        options: options of every stage.
        stage: progress reporting, called as each stage starts.

    Returns:
        An ``AnalyzeReport`` with the ingest counts and what the later stages made or changed.
    """
    options = options or AnalyzeOptions()
    report = AnalyzeReport(ingest(store, paths, options.ingest, _progress(stage, "ingesting", None)))
    report.relations, report.stories, report.findings = update_stages(
        store, report.ingest.new_ids, options, stage
    )
    return report


def _progress(stage: StageCallback | None, name: str, total: int | None) -> ProgressCallback | None:
    return stage(name, total) if stage else None
