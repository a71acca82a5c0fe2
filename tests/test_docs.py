"""The CLI reference in docs/cli.md is generated from --help and must match the commands as they are."""

from __future__ import annotations

import importlib.util
from pathlib import Path

GENERATOR = Path(__file__).resolve().parents[1] / "docs" / "cli_reference.py"


def test_cli_reference_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location("cli_reference", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.REFERENCE.read_text(encoding="utf-8") == module.reference(), (
        "docs/cli.md is stale: run `python docs/cli_reference.py`"
    )
