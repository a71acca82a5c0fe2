"""Property-based fuzzing of every reader (JSON Lines, HTML, text, feeds, WARC), through ingest.

For any input: no exception escapes; every input item is stored, counted as a duplicate of a stored
one, or reported as a problem with its place; and everything stored is valid UTF-8. The examples
are bounded and derandomised so the suite runs the same way in CI every time.
"""

from __future__ import annotations

import gzip
import html
import io
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newstrace.engine import ingest
from newstrace.sources import read_sources
from newstrace.sources.feeds import read_feed
from newstrace.store import MEMORY, open_store

FUZZ = settings(
    max_examples=40, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SENTENCE = "The ferry to Isle Quen ran aground on Sunday; the coastguard said no one was hurt. "
# Characters XML may carry as they are (no controls, surrogates or non-characters).
XML_TEXT = st.text(st.characters(exclude_categories=("Cs", "Cc", "Cn")), max_size=40)
ENTITIES = ["&rsquo;", "&eacute;", "&mdash;", "&nbsp;", "&NotEqualTilde;", "&amp;", "&lt;", "&bogus;", "&",
            "&#0;", "&#xD800;", "&#x1F600;", "&#99999999;", "&lol9;"]
ENCODINGS = ["utf-8", "utf-16", "cp1252", "cp1251", "shift_jis", "latin-1", "koi8-r"]


@dataclass(frozen=True)
class Outcome:
    """What ingest made of one input file, with the file's path written ``FILE`` in every origin."""

    stored: list[str]
    reported: list[str]
    duplicates: int


def ingested(name: str, data: bytes) -> Outcome:
    """Ingest ``data`` as a file called ``name`` into a fresh store, and check that all it stored is valid UTF-8."""
    with tempfile.TemporaryDirectory() as folder, open_store(MEMORY) as store:
        path = Path(folder) / name
        path.write_bytes(data)
        report = ingest(store, [path])
        articles = list(store.articles.all())
        for article in articles:
            json.dumps(article.to_dict(), ensure_ascii=False).encode("utf-8")
        for problem in store.problems.all():
            (problem.origin + problem.reason).encode("utf-8")
        return Outcome(
            stored=[a.origin.replace(str(path), "FILE") for a in articles],
            reported=[p.origin.replace(str(path), "FILE") for p in report.problems],
            duplicates=report.duplicates,
        )


def assert_every_item_accounted_for(outcome: Outcome, places: list[str]) -> None:
    """Each place is stored once, a duplicate, or a problem; nothing else but the file itself is reported."""
    item_problems = [r for r in outcome.reported if r in places]
    assert set(outcome.reported) - set(places) <= {"FILE"}
    assert set(outcome.stored) <= set(places)
    assert len(set(outcome.stored + item_problems)) == len(outcome.stored) + len(item_problems)
    assert len(outcome.stored) + len(item_problems) + outcome.duplicates == len(places)


# -- JSON Lines --------------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)
RECORDS = st.fixed_dictionaries(
    {"text": st.one_of(st.text(max_size=200), st.just(SENTENCE * 3))},
    optional={"title": st.text(max_size=30), "url": st.text(max_size=30), "authors": JSON_VALUES,
              "html": st.text(max_size=200), "extra": JSON_VALUES, "date": JSON_VALUES},
)
JSON_LINES = st.one_of(
    RECORDS.map(lambda r: json.dumps(r).encode()),
    RECORDS.map(lambda r: json.dumps(r, ensure_ascii=False).encode("utf-8", "surrogatepass")),
    JSON_VALUES.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=80),
    st.sampled_from([b'{"text": "\\udc00 lone"}', b'{"text": "x", "deep": ' + b"[" * 300 + b"]" * 300 + b"}",
                     b'{"text": 1' + b"0" * 5000 + b"}", b"{\"text\": \"" + "caf\xe9".encode("cp1252") + b'"}']),
)


@FUZZ
@given(lines=st.lists(JSON_LINES.map(lambda b: b.replace(b"\n", b" ")), max_size=8), gzipped=st.booleans())
def test_json_lines_reader(lines: list[bytes], gzipped: bool) -> None:
    data = b"\n".join(lines)
    name = "fuzz.jsonl.gz" if gzipped else "fuzz.jsonl"
    outcome = ingested(name, gzip.compress(data) if gzipped else data)
    places = [f"FILE:{n}" for n, line in enumerate(data.split(b"\n"), start=1) if line.strip()]
    assert_every_item_accounted_for(outcome, places)


# -- Text and HTML ----------------------------------------------------------------------------------

HTML_PARTS = st.one_of(
    XML_TEXT,
    st.sampled_from(["<p>", "</p>", "<article>", "<div class='x'>", "<script>alert(1)</script>", "<!--", "-->",
                     "<meta charset='windows-1251'>", "<meta charset=bogus>", "<title>", "</title>", "&nbsp;",
                     "\x1b]0;x\x07", "<![CDATA[", SENTENCE]),
)


