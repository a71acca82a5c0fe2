"""Cross-checks: names, numbers and quotes that differ, with the evidence on both sides.

``check_pair`` compares a copy with its original over their aligned passages (what the
copy changed: severity ``alteration``); ``check_within`` finds one person named two ways
in one article; ``check_independent`` compares two independent reports of one story
(severity ``difference``). ``check_article`` runs them for one article as it joins a
story, ``check_story`` for every article of a story; ``checks.stage`` does the same over
a store and writes the findings.
"""

from __future__ import annotations

from collections.abc import Iterable

from newstrace.checks import names, numbers, quotes
from newstrace.checks.facts import CheckOptions, complete_passages
from newstrace.checks.translation import translation_findings
from newstrace.groups import neighbours, reachable
from newstrace.model import Article, Finding, Passage, Relation, Severity
from newstrace.nlp.annotate import Annotations, annotate, plain_words
from newstrace.nlp.entities import CONNECTORS, FUNCTION_WORDS
from newstrace.relate.crosslingual import differ

__all__ = [
    "CheckOptions",
    "check_article",
    "check_independent",
    "check_pair",
    "check_story",
    "check_within",
    "sort_findings",
]

DEFAULT_OPTIONS = CheckOptions()


def check_pair(
    original: Article,
    derived: Article,
    passages: list[Passage],
    options: CheckOptions = DEFAULT_OPTIONS,
    severity: Severity = "alteration",
) -> list[Finding]:
    """What ``derived`` changed in the names, numbers and quotes it took from ``original``.

    Args:
        original: the source article.
        derived: the copy; findings are on its text.
        passages: aligned passages of the two (``Relation.evidence``).
        options: thresholds.
        severity: ``"alteration"`` when ``derived`` is known to copy ``original``;
            ``"difference"`` when the direction of copying is unknown.

    Returns:
        Findings on ``derived``, each citing the original's span.
    """
    return _pair(annotate(original), annotate(derived), passages, options, severity)


def _pair(
    original: Annotations, derived: Annotations, passages: list[Passage], options: CheckOptions, severity: Severity
) -> list[Finding]:
    passages = complete_passages(original, derived, list(passages), options.sentence_overlap)
    renamed = names.pair_findings(original, derived, passages, severity, options)
    changed = _renamed_words(renamed)
    return sort_findings(
        [
            *renamed,
            *numbers.pair_findings(original, derived, passages, severity, options),
            *quotes.pair_findings(original, derived, passages, severity, options, changed),
        ]
    )


def _renamed_words(renamed: list[Finding]) -> frozenset[str]:
    """The words that differ between the two sides of the name findings ("fence", "pence")."""
    changed: set[str] = set()
    for item in renamed:
        if item.other is not None:
            changed |= set(plain_words(item.text)) ^ set(plain_words(item.other.text))
    return frozenset(changed - FUNCTION_WORDS - CONNECTORS)


def check_within(article: Article) -> list[Finding]:
    """Names in ``article`` that probably refer to one person written two ways ("Eun" / "Yoon")."""
    return sort_findings(names.within_findings(annotate(article)))


def check_independent(
    article: Article, other: Article, options: CheckOptions = DEFAULT_OPTIONS
) -> list[Finding]:
    """Differences of ``article`` from ``other``, an independent report of the same story."""
    return _independent(annotate(article), annotate(other), options)


def _independent(facts: Annotations, other: Annotations, options: CheckOptions) -> list[Finding]:
    return [
        *names.story_findings(facts, other, options),
        *numbers.story_findings(facts, other, options),
        *quotes.story_findings(facts, other, options),
    ]


