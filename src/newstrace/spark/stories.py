"""Stories on Spark: the grouping a whole-store rebuild makes (``cluster_signatures`` over the whole
collection's term statistics, then ``join_copies``), computed in parts.

1. Event signatures (``signature``) per article; how many signatures hold each term, by aggregation; each
   article's vector from them (``TermStats.vector``).
2. The similarity graph: pairs that share a vector term inside the time window, by a join on terms; each
   pair's similarity added up over the later article's vector in its order, as ``similarity_graph`` adds
   it, then weighed by the same ``edge_score`` (times ``decision.pair_factor``; under ``MIN_EDGE``, left out).
3. Average linkage never merges across the connected parts of the edges at or above the merge threshold
   (see ``cluster_graph``), so each part is grouped on its own by ``cluster_graph``, in canonical order.
4. Copies join their original's story (``join_copies`` is connected parts of the groups and the
   relations); each story's record is made by ``make_story``.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from newstrace.model import Article, Story
from newstrace.spark.frames import connected_groups, python_step, record_columns, record_schema
from newstrace.stories import StoryOptions
from newstrace.stories.cluster import canonical_order, cluster_graph, edge_score
from newstrace.stories.decision import largest_factor
from newstrace.stories.features import Signature, TermStats, signature
from newstrace.stories.groups import make_story
from newstrace.tables import from_row, to_row

_SIGNATURES = "id string, day int, terms array<string>, weights array<double>, names array<string>, weekdays array<int>, months array<int>"
_VECTORS = "id string, day int, vector array<struct<term:string,weight:double>>"
_EDGES = "left string, right string, score double"


def stories(spark: Any, articles: Any, relations: Any, options: StoryOptions) -> Any:
    """The stories of ``articles`` (Article rows) given their ``relations`` (Relation rows), as Story rows."""
    from pyspark.sql import functions as F

    signatures = python_step(
        articles.select("id", "text", "title", "date"), functools.partial(_signatures, options=options), _SIGNATURES
    ).localCheckpoint()
    documents = signatures.count()
    terms = signatures.select("id", F.posexplode("terms").alias("pos", "term"))
    frequencies = terms.groupBy("term").agg(F.count("*").alias("df"))
    counted = terms.join(frequencies, "term").groupBy("id").agg(F.collect_list(F.struct("term", "df")).alias("df"))
    vectors = python_step(
        signatures.join(counted, "id"), functools.partial(_vectors, documents=documents, options=options), _VECTORS
    ).localCheckpoint()
    edges = _similarity_edges(vectors, signatures, options).localCheckpoint()
    parts = connected_groups(edges.where(F.col("score") >= options.threshold))
    inside = (
        edges.join(parts.select(F.col("node").alias("left"), F.col("group")), "left")
        .join(parts.select(F.col("node").alias("right"), F.col("group").alias("right_group")), "right")
        .where("group = right_group")
        .groupBy("group")
        .agg(F.collect_list(F.struct("left", "right", "score")).alias("edges"))
    )
    members = (
        parts.join(signatures, parts["node"] == signatures["id"])
        .groupBy("group")
        .agg(F.collect_list(F.struct("id", "day", "names")).alias("members"))
    )
    grouped = python_step(members.join(inside, "group"), functools.partial(_linkage, options=options), "node string, first string")
    # A copy is always in its original's story: groups and relations, joined at any distance.
    links = grouped.select(F.col("node").alias("left"), F.col("first").alias("right")).unionByName(
        relations.select(F.col("original").alias("left"), F.col("derived").alias("right"))
    )
    story_of = connected_groups(links)
    placed = articles.join(story_of, articles["id"] == story_of["node"], "left").select(
        F.coalesce("group", "id").alias("story"), F.struct(*record_columns(Article)).alias("article")
    )
    together = placed.groupBy("story").agg(F.collect_list("article").alias("articles"))
    return python_step(together, _stories, record_schema(Story))


def _signatures(rows: Iterator[Any], options: StoryOptions) -> Iterator[tuple]:
    for row in rows:
        sig = signature(Article(id=row["id"], text=row["text"], title=row["title"], date=row["date"]), options.features)
        terms = [term for term, _ in sig.counts]
        yield sig.article, sig.day, terms, [weight for _, weight in sig.counts], list(sig.names), list(sig.weekdays), list(sig.months)


def _signature(row: Any) -> Signature:
    return Signature(
        row["id"], row["day"], tuple(zip(row["terms"], row["weights"], strict=True)), tuple(row["names"]), tuple(row["weekdays"]), tuple(row["months"])
    )


def _vectors(rows: Iterator[Any], documents: int, options: StoryOptions) -> Iterator[tuple]:
    """Each article's vector over the whole collection's statistics, its terms in the vector's order."""
    for row in rows:
        stats = TermStats({term["term"]: term["df"] for term in row["df"]}, documents)
        yield row["id"], row["day"], list(stats.vector(_signature(row), options.features).items())


