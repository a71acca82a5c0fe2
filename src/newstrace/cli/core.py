"""Commands for getting articles in and out: ingest, extract, export articles, analyze."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from newstrace.cli.app import DEFAULT_DB_PATH, DbOption, OutputOption, app, console, export_app
from newstrace.exporting import EXPORT_FORMATS, write_records
from newstrace.model import Article
from newstrace.pipeline import IngestReport, extract_items, ingest
from newstrace.report import render_ingest_summary, render_report
from newstrace.sources import read_sources
from newstrace.store import open_store

PathsArgument = Annotated[
    list[str], typer.Argument(help="Files or directories (walked recursively); '-' reads standard input.")
]
StrictOption = Annotated[
    bool, typer.Option("--strict", help="Exit with status 1 if any input item had to be skipped.")
]
FormatOption = Annotated[str, typer.Option("--format", "-f", help=f"One of: {', '.join(EXPORT_FORMATS)}.")]


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


def _ingest_with_progress(db: Path, paths: list[str]) -> IngestReport:
    with open_store(db) as store, _progress() as progress:
        task = progress.add_task("ingesting", total=None)
        return ingest(store, paths, progress=lambda n: progress.advance(task, n))


def _exit_for(report: IngestReport, strict: bool) -> None:
    if strict and report.problems:
        raise typer.Exit(1)


@app.command("ingest")
def ingest_command(paths: PathsArgument, db: DbOption = DEFAULT_DB_PATH, strict: StrictOption = False) -> None:
    """Read articles (text, HTML, JSON Lines, WARC; gzipped too) into the store.

    Ingest is idempotent: an article already stored (same id) is counted as a duplicate, not stored again.
    """
    report = _ingest_with_progress(db, paths)
    render_ingest_summary(report, console)
    _exit_for(report, strict)


@app.command("extract")
def extract_command(
    paths: PathsArgument, output: OutputOption = None, strict: StrictOption = False
) -> None:
    """Extract articles without storing them: one JSON line per article on standard output."""
    problems = 0
    with _open_output(output) as out:
        for item in extract_items(read_sources(paths)):
            if isinstance(item, Article):
                out.write(json.dumps({"path": item.origin, **item.to_dict()}, ensure_ascii=False) + "\n")
            else:
                problems += 1
                console.print(f"[yellow]skipped[/] {item.origin}: {item.reason}")
    if strict and problems:
        raise typer.Exit(1)


@export_app.command("articles")
def export_articles(db: DbOption = DEFAULT_DB_PATH, fmt: FormatOption = "jsonl", output: OutputOption = None) -> None:
    """Every stored article with its metadata, captions and the junk that was removed."""
    with open_store(db) as store, _open_output(output) as out:
        write_records((a.to_dict() for a in store.iter_articles()), fmt, out)


@app.command("analyze")
def analyze_command(paths: PathsArgument, db: DbOption = DEFAULT_DB_PATH, strict: StrictOption = False) -> None:
    """The main job: ingest PATHS and print what newstrace found in them."""
    report = _ingest_with_progress(db, paths)
    render_ingest_summary(report, console)
    with open_store(db) as store:
        render_report(store, report)
    _exit_for(report, strict)


@contextmanager
def _open_output(path: Path | None) -> Iterator[TextIO]:
    """Standard output, or ``path`` opened for writing."""
    if path is None:
        yield sys.stdout
        return
    with open(path, "w", encoding="utf-8", newline="") as file:
        yield file
