"""Sources and extraction on Spark: every input item as an ``Article`` or a ``Problem``, as ingest makes them.

Local paths are read by the embedded engine's own readers (``read_sources``), one task per input;
other URIs (``hdfs://``, ``s3a://``, ...) through Hadoop, one task per file, each file handed to the same
readers; ``.parquet`` inputs (a file or a folder) are read by Spark, each row read as a JSON line is.
Items are then spread over the cluster and extracted with ``extract_item``. Each item keeps where it came
in (input, file, item), and of several articles with one id the first in that order is kept, as ingest
keeps the first one stored: a later one with the same text is a duplicate, one with other text a
``Problem``.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from newstrace.engine.ingest import ID_TAKEN, extract_item
from newstrace.extract.stage import learn_templates, without_templates
from newstrace.extract.templates import TemplateOptions
from newstrace.model import Article, Problem
from newstrace.sources import SourceItem, SourceOptions, file_format, read_file, read_sources
from newstrace.sources.readers import read_json_lines
from newstrace.spark.frames import record_columns, record_schema
from newstrace.spark.output import INPUT_ORDER
from newstrace.tables import from_row, to_row

Key = tuple[int, str, int]
"""Where an item came in: the input's place among the inputs, the file (for inputs read by file), the item."""

_ITEM_SCHEMA = "kind string, input_index bigint, input_file string, input_item bigint, content_hash string, data string"


def is_local(path: str) -> bool:
    """Whether ``path`` names this machine's file system (no URI scheme, or ``file:``)."""
    return "://" not in path or path.startswith("file:")


def _local_path(path: str) -> str:
    return path[len("file://") :] if path.startswith("file://") else path.removeprefix("file:")


def read_items(spark: Any, inputs: list[str], options: SourceOptions) -> Any:
    """Every input item, extracted: a DataFrame of articles and problems (JSON forms) with their keys."""
    context = spark.sparkContext
    pieces = []
    local = [(i, _local_path(p)) for i, p in enumerate(inputs) if is_local(p) and not p.endswith(".parquet")]
    if local:
        pieces.append(context.parallelize(local, len(local)).flatMap(functools.partial(_read_local, options=options)))
    for index, uri in enumerate(inputs):
        if uri.endswith(".parquet"):
            pieces.append(_parquet_items(spark, index, uri, options))
        elif not is_local(uri):
            context._jsc.hadoopConfiguration().set("mapreduce.input.fileinputformat.input.dir.recursive", "true")
            files = context.binaryFiles(uri)
            pieces.append(files.flatMap(functools.partial(_read_remote, index=index, options=options)))
    items = context.union(pieces) if len(pieces) > 1 else pieces[0]
    partitions = int(spark.conf.get("spark.sql.shuffle.partitions"))
    extracted = items.repartition(partitions).mapPartitions(_extract)
    return spark.createDataFrame(extracted, _ITEM_SCHEMA)


def _read_local(job: tuple[int, str], options: SourceOptions) -> Iterator[tuple[Key, SourceItem]]:
    index, path = job
    for number, item in enumerate(read_sources([path], options)):
        yield (index, "", number), item


def _read_remote(file: tuple[str, bytes], index: int, options: SourceOptions) -> Iterator[tuple[Key, SourceItem]]:
    """A file read through Hadoop, handed to the reader its name calls for (as a local copy, under its
    own name, whose origin is then given back as the URI)."""
    uri, data = file
    name = uri.rstrip("/").rsplit("/", 1)[-1]
    if file_format(Path(name))[0] is None:
        yield (index, uri, 0), Problem(uri, f"skipped: unsupported file type {''.join(Path(name).suffixes) or '(none)'}")
        return
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / name
        copy.write_bytes(data)
        for number, item in enumerate(read_file(copy, options)):
            yield (index, uri, number), dataclasses.replace(item, origin=uri + item.origin[len(str(copy)) :])


def _parquet_items(spark: Any, index: int, uri: str, options: SourceOptions) -> Any:
    """Rows of a Parquet input, each read as a JSON line is (text or html, id, url, title, date, ...)."""
    frame = spark.read.parquet(uri).select("*", "_metadata.file_path", "_metadata.row_index")
    return frame.rdd.flatMap(functools.partial(_parquet_row, index=index, options=options))


def _parquet_row(row: Any, index: int, options: SourceOptions) -> Iterator[tuple[Key, SourceItem]]:
    record = row.asDict()
    path, number = record.pop("file_path"), record.pop("row_index")
    line = json.dumps(record, default=str).encode("utf-8")
    origin = f"{path}#{number}"
    for item in read_json_lines(io.BytesIO(line), origin, options):
        yield (index, path, number), dataclasses.replace(item, origin=origin)


def _extract(items: Iterator[tuple[Key, SourceItem]]) -> Iterator[tuple]:
    for (index, file, number), item in items:
        result = extract_item(item)
        if isinstance(result, Problem):
            yield "problem", index, file, number, None, json.dumps(to_row(result))
        else:
            yield "article", index, file, number, result.content_hash, json.dumps(to_row(result))


def split_items(spark: Any, items: Any) -> tuple[Any, Any]:
    """The articles (the first of each id) and the problems, as tables of their records with their keys."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    order = [name for name, _ in INPUT_ORDER]
    articles = items.where("kind = 'article'").withColumn(
        "record", F.from_json("data", record_schema(Article))
    ).select(*order, "content_hash", "record.*")
    first = Window.partitionBy("id").orderBy(*order)
    ranked = articles.withColumn("first_hash", F.first("content_hash").over(first)).withColumn(
        "place", F.row_number().over(first)
    )
    kept = ranked.where("place = 1").select(*record_columns(Article), *order)
    before_id, after_id = ID_TAKEN.split("{}")
    refused = ranked.where("place > 1 AND content_hash != first_hash").select(
        F.col("origin"),
        F.concat(F.lit(before_id), F.col("id"), F.lit(after_id)).alias("reason"),
        F.lit("extract").alias("stage"),
        *order,
    )
    problems = (
        items.where("kind = 'problem'")
        .withColumn("record", F.from_json("data", record_schema(Problem)))
        .select("record.*", *order)
        .unionByName(refused)
    )
    return kept, problems


def strip_site_templates(spark: Any, articles: Any, options: TemplateOptions) -> Any:
    """The articles with their sites' template lines moved out, as the embedded engine's bulk run does:
    each site's templates are learnt from all its articles (one site's articles go to one task)."""
    names = articles.columns

    def per_site(group: tuple[str, Any]) -> Iterator[tuple[Any, ...]]:
        site, rows = group[0], list(group[1])
        if not site:
            yield from (tuple(row) for row in rows)
            return
        found = [from_row(Article, row.asDict()) for row in rows]
        learnt = learn_templates(found, options)
        templates = learnt.templates.get(site, [])
        for row, article in zip(rows, found, strict=True):
            stripped = without_templates(article, templates) if article.id in learnt.holders else None
            if stripped is None:
                yield tuple(row)
                continue
            values = {**row.asDict(), **{k: v for k, v in to_row(stripped).items() if k in ("text", "removed")}}
            yield tuple(values[name] for name in names)

    sites = articles.rdd.map(lambda row: (row["site"] or row["outlet"] or "", row))
    return spark.createDataFrame(sites.groupByKey().flatMap(per_site), articles.schema)
