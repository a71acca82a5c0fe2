"""Command line: thin shells over the library. Each command module registers itself on ``app``."""

from __future__ import annotations

import sys

from newstrace.cli import checks, core, relate, stories  # noqa: F401  (each registers its commands)
from newstrace.cli.app import app, console
from newstrace.errors import NewstraceError

__all__ = ["app", "main"]


def main() -> None:
    """Entry point: run the CLI, turning newstrace's own errors into a message and exit status 2."""
    try:
        app(standalone_mode=True)
    except NewstraceError as error:
        console.print(f"[bold red]error:[/] {error}")
        sys.exit(2)
