"""How far a Spark run's output is from an embedded store's records: the engines' identity, counted.

Both engines must give the same relations (original, derived, kind), the same story partition and the
same findings on the same input; ``differences`` counts what one has and the other lacks.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from newstrace.model import Finding, Relation, Story
from newstrace.spark.output import RECORDS, table_path
from newstrace.store import Store
from newstrace.tables import from_row, read_rows


@dataclass(frozen=True)
class Differences:
    """Records in one engine's output and not in the other's, by kind (0, 0, 0: identical)."""

    relations: int
    stories: int
    findings: int

    def __str__(self) -> str:
        return f"relations {self.relations}, stories {self.stories}, findings {self.findings}"


def _symmetric(left: Iterable[object], right: Iterable[object]) -> int:
    a, b = Counter(left), Counter(right)
    return sum(((a - b) + (b - a)).values())


def relation_keys(relations: Iterable[Relation]) -> list[tuple[str, str, str]]:
    return [(r.original, r.derived, r.kind) for r in relations]


def story_keys(stories: Iterable[Story]) -> list[frozenset[str]]:
    return [frozenset(s.articles) for s in stories]


def finding_keys(findings: Iterable[Finding]) -> list[str]:
    return [json.dumps(f.to_dict(), sort_keys=True) for f in findings]


def output_records(out: str, table: str) -> list:
    """Every record of one table of a Spark run's output."""
    return [from_row(RECORDS[table], row) for row in read_rows(table_path(out, table))]


def differences(store: Store, out: str) -> Differences:
    """What differs between the records in ``store`` and those of the Spark output ``out``."""
    return Differences(
        _symmetric(relation_keys(store.relations.all()), relation_keys(output_records(out, "relations"))),
        _symmetric(story_keys(store.stories.all()), story_keys(output_records(out, "stories"))),
        _symmetric(finding_keys(store.findings.all()), finding_keys(output_records(out, "findings"))),
    )
