"""The checks stage over a store: findings for a story's articles, written per article."""

from __future__ import annotations

from dataclasses import dataclass

from newstrace.checks import DEFAULT_OPTIONS, CheckOptions, check_article, check_story
from newstrace.model import Finding, Relation
from newstrace.store import SQLiteStore


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
    story = store.get_story(story_id)
    members = set(story.articles)
    relations: dict[tuple[str, str], Relation] = {}
    for article_id in story.articles:
        for relation in store.relations(article_id):
            if relation.derived in members:
                relations[(relation.original, relation.derived)] = relation
    wanted = list(story.articles) + sorted({o for o, _ in relations if o not in members})
    articles = list(store.iter_articles(wanted))
    findings = [f for f in check_story(articles, relations.values(), options) if f.article in members]
    by_article: dict[str, list[Finding]] = {article_id: [] for article_id in story.articles}
    for item in findings:
        by_article[item.article].append(item)
    for article_id, article_findings in by_article.items():
        store.replace_findings(article_id, article_findings)
    return findings


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


def check_store(store: SQLiteStore, options: CheckOptions = DEFAULT_OPTIONS) -> CheckReport:
    """Recompute the findings of every story in the store."""
    stories = store.stories()
    articles = findings = alterations = 0
    for story in stories:
        found = check_story_in_store(store, story.id, options)
        articles += len(story.articles)
        findings += len(found)
        alterations += sum(f.severity == "alteration" for f in found)
    return CheckReport(stories=len(stories), articles=articles, findings=findings, alterations=alterations)
