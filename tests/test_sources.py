"""Sources: every input format, and one clear problem per bad item while the rest still comes in."""

from __future__ import annotations

import gzip
import io
import json
import os
import sys
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newstrace.model import Problem, RawDocument
from newstrace.sources import SourceOptions, file_format, read_sources
from newstrace.sources.decode import decode_bytes
from newstrace.sources.readers import sniff_format

PARAGRAPH = "The river Ember rose four metres overnight, flooding the lower town of Vell. " * 4


def page(title: str, body: str = PARAGRAPH) -> str:
    return (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"<p>{body}</p><p>Officials in Vell said more rain was expected on Tuesday.</p></article></body></html>"
    )


def docs(items: list) -> list[RawDocument]:
    return [i for i in items if isinstance(i, RawDocument)]


def problems(items: list) -> list[Problem]:
    return [i for i in items if isinstance(i, Problem)]


def warc_bytes(gzipped: bool) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzipped)
    html_headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
    for number in range(3):
        record = writer.create_warc_record(
            f"https://vell-courier.example/flood-{number}",
            "response",
            payload=io.BytesIO(page(f"Flood day {number}").encode()),
            http_headers=html_headers,
        )
        writer.write_record(record)
    png_headers = StatusAndHeaders("200 OK", [("Content-Type", "image/png")], protocol="HTTP/1.1")
    writer.write_record(
        writer.create_warc_record(
            "https://vell-courier.example/map.png", "response", payload=io.BytesIO(b"\x89PNG"), http_headers=png_headers
        )
    )
    writer.write_record(
        writer.create_warc_record(
            "https://vell-courier.example/flood-0", "request", payload=io.BytesIO(b"GET /flood-0 HTTP/1.1\r\n\r\n")
        )
    )
    return buffer.getvalue()


def test_file_format_from_name() -> None:
    assert file_format(Path("a/b.jsonl.gz")) == ("jsonl", True)
    assert file_format(Path("page.HTM")) == ("html", False)
    assert file_format(Path("crawl.warc.gz")) == ("warc", True)
    assert file_format(Path("notes.pdf")) == (None, False)


def test_text_html_and_directory_walk_in_sorted_order(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "story.html").write_text(page("Flood"), encoding="utf-8")
    (tmp_path / "a.txt").write_text(PARAGRAPH, encoding="utf-8")
    (tmp_path / "c.pdf").write_bytes(b"%PDF-1.4")
    items = list(read_sources([tmp_path]))
    assert [d.format for d in docs(items)] == ["text", "html"]
    assert [p.reason for p in problems(items)] == ["skipped: unsupported file type .pdf"]


