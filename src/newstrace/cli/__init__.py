"""Command line: thin shells over the library. Each command module registers itself on ``app``."""

from __future__ import annotations

import sys

from typer.main import get_command

from newstrace.cli import checks, core, export, relate, serve, stories, watch  # noqa: F401  (each registers its commands)
from newstrace.cli.app import app, console
from newstrace.errors import NewstraceError
from newstrace.safety import for_terminal

__all__ = ["app", "command_paths", "main"]


def command_paths() -> list[list[str]]:
    """Every command and sub-command as its words (``[]`` is ``newstrace`` itself), depth first, by name."""
    paths: list[list[str]] = []

    def walk(command: object, prefix: list[str]) -> None:
        paths.append(prefix)
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, [*prefix, name])

    walk(get_command(app), [])
    return paths


def main() -> None:
    """Entry point: run the CLI, turning newstrace's own errors into a message and exit status 2."""
    try:
        app(standalone_mode=True)
    except NewstraceError as error:
        console.print(f"[bold red]error:[/] {for_terminal(str(error), markup=True)}", highlight=False)
        sys.exit(2)
