"""The serve command: the web service (API and pages) over a store."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from newstrace.cli.app import DEFAULT_DB_PATH, DbOption, app, console
from newstrace.errors import NewstraceError
from newstrace.store import open_store

TOKEN_VARIABLE = "NEWSTRACE_TOKEN"


@app.command("serve")
def serve_command(
    db: DbOption = DEFAULT_DB_PATH,
    host: Annotated[str, typer.Option(help="Address to listen on; beyond loopback only with a token.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    max_body_mb: Annotated[float, typer.Option(help="Largest request body taken, in MB.")] = 20.0,
    max_article_mb: Annotated[float, typer.Option(help="Largest text or HTML of one posted article, in MB.")] = 5.0,
    cors_origin: Annotated[
        list[str] | None, typer.Option(help="An origin whose pages may call the API (repeat for several); none: CORS off.")
    ] = None,
) -> None:
    """Serve the API (under /api/v1, reference at /docs) and the pages: stories, copy trees, two articles
    side by side with what changed marked, sites, and a paste box.

    Writes (posting articles and files, the paste box) need the bearer token in the NEWSTRACE_TOKEN
    environment variable; without it the server is read-only, and it refuses to listen beyond
    127.0.0.1 at all.
    """
    try:
        import uvicorn

        from newstrace.web import ServeOptions, check_binding, create_app
    except ImportError as error:
        raise NewstraceError(f"newstrace serve needs the web extra ({error.name} is missing): pip install 'newstrace[web]'") from None
    token = os.environ.get(TOKEN_VARIABLE) or None
    check_binding(host, token)
    options = ServeOptions(
        token=token,
        max_body_bytes=int(max_body_mb * 1_000_000),
        max_article_bytes=int(max_article_mb * 1_000_000),
        cors_origins=tuple(cors_origin or ()),
    )
    writes = "takes writes with the bearer token" if token else f"read-only ({TOKEN_VARIABLE} is not set)"
    console.print(f"serving {db} at http://{host}:{port}/ ({writes}); API reference at /docs", highlight=False)
    with open_store(db) as store:
        # Idle connections are kept open 30 s (uvicorn's default is 5): a client that reuses a connection just
        # as the server closes it sees the request fail, which under load happened a few times a minute.
        uvicorn.run(
            create_app(store, options), host=host, port=port, log_level="warning", timeout_keep_alive=30,
            timeout_graceful_shutdown=3,
        )
