"""Which of two related articles is the original? Decided from evidence, or left ``unknown``.

Signals, strongest first: publication dates (the earlier one); a credit (a
"Source link" / "Original link" line, or a wire credit naming the other's site,
or the text citing the other's outlet: "Politico reported");
and then votes that each point one way: content-farm template junk around the
text (scrapers add it, newsrooms do not), containment (an excerpt is cut from
the text that contains it), and the copy group's centre (third copies are closer
to the original than to one another, since each copy adds its own changes).
When the votes do not point one way, the direction is ``unknown``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newstrace.model import Article
from newstrace.relate.classify import Comparison

# Removed-paragraph reasons that content-farm templates leave behind (see extract.text). Newsroom
# pages carry newsletter, related-story and advertisement blocks too, so those are no evidence.
FARM_JUNK = frozenset({"scraper-junk", "comments", "share", "read-more"})
_SOURCE_LINK = re.compile(
    r"\b(source|original|via)\b.{0,40}|read (the )?(full|more|rest)|continue reading", re.I
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TRANSLATION_UNDATED = (
    "a translation and its original without two publication dates or a credit; which language came first "
    "is not told by the texts"
)


@dataclass(frozen=True)
class DirectionOptions:
    """How much the votes must agree, and when a copy group's centre counts."""

    centre_margin: float = 0.02
    containment_max_coverage: float = 0.6


@dataclass(frozen=True)
class Decision:
    """The original's id (``None`` when unknown) and the reasons, in words."""

    original: str | None
    reasons: tuple[str, ...]


def decide(
    left: Article,
    right: Article,
    comparison: Comparison,
    centre: float = 0.0,
    options: DirectionOptions | None = None,
) -> Decision:
    """Decide which of ``left`` and ``right`` (aligned as ``comparison``) came first.

    Args:
        left: one article of the pair (``comparison.left``'s text).
        right: the other (``comparison.right``'s text).
        comparison: their aligned evidence.
        centre: how much closer third copies are to ``left`` than to ``right`` (negative: to ``right``).
        options: margins.

    Returns:
        A ``Decision`` naming the original, or ``None`` with the reason why not.
    """
    options = options or DirectionOptions()
    left_date, right_date = _day(left.date), _day(right.date)
    if left_date and right_date and left_date != right_date:
        first, second = (left, right) if left_date < right_date else (right, left)
        return Decision(
            first.id, (f"{first.id} published {_day(first.date)}, {second.id} on {_day(second.date)}",)
        )
    for this, other in ((left, right), (right, left)):
        if _credits(this, other):
            return Decision(other.id, (f"{this.id} credits {other.id}'s site ({this.credit})",))
    cited = [(this, other) for this, other in ((left, right), (right, left)) if _cites(this, other)]
    if len(cited) == 1:
        this, other = cited[0]
        return Decision(other.id, (f"{this.id} cites {other.outlet} as its source in the text",))
    if comparison.translated:
        # Junk, containment and closeness votes read a copy's text against its original's; across
        # languages they would only guess.
        return Decision(None, (f"direction unknown: {TRANSLATION_UNDATED}",))
    votes: list[tuple[str, str]] = []  # (id of the side the vote says is original, reason)
    for this, other in ((left, right), (right, left)):
        if len(_farm_junk(this)) > len(_farm_junk(other)):
            votes.append(
                (other.id, f"{this.id} carries more content-farm junk ({', '.join(_farm_junk(this))})")
            )
        if _links_source(this) and not _links_source(other):
            votes.append((other.id, f"{this.id} links to a source or the full story"))
    contained = _contained(comparison, options)
    if contained == "right":
        votes.append((left.id, f"{right.id} is a contiguous part of {left.id}"))
    elif contained == "left":
        votes.append((right.id, f"{left.id} is a contiguous part of {right.id}"))
    if abs(centre) >= options.centre_margin:
        hub = left if centre > 0 else right
        votes.append((hub.id, f"other copies are closer to {hub.id} (by {abs(centre):.2f})"))
    tally = sum(1 if side == left.id else -1 for side, _ in votes)
    if tally == 0:
        why = "; ".join(reason for _, reason in votes) or "no date, credit, junk or containment evidence"
        return Decision(None, (f"direction unknown: {why}",))
    winner = left.id if tally > 0 else right.id
    return Decision(winner, tuple(reason for side, reason in votes if side == winner))


def _day(date: str | None) -> str | None:
    match = _DATE.match(date or "")
    return match.group() if match else None


def _credits(this: Article, other: Article) -> bool:
    """``this`` carries a wire credit that names ``other``'s site or outlet (and ``other`` carries none)."""
    if not this.credit or other.credit:
        return False
    credit = re.sub(r"\W+", "", this.credit.lower())
    names = (re.sub(r"\W+", "", (name or "").lower()) for name in (other.site, other.outlet))
    return any(credit and (name.startswith(credit) or credit == name) for name in names)


def _cites(this: Article, other: Article) -> bool:
    """``this``'s text credits ``other``'s outlet as a source ("Politico reported", "according to the
    Chronicle"), and the two are different outlets."""
    name = _outlet_name(other.outlet)
    if not name or name == _outlet_name(this.outlet):
        return False
    outlet = r"(?:the )?" + re.escape(name).replace(r"\ ", r"\s+")
    pattern = rf"\b(?:according to (?:an? (?:report|story|article) (?:by|in) )?{outlet}\b|{outlet}(?:'s?)? (?:first )?(?:reports|reported)\b)"
    return re.search(pattern, this.text, re.I) is not None


def _outlet_name(outlet: str | None) -> str:
    """An outlet label without its qualifiers ("CNN (Web News)" -> "CNN", "Newsmax - News" -> "Newsmax")."""
    name = re.sub(r"\s*\(.*?\)|\s+-\s.*$", "", outlet or "").strip()
    return name if len(name) >= 3 else ""


def _farm_junk(article: Article) -> tuple[str, ...]:
    return tuple(sorted({r.reason for r in article.removed if r.reason in FARM_JUNK}))


def _links_source(article: Article) -> bool:
    return any(
        r.reason in ("scraper-junk", "read-more") and _SOURCE_LINK.search(r.text) for r in article.removed
    )


def _contained(comparison: Comparison, options: DirectionOptions) -> str | None:
    """Which side is an excerpt of the other: nearly all of it matched, as one run of the other."""
    left, right = comparison.left, comparison.right
    if right.coverage >= 0.75 and left.coverage <= options.containment_max_coverage and left.density >= 0.9:
        return "right"
    if left.coverage >= 0.75 and right.coverage <= options.containment_max_coverage and right.density >= 0.9:
        return "left"
    return None
