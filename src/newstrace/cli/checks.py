"""Commands of the checks stage (registered on the shared app): check, export findings."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from newstrace.checks.store import check_store
from newstrace.cli.app import DEFAULT_DB_PATH, DbOption, OutputOption, app, console, export_app
from newstrace.exporting import EXPORT_FORMATS, write_records
from newstrace.store import open_store

FormatOption = Annotated[str, typer.Option("--format", "-f", help=f"One of: {', '.join(EXPORT_FORMATS)}.")]


@app.command("check")
def check_command(db: DbOption = DEFAULT_DB_PATH) -> None:
    """Recompute the cross-checks of every story: names, numbers and quotes that differ, with evidence."""
    with open_store(db) as store:
        report = check_store(store)
    console.print(
        f"[bold]{report.findings}[/] findings ([bold]{report.alterations}[/] alterations) "
        f"over {report.articles} articles in {report.stories} stories"
    )


@export_app.command("findings")
def export_findings(
    db: DbOption = DEFAULT_DB_PATH, fmt: FormatOption = "jsonl", output: OutputOption = None
) -> None:
    """Every stored finding: article, kind, severity, span, text, the other article's span, explanation."""
    with open_store(db) as store:
        records = [f.to_dict() for f in store.findings()]
    if output:
        with open(output, "w", encoding="utf-8", newline="") as out:
            write_records(records, fmt, out)
    else:
        write_records(records, fmt, sys.stdout)
