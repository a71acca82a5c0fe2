"""Article bodies split into several same-template blocks: find the blocks the extractor skipped.

Some sites cut one story into a run of sibling blocks with the same markup (``<div
class="body__chunk">`` ×5, with ads or embeds between them); trafilatura keeps the first
block and drops the rest, losing half the article (two wired.com pages of the scrapinghub
set keep 35-45 % of their text). A block is taken to be such a chunk when its paragraphs sit
in an element of the same tag and class as an element holding at least two extracted
paragraphs, while it holds none itself. Recovered paragraphs go back in page order.
"""

from __future__ import annotations

import re
from collections import Counter

from lxml.html import HtmlElement

_SPACE = re.compile(r"\s+")
# Paragraphs shorter than this are too often captions, bylines or buttons to recover.
MIN_PARAGRAPH_CHARS = 80
# Recovered text must be this large, and this share of the extracted text, to be worth the risk.
MIN_RECOVERED_CHARS = 300
MIN_RECOVERED_SHARE = 0.3
_KEY_CHARS = 60


def recover_chunks(tree: HtmlElement, text: str) -> tuple[str, int]:
    """``text`` with the paragraphs of skipped sibling chunks put back; also how many were put back."""
    flat = _SPACE.sub(" ", text)
    paragraphs = _paragraphs(tree)
    found = [p for p in paragraphs if p[1][:_KEY_CHARS] in flat]
    per_parent = Counter(id(parent) for parent, _ in found)
    chunk_kinds = {_kind(parent) for parent, _ in found if per_parent[id(parent)] >= 2}
    missing = {
        index
        for index, (parent, paragraph) in enumerate(paragraphs)
        if per_parent[id(parent)] == 0 and _kind(parent) in chunk_kinds and paragraph[:_KEY_CHARS] not in flat
    }
    recovered_chars = sum(len(paragraphs[i][1]) for i in missing)
    if recovered_chars < max(MIN_RECOVERED_CHARS, MIN_RECOVERED_SHARE * len(text)):
        return text, 0
    return _insert(text, paragraphs, missing, flat), len(missing)


def _paragraphs(tree: HtmlElement) -> list[tuple[HtmlElement, str]]:
    """Long ``<p>`` texts with their parent, in page order (only parents with a class can be chunks)."""
    result = []
    for element in tree.iter("p"):
        parent = element.getparent()
        if parent is None or not parent.get("class") or element.find(".//style") is not None:
            continue
        paragraph = _SPACE.sub(" ", element.text_content()).strip()
        if len(paragraph) >= MIN_PARAGRAPH_CHARS:
            result.append((parent, paragraph))
    return result


def _kind(element: HtmlElement) -> tuple[str, str]:
    return element.tag, element.get("class") or ""


def _insert(text: str, paragraphs: list[tuple[HtmlElement, str]], missing: set[int], flat: str) -> str:
    """Put each missing paragraph after the extracted paragraph that precedes it on the page."""
    after: dict[str | None, list[str]] = {}
    anchor = None
    for index, (_, paragraph) in enumerate(paragraphs):
        if index in missing:
            after.setdefault(anchor, []).append(paragraph)
        elif paragraph[:_KEY_CHARS] in flat:
            anchor = paragraph[:_KEY_CHARS]
    lines = after.pop(None, [])
    for line in text.split("\n"):
        lines.append(line)
        lines.extend(after.pop(_SPACE.sub(" ", line).strip()[:_KEY_CHARS], []))
    for rest in after.values():
        lines.extend(rest)
    return "\n".join(lines)
