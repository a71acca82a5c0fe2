"""The checks stage over a store: findings for a story's articles, written per article."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from newstrace.checks import DEFAULT_OPTIONS, CheckOptions, check_article, check_story
from newstrace.model import Finding, Relation, Story
from newstrace.processes import can_fork, default_workers, fork_map, interleaved
from newstrace.store import SQLiteStore
from newstrace.store.sqlite import MEMORY

# Fewer stories than this are checked in this process: forking costs more than it saves.
PARALLEL_MIN_STORIES = 200


@dataclass(frozen=True)
class CheckReport:
    """What a run of the checks did."""

    stories: int
    articles: int
    findings: int
    alterations: int


def check_story_in_store(
    store: SQLiteStore, story_id: str, options: CheckOptions = DEFAULT_OPTIONS
) -> list[Finding]:
    """Recompute the findings of every article of story ``story_id`` and store them.

    Originals that a story article copies are loaded too (when stored), even if they were
    grouped into another story, so that the copy's changes are still found.

    Raises:
        NotFoundError: no such story.
    """
    by_article = _story_findings(store, store.get_story(story_id), options)
    _write(store, by_article)
    return [finding for findings in by_article.values() for finding in findings]


def _story_findings(store: SQLiteStore, story: Story, options: CheckOptions) -> dict[str, list[Finding]]:
    """Each article of ``story`` and its findings (none: an empty list, so old ones are cleared)."""
    members = set(story.articles)
    relations: dict[tuple[str, str], Relation] = {}
    for relation in store.relations_of(story.articles):
        if relation.derived in members:
            relations[(relation.original, relation.derived)] = relation
    wanted = list(story.articles) + sorted({o for o, _ in relations if o not in members})
    articles = list(store.iter_articles(wanted))
    by_article: dict[str, list[Finding]] = {article_id: [] for article_id in story.articles}
    for finding in check_story(articles, relations.values(), options):
        if finding.article in members:
            by_article[finding.article].append(finding)
    return by_article


def _write(store: SQLiteStore, by_article: dict[str, list[Finding]]) -> None:
    for article_id, findings in by_article.items():
        store.replace_findings(article_id, findings)


def check_article_in_store(
    store: SQLiteStore, article_id: str, options: CheckOptions = DEFAULT_OPTIONS
) -> list[Finding]:
    """Compute and store the findings of one article, as it joins its story.

    Raises:
        NotFoundError: no such article.
    """
    article = store.get_article(article_id)
    relations = store.relations(article_id)
    story_id = store.story_of(article_id)
    members = list(store.get_story(story_id).articles) if story_id else []
    originals = sorted({r.original for r in relations if r.derived == article_id} - set(members))
    others = [a for a in store.iter_articles(members + originals) if a.id != article_id]
    findings = check_article(article, others, relations, options)
    store.replace_findings(article_id, findings)
    return findings


def check_store(
    store: SQLiteStore,
    options: CheckOptions = DEFAULT_OPTIONS,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> CheckReport:
    """Recompute the findings of every story in the store (see ``check_stories``)."""
    stories = store.stories()
    found = check_stories(store, stories, options, progress, workers)
    return CheckReport(
        stories=len(stories),
        articles=sum(len(story.articles) for story in stories),
        findings=len(found),
        alterations=sum(f.severity == "alteration" for f in found),
    )


def check_stories(
    store: SQLiteStore,
    stories: Sequence[Story],
    options: CheckOptions = DEFAULT_OPTIONS,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> list[Finding]:
    """Recompute and store the findings of the articles of ``stories``; returns them.

    Args:
        store: The store to read and write.
        stories: The stories to check.
        options: Check thresholds.
        progress: Called with the number of stories checked since the last call.
        workers: Processes checking stories side by side (forked, each with its own connection to the
            store file) when there are many; by default one per core, two at most. This process writes
            every finding, so they are the same whatever the number.
    """
    workers = workers or default_workers()
    if workers > 1 and len(stories) >= PARALLEL_MIN_STORIES and store.path != MEMORY and can_fork():

        def share(k: int, report: Callable[[int], None]) -> list[dict[str, list[Finding]]]:
            with SQLiteStore(store.path) as own:
                return [
                    _reported(_story_findings(own, story, options), report) for story in stories[k::workers]
                ]

        results: Iterable[dict[str, list[Finding]]] = interleaved(fork_map(share, workers, progress))
    else:
        results = (_reported(_story_findings(store, story, options), progress) for story in stories)
    findings = []
    for by_article in results:
        _write(store, by_article)
        findings.extend(finding for article_findings in by_article.values() for finding in article_findings)
    return findings


def _reported(
    by_article: dict[str, list[Finding]], progress: Callable[[int], None] | None
) -> dict[str, list[Finding]]:
    if progress:
        progress(1)
    return by_article
