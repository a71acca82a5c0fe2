"""Keep one page's extraction bounded: a 50 MB page or a pathologically nested one must not hang a run.

Extraction cost grows with the page's size and its number of elements (trafilatura's passes
evaluate dozens of XPath expressions over every element: about 0.1 ms an element on a page of
20,000 tiny blocks, a minute for 200,000). The bounds are structural, so they are deterministic:
the same page is cut the same way on any machine.

- Text: a page over ``max_page_chars`` loses its scripts, styles, comments, inline SVG and
  inline ``data:`` payloads (which hold no article text), and is cut after that if still over.
- Elements: a parsed page over ``max_elements`` is cut after that many elements in document
  order, and the caller takes its cheap path (see ``html``).
- Depth: libxml2 reads at most 255 levels of nesting and silently drops what lies deeper;
  the note says so when a page reaches that depth.

The largest pages of the three gold sets hold 1.6 million characters and 10,500 elements; the
bounds sit at three and two times those. Each cut is described in a note that goes with
the page's result, so the article (or the problem) says what the budget cost it. A wall-clock
``Deadline`` backs them up: stages that are only refinements are skipped once it has passed.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from itertools import islice

from lxml import etree
from lxml.html import HtmlElement

# Deepest nesting libxml2's HTML parser builds without XML_PARSE_HUGE (deeper content is dropped).
PARSER_MAX_DEPTH = 255
_BULK = (
    (re.compile(r"<script\b", re.I), re.compile(r"</script\s*>", re.I)),
    (re.compile(r"<style\b", re.I), re.compile(r"</style\s*>", re.I)),
    (re.compile(r"<svg\b", re.I), re.compile(r"</svg\s*>", re.I)),
    (re.compile(r"<!--"), re.compile(r"-->")),
)
_COUNT = etree.XPath("count(//*)")
# True when some element sits at the parser's maximum depth (a path of that many elements exists).
_AT_PARSER_DEPTH = etree.XPath("boolean(" + "/*" * PARSER_MAX_DEPTH + ")")
# An inline payload in an attribute (base64 images, fonts): its data, not the attribute, is dropped.
_DATA_URI = re.compile(r"(data:[\w/+.-]*;base64,)[A-Za-z0-9+/=\s]{256,}")


@dataclass(frozen=True)
class BudgetOptions:
    """How much of a page extraction reads.

    Attributes:
        max_page_chars: longer pages are stripped of scripts, styles and inline data, then cut.
        max_elements: a parsed page with more elements is cut to this many and takes the cheap path.
        time_budget_s: wall-clock seconds for one page; once spent, optional stages are skipped.
    """

    max_page_chars: int = 5_000_000
    max_elements: int = 20_000
    time_budget_s: float = 10.0


class Deadline:
    """When one page's time budget runs out (monotonic clock)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._end = time.monotonic() + seconds

    def passed(self) -> bool:
        return time.monotonic() >= self._end


def fit_page(html: str, max_chars: int) -> tuple[str, str | None]:
    """``html`` within ``max_chars``: bulk without text dropped first, then cut; with a note when changed.

    Linear in the page's length whatever its markup (an unclosed ``<script`` drops the rest).
    """
    if len(html) <= max_chars:
        return html, None
    original = len(html)
    html = _DATA_URI.sub(r"\1", html)
    for start, end in _BULK:
        html = _drop_between(html, start, end)
    note = f"page of {original:,} characters: scripts, styles, comments and inline data dropped"
    if len(html) > max_chars:
        cut = html.rfind("<", 0, max_chars)
        html = html[: cut if cut > 0 else max_chars]
        note += f", then cut to its first {len(html):,} characters"
    return html, note


def _drop_between(html: str, start: re.Pattern[str], end: re.Pattern[str]) -> str:
    parts: list[str] = []
    position = 0
    while (opening := start.search(html, position)) is not None:
        parts.append(html[position : opening.start()])
        closing = end.search(html, opening.end())
        if closing is None:
            return "".join(parts)
        position = closing.end()
    parts.append(html[position:])
    return "".join(parts)


def fit_tree(tree: HtmlElement, max_elements: int) -> str | None:
    """Cut ``tree`` (in place) after its first ``max_elements`` elements; a note when cut or too deep, else ``None``."""
    notes = []
    if _AT_PARSER_DEPTH(tree):
        notes.append(
            f"page nested deeper than the {PARSER_MAX_DEPTH} levels the HTML parser reads: deeper text lost"
        )
    count = int(_COUNT(tree))
    if count > max_elements:
        _cut_after(next(islice(tree.iter(), max_elements - 1, None)))
        notes.append(f"page of {count:,} elements cut to its first {max_elements:,}")
    return "; ".join(notes) or None


def _cut_after(element: HtmlElement) -> None:
    """Remove everything after ``element`` in document order: its children and every later sibling up the tree."""
    for child in list(element):
        element.remove(child)
    node = element
    while (parent := node.getparent()) is not None:
        for sibling in list(node.itersiblings()):
            parent.remove(sibling)
        node = parent
