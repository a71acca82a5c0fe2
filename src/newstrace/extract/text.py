"""Clean an article body: drop scraper and page junk, pull out captions, dateline and wire credit.

Works paragraph by paragraph on plain text (HTML bodies arrive here as text too).
Nothing is silently lost: every dropped paragraph is kept as ``Removed`` with its reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newstrace.model import Caption, Removed

# Whole paragraphs that content-farm templates and page chrome add around an article.
_JUNK_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (reason, re.compile(pattern, re.IGNORECASE))
    for reason, pattern in (
        ("scraper-junk", r"(source|original) link:?"),
        ("scraper-junk", r"by (admin|administrator|editor|staff|newsdesk|webmaster)"),
        ("scraper-junk", r"placeholder (when|while) article (work|actions?) (is|are) loaded\.?"),
        ("scraper-junk", r"(continue|keep) reading(…|\.\.\.)?|read (the )?(full|more|rest)( (article|story|here))?.{0,40}"),
        ("scraper-junk", r"(like this|like loading)(:|\.\.\.|…)?"),
        ("comments", r"leave a (reply|comment)|(\d+ )?comments?( \(\d+\))?|post(ed)? a comment"),
        ("comments", r"your email address will not be published\.?( required fields are marked \*?)?"),
        ("comments", r"required fields are marked \*?"),
        ("related", r"related (posts|articles|stories|news|content)(:)?|you (may|might) (also )?like:?|more from .{0,40}"),
        ("share", r"(share|tweet|email|print|pin)( (this|on|via) .{0,30})?(:)?"),
        ("share", r"(share|follow us)( on)? (facebook|twitter|linkedin|whatsapp|reddit)(.{0,60})?"),
        ("newsletter", r".{0,80}(sign up|subscribe)( now| today)? (for|to) (our|the) .{0,60}newsletter.{0,80}"),
        ("newsletter", r".{0,40}newsletter.{0,40}(sign up|subscribe).{0,60}"),
        ("cookies", r".{0,120}(we use cookies|this (web)?site uses cookies|accept (all )?cookies).{0,200}"),
        ("advertisement", r"advertisement|sponsored( content)?|ad"),
        ("tags", r"(tags|filed under|categories):.{0,200}"),
    )
)

# "SEOUL (Reuters) –", "WASHINGTON, May 21 (AP) -", "LONDON —" at the start of the body.
_WIRES = r"Reuters|AP|Associated Press|AFP|Agence France-Presse|Bloomberg|UPI|dpa|Xinhua|Yonhap|PTI|ANI|IANS|Kyodo|EFE|ANSA|CNN"
_DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z .'’-]{1,40}?[A-Z])"
    r"(?:,\s*(?P<region>[A-Z][\w.]*(?:\s[A-Z][\w.]*)?))?"
    r"(?:,\s*(?P<date>[A-Z][a-z]{2,8}\.?\s+\d{1,2}))?"
    rf"\s*(?:\((?P<credit>{_WIRES})\)\s*)?"
    r"\s*[-–—]{1,2}\s*"
)
_TRAILING_CREDIT = re.compile(rf"^\(?(?:reporting by|additional reporting by|©|\(c\))?\s*({_WIRES})\)?\.?$", re.I)

# "© YONHAP/EPA-EFE/Shutterstock", "(Photo: Jane Doe/Getty Images)", "Photograph: X/AP".
_PHOTO_CREDIT = re.compile(
    r"(?:©|\(c\)|photo(?:graph)?:|image:|credit:|picture:)\s*(?P<credit>[^\n]{2,120}?)\)?\s*$", re.I
)
_CAPTION_START = re.compile(r"^(?:\(?(?:left|right|center|top|above|below|pictured|file photo)\)?\b)", re.I)
_CAPTION_CUES = re.compile(r"\((?:left|right|center|centre)\)|\bleave[s]? a room\b|\bpictured\b|\bfile photo\b", re.I)


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
    separator = r"\n\s*\n" if re.search(r"\n\s*\n", text) else r"\n"
    return [p.strip() for p in re.split(separator, text) if p.strip()]


def junk_reason(paragraph: str) -> str | None:
    """Why ``paragraph`` is template junk, or ``None`` if it is article text."""
    line = paragraph.strip().strip("|•·").strip()
    if not line:
        return "empty"
    for reason, pattern in _JUNK_PATTERNS:
        if pattern.fullmatch(line):
            return reason
    return None


def _split_caption(paragraph: str) -> Caption | None:
    """A photo caption is short, carries a photo credit or a photo cue, and is not a sentence of the story."""
    lines = [line.strip() for line in paragraph.split("\n") if line.strip()]
    credit_match = _PHOTO_CREDIT.search(lines[-1]) if lines else None
    if credit_match:
        caption_text = " ".join([*lines[:-1], lines[-1][: credit_match.start()].strip()]).strip()
        return Caption(text=caption_text, credit=credit_match.group("credit").strip())
    if len(paragraph) < 300 and (_CAPTION_START.match(paragraph) or _CAPTION_CUES.search(paragraph)):
        if not paragraph.rstrip().endswith((".", "”", '"', "?", "!")):
            return Caption(text=paragraph, credit=None)
    return None


def clean_body(text: str, title: str | None = None) -> CleanedBody:
    """Strip junk paragraphs, captions, a repeated headline, and read the dateline and wire credit."""
    paragraphs = split_paragraphs(text)
    kept: list[str] = []
    removed: list[Removed] = []
    captions: list[Caption] = []
    found_title = title
    for index, paragraph in enumerate(paragraphs):
        reason = junk_reason(paragraph)
        if reason:
            removed.append(Removed(paragraph, reason))
            continue
        if title and _same_text(paragraph, title):
            removed.append(Removed(paragraph, "repeated-title"))
            continue
        caption = _split_caption(paragraph)
        if caption:
            captions.append(caption)
            removed.append(Removed(paragraph, "caption"))
            continue
        if found_title is None and index == 0 and _looks_like_headline(paragraph, paragraphs[1:]):
            found_title = paragraph
            removed.append(Removed(paragraph, "title"))
            continue
        kept.append(paragraph)

    dateline = credit = None
    if kept:
        match = _DATELINE.match(kept[0])
        if match and (match.group("credit") or len(match.group("place")) >= 3):
            dateline = match.group("place").strip().title() if not match.group("place").isupper() else match.group("place").strip()
            credit = match.group("credit")
            removed.append(Removed(kept[0][: match.end()].strip(), "dateline"))
            kept[0] = kept[0][match.end() :]
    if kept and credit is None:
        tail = _TRAILING_CREDIT.match(kept[-1])
        if tail:
            credit = tail.group(1)
    return CleanedBody(
        text="\n\n".join(kept),
        title=found_title,
        dateline=dateline,
        credit=credit,
        captions=tuple(captions),
        removed=tuple(removed),
    )


def _same_text(a: str, b: str) -> bool:
    return re.sub(r"\W+", " ", a).strip().lower() == re.sub(r"\W+", " ", b).strip().lower()


def _looks_like_headline(paragraph: str, rest: list[str]) -> bool:
    """A short first line without final punctuation, followed by real paragraphs, is a headline."""
    return (
        bool(rest)
        and len(paragraph) <= 160
        and "\n" not in paragraph
        and not paragraph.rstrip().endswith((".", "”", '"', ":", "?", "!"))
        and len(paragraph.split()) >= 3
    )
