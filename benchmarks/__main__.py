"""Run every benchmark in turn, each in its own process (so memory figures are its own):
`python -m benchmarks [NAME ...]`."""

import subprocess
import sys

MODULES = (
    "ingest",
    "extraction",
    "relate",
    "crosslingual",
    "stories",
    "stories_ceiling",
    "checks",
    "stream",
    "embedding",
    "watch",
    "serve",
)

failed = []
for name in sys.argv[1:] or MODULES:
    print(f"\n=== benchmarks.{name} ===", flush=True)
    if subprocess.run([sys.executable, "-m", f"benchmarks.{name}"], check=False).returncode:
        failed.append(name)
sys.exit(f"failed: {', '.join(failed)}" if failed else 0)
