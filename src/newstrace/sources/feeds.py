"""RSS 2.0, RSS 1.0 (RDF) and Atom feeds: one ``RawDocument`` per item that carries article text.

Feeds are XML, but their authors write HTML: named entities (``&rsquo;``, ``&eacute;``) that XML
does not define, and bare ``&``. Left to libxml2's recovery, such an entity cut the title and body
at it and spoilt the entities of every later item. So before parsing, every HTML named entity
becomes its numeric reference, an unknown one (and a bare ``&``) becomes literal text, and no
entity a DTD defines is ever expanded (which also disarms "billion laughs" and external entities).
"""

from __future__ import annotations

import html as html_text
import re
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from html.entities import html5

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
_XML_ENTITIES = {b"lt", b"gt", b"amp", b"quot", b"apos"}
# A CDATA section (kept as it is: its text is not XML-parsed), a named entity, a numeric reference,
# or an "&" that starts no reference. The CDATA branch also matches an unterminated section, to the
# end, so the scan stays linear.
_REFERENCE_OR_CDATA = re.compile(
    rb"<!\[CDATA\[.*?(?:\]\]>|\Z)|&([A-Za-z][A-Za-z0-9]{0,63});|&#([0-9]{1,8});|&#[xX]([0-9A-Fa-f]{1,8});|&",
    re.DOTALL,
)
_REPLACEMENT_REFERENCE = b"&#65533;"


def read_feed(data: bytes, origin: str) -> Iterator[SourceItem]:
    """Items of a feed; a file that is no feed, or an item without text, is a ``Problem``."""
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(_xml_entities_only(data), parser=parser)
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
    fatal = [e for e in parser.error_log if e.level == etree.ErrorLevels.FATAL]
    if fatal:
        # Recovery may have left out part of the feed: say so, with where it went wrong.
        yield Problem(origin, f"damaged XML, read as far as it could be recovered: {fatal[0].message} "
                      f"(line {fatal[0].line})")
    for number, entry in enumerate(entries, start=1):
        where = f"{origin}#{number}"
        try:
            yield _item(entry, where)
        except ValueError as error:  # text libxml2 recovered but cannot give back as Unicode
            yield Problem(where, f"unreadable feed item: {error}")


def _item(entry: etree._Element, where: str) -> SourceItem:
    body = _first_text(entry, "content:encoded", "atom:content", "description", "rss1:description", "atom:summary")
    text = _html_to_text(body) if body else ""
    if not text.strip():
        return Problem(where, "feed item without text")
    return RawDocument(
        origin=where,
        body=text,
        format="text",
        id=_first_text(entry, "guid", "atom:id"),
        url=_link(entry),
        title=_first_text(entry, "title", "rss1:title", "atom:title"),
        date=_date(_first_text(entry, "pubDate", "dc:date", "atom:published", "atom:updated")),
        authors=tuple(a for a in (_first_text(entry, "dc:creator", "author", "atom:author/atom:name"),) if a),
    )


def _xml_entities_only(data: bytes) -> bytes:
    """``data`` with every reference XML cannot resolve by itself made into one it can, or into text."""

    def replace(match: re.Match[bytes]) -> bytes:
        name, decimal, hexadecimal = match.groups()
        if match.group().startswith(b"<") or name in _XML_ENTITIES:
            return match.group()
        if decimal or hexadecimal:
            # libxml2 lets a reference to a character XML forbids through as broken text: refuse it here.
            code = int(decimal, 10) if decimal else int(hexadecimal, 16)
            return match.group() if _xml_character(code) else _REPLACEMENT_REFERENCE
        if name is None:
            return b"&amp;"
        characters = html5.get(name.decode("ascii") + ";")
        if characters is None:
            return b"&amp;" + name + b";"
        return "".join(f"&#{ord(c)};" for c in characters).encode("ascii")

    return _REFERENCE_OR_CDATA.sub(replace, data)


def _xml_character(code: int) -> bool:
    """True for a code point XML 1.0 allows in a document."""
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


def _first_text(entry: etree._Element, *paths: str) -> str | None:
    for path in paths:
        found = entry.find(path, _NS)
        if found is not None and (text := "".join(found.itertext()).strip()):
            return text
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
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _html_to_text(fragment: str) -> str:
    """Feed bodies are HTML fragments: keep paragraph breaks, drop the markup, resolve the entities."""
    if "<" not in fragment:
        return html_text.unescape(fragment)
    try:
        tree = html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return html_text.unescape(fragment)
    for block in tree.iter(*_BLOCKS):
        block.tail = "\n\n" + (block.tail or "")
    return "\n\n".join(p.strip() for p in tree.text_content().split("\n\n") if p.strip())
