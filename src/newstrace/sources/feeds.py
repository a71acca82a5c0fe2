"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds: one ``RawDocument`` per item that carries article text."""

from __future__ import annotations

from collections.abc import Iterator
from email.utils import parsedate_to_datetime

from lxml import etree, html

from newstrace.model import Problem, RawDocument
from newstrace.sources.readers import SourceItem

_NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "rss1": "http://purl.org/rss/1.0/",
}
_BLOCKS = ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "blockquote")


def read_feed(data: bytes, origin: str) -> Iterator[SourceItem]:
    """Items of a feed; a file that is no feed, or an item without text, is a ``Problem``."""
    try:
        root = etree.fromstring(data, parser=etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as error:
        yield Problem(origin, f"not a readable XML feed: {error}")
        return
    if root is None:
        yield Problem(origin, "not a readable XML feed")
        return
    entries = root.findall(".//item") or root.findall(".//rss1:item", _NS) or root.findall("atom:entry", _NS)
    if not entries:
        yield Problem(origin, f"no feed items found (root element <{etree.QName(root).localname}>)")
        return
    for number, entry in enumerate(entries, start=1):
        where = f"{origin}#{number}"
        body = _first_text(entry, "content:encoded", "atom:content", "description", "rss1:description",
                           "atom:summary")
        text = _html_to_text(body) if body else ""
        if not text.strip():
            yield Problem(where, "feed item without text")
            continue
        yield RawDocument(
            origin=where,
            body=text,
            format="text",
            id=_first_text(entry, "guid", "atom:id"),
            url=_link(entry),
            title=_first_text(entry, "title", "rss1:title", "atom:title"),
            date=_date(_first_text(entry, "pubDate", "dc:date", "atom:published", "atom:updated")),
            authors=tuple(a for a in (_first_text(entry, "dc:creator", "author", "atom:author/atom:name"),) if a),
        )


def _first_text(entry: etree._Element, *paths: str) -> str | None:
    for path in paths:
        found = entry.find(path, _NS)
        if found is not None and (found.text or "").strip():
            return found.text.strip()
    return None


def _link(entry: etree._Element) -> str | None:
    for link in entry.findall("atom:link", _NS):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link.get("href")
    return _first_text(entry, "link", "rss1:link")


def _date(value: str | None) -> str | None:
    if not value:
        return None
    if value[:4].isdigit():
        return value[:10]
    try:
        return parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError):
        return None


def _html_to_text(fragment: str) -> str:
    """Feed bodies are HTML fragments: keep paragraph breaks, drop the markup."""
    if "<" not in fragment:
        return fragment
    tree = html.fragment_fromstring(fragment, create_parent="div")
    for block in tree.iter(*_BLOCKS):
        block.tail = "\n\n" + (block.tail or "")
    return "\n\n".join(p.strip() for p in tree.text_content().split("\n\n") if p.strip())
