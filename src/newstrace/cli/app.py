"""The Typer application, and the options and helpers every command shares."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from newstrace.engine import AnalyzeOptions, LocalEngine, RunReport, StageCallback
from newstrace.errors import NewstraceError
from newstrace.store import DEFAULT_DB, open_store
from newstrace.workers import Progress as ProgressCallback

app = typer.Typer(
    name="newstrace",
    help="Tell where a news story came from, who copied it, and what they changed on the way.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)

# Messages and progress go to stderr so that stdout stays clean for data.
console = Console(stderr=True, soft_wrap=True)

DbOption = Annotated[
    Path,
    typer.Option("--db", envvar="NEWSTRACE_DB", help="SQLite store to use (created if missing).", show_default=True),
]
DEFAULT_DB_PATH = Path(DEFAULT_DB)
OutputOption = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to this file instead of standard output.")
]


@contextmanager
def progress_stages() -> Iterator[StageCallback]:
    """The progress display every long-running command shows on stderr (hidden when it ends).

    Yields a function that starts a bar for a stage, given its name and size (None when unknown), and
    returns the callback that advances that bar.
    """
    progress = Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )

    def stage(name: str, total: int | None) -> ProgressCallback:
        task = progress.add_task(name, total=total)
        return lambda n: progress.advance(task, n)

    with progress:
        yield stage


@contextmanager
def engine_on(db: Path, options: AnalyzeOptions | None = None) -> Iterator[LocalEngine]:
    """The store at ``db`` and an engine over it, both closed when the command ends.

    Ctrl-C stops the command with one line and status 130: every step the engine finished is stored,
    the step in flight is not, and running the command again does the rest.
    """
    try:
        with open_store(db) as store, LocalEngine(store, options) as engine:
            yield engine
    except KeyboardInterrupt:
        console.print("interrupted: what was finished is stored; run the command again to do the rest")
        raise typer.Exit(130) from None


def print_notes(report: RunReport) -> None:
    """What the stages said the user should know (options in use, a whole-store regrouping)."""
    for note in dict.fromkeys(report.notes):
        console.print(f"note: {note}", highlight=False, markup=False)


@contextmanager
def open_output(path: Path | None) -> Iterator[TextIO]:
    """Standard output, or ``path`` opened for writing; a failed write (a full disk, say) is a clear error,
    and the partial file is removed."""
    if path is None:
        yield sys.stdout
        return
    try:
        with open(path, "w", encoding="utf-8", newline="") as file:
            yield file
    except OSError as error:
        if path.is_file():
            path.unlink()
        raise NewstraceError(f"cannot write {path}: {error.strerror or error}") from error
