"""Write docs/cli.md from the CLI's own --help, so the reference cannot drift from the code.

Run `python docs/cli_reference.py` after changing a command; tests/test_docs.py fails when it is stale.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from newstrace.cli import app, command_paths

REFERENCE = Path(__file__).with_name("cli.md")
ENVIRONMENT = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}


def reference() -> str:
    runner = CliRunner()
    sections = ["# newstrace command-line reference", "", "Generated from `--help` by `docs/cli_reference.py`.", ""]
    for path in command_paths():
        result = runner.invoke(app, [*path, "--help"], env=ENVIRONMENT, terminal_width=100)
        text = "\n".join(line.rstrip() for line in result.stdout.splitlines()).strip("\n")
        sections += [f"## `{' '.join(['newstrace', *path])}`", "", "```text", text, "```", ""]
    return "\n".join(sections)


if __name__ == "__main__":
    REFERENCE.write_text(reference(), encoding="utf-8")
    print(f"wrote {REFERENCE}")
