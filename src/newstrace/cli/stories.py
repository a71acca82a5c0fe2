"""Commands of stories and briefs: stories rebuild, brief."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from typing import Annotated

import typer

from newstrace.brief import render_brief_text
from newstrace.cli.app import DEFAULT_DB_PATH, DbOption, app, console, engine_on, print_notes, progress_stages
from newstrace.engine import AnalyzeOptions
from newstrace.errors import NewstraceError
from newstrace.store import open_store
from newstrace.stories import StoryOptions
from newstrace.stories.stage import recorded_options

stories_app = typer.Typer(help="Group articles into stories (one real-world event each).", no_args_is_help=True)
app.add_typer(stories_app, name="stories")

WindowOption = Annotated[
    int | None,
    typer.Option(
        "--window-days",
        help="Articles further apart than this many days are not compared "
        "(by default as the store's stories were grouped, else 7; kept for the articles added later).",
        show_default=False,
    ),
]
SpanOption = Annotated[
    int | None,
    typer.Option(
        "--max-span-days",
        help="A story's dated articles span at most this many days "
        "(by default as the store's stories were grouped, else 30; kept for the articles added later).",
        show_default=False,
    ),
]
BriefFormatOption = Annotated[str, typer.Option("--format", "-f", help="json or text.")]


@stories_app.command("rebuild")
def rebuild_command(
    db: DbOption = DEFAULT_DB_PATH, window_days: WindowOption = None, max_span_days: SpanOption = None
) -> None:
    """Re-cluster every stored article into stories (deterministic: same articles, same stories).

    Articles not yet related are related first; the checks and briefs of the stories that changed are
    made again by the next `analyze`.
    """
    with open_store(db) as store:
        options = recorded_options(store) or StoryOptions()
    if window_days is not None:
        options = replace(options, window_days=window_days)
    if max_span_days is not None:
        options = replace(options, max_span_days=max_span_days)
    with engine_on(db, AnalyzeOptions(stories=options)) as engine, progress_stages() as stage:
        report = engine.redo("stories", stage)
        stories, articles = engine.store.stories.count(), engine.store.articles.count()
    console.print(f"[bold]{stories}[/] stories over [bold]{articles}[/] articles")
    print_notes(report)


@app.command("brief")
def brief_command(
    story: Annotated[str, typer.Argument(help="Story id (see: newstrace export stories).")],
    db: DbOption = DEFAULT_DB_PATH,
    fmt: BriefFormatOption = "text",
) -> None:
    """A story's brief: time span, outlets, copy tree, corroborated and single-source statements, quotes.

    Whatever earlier runs left to do is done first, so the brief is never made from missing data.
    """
    if fmt not in ("json", "text"):
        raise NewstraceError(f"unknown brief format {fmt!r}; choose json or text")
    with engine_on(db) as engine:
        with progress_stages() as stage:
            report = engine.run(stage=stage)
        print_notes(report)
        store = engine.store
        brief = store.briefs.get(store.stories.get(story).id)
        if fmt == "json":
            sys.stdout.write(json.dumps(brief.to_dict(), ensure_ascii=False, indent=2) + "\n")
        else:
            articles = {a.id: a for a in store.articles.many(store.stories.get(story).articles)}
            sys.stdout.write(render_brief_text(brief, articles))