def _similarity_edges(vectors: Any, signatures: Any, options: StoryOptions) -> Any:
    """Every pair of articles in the window sharing a vector term, with its similarity when at least MIN_EDGE."""
    from pyspark.sql import functions as F

    entries = vectors.select("id", "day", F.posexplode("vector").alias("pos", "entry")).select(
        "id", "day", "pos", "entry.term", "entry.weight"
    )
    left, right = entries.alias("a"), entries.alias("b")
    window = (
        F.col("a.day").isNull() | F.col("b.day").isNull() | (F.abs(F.col("a.day") - F.col("b.day")) <= options.window_days)
    )
    shared = (
        left.join(right, (F.col("a.term") == F.col("b.term")) & (F.col("a.id") < F.col("b.id")) & window)
        .groupBy(F.col("a.id").alias("left"), F.col("b.id").alias("right"))
        .agg(F.collect_list(F.struct(F.col("a.pos").alias("left_pos"), F.col("b.pos").alias("right_pos"),
                                     F.col("a.weight").alias("left_weight"), F.col("b.weight").alias("right_weight"))).alias("shared"))
    )
    days = signatures.select("id", "day", "weekdays", "months")
    both = shared.join(
        days.select(F.col("id").alias("left"), F.col("day").alias("left_day"), F.col("weekdays").alias("left_weekdays"),
                     F.col("months").alias("left_months")), "left"
    ).join(
        days.select(F.col("id").alias("right"), F.col("day").alias("right_day"), F.col("weekdays").alias("right_weekdays"),
                     F.col("months").alias("right_months")), "right"
    )
    return python_step(both, functools.partial(_similarities, options=options), _EDGES)


def _similarities(rows: Iterator[Any], options: StoryOptions) -> Iterator[tuple]:
    top = largest_factor(options.evidence)
    for row in rows:
        left = Signature(row["left"], row["left_day"], (), (), tuple(row["left_weekdays"]), tuple(row["left_months"]))
        right = Signature(row["right"], row["right_day"], (), (), tuple(row["right_weekdays"]), tuple(row["right_months"]))
        # The later article in canonical order is the one whose vector is read in order (``similarity_graph``).
        other, doc = canonical_order([left, right])
        doc_side = "left" if doc is left else "right"
        other_side = "right" if doc_side == "left" else "left"
        cosine = 0.0
        for term in sorted(row["shared"], key=lambda term: term[f"{doc_side}_pos"]):
            cosine += term[f"{doc_side}_weight"] * term[f"{other_side}_weight"]
        score = edge_score(cosine, other, doc, options.evidence, top)
        if score is not None:
            yield row["left"], row["right"], score


def _linkage(rows: Iterator[Any], options: StoryOptions) -> Iterator[tuple[str, str]]:
    """Each part's groups by ``cluster_graph``, each article with the first of its group."""
    for row in rows:
        ordered = canonical_order([Signature(m["id"], m["day"], (), tuple(m["names"])) for m in row["members"]])
        number = {sig.article: i for i, sig in enumerate(ordered)}
        edges = {}
        for edge in row["edges"]:
            a, b = sorted((number[edge["left"]], number[edge["right"]]))
            edges[(a, b)] = edge["score"]
        for group in cluster_graph(ordered, edges, options):
            for article in group:
                yield article, group[0]


def _stories(rows: Iterator[Any]) -> Iterator[tuple]:
    for row in rows:
        story: Story = make_story([from_row(Article, article.asDict()) for article in row["articles"]])
        yield tuple(to_row(story).values())
