"""`newstrace watch`: follow feeds, news sitemaps and sites; `watch status`: how each source is doing."""

from __future__ import annotations

import json
import re
import signal
import threading
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Annotated, Any

import click
import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from newstrace.cli.app import DEFAULT_DB_PATH, DbOption, app, console, progress_stages
from newstrace.engine import LocalEngine
from newstrace.store import open_store

if TYPE_CHECKING:
    from newstrace.watch import Watcher, WatchReport


class _RunByDefault(TyperGroup):
    """``newstrace watch SOURCES`` is ``newstrace watch run SOURCES``: words naming no sub-command go to run."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["run", *args]
        return super().parse_args(ctx, args)


watch_app = typer.Typer(
    cls=_RunByDefault,
    help="Follow feeds, news sitemaps and sites as they publish (`newstrace watch SOURCES`), politely, "
    "archiving every response in WARC files; `newstrace watch status` tells how each source is doing.",
    no_args_is_help=True,
)
app.add_typer(watch_app, name="watch")

SourcesArgument = Annotated[
    list[str] | None,
    typer.Argument(
        help="TOML watch lists and/or feed, sitemap or site urls. None: the sources of earlier runs in --db.",
        show_default=False,
    ),
]
def _watch() -> ModuleType:
    """``newstrace.watch``, imported when a watch command runs: its HTTP libraries are an extra."""
    try:
        import newstrace.watch
        import newstrace.watch.sink
    except ImportError as error:
        needs = escape(f"newstrace watch needs the watch extra (pip install 'newstrace[watch]'): {error}")
        console.print(f"[bold red]error:[/] {needs}")
        raise typer.Exit(2) from error
    return newstrace.watch


_EVENT_BARS = {
    "poll": "sources polled",
    "page": "pages fetched",
    "handed-on": "pages through the stages",
    "unchanged": "unchanged (304)",
    "duplicate": "already had",
    "error": "errors",
}


@watch_app.command("run")
def watch_run(
    sources: SourcesArgument = None,
    db: DbOption = DEFAULT_DB_PATH,
    once: Annotated[bool, typer.Option("--once", help="Poll the sources that are due once, then exit (for cron).")] = False,
    archive: Annotated[Path | None, typer.Option(help="Folder of the WARC files (default: watch-archive).")] = None,
    contact: Annotated[str | None, typer.Option(help="A url in the User-Agent where site owners can reach you.")] = None,
    interval: Annotated[float | None, typer.Option(help="Seconds between polls of a source (default 900).")] = None,
) -> None:
    """Poll the sources, fetch new article pages, archive every response and run the pages through the stages.

    Polite by construction: robots.txt is obeyed, each host gets one request at a time at most once a second (longer if its robots.txt asks), conditional GETs make unchanged feeds cost nothing, 429 and 5xx answers are retried after Retry-After or a growing delay, and redirects, body size and time are bounded.

    What it has seen is kept in the store, so a run that is stopped resumes where it was. See the README for the TOML watch list.
    """
    watch = _watch()
    overrides: dict[str, Any] = {k: v for k, v in (("archive", archive), ("interval", interval)) if v is not None}
    base = replace(watch.WatchOptions(), **overrides)
    if contact:
        base = replace(base, fetch=replace(base.fetch, contact=contact))
    try:
        config = watch.load_watch_list(sources or [], base)
    except watch.ConfigError as error:
        console.print(f"[bold red]error:[/] {error}")
        raise typer.Exit(2) from error
    with open_store(db) as store, LocalEngine(store) as engine:
        state = watch.SQLiteWatchState(store)
        watched = config.sources or tuple(s.source for s in state.statuses())
        if not watched:
            console.print("[bold red]error:[/] nothing to watch: give a TOML watch list or urls")
            raise typer.Exit(2)
        with progress_stages() as stage:
            bars: dict[str, Any] = {}

            def on_event(event: str) -> None:
                name = _EVENT_BARS[event]
                bars.setdefault(name, stage(name, None))(1)

            sink = watch.sink.store_and_analyze(engine)
            watcher = watch.Watcher(watched, state, sink, config.options, on_event=on_event)
            try:
                if once:
                    _print_report(watcher.run_once())
                else:
                    _run_until_stopped(watcher)
            finally:
                watcher.close()


def _run_until_stopped(watcher: Watcher) -> None:
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    console.print(f"watching {len(watcher.sources)} sources; Ctrl-C stops")
    try:
        watcher.run(stop)
    except KeyboardInterrupt:
        console.print("stopped")


def _print_report(report: WatchReport) -> None:
    console.print(
        f"[bold]{report.polled}[/] sources polled, [bold]{report.pages}[/] pages fetched, "
        f"[bold]{report.handed_on}[/] through the stages, {report.unchanged} unchanged, "
        f"{report.duplicates} already had, [bold]{len(report.errors)}[/] errors"
    )
    for url, reason in report.errors[:50]:
        console.print(Text("  error ", style="yellow") + _untrusted(f"{url}: {reason}"), highlight=False)


@watch_app.command("status")
def watch_status(
    db: DbOption = DEFAULT_DB_PATH,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object a source, for scripts.")] = False,
) -> None:
    """Per source: the last poll, the new pages it found, its errors and the next poll."""
    with open_store(db) as store:
        state = _watch().SQLiteWatchState(store)
        statuses, counts = state.statuses(), state.counts()
    if as_json:
        for status in statuses:
            print(json.dumps(status.to_dict()))
        return
    table = Table(title=f"{len(statuses)} sources; {counts.seen} pages seen, {counts.failed} failed, "
                  f"{counts.queued + counts.pending} waiting")
    for column in ("source", "kind", "last poll", "new", "in all", "errors", "next poll", "last error"):
        table.add_column(column, overflow="fold")
    for status in statuses:
        table.add_row(
            _untrusted(status.source.name or status.source.url), status.source.kind, _time(status.last_poll),
            str(status.new_pages), str(status.total_pages), str(status.errors), _time(status.next_poll),
            _untrusted(status.last_error or ""),
        )
    Console(soft_wrap=True).print(table)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # ESC and the rest: a page cannot drive the terminal


def _untrusted(text: str) -> Text:
    """Text from the web (urls, reasons with them) shown as it is: no markup, no terminal control codes."""
    return Text(_CONTROL.sub("", text))


def _time(epoch: float | None) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M:%S") if epoch else "-"
