"""What a watched source lists: the article urls of a feed or news sitemap, the sitemaps of an index,
the feeds a home page links to.

Read by the root element, not the url or content type (servers label feeds every which way): RSS 2.0,
RSS 1.0 (RDF) and Atom feeds; sitemaps (``<urlset>``), of which only the ``<news:news>`` entries count
when there are any; sitemap indexes (``<sitemapindex>``); anything else is read as an HTML page.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urljoin

from lxml import etree, html

ListingKind = Literal["feed", "sitemap", "index", "page"]

_FEED_ROOTS = {"rss", "RDF", "feed"}
_RDF_ABOUT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")


@dataclass(frozen=True)
class Listing:
    """A source document read: the article urls it lists, and the feeds or sitemaps it points to."""

    kind: ListingKind
    articles: tuple[str, ...] = ()
    children: tuple[str, ...] = ()


def read_listing(body: bytes, url: str) -> Listing:
    """The links of a feed, sitemap, sitemap index or home page fetched from ``url`` (made absolute)."""
    root = _xml_root(body)
    name = etree.QName(root).localname if root is not None else ""
    if name in _FEED_ROOTS:
        return Listing("feed", articles=_absolute(url, _feed_links(root)))
    if name == "urlset":
        return Listing("sitemap", articles=_absolute(url, _sitemap_links(root)))
    if name == "sitemapindex":
        return Listing("index", children=_absolute(url, _texts(root, "sitemap", "loc")))
    return Listing("page", children=_absolute(url, _feed_links_of_page(body)))


def _xml_root(body: bytes) -> etree._Element | None:
    head = body.lstrip()[:1]
    if head != b"<":
        return None
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=False)
    try:
        return etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError:
        return None


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _children(element: etree._Element, name: str) -> Iterator[etree._Element]:
    return (child for child in element if _local(child) == name)


def _texts(root: etree._Element, parent: str, child: str) -> Iterator[str]:
    for element in root.iter():
        if _local(element) == parent:
            for found in _children(element, child):
                if (found.text or "").strip():
                    yield found.text.strip()


def _feed_links(root: etree._Element) -> Iterator[str]:
    for item in root.iter():
        name = _local(item)
        if name == "item":
            link = next((c.text.strip() for c in _children(item, "link") if (c.text or "").strip()), None)
            permalink = next(
                (c.text.strip() for c in _children(item, "guid")
                 if (c.text or "").strip().startswith("http") and c.get("isPermaLink", "true") != "false"),
                None,
            )
            if found := link or permalink or item.get(_RDF_ABOUT):
                yield found
        elif name == "entry":
            links = [c for c in _children(item, "link") if c.get("href")]
            alternate = next((c for c in links if c.get("rel", "alternate") == "alternate"), None)
            if alternate is not None:
                yield alternate.get("href")


def _sitemap_links(root: etree._Element) -> list[str]:
    """Every ``<url><loc>``; only those with a ``<news:news>`` entry when the sitemap has any."""
    entries = [(entry, next(_children(entry, "news"), None) is not None) for entry in _children(root, "url")]
    news_only = any(is_news for _, is_news in entries)
    return [
        loc.text.strip()
        for entry, is_news in entries
        if is_news or not news_only
        for loc in _children(entry, "loc")
        if (loc.text or "").strip()
    ]


def _feed_links_of_page(body: bytes) -> Iterator[str]:
    """The feeds a page announces with ``<link rel="alternate" type="application/rss+xml" href=…>``."""
    try:
        tree = html.fromstring(body)
    except (etree.ParserError, ValueError):
        return
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        if "alternate" in rel and (link.get("type") or "").lower() in _FEED_TYPES and link.get("href"):
            yield link.get("href")


def _absolute(base: str, links: Iterable[str]) -> tuple[str, ...]:
    """Links made absolute, web links only (http and https), each once, in their order."""
    absolute = (urljoin(base, link.strip()) for link in links)
    return tuple(dict.fromkeys(link for link in absolute if link.startswith(("http://", "https://"))))


def page_canonical(body: bytes) -> tuple[bool, str | None]:
    """Whether a page is an AMP page (``<html amp>`` or ``<html ⚡>``), and its ``<link rel=canonical>``.

    Only an absolute canonical url counts, as in extraction (``extract.meta``), so both name a page alike.
    """
    try:
        tree = html.fromstring(body)
    except (etree.ParserError, ValueError):
        return False, None
    root = tree.getroottree().getroot()
    amp = any(name.lower() in ("amp", "⚡") for name in root.attrib)
    canonical = next(
        (link.get("href") for link in root.iter("link")
         if "canonical" in (link.get("rel") or "").lower().split()
         and (link.get("href") or "").strip().startswith(("http://", "https://"))),
        None,
    )
    return amp, canonical
