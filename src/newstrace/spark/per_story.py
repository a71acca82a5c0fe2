"""Checks and briefs on Spark: each story's articles, relations and findings brought together by a
group-by on the story, then the embedded stages' own functions (``check_inputs`` and
``findings_by_article``; ``BriefStage.make``) run on them.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

from newstrace.brief import BriefOptions
from newstrace.brief.stage import BriefStage
from newstrace.checks import CheckOptions
from newstrace.checks.stage import check_inputs, findings_by_article
from newstrace.model import Article, Brief, Finding, Relation, Story
from newstrace.spark.frames import python_step, record_columns, record_schema
from newstrace.tables import from_row, to_row


def _membership(stories: Any) -> Any:
    from pyspark.sql import functions as F

    return stories.select(F.col("id").alias("story"), F.explode("articles").alias("member"))


def _collected(frame: Any, columns: list[str], name: str) -> Any:
    from pyspark.sql import functions as F

    return frame.groupBy("story").agg(F.collect_list(F.struct(*columns)).alias(name))


def checks(articles: Any, relations: Any, stories: Any, options: CheckOptions) -> Any:
    """Every finding of every story's articles, each with its place among its article's findings."""
    from pyspark.sql import functions as F

    members = _membership(stories)
    # The relations deriving an article of the story, and the originals outside it that they copy.
    deriving = relations.join(members.withColumnRenamed("member", "derived"), "derived")
    wanted = members.select("story", F.col("member").alias("id")).union(
        deriving.select("story", F.col("original").alias("id"))
    ).distinct()
    texts = _collected(wanted.join(articles, "id"), record_columns(Article), "articles")
    copies = _collected(deriving, record_columns(Relation), "relations")
    together = (
        stories.withColumnRenamed("id", "story")
        .select("story", F.struct(*[F.col(c) for c in ("title", "articles", "first_seen", "last_seen", "outlets")]).alias("record"))
        .join(texts, "story")
        .join(copies, "story", "left")
    )
    return python_step(
        together, functools.partial(_check, options=options), record_schema(Finding, [("rank", "long")])
    )


def _story(row: Any) -> Story:
    return from_row(Story, {"id": row["story"], **row["record"].asDict()})


def _check(rows: Iterator[Any], options: CheckOptions) -> Iterator[tuple]:
    for row in rows:
        story = _story(row)
        relations = [from_row(Relation, r.asDict()) for r in row["relations"] or ()]
        wanted, relations = check_inputs(story, relations)
        by_id = {a["id"]: from_row(Article, a.asDict()) for a in row["articles"]}
        found = findings_by_article(story, [by_id[i] for i in wanted], relations, options)
        for findings in found.values():
            for rank, finding in enumerate(findings):
                yield *to_row(finding).values(), rank


def briefs(articles: Any, relations: Any, stories: Any, findings: Any, options: BriefOptions) -> Any:
    """Every story's brief."""
    from pyspark.sql import functions as F

    members = _membership(stories)
    touching = (
        relations.join(members.withColumnRenamed("member", "original"), "original")
        .unionByName(relations.join(members.withColumnRenamed("member", "derived"), "derived"))
        .distinct()
    )
    texts = _collected(members.join(articles, members["member"] == articles["id"]), record_columns(Article), "articles")
    copies = _collected(touching, record_columns(Relation), "relations")
    found = _collected(
        findings.join(members.withColumnRenamed("member", "article"), "article"),
        [*record_columns(Finding), "rank"],
        "findings",
    )
    together = (
        stories.withColumnRenamed("id", "story")
        .select("story", F.struct(*[F.col(c) for c in ("title", "articles", "first_seen", "last_seen", "outlets")]).alias("record"))
        .join(texts, "story")
        .join(copies, "story", "left")
        .join(found, "story", "left")
    )
    return python_step(together, functools.partial(_brief, options=options), record_schema(Brief))


# One brief stage per worker process and options: its sentence encoder is loaded once, not per partition.
_brief_stage = functools.cache(BriefStage)


def _brief(rows: Iterator[Any], options: BriefOptions) -> Iterator[tuple]:
    stage = _brief_stage(options)
    for row in rows:
        story = _story(row)
        by_id = {a["id"]: from_row(Article, a.asDict()) for a in row["articles"]}
        relations = sorted(
            (from_row(Relation, r.asDict()) for r in row["relations"] or ()), key=lambda r: (r.original, r.derived)
        )
        place = {article_id: i for i, article_id in enumerate(story.articles)}
        ranked = sorted(row["findings"] or (), key=lambda f: (place[f["article"]], f["rank"]))
        findings = [from_row(Finding, f.asDict()) for f in ranked]
        brief = stage.make(story, [by_id[i] for i in story.articles], relations, findings)
        yield tuple(to_row(brief).values())
