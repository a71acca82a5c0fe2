"""Relate on Spark: the very pairs ``Relator.add_all`` verifies, found by joins, then the same verification,
completion and resolution.

1. Fingerprints (``fingerprint``) and, for articles that search other languages, their names and numbers
   (``anchor_stems``); the index statistics (how many articles use each stem) by aggregation.
2. Each query (an article's own fingerprint, or its anchors) is planned by ``plan_search`` from its
   stems' frequencies; its searched stems are joined with the postings of every article using them, and
   each hit's shared weight is added up in plan order (as the embedded index adds it), then
   ``best_hits`` ranks the hits and ``Translations.pick`` keeps the other-language ones.
3. Each distinct pair is verified once by ``PairVerifier`` (its order check from the two articles' rare
   stems, ``in_order_share``).
4. Copy groups (connected pairs) are completed (``missing_pairs``, verified without the order check),
   and each group's relations resolved by ``resolve_group``.
"""

from __future__ import annotations

import functools
import pickle
from collections.abc import Iterator
from typing import Any

import numpy as np

from newstrace.errors import NewstraceError
from newstrace.model import Article, Relation
from newstrace.relate import RelateOptions
from newstrace.relate.candidates import (
    IndexSettings,
    SearchPlan,
    best_hits,
    fingerprint,
    in_order_share,
    plan_search,
)
from newstrace.relate.crosslingual import Translations, anchor_stems, commonest
from newstrace.relate.graph import Edge
from newstrace.relate.relator import PairVerifier, missing_pairs, resolve_group
from newstrace.spark.frames import connected_groups, python_step, record_columns, record_schema
from newstrace.tables import from_row, to_row

_PRINTS = "id string, language string, stems array<string>, anchors array<string>"
_PLANS = (
    "id string, language string, kind string, total double, mean double, "
    "searched array<struct<stem:string,rank:int,weight:double>>, rare array<string>"
)
_EDGES = "left string, right string, comparison binary"
OWN, ANCHORS = "own", "anchors"


def relate(spark: Any, articles: Any, options: RelateOptions) -> Any:
    """The relations among ``articles`` (a table of Article rows), as ``relate_all`` gives them."""
    from pyspark.sql import functions as F

    if options.semantic:
        raise NewstraceError("the Spark engine searches by rare stems only: run it with the semantic search off")
    quiet = None
    if options.crosslingual.enabled:
        counts = articles.where("language IS NOT NULL").groupBy("language").count().collect()
        quiet = commonest({row["language"]: row["count"] for row in counts})
    prints = python_step(
        articles.select("id", "text", "language"), functools.partial(_fingerprints, options=options, quiet=quiet), _PRINTS
    ).localCheckpoint()
    documents = prints.count()
    postings = prints.select("id", F.size("stems").alias("size"), "language", F.posexplode("stems").alias("pos", "stem"))
    frequencies = postings.groupBy("stem").agg(F.count("*").alias("df"))
    queries = postings.select("id", "language", F.lit(OWN).alias("kind"), "pos", "stem").unionByName(
        prints.select("id", "language", F.lit(ANCHORS).alias("kind"), F.posexplode("anchors").alias("pos", "stem"))
    )
    planned = (
        queries.join(frequencies, "stem")
        .groupBy("id", "language", "kind")
        .agg(F.collect_list(F.struct("pos", "stem", "df")).alias("terms"))
    )
    plans = python_step(planned, functools.partial(_plans, documents=documents), _PLANS).localCheckpoint()
    pairs = _candidate_pairs(plans, postings, options)
    sides = articles.join(plans.where(F.col("kind") == OWN).select("id", "rare"), "id", "left").select(
        "id", F.struct(*record_columns(Article)).alias("article"), F.coalesce("rare", F.array()).alias("rare")
    )
    edges = _verified(pairs, sides, options, order_check=True).localCheckpoint()
    groups = connected_groups(edges)
    linked = edges.join(groups.withColumnRenamed("node", "left"), "left")
    members = groups.groupBy("group").agg(F.collect_list("node").alias("members"))
    unlinked = members.join(
        linked.groupBy("group").agg(F.collect_list(F.struct("left", "right")).alias("linked")), "group"
    )
    missing = python_step(
        unlinked, functools.partial(_missing, max_size=options.complete_max_size), "left string, right string"
    )
    completed = edges.unionByName(_verified(missing, sides, options, order_check=False))
    return _resolved(completed, groups, articles, options)


