"""The main job end to end on the bundled demo corpus: relations, stories, findings and the report."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import newstrace
from newstrace.cli import app
from newstrace.report import render_report

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo"
ORIGINAL = "49d2c6720b62e6a0"  # the Alder Gazette page: its id comes from its canonical url


@pytest.fixture(scope="module")
def analysed():
    with newstrace.open_store(":memory:") as store:
        report = newstrace.analyze(store, [DEMO])
        yield store, report


def test_copies_are_related_to_the_original_and_independent_reports_are_not(analysed) -> None:
    store, _ = analysed
    found = {(r.original, r.derived, r.kind, r.direction) for r in store.relations.all()}
    assert found == {
        (ORIGINAL, "demo-farm-verbatim", "duplicate", "known"),
        (ORIGINAL, "demo-farm-excerpt", "excerpt", "known"),
        (ORIGINAL, "demo-farm-spun", "spun", "known"),
        (ORIGINAL, "demo-translation-de", "translation", "known"),
    }


def test_each_event_is_one_story(analysed) -> None:
    store, report = analysed
    groups = sorted(sorted(s.articles) for s in store.stories.all())
    assert groups == [
        sorted(
            [
                ORIGINAL,
                "demo-coastline-wire",
                "demo-farm-excerpt",
                "demo-farm-spun",
                "demo-farm-verbatim",
                "demo-translation-de",
            ]
        ),
        ["demo-coastline-quake", "demo-morvik-herald-quake"],
        ["demo-gazette-festival"],
    ]
    assert len(report.stories) == 3 and report.ingest.ingested == 9


def test_the_spun_copy_is_caught_changing_the_name_and_the_count(analysed) -> None:
    store, _ = analysed
    alterations = {(f.kind, f.text, f.other.text) for f in store.findings.of(["demo-farm-spun"]) if f.severity == "alteration"}
    assert ("name", "Elsa Barga", "Ilse Varga") in alterations
    assert ("number", "21", "12") in alterations
    assert not [f for f in store.findings.of(["demo-farm-verbatim"]) if f.severity == "alteration"]
    assert not store.findings.of(["demo-translation-de"])


def test_analysing_again_adds_nothing(analysed) -> None:
    store, _ = analysed
    before = _records(store)
    again = newstrace.analyze(store, [DEMO])
    assert (again.ingest.ingested, again.ingest.duplicates) == (0, 9)
    assert [report.due for report in again.stages] == [0, 0, 0, 0]
    assert _records(store) == before


def _records(store) -> tuple[list, ...]:
    return (store.relations.all(), store.stories.all(), store.findings.all(), list(store.briefs.all()))


def test_every_story_has_its_brief_with_its_findings(analysed) -> None:
    store, report = analysed
    assert [b.story for b in report.briefs] == [s.id for s in store.stories.all()]
    (bridge,) = [b for b in report.briefs if len(b.copy_tree) == 4]
    assert {f.text for f in bridge.findings} >= {"Elsa Barga", "21"}


def test_the_memory_backend_gives_what_sqlite_gives(analysed) -> None:
    """Issue 11: the demo gives the same relations, stories, findings and briefs on both backends."""
    store, _ = analysed
    with newstrace.MemoryStore() as memory:
        newstrace.analyze(memory, [DEMO])
        assert _records(memory) == _records(store)


def test_report_shows_briefs_and_copying_sites(analysed) -> None:
    store, report = analysed
    console = Console(record=True, width=120)
    render_report(store, report, console)
    text = console.export_text()
    assert "Copy tree (4 relations)" in text
    assert "Sites publishing copies of others' articles" in text
    assert "worldnews-now.example" in text


def test_analyze_command_prints_the_report(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["analyze", str(DEMO), "--db", str(tmp_path / "demo.db")])
    assert result.exit_code == 0, result.output
    assert "9 ingested" in result.stderr
    assert "4 relations (1 duplicate, 1 excerpt, 1 spun, 1 translation)" in result.stderr
    assert "Harbour bridge partly collapses in Port Alder" in result.stdout
