"""The check command: cross-check every story again."""

from __future__ import annotations

from newstrace.cli.app import DEFAULT_DB_PATH, DbOption, app, console, engine_on, print_notes, progress_stages


@app.command("check")
def check_command(db: DbOption = DEFAULT_DB_PATH) -> None:
    """Recompute the cross-checks of every story: names, numbers and quotes that differ, with evidence.

    Articles not yet related or grouped into stories are related and grouped first.
    """
    with engine_on(db) as engine, progress_stages() as stage:
        report = engine.redo("checks", stage)
        stories = engine.store.stories.count()
        articles = engine.store.articles.count()
    findings = report.findings
    alterations = sum(f.severity == "alteration" for f in findings)
    console.print(
        f"[bold]{len(findings)}[/] findings ([bold]{alterations}[/] alterations) "
        f"over {articles} articles in {stories} stories"
    )
    print_notes(report)
