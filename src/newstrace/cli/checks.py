"""Commands of the checks stage (registered on the shared app): check, export findings."""

from __future__ import annotations

from newstrace.checks.store import check_store
from newstrace.cli.app import (
    DEFAULT_DB_PATH,
    DbOption,
    FormatOption,
    OutputOption,
    app,
    console,
    export_app,
    export_records,
    progress_stages,
)
from newstrace.store import open_store


@app.command("check")
def check_command(db: DbOption = DEFAULT_DB_PATH) -> None:
    """Recompute the cross-checks of every story: names, numbers and quotes that differ, with evidence."""
    with open_store(db) as store, progress_stages() as stage:
        report = check_store(store, progress=stage("cross-checking", store.count_stories()))
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
    export_records(records, fmt, output)
