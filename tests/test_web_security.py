"""The service's defences: the write token, the body limits, escaped article text under a policy that
forbids inline script, no path out of the static files, CORS off unless asked for, and no serving
beyond loopback without a token."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from newstrace.web import BindingError, check_binding
from web_demo import AUTH, TOKEN, build_demo, client_over

HOSTILE = {
    "id": "hostile",
    "url": "javascript:alert(1)",
    "title": "<script>alert('title')</script> Bridge news",
    "outlet": "<img src=x onerror=alert(1)>",
    "text": "Port Alder's bridge reopened on Friday. <script>window.pwned = 1</script>\n\n"
    "<img src=x onerror=\"window.pwned = 2\"> Officials said the repairs cost $40 million.\n\n"
    "<a href=\"javascript:window.pwned = 3\">Read more</a> about the repairs.",
}


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("web") / "demo.db")


@pytest.fixture
def writer(demo_db: Path, tmp_path: Path):
    with client_over(demo_db, tmp_path / "copy.db") as copy:
        yield copy


def _problem(response, status: int) -> str:
    assert response.status_code == status and response.headers["content-type"] == "application/problem+json"
    return response.json()["detail"]


def test_writes_without_the_token_are_refused_and_with_it_accepted(writer) -> None:
    article = {"id": "t1", "text": "A short report on the harbour ferries, which run again."}
    assert "no bearer token" in _problem(writer.post("/api/v1/articles", json=article), 401)
    wrong = writer.post("/api/v1/articles", json=article, headers={"Authorization": "Bearer nope"})
    assert "wrong" in _problem(wrong, 401) and wrong.headers["www-authenticate"] == "Bearer"
    _problem(writer.post("/api/v1/files", params={"name": "a.jsonl"}, content=b"{}"), 401)
    assert writer.post("/paste", data={"content": "Some pasted text.", "token": "nope"}).status_code == 401
    assert writer.post("/api/v1/articles", json=article, headers=AUTH).status_code == 200


def test_a_server_without_a_token_takes_no_writes(demo_db: Path, tmp_path: Path) -> None:
    with client_over(demo_db, tmp_path / "copy.db", token=None) as readonly:
        detail = _problem(readonly.post("/api/v1/articles", json={"text": "x"}, headers=AUTH), 403)
        assert "NEWSTRACE_TOKEN" in detail
        assert "pasting is off" in readonly.get("/").text


def test_a_body_over_the_limit_is_refused_whether_its_length_is_given_or_not(demo_db: Path, tmp_path: Path) -> None:
    with client_over(demo_db, tmp_path / "copy.db", max_body_bytes=1000) as small:
        big = b'{"text": "' + b"x" * 2000 + b'"}'
        assert "limit of 1,000 bytes" in _problem(small.post("/api/v1/articles", content=big, headers=AUTH), 413)
        chunked = small.post("/api/v1/articles", content=iter([big[:600], big[600:]]), headers={**AUTH, "Content-Type": "application/json"})
        assert "limit" in _problem(chunked, 413)
        assert small.get("/api/v1/status").json()["articles"] == 9


def test_an_article_over_its_own_limit_is_refused(demo_db: Path, tmp_path: Path) -> None:
    with client_over(demo_db, tmp_path / "copy.db", max_article_bytes=100) as small:
        batch = [{"text": "short enough"}, {"text": "y" * 200}]
        assert "article 1 is 200 bytes" in _problem(small.post("/api/v1/articles", json=batch, headers=AUTH), 413)


def test_markup_in_an_article_is_shown_as_text(writer) -> None:
    answer = writer.post("/api/v1/articles", json=HOSTILE, headers=AUTH).json()["articles"][0]
    page = writer.get(f"/articles/{answer['id']}")
    assert page.status_code == 200
    html = page.text
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in html and "&lt;script&gt;window.pwned" in html
    assert "<script>window" not in html and "<script>alert" not in html
    assert "<img src=x" not in html and 'href="javascript:' not in html and "javascript:alert(1)" in html
    search = writer.get("/articles", params={"q": "bridge reopened"}).text
    assert "&lt;script&gt;alert" in search and "<script>alert" not in search


@pytest.mark.parametrize("path", ["/", "/api/v1/stories", "/docs", "/static/newstrace.js", "/api/v1/nope"])
def test_every_response_forbids_inline_script(writer, path: str) -> None:
    headers = writer.get(path).headers
    policy = headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "default-src 'self'" in policy
    assert headers["x-content-type-options"] == "nosniff"


def test_pages_hold_no_inline_script(writer) -> None:
    for path in ["/", "/sites", "/findings", "/articles/demo-farm-spun", "/docs"]:
        html = writer.get(path).text
        assert html.count("<script") == html.count('<script src="/static/newstrace.js" defer></script>') == 1


@pytest.mark.parametrize(
    "path", ["/static/../pyproject.toml", "/static/..%2f..%2fpyproject.toml", "/static/%2e%2e/%2e%2e/pyproject.toml",
             "/static/..%5c..%5cpyproject.toml", "/static/templates/base.html", "/static/"],
)
def test_no_path_leads_out_of_the_static_files(writer, path: str) -> None:
    response = writer.get(path)
    assert response.status_code == 404 and "[project]" not in response.text and "{% block" not in response.text


def test_cors_is_off_unless_origins_are_given(demo_db: Path, tmp_path: Path) -> None:
    preflight = {"Origin": "https://desk.example", "Access-Control-Request-Method": "GET"}
    with client_over(demo_db) as plain:
        assert "access-control-allow-origin" not in plain.options("/api/v1/stories", headers=preflight).headers
        assert "access-control-allow-origin" not in plain.get("/api/v1/stories", headers={"Origin": "https://desk.example"}).headers
    with client_over(demo_db, cors_origins=("https://desk.example",)) as shared:
        allowed = shared.get("/api/v1/stories", headers={"Origin": "https://desk.example"}).headers
        assert allowed["access-control-allow-origin"] == "https://desk.example"


@pytest.mark.parametrize(("host", "token", "refused"), [
    ("127.0.0.1", None, False), ("localhost", None, False), ("::1", None, False), ("127.0.0.2", None, False),
    ("0.0.0.0", None, True), ("192.0.2.10", None, True), ("example.org", None, True), ("0.0.0.0", TOKEN, False),
])
def test_serving_beyond_loopback_needs_a_token(host: str, token: str | None, refused: bool) -> None:
    if refused:
        with pytest.raises(BindingError, match="NEWSTRACE_TOKEN"):
            check_binding(host, token)
    else:
        check_binding(host, token)


def test_the_serve_command_refuses_to_start_beyond_loopback_without_a_token(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if k != "NEWSTRACE_TOKEN"}
    done = subprocess.run(
        [sys.executable, "-m", "newstrace", "serve", "--host", "0.0.0.0", "--port", "9", "--db", str(tmp_path / "s.db")],
        capture_output=True, text=True, env=environment, timeout=60, check=False,
    )
    assert done.returncode == 2 and "refusing to serve on 0.0.0.0 without a token" in done.stderr
