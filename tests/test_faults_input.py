"""Fault suite, input and output side: one regression test per fault class of the reliability issue.

Each test is named after the issue's case number. Hostile or broken input must cost at most the
item it spoils, reported with its place; it must never abort a batch, reach a terminal as escape
sequences, or reach a spreadsheet as a formula.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import importlib
import io
import json
import re
import sys
import tracemalloc
from pathlib import Path

import pytest
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

import newstrace.cli as cli
from newstrace.cli import app
from newstrace.engine import ingest
from newstrace.model import Problem, RawDocument
from newstrace.safety import for_csv_cell, for_html, for_terminal
from newstrace.sources import SourceOptions, read_sources

runner = CliRunner()
TEXT = "The ferry to Isle Quen ran aground on Sunday morning; the coastguard said no one was hurt. "


def docs(items: list) -> list[RawDocument]:
    return [i for i in items if isinstance(i, RawDocument)]


def problems(items: list) -> list[Problem]:
    return [i for i in items if isinstance(i, Problem)]


def json_lines(*records: dict | str) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in records)


def feed_stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


# -- 1. HTML named entities in feeds ---------------------------------------------------------------

ENTITY_FEED = """<?xml version="1.0"?>
<rss version="2.0"><channel><title>Quen Daily</title>
<item><title>Don&rsquo;t panic &mdash; the caf&eacute; reopens</title>
<description>The caf&eacute; on the quay reopened on Monday&nbsp;&ndash; after the flood&hellip;</description></item>
<item><title>Tom &amp; Jerry &lt;3</title>
<description>&lt;p&gt;Second item text, with an &amp;amp; sign.&lt;/p&gt;</description></item>
</channel></rss>"""


def test_01_feed_entities_keep_the_whole_item(tmp_path: Path) -> None:
    path = tmp_path / "quen.rss"
    path.write_text(ENTITY_FEED, encoding="utf-8")
    first, second = docs(list(read_sources([path])))
    assert first.title == "Don’t panic — the café reopens"
    assert first.body == "The café on the quay reopened on Monday\xa0– after the flood…"
    assert second.title == "Tom & Jerry <3"
    assert second.body == "Second item text, with an & sign."


# -- 4. Billion laughs ------------------------------------------------------------------------------

LAUGHS = "".join(
    f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(2, 10)
)
BOMB_FEED = f"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY lol1 "lol">{LAUGHS}]>
<rss version="2.0"><channel><title>Bomb</title>
<item><title>Laughs</title><description>&lol9;</description></item>
<item><title>After one</title><description>{TEXT}</description></item>
<item><title>After two</title><description>Rain is expected on Tuesday in Vell.</description></item>
</channel></rss>"""


def test_04_billion_laughs_is_blocked_and_later_items_kept(tmp_path: Path) -> None:
    path = tmp_path / "laughs.xml"
    path.write_text(BOMB_FEED, encoding="utf-8")
    items = list(read_sources([path]))
    assert [d.title for d in docs(items) if d.title != "Laughs"] == ["After one", "After two"]
    assert all(len(d.body) < 1000 for d in docs(items))
    assert {i.origin for i in items} == {f"{path}#1", f"{path}#2", f"{path}#3"}


# -- 5. WARC: a bad record costs only itself -------------------------------------------------------


def warc_records(count: int, gzipped: bool) -> list[bytes]:
    """``count`` HTML response records, each written on its own (each its own gzip member when gzipped)."""
    records = []
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
    for number in range(count):
        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=gzipped)
        page = f"<html><body><article><h1>Day {number}</h1><p>{TEXT}</p></article></body></html>"
        writer.write_record(writer.create_warc_record(
            f"https://quen.example/{number}", "response", payload=io.BytesIO(page.encode()), http_headers=headers))
        records.append(buffer.getvalue())
    return records


def bogus_length(record: bytes, length: int) -> bytes:
    return re.sub(rb"Content-Length: \d+", b"Content-Length: %d" % length, record, count=1)


def garbled(record: bytes) -> bytes:
    return record[:40] + bytes(b ^ 0x5A for b in record[40:80]) + record[80:]


