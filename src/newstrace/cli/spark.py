"""``newstrace spark run`` and ``newstrace spark import``: the Spark engine over a corpus, and its output
moved into an embedded store to browse on one machine."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from newstrace.cli.app import DEFAULT_DB_PATH, DbOption, app, console
from newstrace.store import STAGES, open_store

spark_app = typer.Typer(
    help="Run every stage on Apache Spark (the spark extra), Parquet in and out; import its output.",
    no_args_is_help=True,
)
app.add_typer(spark_app, name="spark")


@spark_app.command("run")
def run_command(
    inputs: Annotated[
        list[str],
        typer.Argument(
            help="Files, folders or Hadoop URIs (hdfs://, s3a://): JSON Lines, WARC, HTML, text, feeds, Parquet.",
            metavar="INPUT...",
        ),
    ],
    out: Annotated[str, typer.Option("--out", help="Output folder (a path or a Hadoop URI); a rerun resumes it.")],
    master: Annotated[str, typer.Option(help="Spark master: local[N], spark://host:port, yarn, ...")] = "local[2]",
    partitions: Annotated[
        int | None, typer.Option(help="Shuffle partitions (default: 4 per local core, else Spark's setting).")
    ] = None,
    conf: Annotated[
        list[str] | None, typer.Option("--conf", help="A further Spark setting, KEY=VALUE (repeat for several).")
    ] = None,
    upto: Annotated[str, typer.Option(help=f"The last stage to run: one of {', '.join(STAGES)}.")] = STAGES[-1],
) -> None:
    """Bring INPUT... through extract, relate, stories, checks and brief on Spark, with the embedded
    engine's stage functions, writing each stage's records as Parquet under --out.

    Each stage writes a success marker last; a run stopped part way resumes after its last finished
    stage. The relations, stories and findings are those `newstrace analyze` gives on the same input.
    """
    from newstrace.errors import NewstraceError
    from newstrace.spark import SparkEngine, SparkOptions

    settings = []
    for item in conf or ():
        key, equals, value = item.partition("=")
        if not equals or not key:
            raise NewstraceError(f"--conf takes KEY=VALUE, not {item!r}")
        settings.append((key, value))
    options = SparkOptions(master, partitions, tuple(settings))
    with SparkEngine(out, spark=options) as engine:
        report = engine.analyze(inputs, lambda stage: console.print(f"{stage} ...", highlight=False), upto=upto)
    for stage in report.stages:
        rows = ", ".join(f"{count} {table}" for table, count in stage.rows.items())
        how = "resumed from its checkpoint" if stage.resumed else f"made in {stage.seconds:.1f} s"
        console.print(f"{stage.stage}: {rows} ({how})", highlight=False)


@spark_app.command("import")
def import_command(
    out: Annotated[Path, typer.Argument(help="A finished `newstrace spark run` output folder (local).")],
    db: DbOption = DEFAULT_DB_PATH,
) -> None:
    """Store a finished Spark run's output in a new embedded store, every stage marked done: brief,
    export, serve and analyze then work on it as if `newstrace analyze` had made it."""
    from newstrace.spark import import_output

    with open_store(db) as store:
        report = import_output(store, out)
    console.print(
        f"imported {report.articles} articles, {report.problems} problems, {report.relations} relations, "
        f"{report.stories} stories, {report.findings} findings and {report.briefs} briefs into {db}",
        highlight=False,
    )
