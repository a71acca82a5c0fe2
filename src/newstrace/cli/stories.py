"""Commands of the stories stage (registered on the shared app): stories rebuild, export stories, brief."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from typing import Annotated

import typer

from newstrace.brief import BriefOptions, brief_for_story, render_brief_text
from newstrace.cli.app import (
    DEFAULT_DB_PATH,
    DbOption,
    FormatOption,
    OutputOption,
    app,
    console,
    export_app,
    export_records,
)
from newstrace.errors import NewstraceError
from newstrace.store import open_store
from newstrace.stories import rebuild_stories
from newstrace.stories.store import stored_options

stories_app = typer.Typer(
    help="Group articles into stories (one real-world event each).", no_args_is_help=True
)
app.add_typer(stories_app, name="stories")

WindowOption = Annotated[
    int | None,
    typer.Option(
        "--window-days",
        help="Articles further apart than this many days are not compared "
        "(by default as in the last rebuild, else 7; kept for the articles added later).",
        show_default=False,
    ),
]
SpanOption = Annotated[
    int | None,
    typer.Option(
        "--max-span-days",
        help="A story's dated articles span at most this many days "
        "(by default as in the last rebuild, else 30; kept for the articles added later).",
        show_default=False,
    ),
]
BriefFormatOption = Annotated[str, typer.Option("--format", "-f", help="json or text.")]
SemanticOption = Annotated[
    bool,
    typer.Option(
        "--semantic/--no-semantic",
        help="Match paraphrased statements with the sentence encoder (when installed); off: shared words only.",
    ),
]


@stories_app.command("rebuild")
def rebuild_command(
    db: DbOption = DEFAULT_DB_PATH, window_days: WindowOption = None, max_span_days: SpanOption = None
) -> None:
    """Re-cluster every stored article into stories (deterministic: same articles, same stories)."""
    with open_store(db) as store:
        count = store.count_articles()
        # About two seconds a thousand articles: say what is going on meanwhile.
        with console.status(f"grouping {count} articles into stories"):
            options = stored_options(store)
            if window_days is not None:
                options = replace(options, window_days=window_days)
            if max_span_days is not None:
                options = replace(options, max_span_days=max_span_days)
            stories = rebuild_stories(store, options)
        console.print(f"[bold]{len(stories)}[/] stories over [bold]{count}[/] articles")


@export_app.command("stories")
def export_stories(
    db: DbOption = DEFAULT_DB_PATH, fmt: FormatOption = "jsonl", output: OutputOption = None
) -> None:
    """Every stored story: id, title, articles, first and last seen, outlets."""
    with open_store(db) as store:
        records = [
            {
                "story": s.id,
                "title": s.title,
                "articles": list(s.articles),
                "first_seen": s.first_seen,
                "last_seen": s.last_seen,
                "outlets": list(s.outlets),
            }
            for s in store.stories()
        ]
    export_records(records, fmt, output)


@app.command("brief")
def brief_command(
    story: Annotated[str, typer.Argument(help="Story id (see: newstrace export stories).")],
    db: DbOption = DEFAULT_DB_PATH,
    fmt: BriefFormatOption = "text",
    semantic: SemanticOption = True,
) -> None:
    """A story's brief: time span, outlets, copy tree, corroborated and single-source statements, quotes."""
    if fmt not in ("json", "text"):
        raise NewstraceError(f"unknown brief format {fmt!r}; choose json or text")
    with open_store(db) as store:
        brief = brief_for_story(store, story, BriefOptions(semantic=semantic))
        if fmt == "json":
            sys.stdout.write(json.dumps(brief.to_dict(), ensure_ascii=False, indent=2) + "\n")
        else:
            articles = {a.id: a for a in store.iter_articles(store.get_story(story).articles)}
            sys.stdout.write(render_brief_text(brief, articles))
