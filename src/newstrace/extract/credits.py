"""Who and where a story says it comes from: datelines, wire credits, bylines, photo captions.

"SEOUL (Reuters) –", "WASHINGTON, May 3 (AP) —", "(AFP) -" open a wire story;
"Reporting by …; Editing by …" and "© 2019 The Associated Press" close one; "By Jane Doe"
heads it; "Biden in Seoul © YONHAP/EPA-EFE/Shutterstock" or "… (Jane Doe/Reuters)" is a
photo caption with its credit. Each reader returns what it found and the exact text it
consumed, so the cleaner can keep that text as ``Removed``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newstrace.model import Caption

# Wire services by the names they sign with, mapped to one short form.
_WIRES = {
    "reuters": "Reuters",
    "thomson reuters": "Reuters",
    "ap": "AP",
    "the associated press": "AP",
    "associated press": "AP",
    "afp": "AFP",
    "agence france-presse": "AFP",
    "agence france presse": "AFP",
    "bloomberg": "Bloomberg",
    "upi": "UPI",
    "dpa": "dpa",
    "xinhua": "Xinhua",
    "yonhap": "Yonhap",
    "pti": "PTI",
    "ani": "ANI",
    "ians": "IANS",
    "kyodo": "Kyodo",
    "efe": "EFE",
    "ansa": "ANSA",
    "tass": "TASS",
    "interfax": "Interfax",
    "anadolu": "Anadolu",
    "cnn": "CNN",
    "bernama": "Bernama",
    "aap": "AAP",
    "cp": "CP",
    "the canadian press": "CP",
    "canadian press": "CP",
    "pa": "PA",
    "press association": "PA",
    "jiji": "Jiji",
    "kyodo news": "Kyodo",
    "ap photo": "AP",
}
_WIRE_NAMES = "|".join(sorted((re.escape(name) for name in _WIRES), key=len, reverse=True))
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
# A dash, or nothing at all right after a credit when a page ran the two together: "(CNN)President …".
_DASH = r"(?:\s*(?:--|[–—])\s*|\s*-\s+|(?<=\))(?=[A-Z“\"]))"

# PLACE[, REGION][, DATE] [(CREDIT)] DASH — the place in capitals unless a credit follows it.
_DATELINE = re.compile(
    r"(?P<place>[A-Z][A-Z.'’-]*(?:\s+[A-Z][A-Z.'’-]*){0,3}|[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}(?=[^()\n]{0,40}\())"
    r"(?:,\s*(?P<region>[A-Z][\w.]*\.?(?:\s+[A-Z][\w.]*){0,2}))?"
    rf"(?:,\s*(?P<date>{_MONTH}\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTH}))?"
    r"\s*(?:\((?P<credit>[A-Z][\w.&/'’ -]{0,38}[\w.])\))?"
    rf"{_DASH}"
)
_CREDIT_ONLY = re.compile(rf"\((?P<credit>{_WIRE_NAMES})\){_DASH}", re.IGNORECASE)
# A wire named inside other text, written as wires write their names: case matters here, or
# "Pa." (Pennsylvania) and "ap" would read as wires.
_WIRE_WORD = re.compile(
    r"\b(?:Reuters|REUTERS|Thomson Reuters|AP|(?:The )?Associated Press|AFP|Agence France-Presse|Bloomberg|UPI|dpa"
    r"|Xinhua|Yonhap|PTI|ANI|IANS|Kyodo|EFE|ANSA|TASS|Interfax|Anadolu|CNN|Bernama|AAP|(?:The )?Canadian Press"
    r"|Press Association|Jiji)\b"
)
# A story's last line that is only its wire: "(Reuters)", "— AP", "Source: AFP".
_WIRE_LINE = re.compile(rf"[(\[—–-]?\s*(?:source:\s*)?(?P<wire>{_WIRE_NAMES})\s*[)\]]?\.?", re.IGNORECASE)
# "Reporting by Jane Doe; Editing by …": a name (capitalised) must follow, unlike "Reporting by journalists …".
_SIGN_OFF = re.compile(
    r"\(?\s*(?i:(?:additional |further )?(?:reporting|writing|editing|compiled|reporting and writing)"
    r"(?: and (?:writing|editing))?\s+by)\s+[A-Z].{1,400}"
)
_COPYRIGHT_WIRE = re.compile(
    rf"(?:copyright|©|\(c\))\s*(?:©\s*)?(?:\d{{4}}\s*)?(?P<wire>{_WIRE_NAMES})\b", re.IGNORECASE
)
_BYLINE = re.compile(
    r"by\s+(?P<names>[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}(?:\s*(?:,|and|&)\s*[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}){0,4})"
    r"(?:\s*(?:,|\||-|–|—|/)\s*(?P<affiliation>[\w.&' -]{2,100}))?",
    re.IGNORECASE,
)
_ROLES = frozenset(
    {
        "editor",
        "co-editor",
        "correspondent",
        "reporter",
        "writer",
        "staff",
        "contributor",
        "columnist",
        "producer",
        "desk",
        "bureau",
        "chief",
        "news",
        "service",
        "wire",
        "press",
    }
)
_NAME_SPLIT = re.compile(r"\s*(?:,|\band\b|&)\s*")
# Photo credits: "© X", "Photo: X", "Photograph by X", "(Photo by X/Getty Images)", "(Jane Doe/Reuters)".
_PHOTO_CREDIT = re.compile(
    r"(?:(?:©|\(c\)|\b(?:photo|photograph|picture|image|foto|credit|photo credit)s?\s*(?::|by\b))\s*(?P<credit>[^()|\n]{2,100}?)"
    r"|\((?P<paren>(?:(?:photo|photograph|image|picture)s? by |credit: )?[A-Z][\w.'’ -]{1,60}/\s?[\w.,'’/ -]{1,60})\)"
    r"|(?<![\w/])(?P<slash>(?:[A-Z][\w.'’-]*\s){0,2}[A-Z][\w.'’-]*/\s?[A-Z][\w.,'’ -]{0,40}(?:/[\w.,'’ -]{1,40}){0,3})"
    r"|\|\s*(?P<pipe>[A-Z][^|\n]{1,60}?))"
    r"\s*\)?\.?\s*$",
    re.IGNORECASE,
)
_BBC_CAPTION = re.compile(
    r"image copyright (?P<credit>.{2,80}?) image caption (?P<text>.+)", re.IGNORECASE | re.DOTALL
)
_CAPTION_CUE = re.compile(
    r"\((?:left|right|center|centre|top|bottom|front|back)\)|\b(?:pictured|file photo)\b", re.IGNORECASE
)
_SENTENCE_END = (".", "!", "?", "”", '"')
_CREDIT_PREFIX = re.compile(r"^(?:(?:photo|photograph|image|picture)s? by|credit:)\s*", re.IGNORECASE)
_CREDIT_WORD = re.compile(r"photo|image|picture|credit|foto")  # searched in lower case
MAX_CAPTION_CHARS = 400
# A photo credit is at most this long, so it is searched for in a caption's last characters only.
_CREDIT_TAIL = 130


@dataclass(frozen=True)
class Dateline:
    """The opening "PLACE (CREDIT) —" of a story: ``paragraph[:end]`` is the consumed prefix."""

    place: str | None
    credit: str | None
    end: int


def wire_name(name: str) -> str:
    """The short form of a wire service ("The Associated Press" → "AP"), else the name as given."""
    return _WIRES.get(name.strip().lower(), name.strip())


def read_dateline(paragraph: str) -> Dateline | None:
    """The dateline opening ``paragraph``, if it has one."""
    match = _DATELINE.match(paragraph)
    if match:
        place, credit = match.group("place").strip(), match.group("credit")
        shouted = place.isupper() and len(place) >= 3 and place not in _NOT_PLACES
        # A title-case place needs a wire credit: "Washington (CNN) —", not "Sen. Jane Roe (R-Ohio) —".
        if shouted or (credit and _WIRE_WORD.search(credit)):
            return Dateline(place=place, credit=wire_name(credit) if credit else None, end=match.end())
    match = _CREDIT_ONLY.match(paragraph)
    if match:
        return Dateline(place=None, credit=wire_name(match.group("credit")), end=match.end())
    return None


# Capitalised openings that are no place: a shouted kicker, a speaker label or an abbreviation.
_NOT_PLACES = frozenset(
    {
        "UPDATE",
        "UPDATED",
        "BREAKING",
        "EXCLUSIVE",
        "WATCH",
        "READ",
        "NOTE",
        "EDITOR'S NOTE",
        "CORRECTION",
        "ANALYSIS",
        "OPINION",
        "Q",
        "A",
        "FILE",
        "PHOTO",
        "VIDEO",
        "LIVE",
        "URGENT",
    }
)


def is_sign_off(line: str) -> bool:
    """A closing credit line: "Reporting by …; Editing by …", "(Additional reporting by …)"."""
    return len(line) <= 500 and _SIGN_OFF.fullmatch(line.strip()) is not None


def wire_in(line: str) -> str | None:
    """The wire a sign-off or copyright line names ("© 2019 The Associated Press" → "AP")."""
    match = _COPYRIGHT_WIRE.search(line)
    if match:
        return wire_name(match.group("wire"))
    if is_sign_off(line):
        found = _WIRE_WORD.search(line)
        return wire_name(found.group(0)) if found else None
    return None


def read_wire_line(line: str) -> str | None:
    """The wire named by a line that is nothing else ("(Reuters)", "— AP")."""
    match = _WIRE_LINE.fullmatch(line.strip()) if len(line) <= 40 else None
    return wire_name(match.group("wire")) if match else None


def read_byline(line: str) -> tuple[str, ...] | None:
    """Author names of a "By Jane Doe and John Roe, Reuters" line, or ``None`` if it is no byline."""
    text = line.strip()
    if len(text) > 120 or text[:3].lower() != "by ":
        return None
    match = _BYLINE.fullmatch(text.rstrip("."))
    if not match:
        return None
    names = [n for n in _NAME_SPLIT.split(match.group("names")) if n]
    # Lower-case words inside a "name" mean a sentence ("By contrast, …"), not a byline.
    if not names or any(not word[0].isupper() for name in names for word in name.split()):
        return None
    # "By Jane Doe, CNN Belief Blog Co-Editor": what follows the people is their affiliation.
    people = tuple(
        n for n in names if n.lower() not in _WIRES and not any(_affiliation_word(w) for w in n.split())
    )
    return people or None


def _affiliation_word(word: str) -> bool:
    """Words of an outlet or a role ("CNN", "Editor"), never of a person's name."""
    return (word.isupper() and word.isalpha() and len(word) > 1) or word.lower() in _ROLES