def encoded(texts: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    return st.tuples(texts, st.sampled_from(ENCODINGS)).map(lambda t: t[0].encode(t[1], errors="replace"))


@FUZZ
@given(data=st.one_of(st.binary(max_size=300), encoded(st.text(max_size=300))), name=st.sampled_from(
    ["fuzz.txt", "fuzz.txt.gz"]))
def test_text_reader(data: bytes, name: str) -> None:
    outcome = ingested(name, gzip.compress(data) if name.endswith(".gz") else data)
    assert_every_item_accounted_for(outcome, ["FILE"])


@FUZZ
@given(data=st.one_of(encoded(st.lists(HTML_PARTS, max_size=30).map("".join)), st.binary(max_size=300)))
def test_html_reader(data: bytes) -> None:
    outcome = ingested("fuzz.html", data)
    assert_every_item_accounted_for(outcome, ["FILE"])


# -- Feeds --------------------------------------------------------------------------------------------

FEED_TEXT = st.lists(st.one_of(XML_TEXT.map(html.escape), st.sampled_from(ENTITIES)), max_size=6).map("".join)


@FUZZ
@given(items=st.lists(st.tuples(FEED_TEXT, FEED_TEXT), max_size=6), cdata=st.booleans())
def test_feed_reader(items: list[tuple[str, str]], cdata: bool) -> None:
    body = (lambda t: f"<![CDATA[{t}]]>") if cdata else (lambda t: t)
    feed = "".join(f"<item><title>{title}</title><description>{body(text)}</description></item>"
                   for title, text in items)
    data = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>{feed}</channel></rss>'.encode()
    outcome = ingested("fuzz.rss", data)
    damaged = "FILE" in outcome.reported
    if items and not damaged:
        assert_every_item_accounted_for(outcome, [f"FILE#{n}" for n in range(1, len(items) + 1)])


HTML_ENTITIES = [e for e in ENTITIES if e[1:-1].isalpha() and e[1:-1] not in ("bogus", "lol")]


@FUZZ
@given(title=st.lists(st.one_of(XML_TEXT.map(html.escape), st.sampled_from(HTML_ENTITIES)), max_size=6).map("".join))
def test_feed_titles_keep_every_entity(title: str) -> None:
    """A title of escaped text and HTML named entities reads as ``html.unescape`` reads it."""
    data = f"<rss><channel><item><title>{title}</title><description>x</description></item></channel></rss>"
    (document,) = read_feed(data.encode(), "f")
    assert document.title == (html.unescape(title).strip() or None)


# -- WARC ---------------------------------------------------------------------------------------------


def warc_record(number: int, payload: bytes, content_type: str, gzipped: bool) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzipped)
    headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
    fixed = {"WARC-Record-ID": f"<urn:uuid:00000000-0000-0000-0000-{number:012d}>", "WARC-Date": "2032-03-04T10:00:00Z"}
    writer.write_record(writer.create_warc_record(
        f"https://quen.example/{number}", "response", payload=io.BytesIO(payload), http_headers=headers,
        warc_headers_dict=fixed))
    return buffer.getvalue()


def flipped(at: int, size: int) -> Callable[[bytes], bytes]:
    """Damage in place: ``size`` bytes of a record from ``at`` (wrapped to fit), XOR 0xA5, so a digit never
    stays a digit (a Content-Length is spoilt, not made into another plausible one).

    The first line (``WARC/1.0``) is spared: a record without it cannot be told from the bytes before
    it, so after another bad record it would join that one's bad stretch (a known limit of resyncing).
    """

    def spoil(record: bytes) -> bytes:
        start = _FIRST_LINE + at % (len(record) - _FIRST_LINE)
        end = min(len(record), start + size)
        return record[:start] + bytes(b ^ 0xA5 for b in record[start:end]) + record[end:]

    return spoil


_FIRST_LINE = len(b"WARC/1.0\r\n")
SPOILS = st.one_of(st.none(), st.builds(flipped, st.integers(0, 2000), st.integers(1, 12)))


@settings(FUZZ, max_examples=30)
@given(
    records=st.lists(st.tuples(st.one_of(HTML_PARTS.map(str.encode), st.binary(max_size=200)),
                               st.sampled_from(["text/html", "text/html; charset=cp1251", "image/png", "[/]"]),
                               SPOILS), min_size=1, max_size=6),
    gzipped=st.booleans(),
    cut=st.integers(0, 300),
)
def test_warc_reader(records: list[tuple[bytes, str, Callable | None]], gzipped: bool, cut: int) -> None:
    """In-place damage (flipped bytes, a cut-off end) costs the records it hits and no others."""
    pieces = [warc_record(n, payload, kind, gzipped) for n, (payload, kind, _) in enumerate(records)]
    pieces = [spoil(p) if spoil else p for p, (_, _, spoil) in zip(pieces, records, strict=True)]
    data = b"".join(pieces)
    data = data[: len(data) - cut]
    starts = [sum(map(len, pieces[:n])) for n in range(len(pieces))]
    # A record is there if its first line (plain) or gzip header (both 10 bytes) survived the cut.
    places = [f"FILE#{n + 1}" for n, start in enumerate(starts) if start + _FIRST_LINE <= len(data)]
    name = "fuzz.warc.gz" if gzipped else "fuzz.warc"
    outcome = ingested(name, data)
    assert_every_item_accounted_for(outcome, places)


def test_fuzz_inputs_reach_the_readers(tmp_path: Path) -> None:
    """The fuzz helpers themselves: a clean input of each kind is read as the documents it holds."""
    page = f"<html><body><article><p>{SENTENCE * 3}</p></article></body></html>".encode()
    path = tmp_path / "clean.warc"
    path.write_bytes(b"".join(warc_record(n, page, "text/html", False) for n in range(3)))
    assert len(list(read_sources([path]))) == 3
