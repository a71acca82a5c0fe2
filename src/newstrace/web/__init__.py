"""The web service: an HTTP API under ``/api/v1`` and pages that show the evidence side by side.

Needs the ``[web]`` extra (FastAPI, uvicorn, Jinja2). ``create_app(store, ServeOptions(...))`` gives the
application; ``newstrace serve`` runs it. Every page is a template over the JSON its API twin returns;
every write goes through the engine, one at a time, and needs the bearer token.
"""

from newstrace.web.app import ServeOptions, create_app
from newstrace.web.security import BindingError, check_binding

__all__ = ["BindingError", "ServeOptions", "check_binding", "create_app"]