@pytest.mark.parametrize(
    ("name", "gzipped", "spoil"),
    [
        ("content-length-too-large", False, lambda r: bogus_length(r, 99_999)),
        ("content-length-too-small", False, lambda r: bogus_length(r, 10)),
        ("garbled-gzip-member", True, garbled),
    ],
)
def test_05_a_bad_warc_record_costs_only_itself(tmp_path: Path, name: str, gzipped: bool, spoil) -> None:
    records = warc_records(20, gzipped)
    records[4] = spoil(records[4])
    path = tmp_path / (f"{name}.warc.gz" if gzipped else f"{name}.warc")
    path.write_bytes(b"".join(records))
    items = list(read_sources([path]))
    assert [d.url for d in docs(items)] == [f"https://quen.example/{n}" for n in range(20) if n != 4]
    assert [p.origin for p in problems(items)] == [f"{path}#5"]


# -- 6. Truncated .jsonl.gz on standard input ------------------------------------------------------


def test_06_truncated_gzip_on_stdin_keeps_the_complete_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    data = gzip.compress(json_lines(*({"id": f"n{i}", "text": TEXT + str(i)} for i in range(200))).encode())
    feed_stdin(monkeypatch, data[: len(data) * 2 // 3])
    items = list(read_sources(["-"]))
    assert len(docs(items)) > 50
    (problem,) = problems(items)
    assert problem.origin == "<stdin>" and "truncated" in problem.reason


# -- 7. A declared charset -------------------------------------------------------------------------

CYRILLIC = "Москва: паром сел на мель"


@pytest.mark.parametrize(
    "meta",
    ['<meta charset="windows-1251">', '<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'],
)
def test_07_declared_charset_is_honoured(tmp_path: Path, meta: str) -> None:
    ascii_text = "The ferry ran aground near the harbour wall this morning. " * 20
    page = f"<html><head>{meta}<title>Ferry</title></head><body><p>{ascii_text}</p><p>{CYRILLIC}</p></body></html>"
    path = tmp_path / "ferry.html"
    path.write_bytes(page.encode("cp1251"))
    (document,) = docs(list(read_sources([path])))
    assert CYRILLIC in document.body


# -- 8. A lone surrogate in JSON -------------------------------------------------------------------


def test_08_lone_surrogate_in_json_does_not_lose_the_batch(tmp_path: Path, store) -> None:
    path = tmp_path / "surrogate.jsonl"
    path.write_text(json_lines(
        {"id": "before", "text": TEXT + "one"},
        '{"id": "lone", "title": "Broken \\udc00 title", "text": "' + TEXT + 'two \\ud800", "tag": "\\udfff"}',
        {"id": "after", "text": TEXT + "three"},
    ))
    report = ingest(store, [path])
    assert sorted(report.new_ids) == ["after", "before", "lone"]
    lone = store.articles.get("lone")
    assert lone.title == "Broken \ufffd title" and lone.text.endswith("two \ufffd")
    assert lone.metadata == {"tag": "\ufffd"}


# -- 9. JSON nested deeply -------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [500, 100_000])
def test_09_deep_json_is_one_problem_and_the_rest_is_read(tmp_path: Path, store, depth: int) -> None:
    path = tmp_path / "deep.jsonl"
    deep = '{"id": "deep", "text": "' + TEXT + '", "extra": ' + "[" * depth + "]" * depth + "}"
    path.write_text(json_lines({"id": "first", "text": TEXT + "one"}, deep, {"id": "last", "text": TEXT + "two"}))
    report = ingest(store, [path])
    assert sorted(report.new_ids) == ["first", "last"]
    (problem,) = report.problems
    assert problem.origin == f"{path}:2" and "nested too deeply" in problem.reason


# -- 10. Rich markup in untrusted text -------------------------------------------------------------


def test_10_console_markup_in_input_is_printed_as_written(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "[").mkdir()
    (inputs / "[" / "]notes.pdf").write_bytes(b"%PDF")  # its path holds "[/]"
    (inputs / "a.jsonl").write_text(json_lines(
        {"id": "m1", "title": "Ferry [/] aground [bold]", "outlet": "[red]Quen", "url": "https://quen.example/1",
         "text": TEXT},
        {"id": "m2", "title": "Ferry [/] aground again", "outlet": "Vell [/]", "url": "https://vell.example/1",
         "text": TEXT},
    ))
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/[/]plain")], protocol="HTTP/1.1")
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    writer.write_record(writer.create_warc_record(
        "https://quen.example/x", "response", payload=io.BytesIO(b"x"), http_headers=headers))
    (inputs / "odd.warc").write_bytes(buffer.getvalue())
    db = str(tmp_path / "t.db")
    for _ in range(2):  # the second run prints the stored stories again
        result = runner.invoke(app, ["analyze", str(inputs), "--db", db])
        assert result.exit_code == 0, result.output
        assert "Ferry [/] aground" in result.stdout
    first = runner.invoke(app, ["ingest", str(inputs), "--db", str(tmp_path / "other.db")])
    assert "[/]notes.pdf" in first.stderr and "text/[/]plain" in first.stderr


# -- 11. A file name that is not UTF-8 ---------------------------------------------------------------


def test_11_file_names_that_are_not_utf8_are_reported_and_read(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    try:
        (inputs / Path(b"caf\xe9.pdf".decode("utf-8", "surrogateescape"))).write_bytes(b"%PDF")
        (inputs / Path(b"caf\xe9.txt".decode("utf-8", "surrogateescape"))).write_text(TEXT)
    except (OSError, UnicodeError):
        pytest.skip("this file system refuses file names that are not UTF-8")
    result = runner.invoke(app, ["ingest", str(inputs), "--db", str(tmp_path / "t.db")])
    assert result.exit_code == 0, result.output
    assert "1 ingested" in result.stderr
    assert "caf\\xe9.pdf: skipped: unsupported file type .pdf" in result.stderr


# -- 14. A full disk ---------------------------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
@pytest.mark.parametrize("command", [["export", "articles"], ["extract", "PAGE"]])
def test_14_full_disk_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    page = tmp_path / "page.txt"
    page.write_text(TEXT * 3)
    db = str(tmp_path / "t.db")
    assert runner.invoke(app, ["ingest", str(page), "--db", db, "--store-only"]).exit_code == 0
    args = [str(page) if a == "PAGE" else a for a in command]
    args += ["--db", db] if command[0] == "export" else []
    monkeypatch.setattr(sys, "argv", ["newstrace", *args, "-o", "/dev/full"])
    with pytest.raises(SystemExit) as exit_status:
        cli.main()
    assert exit_status.value.code == 2
    assert "cannot write /dev/full: No space left on device" in capsys.readouterr().err


# -- 16. Terminal escape sequences -----------------------------------------------------------------

ESCAPES = "\x1b]0;owned\x07\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\\x1b[2J\x1b[H\x9b31m\r"


def test_16_terminal_escapes_never_reach_the_terminal(tmp_path: Path) -> None:
    path = tmp_path / "escapes.jsonl"
    path.write_text(json_lines(
        {"id": "e1", "title": f"Ferry aground{ESCAPES}", "outlet": "Quen Daily", "url": "https://quen.example/1",
         "text": f"{TEXT}{ESCAPES} The captain said the tide was lower than charted."},
        {"id": "e2", "title": "Ferry aground", "outlet": f"Vell{ESCAPES} Post", "url": "https://vell.example/1",
         "text": f"{TEXT} The captain said the tide was lower than charted."},
    ))
    db = str(tmp_path / "t.db")
    analyzed = runner.invoke(app, ["analyze", str(path), "--db", db])
    assert analyzed.exit_code == 0, analyzed.output
    story = json.loads(runner.invoke(app, ["export", "stories", "--db", db]).stdout.splitlines()[0])["id"]
    brief = runner.invoke(app, ["brief", story, "--db", db])
    assert brief.exit_code == 0, brief.output
    assert "Ferry aground" in analyzed.stdout and "Ferry aground" in brief.stdout
    for output in (analyzed.stdout, analyzed.stderr, brief.stdout):
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", output)


def test_16_for_terminal_strips_sequences_and_keeps_text() -> None:
    assert for_terminal(f"a{ESCAPES}b\n\tc") == "alinkb\n\tc"
    assert for_terminal("[bold]x[/]", markup=True) == "\\[bold]x\\[/]"
    assert for_terminal("unterminated \x1b]0;title\nnext line") == "unterminated \nnext line"
    assert for_terminal("lone \udc00") == "lone \ufffd"


# -- 17. CSV formula injection ---------------------------------------------------------------------


def test_17_csv_cells_never_start_a_formula(tmp_path: Path) -> None:
    path = tmp_path / "formulas.jsonl"
    path.write_text(json_lines({
        "id": "f1", "title": '=HYPERLINK("https://evil.example","click")', "outlet": "@SUM(1+1)",
        "authors": ["-2+3"], "date": "+1", "text": TEXT,
    }))
    db = str(tmp_path / "t.db")
    assert runner.invoke(app, ["ingest", str(path), "--db", db, "--store-only"]).exit_code == 0
    out = tmp_path / "articles.csv"
    runner.invoke(app, ["export", "articles", "--db", db, "--format", "csv", "-o", str(out)])
    (row,) = csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))
    assert row["title"] == '\'=HYPERLINK("https://evil.example","click")'
    assert (row["outlet"], row["authors"], row["date"]) == ("'@SUM(1+1)", "'-2+3", "'+1")
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())


