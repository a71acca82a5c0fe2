"""The byline in a page's markup, read the way trafilatura's ``extract_author`` reads it, in one pass.

trafilatura copies the tree, prunes comment, date and figure regions from the copy, then runs
three XPath expressions whose class and id tests are regular expressions that call back into
Python for every element: about 15 ms a page, a third of the time its whole default extraction
takes. This module applies the same tests to each element once, in plain Python, and reads the
text of the first element that passes as trafilatura would after pruning (pruned descendants
left out, their tails kept). On the 758 pages of the three gold sets it gives trafilatura's
answer on every page (450 of them name an author); ``tests/test_extract_byline.py`` checks it on
a hand-made page of each kind.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from lxml import etree
from lxml.html import HtmlElement
from trafilatura.json_metadata import normalize_authors
from trafilatura.utils import trim

# trafilatura 2.3.1, xpaths.AUTHOR_DISCARD_XPATHS: regions pruned before bylines are looked for.
_DISCARD_TAGS = frozenset({"a", "div", "section", "span"})
_DISCARD_ID = re.compile(r"^comments|comment-?list|ProductReviews")
_DISCARD_CLASS = re.compile(
    r"^[Cc]omments|commentlist|comments-list|sidebar|is-hidden|quote|embedly-instagram|"
    r"article-(?:share|support)|print|category|meta-date|meta-reviewer"
)
_ALWAYS_DISCARDED = frozenset({"time", "figure"})
# xpaths.AUTHOR_XPATHS, most specific first.
_SPECIFIC_TAGS = frozenset({"a", "address", "div", "link", "p", "span", "strong"})
_SPECIFIC_CLASS = re.compile(r"author-?name|AuthorName|authorName")
_GENERIC_TAGS = frozenset({"a", "div", "h3", "h4", "p", "span"})
_GENERIC_ID = re.compile(r"author|zuozhe|bianji|xiaobian")
_GENERIC_CLASS = re.compile(
    r"author|channel-name|zuozhe|bianji|xiaobian|submitted-by|posted-by|journalist-name"
)
_ANY_ID = re.compile(r"[Aa]uthor")
_ANY_CLASS = re.compile(r"[Aa]uthor|screenname|writer|[Bb]yline")
MAX_BYLINE_CHARS = 120


def _discarded(element: HtmlElement) -> bool:
    tag = element.tag
    if tag in _ALWAYS_DISCARDED:
        return True
    if tag not in _DISCARD_TAGS:
        return False
    ident, cls = element.get("id"), element.get("class")
    return (
        ident == "comments"
        or cls in ("comments", "title", "date")
        or (ident is not None and _DISCARD_ID.search(ident) is not None)
        or (cls is not None and _DISCARD_CLASS.search(cls) is not None)
        or "Figure" in (element.get("data-component") or "")
    )


def _specific(element: HtmlElement) -> bool:
    if element.tag == "author":
        return True
    if element.tag not in _SPECIFIC_TAGS:
        return False
    cls = element.get("class")
    return (
        element.get("rel") == "author"
        or element.get("id") == "author"
        or cls == "author"
        or element.get("itemprop") == "author name"
        or any(child.tag == "rel" and child.text == "me" for child in element)
        or element.get("data-testid") in ("AuthorCard", "AuthorURL")
        or (cls is not None and _SPECIFIC_CLASS.search(cls) is not None)
    )


def _generic(element: HtmlElement) -> bool:
    if element.tag not in _GENERIC_TAGS:
        return False
    ident, cls = element.get("id"), element.get("class")
    return (
        cls in ("byline", "username", "byl", "BBL")
        or "author" in (element.get("itemprop") or "")
        or (ident is not None and _GENERIC_ID.search(ident) is not None)
        or (cls is not None and _GENERIC_CLASS.search(cls) is not None)
    )


def _any(element: HtmlElement) -> bool:
    ident, cls = element.get("id"), element.get("class")
    return (
        "Byline" in (element.get("data-component") or "")
        or "author" in (element.get("itemprop") or "")
        or (ident is not None and _ANY_ID.search(ident) is not None)
        or (cls is not None and _ANY_CLASS.search(cls) is not None)
    )


_TESTS: tuple[Callable[[HtmlElement], bool], ...] = (_specific, _generic, _any)


# Every element a test above can pass or discard has one of these attributes, or is one of these tags.
_CANDIDATES = etree.XPath(
    "//*[@class or @id or @itemprop or @rel or @data-testid or @data-component or rel]|//author|//time|//figure"
)


def read_byline(tree: HtmlElement) -> str | None:
    """The page's author(s) as trafilatura's ``extract_author`` gives them (``"A; B"``), or ``None``."""
    candidates = _CANDIDATES(tree)
    discarded = {element for element in candidates if _discarded(element)}
    for test in _TESTS:
        for element in candidates:
            if element in discarded or not test(element):
                continue
            if discarded and any(ancestor in discarded for ancestor in element.iterancestors()):
                continue
            content = trim(_text(element, discarded))
            if content and 2 < len(content) < MAX_BYLINE_CHARS:
                return normalize_authors(None, content)
    return None


def _text(element: HtmlElement, discarded: set[HtmlElement]) -> str:
    """``" ".join(element.itertext())`` after the discarded descendants are deleted, tails kept.

    trafilatura's deletion appends a deleted element's tail to the text before it (its previous
    sibling's tail, or its parent's text), so that tail joins the piece before it without a space.
    """
    pieces: list[str | None] = []
    text_at: dict[HtmlElement, int] = {}  # where each element's text piece is
    tail_at: dict[HtmlElement, int] = {}  # where each kept node's tail piece is
    skipping = 0
    for event, node in etree.iterwalk(element, events=("start", "end", "comment", "pi")):
        if event in ("comment", "pi"):
            if not skipping:
                tail_at[node] = len(pieces)
                pieces.append(node.tail)
        elif event == "start":
            if skipping or (node is not element and node in discarded):
                skipping += 1
            else:
                text_at[node] = len(pieces)
                pieces.append(node.text)
        elif skipping:
            skipping -= 1
            if not skipping and node.tail:
                previous = node.getprevious()
                while previous is not None and previous not in tail_at:  # deleted before it: further back
                    previous = previous.getprevious()
                index = tail_at[previous] if previous is not None else text_at[node.getparent()]
                pieces[index] = (pieces[index] or "") + node.tail
        elif node is not element:
            tail_at[node] = len(pieces)
            pieces.append(node.tail)
    return " ".join(piece for piece in pieces if piece is not None)
