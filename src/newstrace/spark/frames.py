"""Small Spark helpers the job's steps share: Python steps over rows, record tables, and connected groups.

A Python step is a plain function from an iterator of rows to an iterator of tuples, run over each
partition (``python_step``): per-partition state (a verifier's sentence cache, a loaded encoder) lives
inside it, and nothing is patched onto Spark's classes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from newstrace.model import Record
from newstrace.tables import ColumnKind, columns

_SPARK_TYPES: dict[ColumnKind, str] = {
    "string": "string",
    "long": "bigint",
    "double": "double",
    "bool": "boolean",
    "strings": "array<string>",
    "json": "string",
}


def record_schema(record_type: type[Record], extra: Iterable[tuple[str, ColumnKind]] = ()) -> str:
    """The Spark schema (DDL) of ``record_type``'s table (see ``newstrace.tables``), with ``extra`` columns."""
    return ", ".join(f"`{name}` {_SPARK_TYPES[kind]}" for name, kind in (*columns(record_type), *extra))


def record_columns(record_type: type[Record]) -> list[str]:
    return [name for name, _ in columns(record_type)]


def python_step(frame: Any, step: Callable[[Iterator[Any]], Iterator[tuple]], schema: str) -> Any:
    """The rows ``step`` makes of each partition of ``frame``, as a DataFrame of ``schema``."""
    return frame.sparkSession.createDataFrame(frame.rdd.mapPartitions(step), schema)


def connected_groups(edges: Any, left: str = "left", right: str = "right") -> Any:
    """Each node of ``edges`` (a DataFrame of node pairs) with the smallest node linked to it at any
    distance, as columns ``node`` and ``group``.

    Labels spread along the edges, and each node then takes its label's label (so a long chain is
    crossed in a few rounds), until no label changes; each round's labels are checkpointed so that the
    plan stays short.
    """
    from pyspark.sql import functions as F

    pairs = edges.select(F.col(left).alias("a"), F.col(right).alias("b"))
    both = pairs.union(pairs.select(F.col("b").alias("a"), F.col("a").alias("b"))).distinct().localCheckpoint()
    labels = both.groupBy("a").agg(F.least(F.col("a"), F.min("b")).alias("group")).withColumnRenamed("a", "node")
    labels = labels.localCheckpoint()
    while True:
        spread = both.join(labels.withColumnRenamed("node", "a"), "a").select(F.col("b").alias("node"), "group")
        lowest = labels.union(spread).groupBy("node").agg(F.min("group").alias("group"))
        jumped = (
            lowest.alias("n")
            .join(lowest.alias("m"), F.col("n.group") == F.col("m.node"), "left")
            .select(F.col("n.node").alias("node"), F.least("n.group", F.coalesce("m.group", "n.group")).alias("group"))
            .localCheckpoint()
        )
        changed = jumped.join(labels.withColumnRenamed("group", "before"), "node").where("group != before").count()
        labels = jumped
        if not changed:
            return labels
