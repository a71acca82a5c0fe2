"""The Spark engine: the embedded engine's stages, run by Spark over a corpus, Parquet in and out.

``SparkEngine(out, options).analyze(inputs)`` takes the stages in the embedded engine's order (extract,
relate, stories, checks, brief). Each stage reads the tables of the stages before it, writes its own,
and then its success marker (see ``spark.output``); a stage whose marker is there, made with the same
inputs and options, is not made again, so a run that was stopped resumes after its last finished stage.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from newstrace.engine import AnalyzeOptions, PipelineError
from newstrace.spark import per_story
from newstrace.spark.extract import read_items, split_items, strip_site_templates
from newstrace.spark.output import STAGE_TABLES, marker_path, stage_settings, table_path
from newstrace.spark.relate import relate
from newstrace.spark.session import FileSystem, SparkOptions, spark_session
from newstrace.spark.stories import stories
from newstrace.store import STAGES
from newstrace.stories import StoryOptions


@dataclass(frozen=True)
class StageRun:
    """One stage of a Spark run: made now (with its time) or resumed from its checkpoint, and its rows."""

    stage: str
    resumed: bool
    rows: dict[str, int]
    seconds: float


@dataclass
class SparkReport:
    """What a Spark run did, stage by stage."""

    out: str
    stages: list[StageRun] = field(default_factory=list)


class SparkEngine:
    """Runs newstrace's stages on Spark, writing every stage's records under ``out``.

    Example:
        >>> with SparkEngine("out", spark=SparkOptions("local[2]")) as engine:  # doctest: +SKIP
        ...     report = engine.analyze(["crawl/*.warc.gz"])
    """

    def __init__(
        self,
        out: str,
        options: AnalyzeOptions | None = None,
        spark: SparkOptions | None = None,
        session: Any | None = None,
    ) -> None:
        """``session`` may be an existing SparkSession (kept open at the end); else one is started."""
        self.out = out.rstrip("/")
        self.options = options or AnalyzeOptions()
        self._spark_options = spark or SparkOptions()
        self._given = session
        self._exit = ExitStack()
        self.session: Any = None

    def __enter__(self) -> SparkEngine:
        self.session = self._given or self._exit.enter_context(spark_session(self._spark_options))
        return self

    def __exit__(self, *exc: object) -> None:
        self._exit.close()

    def analyze(
        self, inputs: list[str], progress: Callable[[str], None] | None = None, upto: str = STAGES[-1]
    ) -> SparkReport:
        """Bring ``inputs`` (paths or URIs, as given) through every stage up to ``upto``; returns what each
        stage did."""
        assert self.session is not None, "use SparkEngine as a context manager"
        if upto not in STAGES:
            raise PipelineError(f"no stage {upto!r} to run up to; the stages are {', '.join(STAGES)}")
        files = FileSystem(self.session, self.out)
        report = SparkReport(self.out)
        redo = False
        for stage, make in self._stages(inputs):
            if STAGES.index(stage) > STAGES.index(upto):
                break
            settings = stage_settings(stage, inputs, self.options)
            marker = marker_path(self.out, stage)
            if not redo and files.exists(marker) and json.loads(files.read_text(marker))["settings"] == settings:
                saved = json.loads(files.read_text(marker))
                report.stages.append(StageRun(stage, True, saved["rows"], saved["seconds"]))
                continue
            # Every later stage rests on this one: they are all made again.
            redo = True
            if progress:
                progress(stage)
            report.stages.append(self._make(files, stage, make, settings))
        return report

    def _make(self, files: FileSystem, stage: str, make: Callable[[], dict[str, Any]], settings: dict) -> StageRun:
        """Make ``stage``: its folder is emptied, its tables written, and its marker written last."""
        start = time.perf_counter()
        folder = f"{self.out}/{stage}"
        files.delete(folder)
        files.make_directory(folder)
        rows = {}
        for table, frame in make().items():
            path = table_path(self.out, table)
            frame.write.mode("overwrite").parquet(path)
            rows[table] = self.session.read.parquet(path).count()
        seconds = time.perf_counter() - start
        marker = {"stage": stage, "settings": settings, "rows": rows, "seconds": round(seconds, 3)}
        files.write_text(marker_path(self.out, stage), json.dumps(marker, sort_keys=True))
        return StageRun(stage, False, rows, seconds)

    def table(self, name: str) -> Any:
        """A table written by an earlier stage, as a DataFrame."""
        return self.session.read.parquet(table_path(self.out, name))

    def _stages(self, inputs: list[str]) -> Iterator[tuple[str, Callable[[], dict[str, Any]]]]:
        options, spark, table = self.options, self.session, self.table

        def extract() -> dict[str, Any]:
            items = read_items(spark, inputs, options.ingest.sources).localCheckpoint()
            articles, problems = split_items(spark, items)
            return {"articles": strip_site_templates(spark, articles, options.templates), "problems": problems}

        steps = {
            "extract": extract,
            "relate": lambda: {"relations": relate(spark, table("articles"), options.relate)},
            "stories": lambda: {
                "stories": stories(spark, table("articles"), table("relations"), options.stories or StoryOptions())
            },
            "checks": lambda: {
                "findings": per_story.checks(table("articles"), table("relations"), table("stories"), options.checks)
            },
            "brief": lambda: {
                "briefs": per_story.briefs(
                    table("articles"), table("relations"), table("stories"), table("findings"), options.brief
                )
            },
        }
        for stage in STAGE_TABLES:
            yield stage, steps[stage]


def run_spark(
    inputs: list[str],
    out: str,
    options: AnalyzeOptions | None = None,
    spark: SparkOptions | None = None,
    progress: Callable[[str], None] | None = None,
) -> SparkReport:
    """Run every stage on Spark over ``inputs``, writing Parquet tables under ``out`` (see ``SparkEngine``).

    Args:
        inputs: local paths or Hadoop URIs (``hdfs://``, ``s3a://``): JSON Lines, WARC, HTML, text, feeds, Parquet.
        out: the output folder (a local path or a Hadoop URI); a run stopped before resumes from it.
        options: every stage's options, as for the embedded engine.
        spark: the master and Spark settings.
        progress: called with each stage's name as it starts.

    Returns:
        A ``SparkReport``: each stage's rows and time, or that it was resumed.
    """
    with SparkEngine(out, options, spark) as engine:
        return engine.analyze(inputs, progress)
