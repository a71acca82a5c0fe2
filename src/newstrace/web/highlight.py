"""An article's text cut into pieces at every marked span, so a page can highlight the evidence.

A relation's aligned passages and the findings on either side are spans of character offsets into
``Article.text``; ``segments`` cuts the text at every span's ends and says, for each piece, which
passage and which finding cover it. Pieces are plain text: the template escapes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from newstrace.model import Finding, Relation, Span


@dataclass(frozen=True)
class Mark:
    """A span of text and what it is: an aligned passage (its number and change) or a finding."""

    span: Span
    passage: int | None = None
    change: str | None = None
    finding: str | None = None
    note: str | None = None


def relation_marks(relation: Relation, findings: Iterable[Finding], side: str) -> list[Mark]:
    """The marks on the ``side`` ("original" or "derived") of ``relation``: its passages, and the findings
    between its two articles, on whichever side they fall."""
    article = getattr(relation, side)
    other = relation.derived if side == "original" else relation.original
    marks = [Mark(getattr(p, side), passage=i, change=p.change) for i, p in enumerate(relation.evidence)]
    for finding in findings:
        if finding.other is None:
            continue
        if finding.article == article and finding.other.article == other:
            marks.append(Mark(finding.span, finding=finding.kind, note=finding.explanation))
        elif finding.article == other and finding.other.article == article:
            marks.append(Mark(finding.other.span, finding=finding.kind, note=finding.explanation))
    return marks


def segments(text: str, marks: Iterable[Mark]) -> list[dict[str, Any]]:
    """``text`` in pieces, each with the passage and the finding that cover it (None where none does).

    Example:
        >>> [p["text"] for p in segments("one two three", [Mark((4, 7), finding="name")])]
        ['one ', 'two', ' three']
    """
    marks = [m for m in marks if 0 <= m.span[0] < m.span[1] <= len(text)]
    cuts = sorted({0, len(text), *(end for m in marks for end in m.span)})
    pieces: list[dict[str, Any]] = []
    for start, end in pairwise(cuts):
        covering = [m for m in marks if m.span[0] <= start and end <= m.span[1]]
        passage = next((m for m in covering if m.passage is not None), None)
        finding = next((m for m in covering if m.finding is not None), None)
        piece = {
            "text": text[start:end],
            "passage": passage.passage if passage else None,
            "change": passage.change if passage else None,
            "finding": finding.finding if finding else None,
            "note": finding.note if finding else None,
        }
        if pieces and all(pieces[-1][k] == piece[k] for k in ("passage", "change", "finding", "note")):
            pieces[-1]["text"] += piece["text"]
        else:
            pieces.append(piece)
    return pieces
