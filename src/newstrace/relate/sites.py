"""Per-site statistics: how much of a site's output is derived from others, and from whom."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from newstrace.model import Article, Record, Relation


@dataclass(frozen=True)
class SiteStats(Record):
    """One site's output and how much of it reuses other articles.

    ``derived`` counts articles with a known original; ``sources`` lists the sites they
    were taken from with counts (most first); ``kinds`` counts the kinds of reuse.
    """

    site: str
    articles: int
    derived: int
    derived_share: float
    originals: int
    sources: tuple[tuple[str, int], ...] = ()
    kinds: dict[str, int] = field(default_factory=dict)


def site_statistics(relations: Iterable[Relation], articles: Mapping[str, Article]) -> list[SiteStats]:
    """Statistics for every site with articles, most derived share first (then by site).

    Args:
        relations: the relations among ``articles``.
        articles: every article by id (their ``site``, else ``outlet``, names the site).

    Returns:
        One ``SiteStats`` per site.
    """
    totals = Counter(_site(a) for a in articles.values())
    derived: dict[str, set[str]] = defaultdict(set)
    copied: dict[str, set[str]] = defaultdict(set)
    sources: dict[str, Counter[str]] = defaultdict(Counter)
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    for relation in relations:
        if (
            relation.direction != "known"
            or relation.derived not in articles
            or relation.original not in articles
        ):
            continue
        site = _site(articles[relation.derived])
        derived[site].add(relation.derived)
        sources[site][_site(articles[relation.original])] += 1
        kinds[site][relation.kind] += 1
        copied[_site(articles[relation.original])].add(relation.original)
    stats = [
        SiteStats(
            site=site,
            articles=count,
            derived=len(derived[site]),
            derived_share=round(len(derived[site]) / count, 4),
            originals=len(copied[site]),
            sources=tuple(sorted(sources[site].items(), key=lambda kv: (-kv[1], kv[0]))),
            kinds=dict(sorted(kinds[site].items())),
        )
        for site, count in totals.items()
    ]
    return sorted(stats, key=lambda s: (-s.derived_share, -s.derived, s.site))


def _site(article: Article) -> str:
    return article.site or article.outlet or "(unknown site)"
