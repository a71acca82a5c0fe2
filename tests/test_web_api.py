"""The API under /api/v1: every route's status codes and bodies, problem+json errors, cursor paging, posting
articles (a retry answered the same and stored once) and files (a background job)."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
from pathlib import Path

import httpx
import pytest
import uvicorn

from newstrace.store import open_store
from newstrace.web import ServeOptions, create_app
from web_demo import AUTH, bridge_story, build_demo, client_over, walk

ORIGINAL = "49d2c6720b62e6a0"
SPUN = "demo-farm-spun"


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("web") / "demo.db")


@pytest.fixture(scope="module")
def client(demo_db: Path):
    with client_over(demo_db) as reader:
        yield reader


@pytest.fixture
def writer(demo_db: Path, tmp_path: Path):
    """A client over a copy of the demo store, for tests that write."""
    with client_over(demo_db, tmp_path / "copy.db") as copy:
        yield copy


def _problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def _copy_of(client, article_id: str, new_id: str, outlet: str) -> dict:
    """A verbatim copy of a stored article under another id and outlet."""
    original = client.get(f"/api/v1/articles/{article_id}").json()["article"]
    return {"id": new_id, "outlet": outlet, "date": "2031-04-17", "title": original["title"], "text": original["text"]}


@pytest.mark.parametrize(("path", "key"), [("/api/v1/stories", "stories"), ("/api/v1/articles", "articles"),
                                           ("/api/v1/sites", "sites"), ("/api/v1/findings", "findings")])
def test_every_list_pages_through_each_item_once_in_a_stable_order(client, path: str, key: str) -> None:
    whole = client.get(path, params={"limit": 200}).json()
    assert whole["next"] is None and whole[key]
    assert walk(client, path, key, 1) == whole[key] == walk(client, path, key, 2)


@pytest.mark.parametrize("params", [{"limit": 0}, {"limit": 201}, {"since": "yesterday"}, {"has_findings": "maybe"}])
def test_parameters_out_of_bounds_are_refused_with_the_reason(client, params: dict) -> None:
    body = _problem(client.get("/api/v1/stories", params=params), 422)
    assert next(iter(params)) in body["detail"]


@pytest.mark.parametrize("path", ["/api/v1/stories", "/api/v1/articles", "/api/v1/sites", "/api/v1/findings"])
def test_a_cursor_no_list_gave_is_refused(client, path: str) -> None:
    assert "cursor" in _problem(client.get(path, params={"cursor": "bm90IGEgY3Vyc29y"}), 400)["detail"]


def test_stories_are_latest_first_and_filtered(client) -> None:
    stories = client.get("/api/v1/stories").json()["stories"]
    assert [s["last_seen"] for s in stories] == sorted((s["last_seen"] for s in stories), reverse=True)
    bridge = bridge_story(client)
    with_findings = client.get("/api/v1/stories", params={"has_findings": "true"}).json()["stories"]
    assert bridge in [s["id"] for s in with_findings] and all(s["finding_count"] for s in with_findings)
    by_outlet = client.get("/api/v1/stories", params={"outlet": "Morvik Herald"}).json()["stories"]
    assert [s["title"] for s in by_outlet] == ["Magnitude 5.8 quake shakes Morvik, damaging old town"]
    since = client.get("/api/v1/stories", params={"since": "2031-05-01", "until": "2031-05-31"}).json()["stories"]
    assert [s["first_seen"] for s in since] == ["2031-05-09"]


def test_a_story_gives_its_brief_timeline_copy_tree_and_quotes(client) -> None:
    story = client.get(f"/api/v1/stories/{bridge_story(client)}").json()
    assert story["brief"]["headline"].startswith("Harbour bridge")
    dates = [item["article"]["date"] for item in story["timeline"]]
    assert dates == sorted(dates) and len(dates) == 6  # five English reports and a German translation
    [tree] = story["copy_tree"]
    assert tree["article"] == ORIGINAL and {c["relation"]["kind"] for c in tree["children"]} == {"duplicate", "excerpt", "spun", "translation"}
    assert story["brief"]["corroborated"] and story["quotes_by_speaker"]
    assert {f["kind"] for f in story["findings"]} >= {"name", "number"}


def test_a_relation_gives_both_texts_and_the_aligned_passages_with_their_spans(client) -> None:
    relation = client.get(f"/api/v1/relations/{ORIGINAL}~{SPUN}").json()
    assert relation["relation"]["kind"] == "spun"
    for passage in relation["passages"]:
        for side in ("original", "derived"):
            start, end = passage[side]["span"]
            assert relation[side]["text"][start:end] == passage[side]["text"]
    for side in ("original", "derived"):
        assert "".join(piece["text"] for piece in relation[side]["segments"]) == relation[side]["text"]
    changed = {p["text"] for p in relation["derived"]["segments"] if p["finding"]}
    assert {"21", "Elsa Barga"} <= changed


def test_an_article_gives_its_provenance_sources_and_findings(client) -> None:
    spun = client.get(f"/api/v1/articles/{SPUN}").json()
    assert spun["article"]["id"] == SPUN and "removed" in spun["article"] and spun["article"]["origin"]
    assert [s["original"] for s in spun["sources"]] == [ORIGINAL] and spun["findings"]
    assert spun["stages"] == ["extract", "relate", "stories", "checks", "brief"]
    original = client.get(f"/api/v1/articles/{ORIGINAL}").json()
    assert original["sources"] == [] and len(original["copies"]) == 4


def test_search_finds_articles_holding_every_word(client) -> None:
    found = client.get("/api/v1/articles", params={"q": "Varga bridge"}).json()["articles"]
    assert SPUN not in [a["id"] for a in found] and ORIGINAL in [a["id"] for a in found]
    assert client.get("/api/v1/articles", params={"q": "Elsa Barga"}).json()["articles"][0]["id"] == SPUN
    assert client.get("/api/v1/articles", params={"q": "zeppelin"}).json()["articles"] == []


def test_sites_say_what_share_is_copied_and_from_whom(client) -> None:
    sites = {s["site"]: s for s in client.get("/api/v1/sites").json()["sites"]}
    assert sites["worldnews-now.example"]["derived_share"] == 1.0
    gazette = client.get("/api/v1/sites/alder-gazette.example").json()
    assert {site for site, _ in gazette["copied_by"]} == {"hafenblatt.example", "newsbuzz-daily.example", "quickheadlines.example", "worldnews-now.example"}


@pytest.mark.parametrize(
    "path", ["/api/v1/stories/nope", "/api/v1/articles/nope", f"/api/v1/relations/{SPUN}~{ORIGINAL}",
             "/api/v1/relations/no-separator", "/api/v1/sites/nope.example", "/api/v1/jobs/nope", "/api/v1/nope"],
)
def test_what_is_not_there_is_a_404_problem(client, path: str) -> None:
    _problem(client.get(path), 404)


def test_a_posted_article_is_answered_with_its_relations_story_and_findings_and_a_retry_the_same(writer) -> None:
    copy = _copy_of(writer, ORIGINAL, "copycat-1", "Copycat Times")
    before = writer.get("/api/v1/status").json()["articles"]
    first = writer.post("/api/v1/articles", json=copy, headers=AUTH)
    assert first.status_code == 200
    [answer] = first.json()["articles"]
    assert answer["id"] == "copycat-1" and answer["story"] == bridge_story(writer)
    assert [(r["original"], r["kind"]) for r in answer["relations"] if r["derived"] == "copycat-1"] == [(ORIGINAL, "duplicate")]
    retry = writer.post("/api/v1/articles", json=copy, headers=AUTH)
    assert retry.status_code == 200 and retry.json() == first.json()
    assert writer.get("/api/v1/status").json()["articles"] == before + 1


def test_the_same_id_with_other_text_is_refused_with_the_reason(writer) -> None:
    body = _problem(writer.post("/api/v1/articles", json={"id": SPUN, "text": "Something else entirely."}, headers=AUTH), 422)
    assert "stored already with other text" in body["detail"]


def test_a_batch_answers_each_article_and_says_why_one_was_not_stored(writer) -> None:
    batch = [_copy_of(writer, "demo-coastline-quake", "quake-copy", "Copycat Times"), {"id": "empty", "text": "  "}]
    answers = writer.post("/api/v1/articles", json={"articles": batch}, headers=AUTH).json()["articles"]
    assert answers[0]["id"] == "quake-copy" and answers[0]["story"]
    assert answers[1]["id"] is None and "no 'text' or 'html'" in answers[1]["problem"]


def test_raw_html_is_posted_with_its_url(writer) -> None:
    page = "<html><head><title>Ferry strike ends</title></head><body><article><h1>Ferry strike ends</h1>" + (
        "<p>The ferry crews of Port Alder voted on Tuesday to end their strike after nine days of talks.</p>" * 3
    ) + "</article></body></html>"
    response = writer.post("/api/v1/articles", params={"url": "https://ferry.example/strike"}, content=page,
                           headers={**AUTH, "Content-Type": "text/html"})
    [answer] = response.json()["articles"]
    assert writer.get(f"/api/v1/articles/{answer['id']}").json()["article"]["url"] == "https://ferry.example/strike"


@pytest.mark.parametrize(("body", "status"), [(b"{not json", 400), (b"[]", 400), (b"42", 400)])
def test_bodies_that_hold_no_article_are_refused(writer, body: bytes, status: int) -> None:
    _problem(writer.post("/api/v1/articles", content=body, headers={**AUTH, "Content-Type": "application/json"}), status)
    _problem(writer.post("/api/v1/articles", content=b"x", headers={**AUTH, "Content-Type": "image/png"}), 415)


def test_a_file_is_analysed_as_a_background_job(writer, tmp_path: Path) -> None:
    lines = [_copy_of(writer, "demo-gazette-festival", f"festival-copy-{i}", f"Farm {i}") for i in range(3)]
    upload = "\n".join(json.dumps(line) for line in lines) + "\n{broken\n"
    response = writer.post("/api/v1/files", params={"name": "batch.jsonl"}, content=upload, headers=AUTH)
    assert response.status_code == 202 and response.headers["location"] == f"/api/v1/jobs/{response.json()['id']}"
    for _ in range(300):
        job = writer.get(response.headers["location"]).json()
        if job["state"] in ("done", "failed"):
            break
        time.sleep(0.1)
    assert job["state"] == "done" and job["report"]["ingested"] == 3 and job["report"]["problem_count"] == 1
    assert "invalid JSON" in job["report"]["problems"][0]["reason"]
    _problem(writer.post("/api/v1/files", params={"name": "notes.docx"}, content=b"x", headers=AUTH), 415)


def test_the_openapi_document_lists_every_route_and_docs_need_nothing_from_elsewhere(client) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    expected = {"/api/v1/articles", "/api/v1/articles/{article_id}", "/api/v1/files", "/api/v1/jobs/{job_id}",
                "/api/v1/stories", "/api/v1/stories/{story_id}", "/api/v1/stories/{story_id}/events",
                "/api/v1/relations/{relation_id}", "/api/v1/sites", "/api/v1/sites/{host}", "/api/v1/findings"}
    assert expected <= set(paths)
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/api/v1/stories/{story_id}" in docs.text and "https://" not in docs.text


def test_each_page_renders_the_json_of_its_twin(client) -> None:
    story = bridge_story(client)
    for path in ["/", f"/stories/{story}", f"/relations/{ORIGINAL}~{SPUN}", f"/articles/{SPUN}", "/articles?q=bridge",
                 "/sites", "/sites/alder-gazette.example", "/findings"]:
        page = client.get(path)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html"), path
    assert "Elsa Barga" in client.get(f"/relations/{ORIGINAL}~{SPUN}").text
    missing = client.get("/stories/nope")
    assert missing.status_code == 404 and "no story" in missing.text and missing.headers["content-type"].startswith("text/html")


def test_the_store_holds_each_posted_article_once(writer, tmp_path: Path) -> None:
    copy = _copy_of(writer, ORIGINAL, "copycat-2", "Copycat Times")
    for _ in range(3):
        assert writer.post("/api/v1/articles", json=copy, headers=AUTH).status_code == 200
    with open_store(tmp_path / "copy.db") as store:
        assert store.articles.ids().count("copycat-2") == 1 and store.problems.all() == []


def test_the_paste_box_stores_the_text_and_shows_where_it_came_from(writer) -> None:
    spun = writer.get(f"/api/v1/articles/{SPUN}").json()["article"]
    pasted = writer.post("/paste", data={"content": spun["text"] + "\n\nShared from a chat.", "token": "test-token-7f3a"},
                         follow_redirects=False)
    assert pasted.status_code == 303 and pasted.headers["location"].startswith("/articles/")
    page = writer.get(pasted.headers["location"])
    assert page.status_code == 200 and "Where it came from" in page.text and f"/relations/{ORIGINAL}~" in page.text
    empty = writer.post("/paste", data={"content": "<html></html>", "token": "test-token-7f3a"})
    assert empty.status_code == 422 and "nothing could be taken" in empty.text


def test_a_story_stream_sends_an_event_when_a_posted_article_joins_the_story(demo_db: Path, tmp_path: Path) -> None:
    shutil.copy(demo_db, tmp_path / "live.db")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with open_store(tmp_path / "live.db") as store:
        server = uvicorn.Server(uvicorn.Config(create_app(store, ServeOptions(token="test-token-7f3a")), port=port, log_level="error"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                if server.started:
                    break
                time.sleep(0.05)
            with httpx.Client(base_url=base, timeout=30) as client:
                story = bridge_story(client)
                copy = _copy_of(client, ORIGINAL, "copycat-stream", "Copycat Times")
                with client.stream("GET", f"/api/v1/stories/{story}/events") as events:
                    lines = events.iter_lines()
                    assert next(lines).startswith("retry:")
                    answers: list[int] = []
                    poster = threading.Thread(target=lambda: answers.append(client.post("/api/v1/articles", json=copy, headers=AUTH).status_code))
                    poster.start()
                    event = next(line for line in lines if line.startswith("event:"))
                    data = json.loads(next(lines).removeprefix("data: "))
                    poster.join(60)
            assert answers == [200]
            assert event == "event: story" and data["story"] == story
        finally:
            server.should_exit = True
            thread.join(10)


def test_the_watched_sources_are_listed_with_their_status(demo_db: Path, tmp_path: Path) -> None:
    from newstrace.watch.state import Source, SourceStatus, SQLiteWatchState, StateChange

    copy = tmp_path / "watched.db"
    shutil.copy(demo_db, copy)
    feed = Source("https://alder-gazette.example/feed.xml", "feed", "Alder Gazette")
    with open_store(copy) as store:
        SQLiteWatchState(store).apply(StateChange(seen=("k1", "k2"), sources=(
            SourceStatus(feed, polls=2, last_poll=1.9e9, next_poll=1.9e9 + 600, new_pages=1, total_pages=2,
                         errors=1, last_error="HTTP 503, tried again"),
        )))
    with client_over(copy) as client:
        listed = client.get("/api/v1/watch").json()
        assert listed["pages"]["seen"] == 2 and listed["next"] is None
        [status] = listed["sources"]
        assert status["source"]["url"] == feed.url and status["errors"] == 1 and status["total_pages"] == 2
        page = client.get("/watch").text
        assert "Alder Gazette" in page and "HTTP 503, tried again" in page and "2030-03-17" in page
    with client_over(demo_db) as client:
        assert client.get("/api/v1/watch").json()["sources"] == []
