"""The relate commands run in-process: relate, export relations, export sites, and their help."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from conftest import add_articles
from newstrace.cli import app
from newstrace.model import Article
from newstrace.store import open_store

TEXT = "\n\n".join(
    f"Sentence number {n} of the fictional report names the Velin harbour council, skipper Ekland and {n * 7} crowns."
    for n in range(1, 9)
)

runner = CliRunner()


@pytest.fixture
def db(db_path: Path) -> Path:
    with open_store(db_path) as store:
        add_articles(
            store,
            [
                Article(id="first", text=TEXT, site="herald.example", date="2024-01-01"),
                Article(id="second", text=TEXT, site="farm.example", date="2024-01-02"),
            ]
        )
    return db_path


@pytest.mark.parametrize("command", [["relate"], ["export", "relations"], ["export", "sites"]])
def test_commands_have_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "--db" in result.output


def test_relate_then_export_relations_as_jsonl_and_csv(db: Path) -> None:
    result = runner.invoke(app, ["relate", "--db", str(db)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["export", "relations", "--db", str(db)])
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["original"], r["derived"], r["kind"], r["direction"]) for r in records] == [
        ("first", "second", "duplicate", "known")
    ]
    assert records[0]["evidence"][0]["change"] == "identical"
    result = runner.invoke(app, ["export", "relations", "--db", str(db), "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows[0]["original"] == "first"
    assert json.loads(rows[0]["coverage"]) == {"original": 1.0, "derived": 1.0}


def test_export_sites(db: Path, tmp_path: Path) -> None:
    runner.invoke(app, ["relate", "--db", str(db)])
    out = tmp_path / "sites.jsonl"
    result = runner.invoke(app, ["export", "sites", "--db", str(db), "-o", str(out)])
    assert result.exit_code == 0, result.output
    sites = {r["site"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert sites["farm.example"]["derived"] == 1
    assert sites["farm.example"]["sources"] == [["herald.example", 1]]
    assert sites["herald.example"]["originals"] == 1
