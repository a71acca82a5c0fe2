"""The engine: pipelines refuse a wrong order when built, stages run on what is due, commands never
answer from missing data, and importing newstrace changes nothing in the process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import add_articles
from newstrace.brief.stage import BriefStage
from newstrace.checks.stage import CheckStage
from newstrace.cli import app
from newstrace.engine import LocalEngine, Pipeline, PipelineError
from newstrace.model import Article
from newstrace.relate.stage import RelateStage
from newstrace.stories import story_id
from newstrace.stories.stage import StoryStage
from newstrace.workers import Workers

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo"
ORIGINAL = "49d2c6720b62e6a0"
BRIDGE_STORY = story_id([Article(id=ORIGINAL, text="", date="2031-04-14")])
runner = CliRunner()


@pytest.mark.parametrize(
    ("stages", "message"),
    [
        ([CheckStage(), StoryStage()], "checks needs stories before it, not after it"),
        ([RelateStage(), CheckStage()], "checks needs stories right before it; the pipeline has relate"),
        ([RelateStage(), StoryStage(), RelateStage()], "a stage appears twice"),
        ([], "at least one stage"),
    ],
)
def test_a_pipeline_in_an_order_it_cannot_run_in_is_refused_when_built(stages, message) -> None:
    with pytest.raises(PipelineError, match=message):
        Pipeline(stages)


def test_a_pipeline_in_order_is_built() -> None:
    assert Pipeline([RelateStage(), StoryStage(), CheckStage(), BriefStage()]).names == [
        "relate", "stories", "checks", "brief"
    ]


def test_a_pipeline_that_starts_after_a_stage_some_articles_lack_refuses_to_run(store) -> None:
    add_articles(store, [Article(id="a", text="A ferry ran aground off Quen on Sunday.")])
    with LocalEngine(store, workers=Workers(1)) as engine, pytest.raises(PipelineError, match="1 articles have not been through stories"):
        engine.run(Pipeline([CheckStage()]))


def _alterations(db: str) -> set[tuple[str, str]]:
    rows = map(json.loads, runner.invoke(app, ["export", "findings", "--db", db]).stdout.splitlines())
    return {(row["article"], row["text"]) for row in rows if row["severity"] == "alteration"}


def test_check_after_a_store_only_ingest_runs_relate_and_stories_first(tmp_path: Path) -> None:
    """Issue 11: `ingest --store-only` then `check` finds the spun copy's altered name and number."""
    db = str(tmp_path / "t.db")
    assert runner.invoke(app, ["ingest", "--store-only", str(DEMO), "--db", db]).exit_code == 0
    result = runner.invoke(app, ["check", "--db", db])
    assert result.exit_code == 0, result.output
    assert {("demo-farm-spun", "Elsa Barga"), ("demo-farm-spun", "21")} <= _alterations(db)


def test_check_after_a_rebuild_that_skipped_relate_still_finds_the_alterations(tmp_path: Path) -> None:
    """Issue 11: `ingest --store-only`, `stories rebuild`, `check` gives what `analyze` gives."""
    db, analysed = str(tmp_path / "t.db"), str(tmp_path / "a.db")
    runner.invoke(app, ["ingest", "--store-only", str(DEMO), "--db", db])
    assert runner.invoke(app, ["stories", "rebuild", "--db", db]).exit_code == 0
    assert runner.invoke(app, ["check", "--db", db]).exit_code == 0
    runner.invoke(app, ["analyze", str(DEMO), "--db", analysed])
    assert _alterations(db) == _alterations(analysed) != set()


def test_brief_on_a_store_only_ingest_runs_every_stage_first(tmp_path: Path) -> None:
    """Issue 11: `brief` never answers from missing relations, stories or findings."""
    db = str(tmp_path / "t.db")
    runner.invoke(app, ["ingest", "--store-only", str(DEMO), "--db", db])
    result = runner.invoke(app, ["brief", BRIDGE_STORY, "--db", db, "--format", "json"])
    assert result.exit_code == 0, result.output
    brief = json.loads(result.stdout)
    assert len(brief["copy_tree"]) == 4
    assert {"Elsa Barga", "21"} <= {f["text"] for f in brief["findings"]}


def test_a_brief_of_an_unknown_story_is_a_clear_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "newstrace", "brief", "story-nope", "--db", str(tmp_path / "t.db")],
        capture_output=True, text=True,
    )
    assert result.returncode == 2
    assert "no story 'story-nope'" in result.stderr and "Traceback" not in result.stderr


def test_articles_stored_by_a_run_that_stopped_before_the_stages_are_finished_by_the_next(store) -> None:
    """Issue 16, case 3: a rerun brings articles left without relations, stories or findings up to date."""
    with LocalEngine(store, workers=Workers(1)) as engine:
        engine.ingest([DEMO])  # stored, then "killed" before any later stage ran
        again = engine.analyze([DEMO])
    assert (again.ingest.ingested, again.ingest.duplicates) == (0, 9)
    assert {(r.derived, r.kind) for r in store.relations.all()} >= {("demo-farm-spun", "spun")}
    assert all(store.stages.done(a) == ("extract", "relate", "stories", "checks", "brief") for a in store.articles.ids())


def test_importing_newstrace_changes_neither_the_codec_registry_nor_the_environment() -> None:
    """Issue 11: no import-time side effects, in any module of the package."""
    script = """
import codecs, os, pkgutil, importlib
calls = []
for name in ("register", "register_error"):
    original = getattr(codecs, name)
    setattr(codecs, name, lambda *a, _o=original, _n=name: calls.append(_n) or _o(*a))
before = dict(os.environ)
import newstrace
for module in pkgutil.walk_packages(newstrace.__path__, "newstrace."):
    if module.name != "newstrace.__main__":  # runs the command line
        importlib.import_module(module.name)
assert calls == [], calls
assert dict(os.environ) == before, set(os.environ.items()) ^ set(before.items())
print("clean")
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.stdout.strip() == "clean", result.stderr
