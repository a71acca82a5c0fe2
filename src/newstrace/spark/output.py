"""What the Spark job writes, and how its output becomes an embedded store (``newstrace spark import``).

The output folder holds one folder per stage, each with its tables (Parquet, one row per record, see
``newstrace.tables``) and, written last, the marker ``_NEWSTRACE_SUCCESS``: a stage whose marker is
missing, or was made from other inputs or options, is made again by the next run, with every stage
after it. The marker records the settings the stage was made with.

    OUT/extract/articles   Article rows, with where each came in (input, file, item)
    OUT/extract/problems   Problem rows (inputs that yielded no article), with the same three columns
    OUT/relate/relations   Relation rows
    OUT/stories/stories    Story rows
    OUT/checks/findings    Finding rows, with ``rank``: the finding's place among its article's findings
    OUT/brief/briefs       Brief rows

Reading the output needs pyarrow only, not Spark.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from newstrace.engine import AnalyzeOptions
from newstrace.errors import NewstraceError
from newstrace.model import Article, Brief, Finding, Problem, Record, Relation, Story
from newstrace.store import Changes, Store, encode_article
from newstrace.store.base import STAGES
from newstrace.stories import StoryOptions
from newstrace.stories.stage import OPTIONS_KEY
from newstrace.tables import ColumnKind, from_row, read_rows

MARKER = "_NEWSTRACE_SUCCESS"
STAGE_TABLES: dict[str, tuple[str, ...]] = {
    "extract": ("articles", "problems"),
    "relate": ("relations",),
    "stories": ("stories",),
    "checks": ("findings",),
    "brief": ("briefs",),
}
RECORDS: dict[str, type[Record]] = {
    "articles": Article,
    "problems": Problem,
    "relations": Relation,
    "stories": Story,
    "findings": Finding,
    "briefs": Brief,
}
# Where an article or problem came in (the input's place among the inputs, the file, the item in it):
# their order is the order the embedded engine would have met them in.
INPUT_ORDER: tuple[tuple[str, ColumnKind], ...] = (("input_index", "long"), ("input_file", "string"), ("input_item", "long"))
EXTRA_COLUMNS: dict[str, tuple[tuple[str, ColumnKind], ...]] = {
    "articles": INPUT_ORDER,
    "problems": INPUT_ORDER,
    "findings": (("rank", "long"),),
}


def table_path(out: str, table: str) -> str:
    """Where ``table`` is written under the output folder ``out``."""
    stage = next(stage for stage, tables in STAGE_TABLES.items() if table in tables)
    return f"{out.rstrip('/')}/{stage}/{table}"


def marker_path(out: str, stage: str) -> str:
    return f"{out.rstrip('/')}/{stage}/{MARKER}"


def stage_settings(stage: str, inputs: list[str], options: AnalyzeOptions) -> dict[str, Any]:
    """What a stage's output depends on: the inputs and the options of it and every stage before it."""
    stories = options.stories or StoryOptions()
    parts = {
        "extract": {"inputs": inputs, "ingest": asdict(options.ingest.sources), "templates": asdict(options.templates)},
        "relate": {"relate": asdict(options.relate)},
        "stories": {"stories": asdict(stories)},
        "checks": {"checks": asdict(options.checks)},
        "brief": {"brief": asdict(options.brief)},
    }
    settings: dict[str, Any] = {}
    for name in STAGES[: STAGES.index(stage) + 1]:
        settings |= parts[name]
    # Through JSON, so that a marker read back compares equal (tuples become lists).
    return json.loads(json.dumps(settings, sort_keys=True, default=str))


@dataclass(frozen=True)
class ImportReport:
    """What ``import_output`` stored."""

    articles: int
    problems: int
    relations: int
    stories: int
    findings: int
    briefs: int


def import_output(store: Store, directory: str | Path) -> ImportReport:
    """Store a finished Spark run's output in ``store`` (an empty one), with every stage marked done.

    Afterwards the store answers as if the embedded engine had made it: ``brief``, ``export`` and the
    rest read it, and new articles are related and grouped against it.

    Raises:
        NewstraceError: the store is not empty, or a stage of the output has no success marker.
    """
    out = str(directory)
    for stage in STAGE_TABLES:
        if not Path(marker_path(out, stage)).is_file():
            raise NewstraceError(
                f"{out} holds no finished {stage} stage (its marker {MARKER} is missing): "
                "run `newstrace spark run` to the end first"
            )
    if store.articles.count():
        raise NewstraceError(f"{store.location} holds articles already; import a Spark run into a new store")
    changes = Changes()
    changes.articles = [encode_article(a) for a in _records(out, "articles", INPUT_ORDER)]
    changes.problems = list(_records(out, "problems", INPUT_ORDER))
    changes.relations = sorted(_records(out, "relations"), key=lambda r: (r.original, r.derived))
    changes.stories = sorted(_records(out, "stories"), key=lambda s: s.id)
    ids = [row[0] for row in changes.articles]
    changes.findings = {article_id: [] for article_id in ids}
    findings = 0
    for finding in _records(out, "findings", (("article", "string"), ("rank", "long"))):
        changes.findings[finding.article].append(finding)
        findings += 1
    changes.briefs = sorted(_records(out, "briefs"), key=lambda b: b.story)
    marker = json.loads(Path(marker_path(out, "brief")).read_text(encoding="utf-8"))
    changes.settings[OPTIONS_KEY] = json.dumps(marker["settings"]["stories"], sort_keys=True)
    for stage in STAGES:
        changes.mark(stage, ids)
    store.commit(changes)
    return ImportReport(
        len(ids), len(changes.problems), len(changes.relations), len(changes.stories), findings, len(changes.briefs)
    )


def _records(out: str, table: str, order: tuple[tuple[str, ColumnKind], ...] = ()) -> Iterator[Any]:
    """The records of ``table``, sorted by the ``order`` columns when given."""
    rows = read_rows(table_path(out, table))
    if order:
        rows = iter(sorted(rows, key=lambda row: tuple(row[name] for name, _ in order)))
    record_type = RECORDS[table]
    return (from_row(record_type, row) for row in rows)
