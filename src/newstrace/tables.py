"""Records as flat table rows: the Parquet form shared by ``export --format parquet``, the Spark job's
output and ``newstrace spark import``.

A record's column types come from its field annotations: text, whole numbers, real numbers and flags
keep their type, a tuple of strings becomes a list of strings, and every other value (spans, nested
records, dictionaries) is kept as its JSON text, so any record fits a fixed schema whatever it holds.
Reading a row back gives the very record that was written (``from_row(type, to_row(r)) == r``).

pyarrow (the ``parquet`` or ``spark`` extra) is imported only by the functions that write or read files.
"""

from __future__ import annotations

import functools
import json
import types
import typing
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any, Literal, TypeVar

from newstrace.errors import NewstraceError
from newstrace.model import Record

R = TypeVar("R", bound=Record)

ColumnKind = Literal["string", "long", "double", "bool", "strings", "json"]
_SCALARS: dict[Any, ColumnKind] = {str: "string", int: "long", float: "double", bool: "bool"}


def _kind(hint: Any) -> ColumnKind:
    origin, arguments = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in arguments if a is not types.NoneType]
        return _kind(inner[0]) if len(inner) == 1 else "json"
    if origin is Literal and all(isinstance(a, str) for a in arguments):
        return "string"
    if origin is tuple and arguments in ((str, ...),):
        return "strings"
    return _SCALARS.get(hint, "json")


@functools.cache
def columns(record_type: type[Record]) -> tuple[tuple[str, ColumnKind], ...]:
    """The columns of ``record_type``'s table: each field's name and kind, in field order."""
    hints = typing.get_type_hints(record_type)
    return tuple((f.name, _kind(hints[f.name])) for f in fields(record_type))  # type: ignore[arg-type]


def to_row(record: Record) -> dict[str, Any]:
    """``record`` as a table row (see ``columns``)."""
    return plain_row(type(record), record.to_dict())


def plain_row(record_type: type[Record], plain: Mapping[str, Any]) -> dict[str, Any]:
    """A record's JSON form (``to_dict``) as a row of ``record_type``'s table."""
    return {
        name: json.dumps(plain.get(name), ensure_ascii=False) if kind == "json" else plain.get(name)
        for name, kind in columns(record_type)
    }


def from_row(record_type: type[R], row: Mapping[str, Any]) -> R:
    """The record a row of ``record_type``'s table holds (columns it does not know are ignored)."""
    plain = {}
    for name, kind in columns(record_type):
        if name in row:
            value = row[name]
            plain[name] = json.loads(value) if kind == "json" and value is not None else value
    return record_type.from_dict(plain)


def arrow_schema(record_type: type[Record], extra: Iterable[tuple[str, ColumnKind]] = ()):  # type: ignore[no-untyped-def]
    """The pyarrow schema of ``record_type``'s table, with ``extra`` columns after its own."""
    pa = _pyarrow()
    types_ = {
        "string": pa.string(),
        "long": pa.int64(),
        "double": pa.float64(),
        "bool": pa.bool_(),
        "strings": pa.list_(pa.string()),
        "json": pa.string(),
    }
    return pa.schema([(name, types_[kind]) for name, kind in (*columns(record_type), *extra)])


def write_parquet(
    records: Iterable[Mapping[str, Any]], record_type: type[Record], path: str | Path, batch: int = 2000
) -> int:
    """Write ``records`` (JSON forms of ``record_type``) to the Parquet file ``path``; returns how many."""
    pa, pq = _pyarrow(), _pyarrow_parquet()
    schema = arrow_schema(record_type)
    count = 0
    with pq.ParquetWriter(str(path), schema) as writer:
        rows: list[dict[str, Any]] = []
        for record in records:
            rows.append(plain_row(record_type, record))
            count += 1
            if len(rows) == batch:
                writer.write_table(pa.Table.from_pylist(rows, schema=schema))
                rows = []
        writer.write_table(pa.Table.from_pylist(rows, schema=schema))
    return count


def read_rows(path: str | Path) -> Iterator[dict[str, Any]]:
    """The rows of a Parquet file or of a directory of them (a Spark output), batch by batch."""
    dataset = _pyarrow_dataset().dataset(str(path), format="parquet")
    for batch in dataset.to_batches():
        yield from batch.to_pylist()


def _pyarrow():  # type: ignore[no-untyped-def]
    try:
        import pyarrow
    except ImportError as error:
        raise NewstraceError("Parquet needs pyarrow: pip install 'newstrace[parquet]'") from error
    return pyarrow


def _pyarrow_parquet():  # type: ignore[no-untyped-def]
    _pyarrow()
    import pyarrow.parquet

    return pyarrow.parquet


def _pyarrow_dataset():  # type: ignore[no-untyped-def]
    _pyarrow()
    import pyarrow.dataset

    return pyarrow.dataset
