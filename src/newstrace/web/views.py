"""What each page shows, built once as the JSON its ``/api/v1`` twin returns (the page is a template over it).

Every function here reads the store through its interfaces and returns plain values; the routes only
parse parameters, call one of these and render the result as JSON or HTML.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from newstrace.errors import NotFoundError
from newstrace.model import Article, Brief, Finding, Relation
from newstrace.relate import SiteStats, site_statistics
from newstrace.store import Store
from newstrace.store.base import StoryQuery
from newstrace.stories.features import article_order
from newstrace.watch.state import SourceStatus, StateCounts
from newstrace.web.highlight import relation_marks, segments
from newstrace.web.paging import page_of, unwrap, wrap

RELATION_SEPARATOR = "~"


def relation_id(relation: Relation) -> str:
    """The id a relation goes by in the service: its original's id, ``~``, its copy's id."""
    return f"{relation.original}{RELATION_SEPARATOR}{relation.derived}"


def summary(article: Article) -> dict[str, Any]:
    """What a list or a label shows of an article."""
    return {
        "id": article.id,
        "title": article.title,
        "site": article.site,
        "outlet": article.outlet,
        "date": article.date,
        "url": article.url,
    }


def relation_summary(relation: Relation) -> dict[str, Any]:
    """A relation without its passages (its page has them)."""
    data = relation.to_dict()
    del data["evidence"]
    return {"id": relation_id(relation), **data, "passages": len(relation.evidence)}


def _labels(store: Store, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    return {article.id: summary(article) for article in store.articles.many(dict.fromkeys(ids))}


def story_list(store: Store, query: StoryQuery, limit: int, cursor: str | None) -> dict[str, Any]:
    """A page of stories, latest first, each with its number of articles and findings."""
    stories, after = store.stories.listed(query, limit, unwrap(cursor))
    counts: dict[str, int] = defaultdict(int)
    for finding in store.findings.of(a for s in stories for a in s.articles):
        counts[finding.article] += 1
    items = [
        {**s.to_dict(), "article_count": len(s.articles), "finding_count": sum(counts[a] for a in s.articles)}
        for s in stories
    ]
    filters = {"since": query.since, "until": query.until, "outlet": query.outlet, "has_findings": query.with_findings}
    return {"stories": items, "filters": filters, "next": wrap(after)}


def copy_forest(relations: Iterable[Relation]) -> list[dict[str, Any]]:
    """Who copied whom, as trees: each original with its copies under it (by id), each copy once."""
    children: dict[str, list[Relation]] = defaultdict(list)
    copies: set[str] = set()
    for relation in relations:
        children[relation.original].append(relation)
        copies.add(relation.derived)
    shown: set[str] = set()

    def tree(article_id: str, relation: Relation | None) -> dict[str, Any]:
        shown.add(article_id)
        below = []
        for copy in sorted(children.get(article_id, ()), key=lambda r: r.derived):
            if copy.derived not in shown:  # a copy of several is shown under the first met, depth first
                below.append(tree(copy.derived, copy))
        return {"article": article_id, "relation": relation_summary(relation) if relation else None, "children": below}

    roots = sorted(set(children) - copies) or sorted(children)[:1]
    return [tree(root, None) for root in roots if root not in shown]


def story_view(store: Store, story_id: str) -> dict[str, Any]:
    """A story's brief, with a timeline of who reported when and its copy tree."""
    story = store.stories.get(story_id)
    try:
        brief: Brief | None = store.briefs.get(story_id)
    except NotFoundError:
        brief = None
    articles = sorted(store.articles.many(story.articles), key=article_order)
    relations = brief.copy_tree if brief else [r for r in store.relations.of(story.articles) if r.derived in story.articles]
    copied_from = {r.derived: relation_summary(r) for r in relations}
    first = set(brief.first_reported_by) if brief else set()
    findings = list(brief.findings) if brief else store.findings.of(story.articles)
    speakers: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for quote in brief.quotes if brief else ():
        speakers[quote.speaker or ""].append({"text": quote.text, "sources": list(quote.sources)})
    return {
        "story": story.to_dict(),
        "brief": brief.to_dict() if brief else None,
        "timeline": [
            {"article": summary(a), "first": a.id in first, "copied_from": copied_from.get(a.id)} for a in articles
        ],
        "copy_tree": copy_forest(relations),
        "quotes_by_speaker": [
            {"speaker": speaker or None, "quotes": quotes} for speaker, quotes in sorted(speakers.items(), key=lambda kv: (not kv[0], kv[0]))
        ],
        "findings": [f.to_dict() for f in findings],
        "articles": {a.id: summary(a) for a in articles},
    }


def find_relation(store: Store, relation_key: str) -> Relation:
    """The relation going by ``relation_key`` (``original~copy``; either id may hold ``~`` itself)."""
    for at in (i for i, c in enumerate(relation_key) if c == RELATION_SEPARATOR):
        original, derived = relation_key[:at], relation_key[at + 1 :]
        for relation in store.relations.of([derived]):
            if relation.original == original and relation.derived == derived:
                return relation
    raise NotFoundError(f"no relation {relation_key!r} (a relation goes by its original's id, '~', its copy's id)")


