"""The Spark engine gives what the embedded engine gives, resumes from its checkpoints, and its output
moves into an embedded store (and records out as Parquet).

One local Spark session (one core, bound to 127.0.0.1, no UI) serves the whole module: starting the
JVM is the slow part.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import SHARED_DATA, needs_shared
from newstrace.engine import LocalEngine
from newstrace.model import Article, Brief, Finding, Relation, Story
from newstrace.store import MemoryStore, open_store
from newstrace.workers import Workers

pyspark = pytest.importorskip("pyspark", reason="the spark extra is not installed")
pytest.importorskip("pyarrow", reason="the spark extra is not installed")

from newstrace.spark import SparkEngine, SparkOptions, import_output  # noqa: E402
from newstrace.spark.identity import Differences, differences, output_records  # noqa: E402
from newstrace.spark.output import MARKER  # noqa: E402
from newstrace.tables import from_row, read_rows, write_parquet  # noqa: E402

pytestmark = pytest.mark.spark

DEMO = str(Path(__file__).resolve().parents[1] / "examples" / "demo")
NEWS = SHARED_DATA / "news" / "allsides-articles.jsonl.gz"
REWRITES = SHARED_DATA / "rewrites" / "dev.jsonl"
WMT = SHARED_DATA / "crosslingual" / "wmt-dev.jsonl"
CI_SPARK = SparkOptions("local[1]", partitions=1)


@pytest.fixture(scope="module")
def session():
    from newstrace.spark.session import spark_session

    with spark_session(CI_SPARK) as spark:
        yield spark


@pytest.fixture(scope="module")
def demo() -> MemoryStore:
    """The demo, analyzed by the embedded engine."""
    return embedded([DEMO])


def embedded(inputs: list[str]) -> MemoryStore:
    store = MemoryStore()
    with LocalEngine(store, workers=Workers(1)) as engine:
        engine.analyze(inputs)
    return store


def on_spark(session, inputs: list[str], out: Path):
    with SparkEngine(str(out), session=session) as engine:
        return engine.analyze(inputs)


def write_corpus_sample(folder: Path, sources: int = 60, background: int = 200, translated_docs: int = 3) -> Path:
    """A few hundred articles from ../shared/data (read there, written to a temporary folder): dev
    rewrites with their sources, other corpus articles, and WMT articles with their translations."""
    rewrites = [json.loads(line) for line in REWRITES.open(encoding="utf-8")][:sources]
    wanted = {r["source_id"] for r in rewrites}
    rows = []
    with gzip.open(NEWS, "rt", encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record["id"] in wanted or len(rows) < background:
                rows.append(record)
    rows += rewrites
    docs: list[str] = []
    for line in WMT.open(encoding="utf-8"):
        record = json.loads(line)
        if record["doc"] not in docs and len(docs) < translated_docs:
            docs.append(record["doc"])
        if record["doc"] in docs:
            rows.append(record)
    path = folder / "sample.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return path


@pytest.fixture(scope="module")
def demo_out(session, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo, analyzed on Spark (tests that change it work on a copy)."""
    out = tmp_path_factory.mktemp("spark") / "demo"
    report = on_spark(session, [DEMO], out)
    assert [(run.stage, run.resumed) for run in report.stages] == [
        (stage, False) for stage in ("extract", "relate", "stories", "checks", "brief")
    ]
    return out


def copy_of(out: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(out, tmp_path / "out"))


def test_the_demo_gives_the_same_relations_stories_and_findings_on_both_engines(demo, demo_out: Path) -> None:
    assert differences(demo, str(demo_out)) == Differences(0, 0, 0)
    assert demo.relations.count() and demo.findings.count()
    assert {r.kind for r in demo.relations.all()} >= {"duplicate", "translation"}
    # Every record, not only the compared keys, is the same.
    assert sorted(output_records(str(demo_out), "relations"), key=repr) == sorted(demo.relations.all(), key=repr)
    assert sorted(output_records(str(demo_out), "briefs"), key=lambda b: b.story) == list(demo.briefs.all())


@needs_shared(NEWS)
@needs_shared(REWRITES)
@needs_shared(WMT)
def test_a_few_hundred_corpus_articles_give_the_same_output_on_both_engines(session, tmp_path: Path) -> None:
    sample = str(write_corpus_sample(tmp_path))
    store = embedded([sample])
    on_spark(session, [sample], tmp_path / "out")
    assert {"duplicate", "rewrite", "translation"} <= {r.kind for r in store.relations.all()}
    assert differences(store, str(tmp_path / "out")) == Differences(0, 0, 0)


def test_a_second_run_resumes_every_finished_stage(session, demo_out: Path, tmp_path: Path) -> None:
    again = on_spark(session, [DEMO], copy_of(demo_out, tmp_path))
    assert all(run.resumed for run in again.stages)


def test_a_stage_without_its_marker_is_made_again_with_every_later_one(session, demo, demo_out: Path, tmp_path: Path) -> None:
    out = copy_of(demo_out, tmp_path)
    (out / "stories" / MARKER).unlink()
    again = on_spark(session, [DEMO], out)
    assert [run.resumed for run in again.stages] == [True, True, False, False, False]
    assert differences(demo, str(out)) == Differences(0, 0, 0)


def test_a_stage_made_with_other_options_is_made_again(session, demo_out: Path, tmp_path: Path) -> None:
    from newstrace.engine import AnalyzeOptions
    from newstrace.stories import StoryOptions

    with SparkEngine(str(copy_of(demo_out, tmp_path)), AnalyzeOptions(stories=StoryOptions(window_days=3)), session=session) as engine:
        again = engine.analyze([DEMO], upto="stories")
    assert [run.resumed for run in again.stages] == [True, True, False]


