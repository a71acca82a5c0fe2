"""Run every benchmark in turn: `python -m benchmarks`."""

import importlib
import sys

MODULES = ("ingest", "extraction", "relate", "stories", "checks", "embedding")

for name in sys.argv[1:] or MODULES:
    print(f"\n=== benchmarks.{name} ===", flush=True)
    importlib.import_module(f"benchmarks.{name}").main()
