"""Human-readable output of the main job: what came in, and per story who copied whom and what changed."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table

from newstrace.brief import render_brief_text
from newstrace.engine import IngestReport, RunReport
from newstrace.model import Problem, Story
from newstrace.relate import site_statistics
from newstrace.safety import for_terminal
from newstrace.store import Store

MAX_LISTED_PROBLEMS = 50
MAX_BRIEFS = 10


def render_ingest_summary(report: IngestReport, console: Console) -> None:
    """Counts of new, duplicate and skipped items, and each skipped item with its reason."""
    console.print(
        f"[bold]{report.ingested}[/] ingested, [bold]{report.duplicates}[/] already stored, "
        f"[bold]{report.skipped}[/] skipped"
    )
    for problem in report.problems[:MAX_LISTED_PROBLEMS]:
        console.print(f"  {problem_line(problem)}", highlight=False)
    if len(report.problems) > MAX_LISTED_PROBLEMS:
        console.print(f"  … and {len(report.problems) - MAX_LISTED_PROBLEMS} more, by reason:")
        for reason, count in Counter(p.reason.split(":")[0] for p in report.problems).most_common():
            console.print(f"  {count:>6} × {for_terminal(reason, markup=True)}", highlight=False)


def problem_line(problem: Problem) -> str:
    """A skipped input item as a line of console markup, its (untrusted) origin and reason made safe."""
    return f"[yellow]skipped[/] {for_terminal(problem.origin, markup=True)}: {for_terminal(problem.reason, markup=True)}"


def render_stage_summary(report: RunReport, console: Console) -> None:
    """One line on what relate, stories and checks made or changed."""
    kinds = Counter(r.kind for r in report.relations)
    alterations = sum(f.severity == "alteration" for f in report.findings)
    console.print(
        f"[bold]{len(report.relations)}[/] relations ("
        + (", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())) or "none")
        + f"), [bold]{len(report.stories)}[/] stories new or changed, "
        f"[bold]{len(report.findings)}[/] findings ({alterations} alterations)"
    )


def render_report(store: Store, report: RunReport, console: Console) -> None:
    """The main job's report: the stories this run touched, the briefs of the largest, and the copying sites."""
    title = f"{len(report.stories)} stories new or changed"
    if not report.stories:
        title = f"nothing new; all {len(stored := store.stories.all())} stories in the store"
    stories = sorted(report.stories or stored, key=lambda s: (-len(s.articles), s.first_seen or "", s.id))
    console.print(_stories_table(stories, title))
    for story in [s for s in stories if len(s.articles) > 1][:MAX_BRIEFS]:
        brief = store.briefs.get(story.id)
        articles = {a.id: a for a in store.articles.many(story.articles)}
        console.rule(f"[bold]{_cell(story.title)}")
        console.print(render_brief_text(brief, articles), highlight=False, markup=False, soft_wrap=True)
    if sum(len(s.articles) > 1 for s in stories) > MAX_BRIEFS:
        console.print(f"(briefs of the {MAX_BRIEFS} largest stories shown; see `newstrace brief STORY`)")
    sites = _sites_table(store)
    if sites.row_count:
        console.print(sites)


def _stories_table(stories: list[Story], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("story", no_wrap=True)
    table.add_column("articles", justify="right")
    table.add_column("when", no_wrap=True)
    table.add_column("outlets", ratio=1, overflow="fold")
    table.add_column("title", ratio=2, overflow="fold")
    for story in stories:
        span = " – ".join(dict.fromkeys(d for d in (story.first_seen, story.last_seen) if d)) or "undated"
        table.add_row(_cell(story.id), str(len(story.articles)), _cell(span), _cell(", ".join(story.outlets)),
                      _cell(story.title))
    return table


def _sites_table(store: Store) -> Table:
    """Sites that publish copies of others' articles: the content-farm suspects."""
    articles = {a.id: a for a in store.articles.all()}
    table = Table(title="Sites publishing copies of others' articles", title_justify="left")
    for column in ("site", "articles", "copies", "share", "copied from", "how"):
        table.add_column(column, overflow="fold")
    for stats in site_statistics(store.relations.all(), articles):
        if stats.derived:
            table.add_row(
                _cell(stats.site), str(stats.articles), str(stats.derived), f"{stats.derived_share:.0%}",
                _cell(", ".join(f"{site} ({n})" for site, n in stats.sources)),
                ", ".join(f"{n} {kind}" for kind, n in stats.kinds.items()),
            )
    return table


def _cell(text: str) -> str:
    """Stored (untrusted) text for a table cell or rule: Rich reads markup in both."""
    return for_terminal(text, markup=True)
