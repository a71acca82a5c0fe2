"""Writing records out: JSON Lines (lossless) or CSV (nested values as JSON text, formula cells defused)."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import IO, Any

from newstrace.errors import NewstraceError
from newstrace.safety import for_csv_cell

EXPORT_FORMATS = ("jsonl", "csv")


def write_records(records: Iterable[dict[str, Any]], fmt: str, out: IO[str]) -> int:
    """Write ``records`` to ``out`` in ``fmt``; returns how many were written."""
    if fmt not in EXPORT_FORMATS:
        raise NewstraceError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    count = 0
    writer: csv.DictWriter | None = None
    for record in records:
        if fmt == "jsonl":
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            if writer is None:
                writer = csv.DictWriter(out, fieldnames=list(record), extrasaction="ignore")
                writer.writeheader()
            writer.writerow({k: _csv_cell(v) for k, v in record.items()})
        count += 1
    return count


def _csv_cell(value: Any) -> Any:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = "; ".join(value)
    elif isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False)
    return for_csv_cell(value)
