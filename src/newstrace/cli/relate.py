"""Commands of the relate stage (registered on the shared app): relate, export relations, export sites."""

from __future__ import annotations

from collections import Counter

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
from newstrace.relate import relate_store, site_statistics
from newstrace.store import open_store


@app.command("relate")
def relate_command(db: DbOption = DEFAULT_DB_PATH) -> None:
    """Find copies, excerpts, edits, spins and rewrites among every stored article, and name the originals.

    Replaces the store's relations; see them with `newstrace export relations`.
    """
    with open_store(db) as store:
        total = store.count_articles()
        with progress_stages() as stage:
            relations = relate_store(store, progress=stage("relating", total))
    kinds = Counter(r.kind for r in relations)
    unknown = sum(r.direction == "unknown" for r in relations)
    summary = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items())) or "none"
    console.print(
        f"[bold]{len(relations)}[/] relations among {total} articles ({summary}); {unknown} with direction unknown"
    )


@export_app.command("relations")
def export_relations(
    db: DbOption = DEFAULT_DB_PATH, fmt: FormatOption = "jsonl", output: OutputOption = None
) -> None:
    """Every stored relation: original, derived, kind, score, coverage, direction, reasons and aligned evidence."""
    with open_store(db) as store:
        export_records((r.to_dict() for r in store.relations()), fmt, output)


@export_app.command("sites")
def export_sites(
    db: DbOption = DEFAULT_DB_PATH, fmt: FormatOption = "jsonl", output: OutputOption = None
) -> None:
    """Per site: articles, how many are derived from others (and from which sites), how many were copied."""
    with open_store(db) as store:
        articles = {a.id: a for a in store.iter_articles()}
        export_records((s.to_dict() for s in site_statistics(store.relations(), articles)), fmt, output)