RUN_SCRIPT = """
import sys
from newstrace.spark import SparkOptions, run_spark
run_spark([sys.argv[1]], sys.argv[2], spark=SparkOptions("local[1]", partitions=1))
"""


def test_a_run_killed_during_relate_resumes_from_the_last_checkpoint_and_gives_the_same_output(demo, tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [sys.executable, "-c", RUN_SCRIPT, DEMO, str(out)]
    job = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while not (out / "relate").exists() and job.poll() is None:
            time.sleep(0.05)
        assert job.poll() is None, "the run ended before relate began"
        assert not (out / "relate" / MARKER).exists()
        os.killpg(job.pid, signal.SIGKILL)  # the driver, its JVM and its Python workers
        job.wait()
    finally:
        if job.poll() is None:
            os.killpg(job.pid, signal.SIGKILL)
    assert (out / "extract" / MARKER).exists() and not (out / "relate" / MARKER).exists()
    subprocess.run(command, check=True, capture_output=True)
    assert all((out / stage / MARKER).exists() for stage in ("relate", "stories", "checks", "brief"))
    assert differences(demo, str(out)) == Differences(0, 0, 0)


def test_the_output_imported_into_a_store_answers_as_the_embedded_engine(demo, demo_out: Path, tmp_path: Path) -> None:
    with open_store(tmp_path / "imported.db") as store:
        report = import_output(store, demo_out)
        assert report.articles == demo.articles.count()
        assert list(store.articles.ids()) == list(demo.articles.ids())  # in input order
        assert store.relations.all() == demo.relations.all()
        assert store.stories.all() == demo.stories.all()
        assert store.findings.all() == demo.findings.all()
        assert list(store.briefs.all()) == list(demo.briefs.all())
        assert store.stages.missing("brief") == []
        # A new article is related and grouped against what was imported.
        original = store.articles.get("demo-farm-excerpt")
        copy = tmp_path / "copy.txt"
        copy.write_text(original.text, encoding="utf-8")
        with LocalEngine(store, workers=Workers(1)) as engine:
            new = engine.analyze([str(copy)]).ingest.new_ids[0]
        assert store.relations.of([new])
        assert store.stories.of([new])[new] == store.stories.of([original.id])[original.id]


def test_an_unfinished_output_is_not_imported(demo_out: Path, tmp_path: Path) -> None:
    from newstrace.errors import NewstraceError

    out = copy_of(demo_out, tmp_path)
    (out / "brief" / MARKER).unlink()
    with open_store(tmp_path / "imported.db") as store, pytest.raises(NewstraceError, match="no finished brief"):
        import_output(store, out)


def test_an_output_is_imported_into_an_empty_store_only(demo, demo_out: Path, tmp_path: Path) -> None:
    from newstrace.errors import NewstraceError

    with open_store(tmp_path / "imported.db") as store:
        import_output(store, demo_out)
        with pytest.raises(NewstraceError, match="new store"):
            import_output(store, demo_out)


def test_parquet_inputs_are_read_as_json_lines_are(session, tmp_path: Path) -> None:
    rows = [json.loads(line) for line in (Path(DEMO) / "farm-and-wire.jsonl").open(encoding="utf-8")]
    parquet = tmp_path / "farm.parquet"
    write_parquet([{"id": r["id"], "text": r["text"], "title": r.get("title"), "date": r.get("date"),
                    "outlet": r.get("outlet") or r.get("site"), "url": r.get("url")} for r in rows], Article, parquet)
    with SparkEngine(str(tmp_path / "out"), session=session) as engine:
        report = engine.analyze([str(parquet)], upto="extract")
    assert [run.stage for run in report.stages] == ["extract"]
    assert report.stages[0].rows == {"articles": len(rows), "problems": 0}
    ids = {row["id"] for row in read_rows(tmp_path / "out" / "extract" / "articles")}
    assert ids == {r["id"] for r in rows}


@pytest.mark.parametrize("record", [Article, Relation, Story, Finding, Brief])
def test_every_record_reads_back_from_parquet_as_written(record, demo, tmp_path: Path) -> None:
    records = {
        Article: list(demo.articles.all()),
        Relation: demo.relations.all(),
        Story: demo.stories.all(),
        Finding: demo.findings.all(),
        Brief: list(demo.briefs.all()),
    }[record]
    write_parquet([r.to_dict() for r in records], record, tmp_path / "t.parquet")
    assert [from_row(record, row) for row in read_rows(tmp_path / "t.parquet")] == records


def test_the_cli_imports_a_run_and_exports_its_records_as_parquet(demo, demo_out: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from newstrace.cli import app

    runner = CliRunner()
    db = str(tmp_path / "imported.db")
    imported = runner.invoke(app, ["spark", "import", str(demo_out), "--db", db])
    assert imported.exit_code == 0, imported.output
    for kind, record in (("relations", Relation), ("findings", Finding), ("stories", Story)):
        path = tmp_path / f"{kind}.parquet"
        exported = runner.invoke(app, ["export", kind, "--db", db, "--format", "parquet", "-o", str(path)])
        assert exported.exit_code == 0, exported.output
        assert [from_row(record, row) for row in read_rows(path)] == getattr(demo, kind).all()
    to_terminal = runner.invoke(app, ["export", "relations", "--db", db, "--format", "parquet"])
    assert "--output" in str(to_terminal.exception)


def test_spark_run_refuses_a_setting_that_is_not_key_equals_value(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from newstrace.cli import app

    result = CliRunner().invoke(app, ["spark", "run", DEMO, "--out", str(tmp_path), "--conf", "spark.executor.memory"])
    assert "KEY=VALUE" in str(result.exception)
    assert not any(tmp_path.iterdir())