def test_17_sink_helpers() -> None:
    assert [for_csv_cell(v) for v in ("=1", "+1", "-1", "@a", "\t=1", "\r=1", "plain", 3, None)] == [
        "'=1", "'+1", "'-1", "'@a", "'\t=1", "'\r=1", "plain", 3, None]
    assert for_html('<a href="x">&\'</a>') == "&lt;a href=&quot;x&quot;&gt;&amp;&#x27;&lt;/a&gt;"


# -- 18. Decompression bombs -------------------------------------------------------------------------


def peak_memory(read) -> tuple[list, int]:
    tracemalloc.start()
    try:
        items = list(read())
        return items, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_18_gzip_bomb_on_stdin_stops_at_the_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    limit = 1_000_000
    feed_stdin(monkeypatch, gzip.compress(b"<html><body><p>" + b"a" * 60_000_000, compresslevel=9))
    items, peak = peak_memory(lambda: read_sources(["-"], SourceOptions(max_document_bytes=limit)))
    (problem,) = problems(items)
    assert problem.reason.startswith("document too large")
    assert peak < 10 * limit


def test_18_one_huge_line_in_jsonl_gz_is_skipped_without_holding_it(tmp_path: Path) -> None:
    limit = 1_000_000
    path = tmp_path / "huge.jsonl.gz"
    huge = '{"id": "huge", "text": "' + "a" * 60_000_000 + '"}'
    path.write_bytes(gzip.compress(json_lines(huge, {"id": "small", "text": TEXT}).encode(), compresslevel=9))
    items, peak = peak_memory(lambda: read_sources([path], SourceOptions(max_document_bytes=limit)))
    assert [d.id for d in docs(items)] == ["small"]
    (problem,) = problems(items)
    assert problem.origin == f"{path}:1" and problem.reason.startswith("line too large")
    assert peak < 10 * limit


# -- The decoder changes no global state -----------------------------------------------------------


def test_decoder_registers_no_codec_error_handler() -> None:
    importlib.reload(importlib.import_module("newstrace.sources.decode"))
    with pytest.raises(LookupError):
        codecs.lookup_error("newstrace-cp1252")


# -- Found by the fuzz test ---------------------------------------------------------------------------


def test_a_url_that_cannot_be_parsed_does_not_abort_ingest(tmp_path: Path, store) -> None:
    path = tmp_path / "urls.jsonl"
    path.write_text(json_lines({"id": "u1", "url": "[", "text": TEXT}, {"url": "http://[::1", "text": TEXT + "!"}))
    report = ingest(store, [path])
    assert report.ingested == 2 and not report.problems