def test_json_lines_fields_aliases_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "feed.jsonl"
    lines = [
        {"id": "a1", "url": "https://x.example/1", "title": "T", "date": "2021-05-01", "site": "x.example",
         "authors": "Ann Lee and Bo Chan", "text": PARAGRAPH, "topic": "weather"},
        {"id": "a2", "source": "Vell Courier", "authors": ["Cy Dee"], "html": page("Second")},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    first, second = docs(list(read_sources([path])))
    assert (first.id, first.outlet, first.authors, first.metadata) == (
        "a1", "x.example", ("Ann Lee", "Bo Chan"), {"topic": "weather"})
    assert first.origin == f"{path}:1"
    assert (second.format, second.outlet, second.authors) == ("html", "Vell Courier", ("Cy Dee",))


def test_json_lines_give_the_records_the_json_module_gives(tmp_path: Path) -> None:
    """orjson reads the common lines; the lines it reads otherwise (a big integer, NaN) take the json path."""
    path = tmp_path / "numbers.jsonl"
    text = json.dumps(PARAGRAPH)
    lines = [
        '{"id": 123456789012345678901234567890, "text": TEXT}',
        '{"id": "a", "text": TEXT, "score": NaN, "rank": 7}',
        '{"id": "b", "text": TEXT, "extra": [1.5, {"x": 2}]}',
        '{"id": "c", "id": "d", "text": TEXT}',
    ]
    path.write_text("\n".join(line.replace("TEXT", text) for line in lines) + "\n", encoding="utf-8")
    items = docs(list(read_sources([path])))
    assert [d.id for d in items] == ["123456789012345678901234567890", "a", "b", "d"]
    assert items[1].metadata["rank"] == 7 and items[1].metadata["score"] != items[1].metadata["score"]  # NaN
    assert items[2].metadata == {"extra": [1.5, {"x": 2}]}


def test_broken_json_lines_are_reported_by_line_and_the_rest_kept(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text(
        "\n".join([
            json.dumps({"id": "ok1", "text": PARAGRAPH}),
            '{"id": "bad", "text": "unterminated',
            "[1, 2, 3]",
            json.dumps({"id": "empty", "text": "   "}),
            json.dumps({"id": "ok2", "text": PARAGRAPH}),
        ]),
        encoding="utf-8",
    )
    items = list(read_sources([path]))
    assert [d.id for d in docs(items)] == ["ok1", "ok2"]
    reasons = {p.origin: p.reason for p in problems(items)}
    assert reasons[f"{path}:2"].startswith("invalid JSON")
    assert reasons[f"{path}:3"] == "expected a JSON object, got list"
    assert reasons[f"{path}:4"] == "no 'text' or 'html' field with content"


def test_truncated_gzip_keeps_the_lines_before_the_cut(tmp_path: Path) -> None:
    data = gzip.compress(
        "\n".join(json.dumps({"id": f"n{i}", "text": PARAGRAPH + str(i)}) for i in range(200)).encode()
    )
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) * 2 // 3])
    items = list(read_sources([path]))
    assert 0 < len(docs(items)) < 200
    assert len(problems(items)) == 1
    assert "truncated or corrupt compressed file" in problems(items)[0].reason


def test_empty_binary_and_missing_inputs_each_get_a_reason(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blob.txt").write_bytes(b"\x00\x01\x02binary\x00" * 50)
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "gone.txt")
    items = list(read_sources([tmp_path / "empty.txt", tmp_path / "blob.txt", tmp_path / "nope.txt",
                               tmp_path / "dangling.txt"]))
    assert [p.reason for p in problems(items)] == [
        "empty input",
        "binary content (NUL bytes), not text",
        "no such file or directory",
        "no such file or directory",
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "secret.txt"
    path.write_text(PARAGRAPH)
    path.chmod(0)
    assert problems(list(read_sources([path])))[0].reason.startswith("cannot read")


def test_wrong_and_mixed_encodings_are_decoded_without_loss() -> None:
    assert decode_bytes("Café in Zürich".encode("cp1252"), "x") == "Café in Zürich"
    mixed = "Zoë said “yes”. ".encode() + "Ren\xe9e agreed.".encode("cp1252")
    assert decode_bytes(mixed, "x") == "Zoë said “yes”. Renée agreed."
    assert decode_bytes("\ufeffBOM text".encode(), "x") == "BOM text"
    assert decode_bytes("UTF-16 text".encode("utf-16"), "x") == "UTF-16 text"


def test_invalid_utf8_in_a_json_line_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "latin.jsonl"
    path.write_bytes(b'{"id": "l1", "text": "Ren\xe9e Duval won the vote in Vell by 312 votes."}\n')
    (document,) = docs(list(read_sources([path])))
    assert document.body == "Renée Duval won the vote in Vell by 312 votes."


def test_a_50_mb_page_is_refused_with_its_size(tmp_path: Path) -> None:
    path = tmp_path / "huge.html"
    with open(path, "wb") as file:
        file.write(b"<html><body>" + b"<p>word </p>" * (50_000_000 // 12) + b"</body></html>")
    (problem,) = problems(list(read_sources([path])))
    assert problem.reason.startswith("document too large: 50.0 MB")


def test_document_limit_is_an_option(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(page("Flood"))
    assert problems(list(read_sources([path], SourceOptions(max_document_bytes=100))))
    assert docs(list(read_sources([path], SourceOptions(max_document_bytes=100_000))))


@pytest.mark.parametrize("gzipped", [False, True])
def test_warc_html_responses_are_read_and_other_records_skipped(tmp_path: Path, gzipped: bool) -> None:
    path = tmp_path / ("crawl.warc.gz" if gzipped else "crawl.warc")
    path.write_bytes(warc_bytes(gzipped))
    items = list(read_sources([path]))
    assert [d.url for d in docs(items)] == [f"https://vell-courier.example/flood-{n}" for n in range(3)]
    assert all(d.format == "html" and d.date for d in docs(items))
    assert [p.reason for p in problems(items)] == [
        "skipped non-HTML response (image/png)",
        "skipped WARC request record",
    ]


@pytest.mark.parametrize("gzipped", [False, True])
def test_truncated_warc_reports_the_cut_and_keeps_whole_records(tmp_path: Path, gzipped: bool) -> None:
    data = warc_bytes(gzipped)
    path = tmp_path / ("cut.warc.gz" if gzipped else "cut.warc")
    path.write_bytes(data[: len(data) // 2])
    items = list(read_sources([path]))
    assert 1 <= len(docs(items)) < 3
    assert "truncated" in problems(items)[-1].reason


def test_sniffing_unnamed_input() -> None:
    assert sniff_format(b'{"id": 1}') == "jsonl"
    assert sniff_format(b"  <!doctype html>") == "html"
    assert sniff_format(b"WARC/1.1\r\n") == "warc"
    assert sniff_format(b"\x1f\x8b\x08") == "gzip"
    assert sniff_format(b"Plain words.") == "text"


RSS = """<?xml version="1.0"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>Vell Courier</title>
<item><title>Flood warning for Vell</title><link>https://vell-courier.example/flood</link>
<guid>vell-flood-1</guid><pubDate>Tue, 02 Mar 2032 07:15:00 +0000</pubDate><dc:creator>Ann Lee</dc:creator>
<content:encoded><![CDATA[<p>The river Ember is expected to peak tonight.</p><p>Sandbags are available at the town hall.</p>]]></content:encoded>
</item>
<item><title>Photo gallery</title><link>https://vell-courier.example/gallery</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Quen Daily</title>
<entry><title>Ferry cancelled</title><id>urn:quen:1</id><link rel="alternate" href="https://quen.example/ferry"/>
<published>2032-03-04T10:00:00Z</published><author><name>Bo Chan</name></author>
<summary>The ferry to Isle Quen was cancelled for a third day.</summary></entry>
</feed>"""


def test_rss_items_become_documents_and_empty_items_problems(tmp_path: Path) -> None:
    path = tmp_path / "vell.rss"
    path.write_text(RSS, encoding="utf-8")
    items = list(read_sources([path]))
    (document,) = docs(items)
    assert (document.id, document.url, document.title, document.date, document.authors) == (
        "vell-flood-1", "https://vell-courier.example/flood", "Flood warning for Vell", "2032-03-02", ("Ann Lee",))
    assert document.body == "The river Ember is expected to peak tonight.\n\nSandbags are available at the town hall."
    assert [(p.origin, p.reason) for p in problems(items)] == [(f"{path}#2", "feed item without text")]


def test_atom_entries_and_non_feed_xml(tmp_path: Path) -> None:
    atom = tmp_path / "quen.atom"
    atom.write_text(ATOM, encoding="utf-8")
    (document,) = docs(list(read_sources([atom])))
    assert (document.url, document.date, document.authors) == ("https://quen.example/ferry", "2032-03-04", ("Bo Chan",))
    other = tmp_path / "config.xml"
    other.write_text("<config><a>1</a></config>")
    assert problems(list(read_sources([other])))[0].reason == "no feed items found (root element <config>)"


@pytest.mark.parametrize("gzipped", [False, True])
@pytest.mark.parametrize("fmt", ["jsonl", "warc", "html", "feed"])
def test_standard_input_is_streamed_in_every_format(monkeypatch: pytest.MonkeyPatch, fmt: str, gzipped: bool) -> None:
    data = {
        "jsonl": (json.dumps({"id": "s1", "text": PARAGRAPH}) + "\n").encode(),
        "warc": warc_bytes(False),
        "html": page("Flood").encode(),
        "feed": RSS.encode(),
    }[fmt]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(gzip.compress(data) if gzipped else data)))
    documents = docs(list(read_sources(["-"])))
    assert len(documents) == {"jsonl": 1, "warc": 3, "html": 1, "feed": 1}[fmt]
    assert all(d.origin.startswith("<stdin>") for d in documents)


def test_json_depth_limit_is_an_option(tmp_path: Path) -> None:
    path = tmp_path / "nested.jsonl"
    path.write_text(json.dumps({"id": "n1", "text": PARAGRAPH, "extra": {"a": [1]}}) + "\n")
    assert docs(list(read_sources([path], SourceOptions(max_json_depth=3))))
    (problem,) = problems(list(read_sources([path], SourceOptions(max_json_depth=2))))
    assert problem.reason == "JSON nested too deeply (over 2 levels)"


def test_charset_of_a_warc_response_header_is_used(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=koi8-r")], protocol="HTTP/1.1")
    body = "<html><body><p>" + "Flood news. " * 30 + "Паводок в городе</p></body></html>"
    writer.write_record(writer.create_warc_record(
        "https://vell.example/ru", "response", payload=io.BytesIO(body.encode("koi8-r")), http_headers=headers))
    path = tmp_path / "ru.warc"
    path.write_bytes(buffer.getvalue())
    (document,) = docs(list(read_sources([path])))
    assert "Паводок в городе" in document.body