def check_article(
    article: Article,
    story: Iterable[Article],
    relations: Iterable[Relation],
    options: CheckOptions = DEFAULT_OPTIONS,
) -> list[Finding]:
    """Findings on one article as it joins a story.

    Args:
        article: the article checked; findings are on its text.
        story: the other articles of its story (and originals it copies, if stored elsewhere).
        relations: relations touching ``article``; those where it is the copy are checked as
            copy and original (severity ``alteration`` when the direction is known).
        options: thresholds.

    Returns:
        Its findings: changes from its originals, names written two ways within it, and
        differences from the closest independent reports of the story.
    """
    others = {a.id: a for a in story if a.id != article.id}
    facts: dict[str, Annotations] = {article.id: annotate(article)}
    return sort_findings(_unique(_article_findings(article.id, others, facts, list(relations), options)))


def check_story(
    articles: Iterable[Article], relations: Iterable[Relation], options: CheckOptions = DEFAULT_OPTIONS
) -> list[Finding]:
    """Findings on every article of a story (``check_article`` for each, sharing the work).

    Args:
        articles: the story's articles (an original outside the story may be included).
        relations: relations among them.
        options: thresholds.

    Returns:
        All findings, sorted by article and position.
    """
    by_id = {a.id: a for a in articles}
    relations = list(relations)
    facts: dict[str, Annotations] = {}
    found: list[Finding] = []
    for article_id in sorted(by_id):
        others = {i: a for i, a in by_id.items() if i != article_id}
        facts.setdefault(article_id, annotate(by_id[article_id]))
        found += _article_findings(article_id, others, facts, relations, options)
    return sort_findings(_unique(found))


def _article_findings(
    article_id: str,
    others: dict[str, Article],
    facts: dict[str, Annotations],
    relations: list[Relation],
    options: CheckOptions,
) -> list[Finding]:
    """``facts`` holds what was computed so far and is filled in as needed (one call's scratch space)."""

    def facts_for(other_id: str) -> Annotations:
        if other_id not in facts:
            facts[other_id] = annotate(others[other_id])
        return facts[other_id]

    mine = facts[article_id]
    found: list[Finding] = []
    for relation in sorted(relations, key=lambda r: (r.original, r.derived)):
        if relation.derived == article_id and (other_id := relation.original) in others:
            severity: Severity = "alteration" if relation.direction == "known" else "difference"
            if relation.kind == "translation":
                found += translation_findings(
                    facts_for(other_id), mine, list(relation.evidence), severity, options
                )
                continue
            found += _pair(facts_for(other_id), mine, list(relation.evidence), options, severity)
    found += names.within_findings(mine)
    linked = _copy_group(article_id, relations)
    # Reports in another language share no words to compare by (translations are checked above).
    independent = sorted(i for i in others if i not in linked and not differ(mine.article, others[i]))
    for other_id in _closest(mine, [facts_for(i) for i in independent], options.max_independent):
        found += _independent(mine, facts_for(other_id), options)
    return found


def _copy_group(article_id: str, relations: list[Relation]) -> set[str]:
    """Every article joined to ``article_id`` by relations, at any distance: copies of one original are
    no independent reports of each other (their differences come from the copying, found above)."""
    return reachable(article_id, neighbours((r.original, r.derived) for r in relations))


def _closest(article: Annotations, others: list[Annotations], limit: int) -> list[str]:
    """Ids of the ``limit`` articles sharing most wording with ``article`` (ties by id)."""
    mine = article.vocabulary

    def overlap(other: Annotations) -> float:
        theirs = other.vocabulary
        return len(mine & theirs) / (len(mine | theirs) or 1)

    return [a.id for a in sorted(others, key=lambda a: (-overlap(a), a.id))[:limit]]


def _unique(findings: list[Finding]) -> list[Finding]:
    """One finding per article, kind and span: the first (alterations before differences)."""
    ranked = sorted(findings, key=lambda f: (f.severity != "alteration",))
    seen: set[tuple[str, str, tuple[int, int]]] = set()
    kept = []
    for item in ranked:
        key = (item.article, item.kind, item.span)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Findings in a stable order: by article, position, kind, then the evidence cited."""
    return sorted(
        findings,
        key=lambda f: (
            f.article,
            f.span,
            f.kind,
            f.severity,
            f.other.article if f.other else "",
            f.other.span if f.other else (0, 0),
        ),
    )