def _fingerprints(rows: Iterator[Any], options: RelateOptions, quiet: str | None) -> Iterator[tuple]:
    translations = Translations(options.crosslingual) if options.crosslingual.enabled else None
    if translations:
        translations.quiet_language = quiet
    for row in rows:
        article = Article(id=row["id"], text=row["text"], language=row["language"])
        searches = translations is not None and translations.searches(article)
        yield article.id, article.language, list(fingerprint(article.text)), list(anchor_stems(article.text)) if searches else []


def _plans(rows: Iterator[Any], documents: int) -> Iterator[tuple]:
    """Each query's plan (``plan_search``) and, for an article's own fingerprint, its rare stems in order."""
    settings = IndexSettings()
    for row in rows:
        terms = sorted(row["terms"], key=lambda term: term["pos"])
        df = np.asarray([term["df"] for term in terms], dtype=np.int64)
        stems = [term["stem"] for term in terms]
        plan = plan_search(df, 0, documents, settings)
        searched = [] if plan is None else [
            (stems[position], rank, weight)
            for rank, (position, weight) in enumerate(zip(plan.positions.tolist(), plan.weights.tolist(), strict=True))
        ]
        rare = [stem for stem, count in zip(stems, df.tolist(), strict=True) if count <= settings.cap(documents)]
        total, mean = (plan.total, plan.mean) if plan else (None, None)
        yield row["id"], row["language"], row["kind"], total, mean, searched, rare if row["kind"] == OWN else None


def _candidate_pairs(plans: Any, postings: Any, options: RelateOptions) -> Any:
    """The distinct pairs (left < right) that the articles' searches name as candidates."""
    from pyspark.sql import functions as F

    searched = plans.where("total IS NOT NULL").select(
        F.col("id").alias("query"), "language", "kind", "total", "mean", F.explode("searched").alias("term")
    ).select("query", "language", "kind", "total", "mean", "term.*")
    hits = (
        searched.join(postings.select("stem", F.col("id").alias("hit"), "size", F.col("language").alias("hit_language")), "stem")
        .groupBy("query", "language", "kind", "total", "mean", "hit", "size", "hit_language")
        # The weights a hit shares, added in the plan's order, as the embedded index adds them.
        .agg(F.array_sort(F.collect_list(F.struct("rank", "weight"))).alias("shared"))
        .select(
            "query", "language", "kind", "total", "mean", "hit", "size", "hit_language",
            F.aggregate("shared", F.lit(0.0), lambda total, term: total + term["weight"]).alias("shared"),
        )
        .groupBy("query", "language")
        .agg(F.collect_list(F.struct("kind", "total", "mean", "hit", "size", "hit_language", "shared")).alias("hits"))
    )
    return python_step(hits, functools.partial(_candidates, options=options), "left string, right string").distinct()


def _candidates(rows: Iterator[Any], options: RelateOptions) -> Iterator[tuple[str, str]]:
    """For each query article, its candidates as ``Relator._candidates`` finds them, as sorted pairs."""
    crosslingual = options.crosslingual
    translations = Translations(crosslingual) if crosslingual.enabled else None
    for row in rows:
        query = row["query"]
        own = [c.id for c in _ranked(row["hits"], OWN, query, options.top_k, options.min_candidate_score)]
        found = list(own)
        if translations:
            ranked = _ranked(row["hits"], ANCHORS, query, crosslingual.search_k, crosslingual.min_candidate_score)
            languages = {hit["hit"]: hit["hit_language"] for hit in row["hits"]}
            found += translations.pick(row["language"], ((c.id, languages[c.id]) for c in ranked), own)
        for candidate in found:
            yield (candidate, query) if candidate < query else (query, candidate)


