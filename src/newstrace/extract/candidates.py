"""Candidate article bodies of one parsed page, each from a different method.

No single extractor is right on every site: trafilatura's rule-based passes prune by markup and
link density and sometimes prune the article itself (a few hundred characters of a long story
come back), while Readability's scoring of paragraph containers (Arc90's algorithm, in
trafilatura's fork) finds the block holding the most prose and sometimes takes a comment thread or
a teaser list for it. Their errors are different, so a line vote among them (``consensus``)
beats each. Every candidate works on the one tree the page was parsed into; none changes it.
"""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass
from typing import Any, Literal

import trafilatura
from lxml import etree
from lxml.html import HtmlElement
from trafilatura.external import try_readability

from newstrace.extract.chunks import recover_chunks

Mode = Literal["precise", "recall"]
# Elements that end a paragraph when turning Readability's html back into text.
_BLOCKS = frozenset(
    [
        "p",
        "div",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "pre",
        "blockquote",
        "td",
        "tr",
        "table",
        "dl",
        "dt",
        "dd",
        "figure",
        "figcaption",
        "section",
        "article",
        "header",
        "footer",
        "aside",
        "br",
        "hr",
    ]
)


# Elements that may be invisible (Readability.js's ``_isProbablyVisible``); their attributes decide.
_MAYBE_INVISIBLE = etree.XPath("//*[@hidden or @aria-hidden or @style]")
_INVISIBLE_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    """One method's article body for a page.

    Attributes:
        method: which method gave it (``"trafilatura-precise"``, ``"readability"``, ...).
        text: paragraphs separated by newlines.
        recovered_chunks: how many skipped same-template blocks were put back (see ``chunks``).
    """

    method: str
    text: str
    recovered_chunks: int = 0


def trafilatura_candidate(
    tree: HtmlElement, url: str | None, mode: Mode, include_tables: bool = True, put_back_chunks: bool = True
) -> Candidate:
    """trafilatura's fast pass in one focus, with the skipped chunks of a split article put back (``chunks``)."""
    document: Any = trafilatura.bare_extraction(
        tree,
        url=url,
        fast=True,
        favor_precision=mode == "precise",
        favor_recall=mode == "recall",
        include_comments=False,
        include_tables=include_tables,
    )
    text = (document.text or "") if document is not None else ""
    recovered = 0
    if text and put_back_chunks:
        text, recovered = recover_chunks(tree, text)
    return Candidate(f"trafilatura-{mode}", text, recovered)


def readability_candidate(tree: HtmlElement) -> Candidate:
    """The block Readability scores highest, as text (on a copy: Readability rewrites the tree it reads).

    Invisible elements go first, as Mozilla's Readability.js drops them (``_isProbablyVisible``):
    trafilatura's fork of the older Arc90 code keeps them, and a hidden duplicate of the article
    (a print or mobile copy) would double its text.
    """
    page = deepcopy(tree)
    for element in _MAYBE_INVISIBLE(page):
        if element.getparent() is not None and _invisible(element):
            element.drop_tree()
    return Candidate("readability", block_text(try_readability(page)))


def _invisible(element: HtmlElement) -> bool:
    if element.get("hidden") is not None or _INVISIBLE_STYLE.search(element.get("style") or ""):
        return True
    return element.get("aria-hidden") == "true" and "fallback-image" not in (element.get("class") or "")


def block_text(element: HtmlElement) -> str:
    """An element's text with a paragraph break at every block element; walked without recursion."""
    paragraphs: list[str] = []
    current: list[str] = []

    def close() -> None:
        line = " ".join("".join(current).split())
        if line:
            paragraphs.append(line)
        current.clear()

    for event, node in etree.iterwalk(element, events=("start", "end")):
        if not isinstance(node.tag, str):  # comments, processing instructions
            if event == "end" and node.tail:
                current.append(node.tail)
            continue
        if event == "start":
            if node.tag in _BLOCKS:
                close()
            if node.text:
                current.append(node.text)
        else:
            if node.tag in _BLOCKS:
                close()
            if node.tail and node is not element:
                current.append(node.tail)
    close()
    return "\n".join(paragraphs)
