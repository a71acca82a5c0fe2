"""The story brief: what a story's independent sources agree on, what only one says, who copied whom.

Copies do not corroborate their original, and an outlet does not corroborate itself:
articles linked by relations (the relate stage's copy tree) and articles of one outlet
or site form one source, and a statement counts as corroborated only when two or more
such sources make it. ``make_brief`` is pure (articles, relations, story in;
``Brief`` out); ``brief_for_story`` reads them from the store and uses the sentence
encoder when the semantic extra is installed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz

from newstrace.brief.render import render_brief_text
from newstrace.brief.statements import (
    Encoder,
    StatementOptions,
    Unit,
    match_statements,
    overlap_matrix,
    similarity_matrix,
    units_of,
)
from newstrace.model import Article, Brief, QuoteGroup, Relation, Statement, Story
from newstrace.nlp.embedding import load_encoder, semantic_available
from newstrace.nlp.quotes import extract_quotes
from newstrace.store import SQLiteStore
from newstrace.stories import linked_groups
from newstrace.stories.features import article_order, publication_day

__all__ = [
    "BriefOptions",
    "StatementOptions",
    "brief_encoder",
    "brief_for_story",
    "make_brief",
    "render_brief_text",
    "sources_of",
]


@dataclass(frozen=True)
class BriefOptions:
    """How a brief is made.

    Attributes:
        statements: Statement units and matching thresholds.
        semantic: Use the sentence encoder when it is installed (better paraphrase matching).
        quote_match: Least rapidfuzz ratio (0-100) for two quotes to be the same words.
    """

    statements: StatementOptions = field(default_factory=StatementOptions)
    semantic: bool = True
    quote_match: float = 88.0


def sources_of(articles: Sequence[Article], relations: Iterable[Relation]) -> list[list[Article]]:
    """Independent sources: articles joined by relations form one, and so do the articles of one outlet or
    site (a site's template passages, repeated on every page, would otherwise corroborate themselves);
    each source lists its original (earliest) first.

    Returns:
        The sources, each a list of articles in (date, id) order, ordered by their first article.
    """
    ordered = sorted(articles, key=article_order)
    position = {a.id: i for i, a in enumerate(ordered)}
    links = [
        (position[r.original], position[r.derived])
        for r in relations
        if r.original in position and r.derived in position
    ]
    first_of: dict[tuple[str, str], int] = {}
    for i, article in enumerate(ordered):
        for key in _publisher_keys(article):
            links.append((first_of.setdefault(key, i), i))
    return [[ordered[i] for i in group] for group in linked_groups(len(ordered), links)]


def _publisher_keys(article: Article) -> list[tuple[str, str]]:
    """The outlet and the site an article names (case and spacing ignored): one key each."""
    named = (("outlet", article.outlet), ("site", article.site))
    return [(kind, " ".join(value.casefold().split())) for kind, value in named if value and value.strip()]


def _source_units(sources: list[list[Article]], copies: set[str], options: StatementOptions) -> list[Unit]:
    """Every source's units, from its original articles only: a copy says nothing its original does not
    (what it changed is reported as findings), so its reworded sentences are no statements of their own."""
    units: list[Unit] = []
    for number, source in enumerate(sources):
        kept: list[Unit] = []
        for article in [a for a in source if a.id not in copies] or source[:1]:
            candidates = units_of(article, number, options)
            if kept and candidates:
                overlap = overlap_matrix([*kept, *candidates])[len(kept) :, : len(kept)]
                candidates = [
                    u for u, row in zip(candidates, overlap, strict=True) if row.max() < options.duplicate
                ]
            kept.extend(candidates)
        units.extend(kept)
    return units


def _statements(
    sources: list[list[Article]], copies: set[str], options: StatementOptions, encoder: Encoder | None
) -> tuple[list[Statement], list[Statement]]:
    units = _source_units(sources, copies, options)
    if not units:
        return [], []
    groups = match_statements(units, similarity_matrix(units, options, encoder), options, encoder is not None)
    corroborated: list[tuple[int, int, Statement]] = []
    single: list[Statement] = []
    for group in groups:
        carriers: dict[int, str] = {}
        for i in group:
            carriers.setdefault(units[i].source, units[i].article)
        statement = Statement(units[group[0]].text, tuple(carriers[s] for s in sorted(carriers)))
        if len(carriers) > 1:
            corroborated.append((-len(carriers), group[0], statement))
        else:
            single.append(statement)
    return [s for *_, s in sorted(corroborated, key=lambda c: (c[0], c[1]))], single


def _quotes(articles: Sequence[Article], threshold: float) -> list[QuoteGroup]:
    """Direct quotes grouped by their words across articles, each with its speaker and every carrier.

    A quote of fewer than three words counts only when attributed (else it is a scare quote).
    """
    groups: list[tuple[str, str, list[str | None], list[str]]] = []
    for article in sorted(articles, key=article_order):
        for quote in extract_quotes(article.text):
            words = " ".join(quote.text.lower().split())
            if len(words.split()) < 3 and quote.speaker is None:
                continue
            for key, _, speakers, carriers in groups:
                if fuzz.ratio(key, words) >= threshold:
                    speakers.append(quote.speaker)
                    if article.id not in carriers:
                        carriers.append(article.id)
                    break
            else:
                groups.append((words, quote.text, [quote.speaker], [article.id]))
    result = []
    for _, text, speakers, carriers in groups:
        named = Counter(s for s in speakers if s)
        speaker = min(named, key=lambda s: (-named[s], s)) if named else None
        result.append(QuoteGroup(speaker, text, tuple(carriers)))
    return sorted(result, key=lambda g: (g.speaker is None, g.speaker or "", -len(g.sources)))


def make_brief(
    articles: Sequence[Article],
    relations: Iterable[Relation],
    story: Story,
    options: BriefOptions | None = None,
    encoder: Encoder | None = None,
) -> Brief:
    """The brief of one story.

    Args:
        articles: The story's articles.
        relations: Copy relations (those not between two of ``articles`` are ignored).
        story: The story record (headline, time span, outlets).
        options: Thresholds.
        encoder: Sentence encoder for paraphrase matching; None matches on shared words only.

    Returns:
        A ``Brief``: corroborated statements (two or more independent sources), single-source
        statements, quotes by speaker with every carrier, and the copy tree. A statement's
        ``sources`` name one article per independent source: the first of that source to carry it.
    """
    options = options or BriefOptions()
    ids = {a.id for a in articles}
    tree = sorted(
        (r for r in relations if r.original in ids and r.derived in ids),
        key=lambda r: (r.original, r.derived),
    )
    sources = sources_of(articles, tree)
    copies = {r.derived for r in tree if r.direction == "known"}
    corroborated, single = _statements(sources, copies, options.statements, encoder)
    return Brief(
        story=story.id,
        headline=story.title,
        first_seen=story.first_seen,
        last_seen=story.last_seen,
        outlets=story.outlets,
        first_reported_by=_first_reporters([a for a in articles if a.id not in copies] or articles),
        copy_tree=tuple(tree),
        corroborated=tuple(corroborated),
        single_source=tuple(single),
        quotes=tuple(_quotes(articles, options.quote_match)),
    )


def _first_reporters(originals: Sequence[Article]) -> tuple[str, ...]:
    """Of the articles that copy no one, those published on the earliest date (all of them when undated)."""
    days = {a.id: publication_day(a.date) for a in originals}
    dated = [d for d in days.values() if d is not None]
    return tuple(sorted(i for i, d in days.items() if not dated or d == min(dated)))


def brief_for_story(
    store: SQLiteStore, story_id: str, options: BriefOptions | None = None, encoder: Encoder | None = None
) -> Brief:
    """Read a story, its articles, relations and findings from the store and make its brief.

    Args:
        store: The store.
        story_id: The story's id.
        options: Thresholds; ``semantic`` loads the sentence encoder when installed and none is given.
        encoder: An encoder already loaded (pass one when making many briefs: loading costs a second).

    Raises:
        NotFoundError: No story with that id.
    """
    options = options or BriefOptions()
    story = store.get_story(story_id)
    articles = list(store.iter_articles(story.articles))
    relations = store.relations_of(story.articles)
    brief = make_brief(articles, relations, story, options, encoder or brief_encoder(options))
    findings = tuple(f for a in story.articles for f in store.findings(a))
    return replace(brief, findings=findings)


def brief_encoder(options: BriefOptions) -> Encoder | None:
    """The sentence encoder when ``options.semantic`` asks for it and it is installed, else None."""
    if not options.semantic or not semantic_available():
        return None
    return load_encoder()
