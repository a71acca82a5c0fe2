"""Human-readable output of the main job: what was ingested and what newstrace found."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table

from newstrace.pipeline import IngestReport
from newstrace.store import SQLiteStore


def render_ingest_summary(report: IngestReport, console: Console) -> None:
    """Counts of new, duplicate and skipped items, and each skipped item with its reason."""
    console.print(
        f"[bold]{report.ingested}[/] ingested, [bold]{report.duplicates}[/] already stored, "
        f"[bold]{report.skipped}[/] skipped"
    )
    for problem in report.problems[:50]:
        console.print(f"  [yellow]skipped[/] {problem.origin}: {problem.reason}")
    if len(report.problems) > 50:
        console.print(f"  … and {len(report.problems) - 50} more (see the store's problems table)")
    reasons = Counter(p.reason.split(":")[0] for p in report.problems)
    if len(report.problems) > 50:
        for reason, count in reasons.most_common():
            console.print(f"  {count:>6} × {reason}")


def render_report(store: SQLiteStore, report: IngestReport, console: Console | None = None) -> None:
    """The main job's report on everything in ``store``."""
    console = console or Console()
    table = Table(title=f"{store.count_articles()} articles in {store.path}")
    for column in ("id", "site / outlet", "date", "title"):
        table.add_column(column, overflow="fold")
    for article in store.iter_articles():
        table.add_row(
            article.id,
            article.site or article.outlet or "—",
            article.date or "—",
            (article.title or article.text[:60]).strip(),
        )
    console.print(table)
