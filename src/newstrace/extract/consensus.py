"""A page's body by consensus of extractors, line by line: a line stays when two methods find it.

trafilatura's recall-focused pass proposes the lines (it casts the widest net, so it rarely
returns a fragment of a long article); each line stays when a second, independent method also
holds it: trafilatura's precision-focused pass (which prunes by markup and link density) or
Readability (which takes the block of the page holding the most prose). A majority of three
keeps the article and drops what only the widest net caught: teasers of other stories, link
lists, subscription prompts. The precision pass costs as much as the recall pass, so it runs only
when Readability disputes the recall pass (holds less than ``agreement`` of its text); otherwise
the recall pass's lines are all kept.

Two things a line vote gets wrong are put right: a short line (a subheading) between two kept
lines is kept, since the methods differ most on headings; and a long paragraph that Readability
prints twice in a row is printed twice, since trafilatura drops a paragraph equal to the one
before it as an artifact of its own candidate search.

No constant here was fitted to a gold set (they are ``ConsensusOptions``): a line is "held" by
another text when at least half its word triples are in it; "agreement" is 95% of the recall
pass's text; a paragraph is a line of 80 characters or more (a subheading is shorter).
``benchmarks/extraction.py`` prints the figures on the three gold sets; ``benchmarks/extraction_loso.py``
varies the three over a grid and, leaving each set out, finds the defaults within 0.001 F1 of the
point chosen on the other two.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

_WORD = re.compile(r"\w+")
SHINGLE = 3


@dataclass(frozen=True)
class ConsensusOptions:
    """When the costly third method runs, and when a line counts as held.

    Attributes:
        agreement: the share of the recall pass's text Readability must hold for the precision
            pass to be skipped.
        held_share: a line is held by a text when at least this share of its word triples occur in it.
        paragraph_chars: a line this long is a paragraph, shorter is a subheading or a label.
    """

    agreement: float = 0.95
    held_share: float = 0.5
    paragraph_chars: int = 80


@dataclass(frozen=True)
class Consensus:
    """The agreed body, and how it was reached (for ``Page.extractor``)."""

    text: str
    method: str


class _Reference:
    """A text as the sets of word triples and the flat word string its lines are looked up in."""

    def __init__(self, text: str, held_share: float) -> None:
        self.held_share = held_share
        words = _WORD.findall(text.lower())
        self.shingles = _triples(words)
        self.flat = f" {' '.join(words)} "
        self.lines = {_key(line) for line in text.split("\n")}

    def holds(self, line: str) -> bool:
        if _key(line) in self.lines:  # the commonest case, and the cheapest
            return True
        words = _WORD.findall(line.lower())
        if len(words) < SHINGLE:
            return bool(words) and f" {' '.join(words)} " in self.flat
        mine = _triples(words)
        return len(mine & self.shingles) >= self.held_share * len(mine)


def _key(line: str) -> str:
    return " ".join(line.lower().split())


def _triples(words: Sequence[str]) -> set[tuple[str, ...]]:
    return set(zip(*(words[i:] for i in range(SHINGLE)), strict=False))


def _lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.strip()]


def _held_share(lines: Sequence[str], reference: _Reference) -> float:
    total = sum(map(len, lines))
    return sum(len(line) for line in lines if reference.holds(line)) / total if total else 0.0


def agree(
    recall: str, readability: str, precise: Callable[[], str], options: ConsensusOptions | None = None
) -> Consensus:
    """The consensus body of a page.

    Args:
        recall: trafilatura's recall-focused body (its lines are the ones voted on).
        readability: Readability's body.
        precise: gives trafilatura's precision-focused body; called only when Readability disputes the recall pass.
        options: when Readability counts as agreeing.

    Returns:
        The kept lines of ``recall`` in their order, with repeats restored (see the module's note).
    """
    options = options or ConsensusOptions()
    lines = _lines(recall)
    if not lines:
        return Consensus(readability, "readability" if readability.strip() else "none")
    other = _Reference(readability, options.held_share)
    if _held_share(lines, other) >= options.agreement:
        kept, method = lines, "trafilatura-recall"
    else:
        third = _Reference(precise(), options.held_share)
        votes = [other.holds(line) or third.holds(line) for line in lines]
        kept, method = _with_subheadings(lines, votes, options.paragraph_chars), "consensus"
    kept, repeated = _with_repeats(kept, readability, options.paragraph_chars)
    return Consensus("\n".join(kept), method + ("+repeats" if repeated else ""))


def _with_subheadings(lines: Sequence[str], votes: Sequence[bool], paragraph_chars: int) -> list[str]:
    """The voted lines, and the short lines that sit between two voted lines (subheadings)."""
    kept = []
    for index, line in enumerate(lines):
        inside = 0 < index < len(lines) - 1 and votes[index - 1] and votes[index + 1]
        heading = len(line.strip()) < paragraph_chars and not line.lstrip().startswith(("-", "|"))
        if votes[index] or (inside and heading):
            kept.append(line)
    return kept


def _with_repeats(lines: list[str], readability: str, paragraph_chars: int) -> tuple[list[str], bool]:
    """``lines`` with each paragraph Readability prints several times in a row printed as often."""
    repeats: Counter[str] = Counter()
    previous = None
    for line in _lines(readability):
        if len(line.strip()) < paragraph_chars:
            continue
        key = " ".join(_WORD.findall(line.lower()))
        if key == previous:
            repeats[key] += 1
        previous = key
    if not repeats:
        return lines, False
    result = []
    for line in lines:
        result.append(line)
        key = " ".join(_WORD.findall(line.lower()))
        if repeats[key]:
            result.extend([line] * repeats.pop(key))
    return result, len(result) > len(lines)
