"""HTML pages → title, body text and metadata, with trafilatura doing the heavy lifting."""

from __future__ import annotations

from dataclasses import dataclass

import trafilatura


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


def extract_html(html: str, url: str | None = None) -> Page:
    """Main text and metadata of an HTML page (empty text when the page has no article)."""
    document = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=True
    )
    if document is None:
        return Page(text="", url=url)
    authors = tuple(a.strip() for a in (document.author or "").split(";") if a.strip())
    return Page(
        text=document.text or "",
        title=document.title,
        url=document.url or url,
        date=document.date,
        authors=authors,
        outlet=document.sitename,
        language=document.language,
    )
