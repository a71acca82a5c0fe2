"""The Typer application and the options every command shares."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

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
