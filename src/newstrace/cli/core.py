"""Commands for getting articles in and out: ingest, extract, analyze."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from newstrace.cli.app import (
    DEFAULT_DB_PATH,
    DbOption,
    OutputOption,
    app,
    console,
    engine_on,
    open_output,
    print_notes,
    progress_stages,
)
from newstrace.engine import IngestReport, RunReport, extract_items
from newstrace.model import Article
from newstrace.report import problem_line, render_ingest_summary, render_report, render_stage_summary
from newstrace.sources import read_sources
from newstrace.workers import Workers

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
        help="Only extract and store; leave relating, story grouping, cross-checks and briefs for later "
        "(for bulk loads: run `newstrace analyze` with no new input, or `relate`, `check`, after).",
    ),
]


def _run(db: Path, paths: list[str], store_only: bool) -> RunReport:
    """Ingest (and unless ``store_only`` run every stage) with a progress bar per stage."""
    with engine_on(db) as engine, progress_stages() as stage:
        if store_only:
            return RunReport(engine.ingest(paths, progress=stage("ingesting", None)))
        return engine.analyze(paths, stage=stage)


def _exit_for(report: IngestReport, strict: bool) -> None:
    if strict and report.problems:
        raise typer.Exit(1)


@app.command("ingest")
def ingest_command(
    paths: PathsArgument, db: DbOption = DEFAULT_DB_PATH, strict: StrictOption = False,
    store_only: StoreOnlyOption = False,
) -> None:
    """Store articles, then bring every stored article through every stage: relate, stories, checks, brief.

    Reads text, HTML, JSON Lines, WARC and RSS/Atom files (gzipped too), directories and stdin ('-').
    Ingest is idempotent: an article already stored (same id, same input) is counted as a duplicate; the
    same id with other text is refused and reported. Articles a killed run left behind are finished.
    """
    report = _run(db, paths, store_only)
    render_ingest_summary(report.ingest, console)
    if not store_only:
        render_stage_summary(report, console)
        print_notes(report)
    _exit_for(report.ingest, strict)


@app.command("extract")
def extract_command(
    paths: PathsArgument, output: OutputOption = None, strict: StrictOption = False
) -> None:
    """Extract articles without storing them: one JSON line per article on standard output."""
    problems = 0
    with open_output(output) as out, Workers() as workers:
        for item in extract_items(read_sources(paths), workers):
            if isinstance(item, Article):
                out.write(json.dumps({"path": item.origin, **item.to_dict()}, ensure_ascii=False) + "\n")
            else:
                problems += 1
                console.print(problem_line(item))
    if strict and problems:
        raise typer.Exit(1)


OptionalPathsArgument = Annotated[
    list[str] | None,
    typer.Argument(help="Files or directories (walked recursively); '-' reads standard input; none: nothing new."),
]


@app.command("analyze")
def analyze_command(
    paths: OptionalPathsArgument = None, db: DbOption = DEFAULT_DB_PATH, strict: StrictOption = False
) -> None:
    """The main job: ingest PATHS, run every stage, then report each story and the sites that publish copies.

    For each story: who reported first, who copied whom (with the kind of reuse), what the independent
    sources agree on, what only one says, the quotes by speaker, and the names, numbers and quotes that
    differ between sources. With no new input, it finishes whatever earlier runs left to do.
    """
    with engine_on(db) as engine:
        with progress_stages() as stage:
            report = engine.analyze(paths or [], stage=stage)
        render_ingest_summary(report.ingest, console)
        render_stage_summary(report, console)
        print_notes(report)
        render_report(engine.store, report, Console())
    _exit_for(report.ingest, strict)