def read_caption(paragraph: str) -> Caption | None:
    """A photo caption: a short block ending in a photo credit, or one with a photo cue and no sentence end."""
    if len(paragraph) > MAX_CAPTION_CHARS:
        return None
    # A credit closes the caption: look for one in the tail only, and only when a credit mark is there.
    tail = paragraph[-_CREDIT_TAIL:].lower()
    credit_mark = (
        "/" in tail or "©" in tail or "(c)" in tail or "|" in tail or _CREDIT_WORD.search(tail) is not None
    )
    open_end = not paragraph.endswith(_SENTENCE_END)
    if not credit_mark and not open_end and paragraph[:15].lower() != "image copyright":
        return None
    text = "\n".join(line.strip() for line in paragraph.split("\n") if line.strip())
    if text[:15].lower() == "image copyright":
        bbc = _BBC_CAPTION.fullmatch(text)
        if bbc:
            return Caption(text=bbc.group("text").strip(), credit=bbc.group("credit").strip())
    if credit_mark:
        found = _closing_credit(text)
        if found:
            return found
    if open_end and _CAPTION_CUE.search(text):
        return Caption(text=text, credit=None)
    return None


def _closing_credit(text: str) -> Caption | None:
    """The caption and its credit when ``text`` ends in one (the first candidate that reads as names wins)."""
    position = max(0, len(text) - _CREDIT_TAIL)
    while match := _PHOTO_CREDIT.search(text, position):
        credit = next((group for group in match.groups() if group), "").strip()
        if _looks_like_credit(credit):
            return Caption(text=text[: match.start()].strip(), credit=_CREDIT_PREFIX.sub("", credit) or None)
        position = match.start() + 1
    return None


_NOTICE = re.compile(r"(?:copyright\b|\d{4}\b)", re.IGNORECASE)
_CREDIT_CONNECTORS = frozenset(
    {"via", "for", "and", "of", "the", "de", "da", "del", "van", "von", "der", "le", "la", "by"}
)


def _looks_like_credit(credit: str) -> bool:
    """Names and agencies ("Jane Doe/Getty Images", "YONHAP/EPA-EFE"), not the rest of a sentence."""
    words = credit.replace("/", " ").split()
    if _NOTICE.match(credit):  # "© 2017 King Features Syndicate" is a copyright notice, not a photo credit
        return False
    return (
        0 < len(words) <= 10
        and not credit.endswith(("!", "?"))
        and all(
            w[0].isupper() or w[0].isdigit() or w.lower() in _CREDIT_CONNECTORS or not w[0].isalpha()
            for w in words
        )
    )
