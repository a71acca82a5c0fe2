"""The Typer application, and the options and helpers every command shares."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, TextIO

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

from newstrace.analysis import StageCallback
from newstrace.errors import NewstraceError
from newstrace.exporting import EXPORT_FORMATS, write_records
from newstrace.pipeline import ProgressCallback
from newstrace.store import DEFAULT_DB

app = typer.Typer(
    name="newstrace",
    help="Tell where a news story came from, who copied it, and what they changed on the way.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
export_app = typer.Typer(help="Write stored records as JSON Lines or CSV.", no_args_is_help=True)
app.add_typer(export_app, name="export")

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
FormatOption = Annotated[str, typer.Option("--format", "-f", help=f"One of: {', '.join(EXPORT_FORMATS)}.")]


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


def export_records(records: Iterable[dict[str, Any]], fmt: str, output: Path | None) -> None:
    """What every ``export`` command does with its records: write them as ``fmt`` to ``output`` or stdout."""
    with open_output(output) as out:
        write_records(records, fmt, out)
