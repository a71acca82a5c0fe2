"""Benchmarks: each module prints its figures as a table; run one with `python -m benchmarks.<name>`.

They read the evaluation data from ../shared/data beside the checkout (never shipped with the project).
"""

from pathlib import Path

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