def relation_view(store: Store, relation_key: str) -> dict[str, Any]:
    """Two related articles side by side: the aligned passages and the findings between them, marked."""
    relation = find_relation(store, relation_key)
    articles = {a.id: a for a in store.articles.many([relation.original, relation.derived])}
    findings = [
        f for f in store.findings.of([relation.derived, relation.original])
        if f.other is not None and {f.article, f.other.article} == {relation.original, relation.derived}
    ]
    sides = {}
    for side in ("original", "derived"):
        article = articles[getattr(relation, side)]
        sides[side] = {
            **summary(article),
            "text": article.text,
            "segments": segments(article.text, relation_marks(relation, findings, side)),
        }
    passages = [
        {
            "number": i,
            "change": p.change,
            "similarity": p.similarity,
            "original": {"span": list(p.original), "text": sides["original"]["text"][slice(*p.original)]},
            "derived": {"span": list(p.derived), "text": sides["derived"]["text"][slice(*p.derived)]},
        }
        for i, p in enumerate(relation.evidence)
    ]
    return {
        "relation": relation_summary(relation),
        "original": sides["original"],
        "derived": sides["derived"],
        "passages": passages,
        "findings": [f.to_dict() for f in findings],
    }


def article_view(store: Store, article_id: str) -> dict[str, Any]:
    """One article with its extraction provenance (what was removed and why), where it came from, who
    copied it, its story and its findings."""
    article = store.articles.get(article_id)
    relations = store.relations.of([article_id])
    story = store.stories.of([article_id]).get(article_id)
    return {
        "article": article.to_dict(),
        "stages": list(store.stages.done(article_id)),
        "story": story,
        "sources": [relation_summary(r) for r in relations if r.derived == article_id],
        "copies": [relation_summary(r) for r in relations if r.original == article_id],
        "findings": [f.to_dict() for f in store.findings.of([article_id])],
        "articles": _labels(store, [article_id, *(i for r in relations for i in (r.original, r.derived))]),
    }


def posted(store: Store, article_ids: Iterable[str | None], problems: Mapping[int, str]) -> list[dict[str, Any]]:
    """What ``POST /articles`` answers for each article posted: its id, story, relations and findings as the
    stages made them, or the reason it was not stored. Read from the store, so a retry answers the same."""
    results: list[dict[str, Any]] = []
    for index, article_id in enumerate(article_ids):
        if article_id is None:
            results.append({"index": index, "id": None, "problem": problems.get(index, "not stored")})
            continue
        results.append(
            {
                "index": index,
                "id": article_id,
                "story": store.stories.of([article_id]).get(article_id),
                "relations": [r.to_dict() for r in store.relations.of([article_id])],
                "findings": [f.to_dict() for f in store.findings.of([article_id])],
            }
        )
    return results


def article_search(store: Store, query: str, limit: int, cursor: str | None) -> dict[str, Any]:
    """A page of the articles holding every word of ``query`` (every article when it has none), newest first."""
    ids, after = store.articles.search(query, limit, unwrap(cursor))
    stories = store.stories.of(ids)
    items = [{**summary(a), "story": stories.get(a.id)} for a in store.articles.many(ids)]
    return {"query": query, "articles": items, "next": wrap(after)}


def site_statistics_of(store: Store) -> list[SiteStats]:
    """Every site's statistics (``relate.site_statistics``), reading only each article's site, not its text."""
    sites = {article_id: Article(article_id, "", site=site) for article_id, site in store.articles.sites().items()}
    return site_statistics(store.relations.all(), sites)


def _site_key(site: SiteStats) -> tuple[float, int, str]:
    return (-site.derived_share, -site.derived, site.site)


def site_list(sites: list[SiteStats], limit: int, cursor: str | None) -> dict[str, Any]:
    """A page of sites, the most copied output first."""
    page, after = page_of(sites, _site_key, limit, cursor)
    return {"sites": [s.to_dict() for s in page], "next": after}


def site_view(sites: list[SiteStats], host: str) -> dict[str, Any]:
    """One site: how much of its output is copied, from whom, and who copies it."""
    found = next((s for s in sites if s.site == host), None)
    if found is None:
        raise NotFoundError(f"no site {host!r} in the store")
    copied_by = sorted(
        ((s.site, n) for s in sites for source, n in s.sources if source == host), key=lambda kv: (-kv[1], kv[0])
    )
    return {"site": found.to_dict(), "copied_by": [list(pair) for pair in copied_by]}


def finding_list(
    store: Store, kind: str | None, severity: str | None, limit: int, cursor: str | None
) -> dict[str, Any]:
    """A page of findings, by article, optionally of one kind or severity."""
    numbered: list[tuple[int, Finding]] = []
    position: dict[str, int] = defaultdict(int)
    for finding in store.findings.all():
        position[finding.article] += 1
        if (kind is None or finding.kind == kind) and (severity is None or finding.severity == severity):
            numbered.append((position[finding.article], finding))
    page, after = page_of(numbered, lambda item: (item[1].article, item[0]), limit, cursor)
    findings = [f for _, f in page]
    return {
        "findings": [f.to_dict() for f in findings],
        "articles": _labels(store, [i for f in findings for i in (f.article, f.other.article if f.other else f.article)]),
        "next": after,
    }


def watched_sources(statuses: list[SourceStatus], counts: StateCounts, limit: int, cursor: str | None) -> dict[str, Any]:
    """A page of the sources ``newstrace watch`` follows, by id, each with its polls; the pages seen in all."""
    page, after = page_of(statuses, lambda s: (s.source.id,), limit, cursor)
    return {"sources": [s.to_dict() for s in page], "pages": counts.to_dict(), "next": after}
