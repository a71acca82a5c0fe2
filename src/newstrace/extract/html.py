"""HTML pages → title, body text and metadata, with trafilatura doing the heavy lifting.

The body comes from a two-pass cascade measured on the scrapinghub article-extraction
benchmark (``benchmarks/extraction.py``): trafilatura's fast, precision-focused pass first
(it drops teasers, link lists and trailing headings that the default pass keeps), and
trafilatura's full default cascade (readability/justext comparison, baseline rescue) only
when that pass comes back short, a sign it pruned the article itself; then the blocks of
an article split into same-template chunks are put back (``chunks``). The page is parsed
once; the passes, the chunk recovery and the metadata readers all work on that one tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import trafilatura
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from newstrace.extract.chunks import recover_chunks
from newstrace.extract.language import guess_language
from newstrace.extract.meta import read_meta


@dataclass(frozen=True)
class HtmlOptions:
    """How a page's body is found.

    Attributes:
        short_text: a precise pass giving fewer characters than this is taken to have missed
            the article (most news bodies are longer), so the full cascade runs as well.
        include_tables: keep tables in the body (data tables are often part of a story).
        recover_chunks: put back the paragraphs of an article split into same-template blocks
            that the extractor skipped (see ``chunks``).
    """

    short_text: int = 500
    include_tables: bool = True
    recover_chunks: bool = True


@dataclass(frozen=True)
class Page:
    """What a page yields before the body is cleaned."""

    text: str
    title: str | None = None
    url: str | None = None
    date: str | None = None
    authors: tuple[str, ...] = ()
    outlet: str | None = None
    language: str | None = None
    description: str | None = None
    extractor: str = "none"
    amp: bool = False  # an AMP page (<html amp> or <html ⚡>): another rendering of its canonical page


def extract_html(html: str, url: str | None = None, options: HtmlOptions | None = None) -> Page:
    """Main text and metadata of an HTML page (empty text when the page has no article).

    Args:
        html: the page source.
        url: where the page was fetched from, when known (a canonical link in the page wins).
        options: cascade settings; defaults are the benchmarked ones.

    Returns:
        A ``Page``; ``extractor`` says which pass produced the text (``"precise"``,
        ``"full"`` or ``"none"``), with ``"+chunks"`` when skipped blocks were put back.
    """
    options = options or HtmlOptions()
    tree = load_html(html)
    if tree is None:
        return Page(text="", url=url)
    meta = read_meta(tree, url)
    text, extractor = _body(tree, url, options, precise=True), "precise"
    if len(text) < options.short_text:
        fuller = _body(tree, url, options, precise=False)
        if len(fuller) > len(text):
            text, extractor = fuller, "full"
    if options.recover_chunks and text:
        text, recovered = recover_chunks(tree, text)
        extractor += "+chunks" if recovered else ""
    return Page(
        text=text,
        title=meta.title,
        url=meta.canonical_url or url,
        date=meta.date,
        authors=meta.authors,
        outlet=meta.site_name,
        language=meta.language or (guess_language(text) if text else None),
        description=meta.description,
        extractor=extractor if text else "none",
        amp=any(name.lower() in ("amp", "⚡") for name in tree.attrib),
    )


def _body(tree: HtmlElement, url: str | None, options: HtmlOptions, precise: bool) -> str:
    """One trafilatura pass over (a copy of) the tree: the precise one, or the full default cascade."""
    document: Any = trafilatura.bare_extraction(
        tree,
        url=url,
        fast=precise,
        favor_precision=precise,
        include_comments=False,
        include_tables=options.include_tables,
    )
    return (document.text or "") if document is not None else ""
