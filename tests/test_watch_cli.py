"""`newstrace watch` in-process: a TOML watch list polled once, the store analysed, `watch status` after."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from typer.testing import CliRunner

from newstrace.cli import app
from newstrace.store import open_store
from watch_server import Reply, Site, article_page, rss

runner = CliRunner()


def test_watch_once_then_status(tmp_path: Path) -> None:
    with Site() as site:
        for number in (1, 2):
            site.routes[f"/a/{number}"] = Reply(200, article_page(number), {"Content-Type": "text/html"})
        site.routes["/feed.xml"] = Reply(200, rss([f"{site.url}/a/1", f"{site.url}/a/2", f"{site.url}/gone"]),
                                         {"Content-Type": "application/rss+xml"})
        listed = tmp_path / "watch.toml"
        listed.write_text(
            f'[watch]\nmin_interval = 0.05\narchive = "{tmp_path / "warc"}"\n'
            f'[[source]]\nurl = "{site.url}/feed.xml"\nname = "Local feed"\nkind = "feed"\n'
        )
        db = str(tmp_path / "t.db")
        result = runner.invoke(app, ["watch", "--once", str(listed), "--db", db])
        assert result.exit_code == 0, result.output
        assert "1 sources polled, 3 pages fetched, 2 through the stages" in result.stderr
        assert "/gone: HTTP 404" in result.stderr
        # Without a watch list, the sources of earlier runs; none is due yet, so nothing is asked.
        asked = len(site.hits)
        again = runner.invoke(app, ["watch", "run", "--once", "--db", db])
        assert "0 sources polled" in again.stderr and len(site.hits) == asked

    with open_store(db) as store:
        ids = store.articles.ids()
        assert len(ids) == 2 and set(store.stories.of(ids)) == set(ids)  # the later stages ran
    status = runner.invoke(app, ["watch", "status", "--db", db, "--json"])
    (row,) = [json.loads(line) for line in status.stdout.splitlines()]
    assert (row["source"]["name"], row["polls"], row["new_pages"], row["errors"]) == ("Local feed", 1, 2, 1)
    table = runner.invoke(app, ["watch", "status", "--db", db], env={"COLUMNS": "200"})
    assert "Local feed" in table.stdout and "2 pages seen, 1 failed" in table.stdout


def test_watch_without_anything_to_watch_says_so(tmp_path: Path) -> None:
    result = runner.invoke(app, ["watch", "--once", "--db", str(tmp_path / "t.db")])
    assert result.exit_code == 2 and "nothing to watch" in result.stderr
    bad = runner.invoke(app, ["watch", "--once", str(tmp_path / "missing.toml"), "--db", str(tmp_path / "t.db")])
    assert bad.exit_code == 2 and "is neither a url nor a readable file" in bad.stderr


def test_without_the_watch_extra_the_cli_says_what_to_install(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "httpx", None)  # as if httpx were not installed
    for name in [name for name in sys.modules if name.startswith("newstrace.watch")]:
        monkeypatch.delitem(sys.modules, name)
    result = runner.invoke(app, ["watch", "status", "--db", str(tmp_path / "t.db")])
    assert result.exit_code == 2 and "pip install 'newstrace[watch]'" in result.stderr


def test_text_from_the_web_cannot_drive_the_terminal() -> None:
    from newstrace.cli.watch import _untrusted

    assert _untrusted("https://x.example/\x1b[2J[bold]a\x07").plain == "https://x.example/[2J[bold]a"
