"""The command line, run in-process: every command has help, and the core commands do their job."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import SAMPLES, needs_shared
from newstrace.cli import app, command_paths

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "demo"
JUNK_LINES = (
    "Source link",
    "By admin",
    "Leave a Reply",
    "Your email address will not be published",
    "Related Posts",
    "Placeholder when article work is loaded",
)

runner = CliRunner()


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "newstrace")
def test_every_command_has_help(path: list[str]) -> None:
    result = runner.invoke(app, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_ingest_then_export_jsonl_and_csv(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    result = runner.invoke(app, ["ingest", str(EXAMPLES), "--db", db])
    assert result.exit_code == 0, result.output
    assert "9 ingested" in result.stderr
    again = runner.invoke(app, ["ingest", str(EXAMPLES), "--db", db])
    assert "0 ingested, 9 already stored" in again.stderr

    exported = runner.invoke(app, ["export", "articles", "--db", db])
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    assert len(rows) == 9
    required = {"id", "url", "site", "outlet", "title", "date", "authors", "dateline", "credit", "text",
                "captions", "removed", "language"}
    assert required <= set(rows[0])

    out = tmp_path / "articles.csv"
    runner.invoke(app, ["export", "articles", "--db", db, "--format", "csv", "-o", str(out)])
    table = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["id"] for r in table] == [r["id"] for r in rows]


def test_unknown_export_format_is_a_clear_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["export", "articles", "--db", str(tmp_path / "t.db"), "--format", "xml"])
    assert result.exit_code != 0
    assert "unknown export format 'xml'" in str(result.exception)


def test_extract_prints_one_json_line_per_article(tmp_path: Path) -> None:
    page = EXAMPLES / "alder-gazette-bridge.html"
    result = runner.invoke(app, ["extract", str(page), str(tmp_path / "missing.html")])
    (line,) = result.stdout.splitlines()
    record = json.loads(line)
    assert record["path"] == str(page)
    assert record["title"].startswith("Harbour bridge partly collapses")
    assert "Most read" not in record["text"] and "newsletter" not in record["text"]
    assert "missing.html: no such file or directory" in result.stderr
    assert result.exit_code == 0
    strict = runner.invoke(app, ["extract", "--strict", str(page), str(tmp_path / "missing.html")])
    assert strict.exit_code == 1


def test_standard_input_is_a_source(tmp_path: Path) -> None:
    line = json.dumps({"id": "stdin-1", "text": "A ferry to Isle Quen ran aground on Sunday; no one was hurt."})
    result = runner.invoke(app, ["ingest", "-", "--db", str(tmp_path / "t.db")], input=line + "\n")
    assert "1 ingested" in result.stderr


def test_strict_ingest_exits_non_zero_but_keeps_good_items(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "ok", "text": "A complete sentence about the tide."}\n{broken\n')
    db = str(tmp_path / "t.db")
    result = runner.invoke(app, ["ingest", "--strict", str(bad), "--db", db])
    assert result.exit_code == 1
    assert f"{bad}:2: invalid JSON" in result.stderr
    assert "1 ingested" in result.stderr


@needs_shared(SAMPLES)
def test_seed_articles_come_out_clean_with_caption_and_dateline(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    runner.invoke(app, ["ingest", str(SAMPLES), "--db", db])
    rows = {Path(r["origin"]).name[:3]: r for r in map(json.loads, runner.invoke(
        app, ["export", "articles", "--db", db]).stdout.splitlines())}
    assert set(rows) == {"000", "001"}
    for row in rows.values():
        for junk in JUNK_LINES:
            assert junk not in row["text"]
        assert {r["reason"] for r in row["removed"]}
    (caption,) = rows["000"]["captions"]
    assert caption["credit"] == "YONHAP/EPA-EFE/Shutterstock"
    assert "(left)" in caption["text"] and "(left)" not in rows["000"]["text"]
    assert "YONHAP" not in rows["000"]["text"]
    assert (rows["001"]["dateline"], rows["001"]["credit"]) == ("SEOUL", "Reuters")
    assert rows["001"]["text"].startswith("President Biden held bilateral talks")
