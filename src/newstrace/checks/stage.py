"""The checks stage in the engine: cross-check every story that holds an article that is due.

A story is checked whole (each article against its originals and the closest independent
reports), so every article of a checked story is brought up to date at once. Originals that a
story article copies are read too, even when they were grouped into another story, so that the
copy's changes are still found. Many stories are checked in forked workers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from newstrace.checks import CheckOptions, check_story
from newstrace.engine.stages import StageContext, StageResult
from newstrace.model import Finding, Relation, Story
from newstrace.store.base import Store
from newstrace.workers import Progress, interleaved

# Fewer stories than this are checked in this process: forking costs more than it saves.
PARALLEL_MIN_STORIES = 200


@dataclass(frozen=True)
class CheckStage:
    """Checks: names, numbers and quotes that differ, with the evidence on both sides."""

    options: CheckOptions = field(default_factory=CheckOptions)
    name: ClassVar[str] = "checks"

    def run(self, due: Sequence[str], context: StageContext) -> StageResult:
        store = context.store
        stories = store.stories.many(set(store.stories.of(due).values()))
        options = self.options

        def share(k: int, n: int, report: Progress) -> list[dict[str, list[Finding]]]:
            return [_reported(story_findings(store, story, options), report) for story in stories[k::n]]

        found = context.workers.shares(share, context.progress, parallel=len(stories) >= PARALLEL_MIN_STORIES)
        result = StageResult(done=set(due))
        before = _by_article(store.findings.of(a for story in stories for a in story.articles))
        for by_article in interleaved(found):
            result.changes.findings.update(by_article)
            result.done.update(by_article)
            result.made.extend(f for findings in by_article.values() for f in findings)
            result.changed.update(a for a, findings in by_article.items() if before.get(a, []) != findings)
        return result


def story_findings(store: Store, story: Story, options: CheckOptions) -> dict[str, list[Finding]]:
    """Each article of ``story`` and its findings (none: an empty list, so old ones are cleared)."""
    members = set(story.articles)
    relations: dict[tuple[str, str], Relation] = {}
    for relation in store.relations.of(story.articles):
        if relation.derived in members:
            relations[(relation.original, relation.derived)] = relation
    wanted = list(story.articles) + sorted({o for o, _ in relations if o not in members})
    by_article: dict[str, list[Finding]] = {article_id: [] for article_id in story.articles}
    for finding in check_story(list(store.articles.many(wanted)), relations.values(), options):
        if finding.article in members:
            by_article[finding.article].append(finding)
    return by_article


def _by_article(findings: list[Finding]) -> dict[str, list[Finding]]:
    grouped: dict[str, list[Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.article, []).append(finding)
    return grouped


def _reported(by_article: dict[str, list[Finding]], progress: Progress) -> dict[str, list[Finding]]:
    progress(1)
    return by_article
