"""Faults around the engine and the store (issue 16): a run killed at any stage is finished by the next
one, exactly as a clean run; broken store files give one clear line, never a traceback; Ctrl-C stops
once; long text costs linear time."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newstrace.nlp.sentences import split_sentences
from newstrace.store import open_store

DEMO = Path(__file__).resolve().parents[1] / "examples" / "demo"

# Runs `newstrace analyze` in a fresh interpreter after replacing one stage's `run` (or the engine's
# ingest step) with one that kills the process with SIGKILL once it has done its work, before the
# engine writes it: the worst moment to die.
KILLER = """
import os, signal, sys
from newstrace.cli import main
point = sys.argv.pop(1)
if point == "stored":
    from newstrace.engine.local import LocalEngine
    LocalEngine.run = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
else:
    import importlib
    module, name = {
        "relate": ("newstrace.relate.stage", "RelateStage"),
        "stories": ("newstrace.stories.stage", "StoryStage"),
        "checks": ("newstrace.checks.stage", "CheckStage"),
        "brief": ("newstrace.brief.stage", "BriefStage"),
    }[point]
    stage = getattr(importlib.import_module(module), name)
    original = stage.run
    def run(self, due, context):
        original(self, due, context)
        os.kill(os.getpid(), signal.SIGKILL)
    stage.run = run
sys.argv[0] = "newstrace"
main()
"""


def _newstrace(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "newstrace", *args], capture_output=True, text=True)


def _records(db: Path) -> dict[str, list[dict]]:
    with open_store(db) as store:
        return {
            "relations": [r.to_dict() for r in store.relations.all()],
            "stories": [s.to_dict() for s in store.stories.all()],
            "findings": [f.to_dict() for f in store.findings.all()],
            "briefs": [b.to_dict() for b in store.briefs.all()],
            "due": [store.stages.done(a) for a in store.articles.ids()],
        }


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict]]:
    db = tmp_path_factory.mktemp("clean") / "clean.db"
    assert _newstrace("analyze", str(DEMO), "--db", str(db)).returncode == 0
    return _records(db)


@pytest.mark.parametrize("point", ["stored", "relate", "stories", "checks", "brief"])
def test_kill_9_at_each_stage_then_a_rerun_equals_a_clean_run(point: str, tmp_path: Path, clean_run) -> None:
    """Issue 16, case 3: relations, stories, findings and briefs after kill + rerun equal a clean run."""
    db = tmp_path / "killed.db"
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, point, "analyze", str(DEMO), "--db", str(db)], capture_output=True, text=True
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    interrupted = _records(db)
    assert interrupted != clean_run  # the kill left work undone
    rerun = _newstrace("analyze", str(DEMO), "--db", str(db))
    assert rerun.returncode == 0, rerun.stderr
    assert "0 ingested, 9 already stored" in rerun.stderr
    assert _records(db) == clean_run


def test_a_rebuild_killed_before_it_is_written_keeps_the_old_stories_and_options(tmp_path: Path) -> None:
    """Issue 16, case 20: a killed `stories rebuild --window-days N` saves neither the option nor half
    the stories."""
    db = tmp_path / "t.db"
    _newstrace("analyze", str(DEMO), "--db", str(db))
    before = _records(db)
    with open_store(db) as store:
        options = store.settings.get("stories")
    killed = subprocess.run(
        [sys.executable, "-c", KILLER, "stories", "stories", "rebuild", "--window-days", "60", "--db", str(db)],
        capture_output=True, text=True,
    )
    assert killed.returncode == -signal.SIGKILL
    with open_store(db) as store:
        assert store.settings.get("stories") == options
    assert _records(db) == before
    assert _newstrace("stories", "rebuild", "--window-days", "60", "--db", str(db)).returncode == 0
    with open_store(db) as store:
        assert json.loads(store.settings.get("stories"))["window_days"] == 60


@pytest.mark.parametrize(
    "content",
    [b"this is a text file, not a database" * 200, b"SQLite format 3\x00" + b"\xff" * 4000],
    ids=["not-a-database", "damaged-header"],
)
def test_a_file_that_is_no_store_is_one_clear_error(tmp_path: Path, content: bytes) -> None:
    """Issue 16, case 12."""
    db = tmp_path / "broken.db"
    db.write_bytes(content)
    for command in (["ingest", str(DEMO)], ["export", "articles"], ["check"]):
        result = _newstrace(*command, "--db", str(db))
        assert result.returncode == 2, result.stderr
        assert "error:" in result.stderr and str(db) in result.stderr
        assert "Traceback" not in result.stderr
    assert db.read_bytes() == content  # nothing written into it


def test_a_store_damaged_inside_gives_a_clear_error_not_a_traceback(tmp_path: Path) -> None:
    """Issue 16, case 13: reading a damaged page stops with one line naming the store."""
    db = tmp_path / "t.db"
    _newstrace("ingest", "--store-only", str(DEMO), "--db", str(db))
    data = bytearray(db.read_bytes())
    page = 16384
    for at in range(page * 2, len(data), page):  # every page after the schema's: tables and indexes
        data[at : at + 100] = b"\x00\xff" * 50
    db.write_bytes(bytes(data))
    result = _newstrace("export", "articles", "--db", str(db))
    assert result.returncode == 2
    assert "error:" in result.stderr and "Traceback" not in result.stderr


def _as_from_a_shell() -> None:
    """Ctrl-C as a shell starts a command with it: handled by default and not blocked, whatever the signal
    state this test process was left in by the tests before it (children inherit both)."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_ctrl_c_during_relate_stops_with_one_line(tmp_path: Path) -> None:
    """Issue 16, case 15: workers ignore the interrupt; the command says once what happened, status 130."""
    corpus = tmp_path / "corpus.jsonl"
    with open(corpus, "w", encoding="utf-8") as file:
        for number in range(4000):
            text = " ".join(f"word{(number * 7 + k) % 5000} town{k % 97}" for k in range(150)) + "."
            file.write(json.dumps({"id": f"n{number}", "text": text, "date": "2024-03-01"}) + "\n")
    db = tmp_path / "t.db"
    assert _newstrace("ingest", "--store-only", str(corpus), "--db", str(db)).returncode == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "newstrace", "relate", "--db", str(db)],
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_as_from_a_shell,
    )
    time.sleep(4)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=180)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert stderr.count("interrupted") == 1


def test_one_long_paragraph_is_split_in_linear_time() -> None:
    """Issue 16, case 19: 10 MB of text without a newline takes seconds, not hours."""
    sentence = "The council met Mr. Lee in Washington, D.C. on Monday and voted 5 to 2. "
    started = time.process_time()
    spans = split_sentences(sentence * (10_000_000 // len(sentence)))
    assert time.process_time() - started < 30
    assert len(spans) == 10_000_000 // len(sentence)
