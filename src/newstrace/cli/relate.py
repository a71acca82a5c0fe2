"""The relate command: relate every stored article again."""

from __future__ import annotations

from collections import Counter

from newstrace.cli.app import DEFAULT_DB_PATH, DbOption, app, console, engine_on, print_notes, progress_stages


@app.command("relate")
def relate_command(db: DbOption = DEFAULT_DB_PATH) -> None:
    """Find copies, excerpts, edits, spins and rewrites among every stored article, and name the originals.

    Replaces the store's relations (see them with `newstrace export relations`); the stories, checks and
    briefs of the articles whose relations changed are made again by the next `analyze`.
    """
    with engine_on(db) as engine:
        total = engine.store.articles.count()
        with progress_stages() as stage:
            report = engine.redo("relate", stage)
    relations = report.relations
    kinds = Counter(r.kind for r in relations)
    unknown = sum(r.direction == "unknown" for r in relations)
    summary = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items())) or "none"
    console.print(
        f"[bold]{len(relations)}[/] relations among {total} articles ({summary}); {unknown} with direction unknown"
    )
    print_notes(report)