def _ranked(hits: list[Any], kind: str, query: str, top_k: int, min_score: float) -> list[Any]:
    mine = sorted((hit for hit in hits if hit["kind"] == kind), key=lambda hit: hit["hit"])
    if not mine:
        return []
    plan = SearchPlan(np.zeros(0, dtype=np.int64), np.zeros(0), mine[0]["total"], mine[0]["mean"])
    shared = np.asarray([hit["shared"] for hit in mine], dtype=np.float64)
    sizes = np.asarray([hit["size"] for hit in mine], dtype=np.float64)
    ids = [hit["hit"] for hit in mine]
    return best_hits(np.arange(len(mine)), ids, shared, sizes, plan, top_k, min_score, query)


def _verified(pairs: Any, sides: Any, options: RelateOptions, order_check: bool) -> Any:
    """The pairs that ``PairVerifier`` finds to be copies, with their evidence (pickled)."""
    from pyspark.sql import functions as F

    both = pairs.join(
        sides.select(F.col("id").alias("left"), F.col("article").alias("left_article"), F.col("rare").alias("left_rare")),
        "left",
    ).join(
        sides.select(F.col("id").alias("right"), F.col("article").alias("right_article"), F.col("rare").alias("right_rare")),
        "right",
    )
    return python_step(both, functools.partial(_verify, options=options, order_check=order_check), _EDGES)


def _verify(rows: Iterator[Any], options: RelateOptions, order_check: bool) -> Iterator[tuple]:
    verifier = PairVerifier(options)
    for row in rows:
        left = from_row(Article, row["left_article"].asDict())
        right = from_row(Article, row["right_article"].asDict())
        agreement = functools.partial(_agreement, row["left_rare"], row["right_rare"]) if order_check else None
        edge = verifier.edge(left, right, agreement)
        if edge is not None:
            yield edge.left, edge.right, pickle.dumps(edge.comparison, protocol=pickle.HIGHEST_PROTOCOL)


def _agreement(mine: list[str], theirs: list[str]) -> tuple[float, int]:
    """``in_order_share`` of two rare-stem sequences (numbered alike: the numbers only have to match)."""
    numbers = {stem: i for i, stem in enumerate(dict.fromkeys([*mine, *theirs]))}
    return in_order_share(
        np.asarray([numbers[s] for s in mine], dtype=np.int64), np.asarray([numbers[s] for s in theirs], dtype=np.int64)
    )


def _missing(rows: Iterator[Any], max_size: int) -> Iterator[tuple[str, str]]:
    for row in rows:
        linked = {(pair["left"], pair["right"]) for pair in row["linked"]}
        yield from missing_pairs(row["members"], linked, max_size)


def _resolved(edges: Any, groups: Any, articles: Any, options: RelateOptions) -> Any:
    from pyspark.sql import functions as F

    by_group = edges.join(groups.withColumnRenamed("node", "left"), "left").groupBy("group").agg(
        F.collect_list(F.struct("left", "right", "comparison")).alias("edges")
    )
    texts = (
        groups.join(articles, groups["node"] == articles["id"])
        .groupBy("group")
        .agg(F.collect_list(F.struct(*record_columns(Article))).alias("articles"))
    )
    return python_step(by_group.join(texts, "group"), functools.partial(_resolve, options=options), record_schema(Relation))


def _resolve(rows: Iterator[Any], options: RelateOptions) -> Iterator[tuple]:
    for row in rows:
        edges = [Edge(e["left"], e["right"], pickle.loads(e["comparison"])) for e in row["edges"]]
        articles = {a["id"]: from_row(Article, a.asDict()) for a in row["articles"]}
        for relation in resolve_group(edges, articles, options):
            yield tuple(to_row(relation).values())
