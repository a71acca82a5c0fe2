"""``newstrace export KIND``: every kind of stored record as JSON Lines or CSV, one command each.

The kinds are listed once, in ``EXPORTS``, with the stage that makes them; each becomes a command.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Annotated, Any

import typer

from newstrace.cli.app import DEFAULT_DB_PATH, DbOption, OutputOption, app, console, open_output
from newstrace.exporting import EXPORT_FORMATS, write_records
from newstrace.relate import site_statistics
from newstrace.store import Store, open_store

export_app = typer.Typer(help="Write stored records as JSON Lines or CSV.", no_args_is_help=True)
app.add_typer(export_app, name="export")

FormatOption = Annotated[str, typer.Option("--format", "-f", help=f"One of: {', '.join(EXPORT_FORMATS)}.")]


@dataclass(frozen=True)
class Export:
    """A kind of record to export: what it holds, the stage that makes it, and how to read it."""

    help: str
    stage: str
    records: Callable[[Store], Iterable[dict[str, Any]]]


def _sites(store: Store) -> Iterable[dict[str, Any]]:
    articles = {a.id: a for a in store.articles.all()}
    return (s.to_dict() for s in site_statistics(store.relations.all(), articles))


EXPORTS = {
    "articles": Export(
        "Every stored article with its metadata, captions and the junk that was removed.",
        "extract",
        lambda store: (a.to_dict() for a in store.articles.all()),
    ),
    "problems": Export(
        "Every input item that yielded no article, with its place and the reason.",
        "extract",
        lambda store: (p.to_dict() for p in store.problems.all()),
    ),
    "relations": Export(
        "Every relation: original, derived, kind, score, coverage, direction, reasons and aligned evidence.",
        "relate",
        lambda store: (r.to_dict() for r in store.relations.all()),
    ),
    "sites": Export(
        "Per site: articles, how many are derived from others (and from which sites), how many were copied.",
        "relate",
        _sites,
    ),
    "stories": Export(
        "Every story: id, title, articles, first and last seen, outlets.",
        "stories",
        lambda store: (s.to_dict() for s in store.stories.all()),
    ),
    "findings": Export(
        "Every finding: article, kind, severity, span, text, the other article's span, explanation.",
        "checks",
        lambda store: (f.to_dict() for f in store.findings.all()),
    ),
    "briefs": Export(
        "Every story's brief: first reporters, copy tree, corroborated and single-source statements, "
        "quotes, findings.",
        "brief",
        lambda store: (b.to_dict() for b in store.briefs.all()),
    ),
}


def _register(kind: str, export: Export) -> None:
    def command(db: DbOption = DEFAULT_DB_PATH, fmt: FormatOption = "jsonl", output: OutputOption = None) -> None:
        with open_store(db) as store:
            missing = store.stages.missing(export.stage)
            if missing:
                console.print(
                    f"note: {len(missing)} articles have not been through {export.stage} yet; "
                    "run `newstrace analyze` (or `ingest`) to bring them up to date",
                    highlight=False,
                )
            with open_output(output) as out:
                write_records(export.records(store), fmt, out)

    command.__doc__ = export.help
    export_app.command(kind)(command)


for _kind, _export in EXPORTS.items():
    _register(_kind, _export)
