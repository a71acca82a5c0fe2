"""Commands for getting articles in and out: ingest, extract, export articles, analyze."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from newstrace.analysis import AnalyzeReport, analyze
from newstrace.cli.app import (
    DEFAULT_DB_PATH,
    DbOption,
    FormatOption,
    OutputOption,
    app,
    console,
    export_app,
    export_records,
    open_output,
    progress_stages,
)
from newstrace.model import Article
from newstrace.pipeline import IngestReport, extract_items, ingest
from newstrace.report import problem_line, render_ingest_summary, render_report, render_stage_summary
from newstrace.sources import read_sources
from newstrace.store import open_store

PathsArgument = Annotated[
    list[str], typer.Argument(help="Files or directories (walked recursively); '-' reads standard input.")
]
StrictOption = Annotated[
    bool, typer.Option("--strict", help="Exit with status 1 if any input item had to be skipped.")
]
StoreOnlyOption = Annotated[
    bool,
    typer.Option(
        "--store-only",
        help="Only extract and store; skip relating, story grouping and cross-checks "
        "(for bulk loads: run `newstrace relate`, `stories rebuild` and `check` after).",
    ),
]


def _run(db: Path, paths: list[str], store_only: bool) -> AnalyzeReport:
    """Ingest (and unless ``store_only`` analyse) with a progress bar per stage."""
    with open_store(db) as store, progress_stages() as stage:
        if store_only:
            return AnalyzeReport(ingest(store, paths, progress=stage("ingesting", None)))
        return analyze(store, paths, stage=stage)


def _exit_for(report: IngestReport, strict: bool) -> None:
    if strict and report.problems:
        raise typer.Exit(1)


@app.command("ingest")
def ingest_command(
    paths: PathsArgument, db: DbOption = DEFAULT_DB_PATH, strict: StrictOption = False,
    store_only: StoreOnlyOption = False,
) -> None:
    """Store articles, then relate, group and cross-check the new ones.

    Reads text, HTML, JSON Lines, WARC and RSS/Atom files (gzipped too), directories and stdin ('-').
    Ingest is idempotent: an article already stored (same id) is counted as a duplicate, not stored again.
    """
    report = _run(db, paths, store_only)
    render_ingest_summary(report.ingest, console)
    if not store_only:
        render_stage_summary(report, console)
    _exit_for(report.ingest, strict)


@app.command("extract")
def extract_command(
    paths: PathsArgument, output: OutputOption = None, strict: StrictOption = False
) -> None:
    """Extract articles without storing them: one JSON line per article on standard output."""
    problems = 0
    with open_output(output) as out:
        for item in extract_items(read_sources(paths)):
            if isinstance(item, Article):
                out.write(json.dumps({"path": item.origin, **item.to_dict()}, ensure_ascii=False) + "\n")
            else:
                problems += 1
                console.print(problem_line(item))
    if strict and problems:
        raise typer.Exit(1)


@export_app.command("articles")
def export_articles(db: DbOption = DEFAULT_DB_PATH, fmt: FormatOption = "jsonl", output: OutputOption = None) -> None:
    """Every stored article with its metadata, captions and the junk that was removed."""
    with open_store(db) as store:
        export_records((a.to_dict() for a in store.iter_articles()), fmt, output)


@app.command("analyze")
def analyze_command(paths: PathsArgument, db: DbOption = DEFAULT_DB_PATH, strict: StrictOption = False) -> None:
    """The main job: ingest PATHS, then report each story and the sites that publish copies.

    For each story: who reported first, who copied whom (with the kind of reuse), what the independent
    sources agree on, what only one says, the quotes by speaker, and the names, numbers and quotes that
    differ between sources.
    """
    report = _run(db, paths, store_only=False)
    render_ingest_summary(report.ingest, console)
    render_stage_summary(report, console)
    with open_store(db) as store:
        render_report(store, report, Console())
    _exit_for(report.ingest, strict)
