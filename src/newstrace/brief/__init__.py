"""The story brief: what a story's independent sources agree on, what only one says, who copied whom.

Copies do not corroborate their original, and an outlet does not corroborate itself:
articles linked by relations (the relate stage's copy tree) and articles of one outlet
or site form one source, and a statement counts as corroborated only when two or more
such sources make it. ``make_brief`` is pure (articles, relations, story in;
``Brief`` out); ``BriefStage`` (brief/stage.py) makes and keeps the brief of every story as its
articles change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

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
from newstrace.groups import connected
from newstrace.model import Article, Brief, QuoteGroup, Relation, Statement, Story
from newstrace.nlp.annotate import annotate
from newstrace.stories.features import article_order, publication_day

__all__ = [
    "BriefOptions",
    "StatementOptions",
    "make_brief",
    "render_brief_text",
    "sources_of",
]


@dataclass(frozen=True)
class BriefOptions:
    """How a brief is made.

    Attributes:
        statements: Statement units and matching thresholds.
        semantic: Match statements with the sentence encoder too, when it is installed. Off by default:
            it costs about 2.4 s per story of several sources on this project's 2-core machine (60 ms
            of model time per batch, dozens of batches a story), which makes a brief of every story of
            a large store take hours, and on the demo it found fewer corroborated statements (2) than
            shared words alone (4), all four of which the wire report does state.
        quote_match: Least rapidfuzz ratio (0-100) for two quotes to be the same words.
    """

    statements: StatementOptions = field(default_factory=StatementOptions)
    semantic: bool = False
    quote_match: float = 88.0


def sources_of(articles: Sequence[Article], relations: Iterable[Relation]) -> list[list[Article]]:
    """Independent sources: articles joined by relations form one, and so do the articles of one outlet or
    site (a site's template passages, repeated on every page, would otherwise corroborate themselves);
    each source lists its original (earliest) first.

    Returns:
        The sources, each a list of articles in (date, id) order, ordered by their first article.
    """
    ordered = sorted(articles, key=article_order)
    by_id = {a.id: a for a in ordered}
    links = [(r.original, r.derived) for r in relations]
    first_of: dict[tuple[str, str], str] = {}
    for article in ordered:
        for key in _publisher_keys(article):
            links.append((first_of.setdefault(key, article.id), article.id))
    return [[by_id[i] for i in group] for group in connected(by_id, links)]


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
    if len(sources) < 2:  # nothing to corroborate with: every statement is the one source's own
        return [], [Statement(u.text, (u.article,)) for u in units]
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
        for quote in annotate(article).quotes:
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
