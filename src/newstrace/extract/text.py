"""Clean an article body: drop scraper and page junk and captions, take out byline, dateline and wire credit.

Works line by line inside paragraphs on plain text (HTML bodies arrive here as text too).
Nothing is silently lost: every dropped line is kept as ``Removed`` with its reason.
What a line is judged by lives in ``junk`` (template junk) and ``credits`` (who and where).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newstrace.extract.credits import (
    is_sign_off,
    read_byline,
    read_caption,
    read_dateline,
    read_wire_line,
    wire_in,
)
from newstrace.extract.junk import (
    MAX_JUNK_CHARS,
    cut_widgets,
    is_related_heading,
    is_teaser,
    junk_reason,
    long_line_reason,
)
from newstrace.model import Caption, Removed

_BLANK_LINE = re.compile(r"\n[ \t\u00a0]*\n")
_NON_WORD = re.compile(r"\W+")
# Bylines sit in the first few paragraphs or the last one; sign-offs in the last few.
_BYLINE_REACH = 3
_SIGN_OFF_REACH = 3
_DATELINE_REACH = 2
# A repeated headline differs from the title in punctuation and spacing only.
_TITLE_SLACK = 20


@dataclass(frozen=True)
class CleanedBody:
    """A body with its junk removed, and what the junk told us."""

    text: str
    title: str | None = None
    authors: tuple[str, ...] = ()
    dateline: str | None = None
    credit: str | None = None
    captions: tuple[Caption, ...] = ()
    removed: tuple[Removed, ...] = ()


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs are separated by blank lines, or by single newlines when no blank line exists."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    parts = _BLANK_LINE.split(text) if _BLANK_LINE.search(text) else text.split("\n")
    return [p.strip() for p in parts if p.strip()]


@dataclass
class _Cleaning:
    """What one ``clean_body`` call has found so far (local to that call)."""

    removed: list[Removed]
    captions: list[Caption]
    authors: tuple[str, ...] = ()
    credit: str | None = None
    in_related_list: bool = False


def clean_body(text: str, title: str | None = None) -> CleanedBody:
    """Strip junk lines, captions, bylines, sign-offs, a repeated headline and the dateline; read the wire credit.

    Args:
        text: the body as plain text, paragraphs separated by blank lines or newlines.
        title: the headline when known; a paragraph repeating it is dropped.

    Returns:
        A ``CleanedBody``: the kept paragraphs joined by blank lines, and everything taken
        out as ``Removed(text, reason)``, captions with their credits, authors from a byline,
        the dateline's place and the wire credit.
    """
    paragraphs = split_paragraphs(text)
    state = _Cleaning(removed=[], captions=[])
    kept: list[str] = []
    last = len(paragraphs) - 1
    for index, paragraph in enumerate(paragraphs):
        lines = _keep_lines(paragraph, state, byline_reach=index < _BYLINE_REACH or index == last)
        if not lines:
            continue
        paragraph = "\n".join(lines)
        if title and abs(len(paragraph) - len(title)) <= _TITLE_SLACK and _same_text(paragraph, title):
            state.removed.append(Removed(paragraph, "repeated-title"))
            continue
        caption = read_caption(paragraph)
        if caption:
            state.captions.append(caption)
            state.removed.append(Removed(paragraph, "caption"))
            continue
        kept.append(paragraph)

    found_title = title
    if found_title is None and kept and _looks_like_headline(kept[0], kept[1:]):
        found_title = kept.pop(0)
        state.removed.append(Removed(found_title, "title"))
    _drop_sign_offs(kept, state)
    dateline = _take_dateline(kept, state)
    return CleanedBody(
        text="\n\n".join(kept),
        title=found_title,
        authors=state.authors,
        dateline=dateline,
        credit=state.credit,
        captions=tuple(state.captions),
        removed=tuple(state.removed),
    )


def _keep_lines(paragraph: str, state: _Cleaning, byline_reach: bool) -> list[str]:
    """The lines of ``paragraph`` that are not junk; junk goes to ``state.removed``."""
    kept = []
    for raw in paragraph.split("\n"):
        line, widgets = cut_widgets(raw.strip())
        state.removed.extend(Removed(text, reason) for text, reason in widgets)
        if not line:
            continue
        if len(line) > MAX_JUNK_CHARS:  # long lines are text (the common case) unless a long form
            state.in_related_list = False
            if form := long_line_reason(line):
                state.removed.append(Removed(line, form))
            else:
                kept.append(line)
            continue
        reason = junk_reason(line)
        if reason is None and state.in_related_list and is_teaser(line):
            reason = "related"
        if reason is None and byline_reach:
            reason = _byline(line, state)
        if reason is None:
            state.in_related_list = False
            kept.append(line)
            continue
        if reason == "related" and is_related_heading(line):
            state.in_related_list = True
        if reason == "copyright":
            state.credit = state.credit or wire_in(line)
        elif reason == "attribution":
            state.credit = state.credit or read_wire_line(line)
        state.removed.append(Removed(line, reason))
    return kept


def _byline(line: str, state: _Cleaning) -> str | None:
    names = read_byline(line)
    if names is None:
        return None
    state.authors = state.authors or names
    return "byline"


def _drop_sign_offs(kept: list[str], state: _Cleaning) -> None:
    """Remove closing credit lines ("Reporting by …; Editing by …", "(Reuters)") from the last paragraphs."""
    for index in range(len(kept) - 1, max(-1, len(kept) - 1 - _SIGN_OFF_REACH), -1):
        lines = kept[index].split("\n")
        remaining = []
        for line in lines:
            wire = read_wire_line(line)
            if wire or is_sign_off(line):
                state.credit = state.credit or wire or wire_in(line)
                state.removed.append(Removed(line, "sign-off"))
            else:
                remaining.append(line)
        if remaining:
            kept[index] = "\n".join(remaining)
        else:
            del kept[index]


def _take_dateline(kept: list[str], state: _Cleaning) -> str | None:
    """Cut the dateline ("SEOUL (Reuters) –") off the first paragraph that opens with one; return its place.

    The body then starts where copies of a wire story agree ("President Biden held …"):
    republishers keep, drop or rewrite the dateline as they please. It is kept as ``Removed``.
    """
    for index in range(min(_DATELINE_REACH, len(kept))):
        found = read_dateline(kept[index])
        if found:
            state.removed.append(Removed(kept[index][: found.end].strip(), "dateline"))
            state.credit = found.credit or state.credit
            kept[index] = kept[index][found.end :].lstrip()
            if not kept[index]:
                del kept[index]
            return found.place
    return None


def _same_text(a: str, b: str) -> bool:
    return _NON_WORD.sub(" ", a).strip().lower() == _NON_WORD.sub(" ", b).strip().lower()


def _looks_like_headline(paragraph: str, rest: list[str]) -> bool:
    """A short first line without final punctuation, followed by real paragraphs, is a headline."""
    return (
        bool(rest)
        and len(paragraph) <= 160
        and "\n" not in paragraph
        and not paragraph.rstrip().endswith((".", "”", '"', ":", "?", "!"))
        and len(paragraph.split()) >= 3
    )
