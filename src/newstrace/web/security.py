"""What keeps the service safe to run: problem+json errors, the write token, the body limit, the headers
every response carries, and the rule that a server reachable beyond this machine needs a token.
"""

from __future__ import annotations

import ipaddress
import secrets
from http import HTTPStatus
from typing import Any

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newstrace.errors import NewstraceError

PROBLEM_TYPE = "application/problem+json"

# No inline script or style at all, nothing from elsewhere: the page's script and style are files the
# service serves itself, so text in an article can never run as script.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class BindingError(NewstraceError):
    """The service was asked to listen beyond this machine without a write token."""


def check_binding(host: str, token: str | None) -> None:
    """Refuse to serve beyond the loopback interface without a token.

    Raises:
        BindingError: ``host`` is not a loopback address and ``token`` is empty.
    """
    if token or host == "localhost":
        return
    try:
        loopback = ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise BindingError(
            f"refusing to serve on {host} without a token: anyone who can reach it could write to the store; "
            "set NEWSTRACE_TOKEN to a long random secret, or serve on 127.0.0.1"
        )


def problem(status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> JSONResponse:
    """An RFC 9457 problem: the status, its title, and the reason in ``detail``."""
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, headers=headers, media_type=PROBLEM_TYPE)


def token_refusal(expected: str | None, given: str | None) -> HTTPException | None:
    """Why a write with credential ``given`` (a bearer token) is refused, or None when it may go ahead."""
    if not expected:
        return HTTPException(403, "this server takes no writes: start it with NEWSTRACE_TOKEN set, and send that token")
    if given is None or not secrets.compare_digest(given.encode(), expected.encode()):
        reason = "no bearer token was given" if given is None else "the bearer token is wrong"
        return HTTPException(401, f"{reason}: writes need 'Authorization: Bearer <NEWSTRACE_TOKEN>'", {"WWW-Authenticate": "Bearer"})
    return None


def bearer(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer …`` header."""
    if authorization is None:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class BodyTooLarge(HTTPException):
    """A request body over the limit (raised while the body is read, so nothing over it is kept)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is over the limit of {limit:,} bytes")


class Guard:
    """ASGI middleware: the security headers on every response, and the request-body limit (refused at
    once when Content-Length says so, else when the body read so far passes it)."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app, self.limit = app, max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in SECURITY_HEADERS if h[0] not in names)]
            await send(message)

        length = dict(scope.get("headers", [])).get(b"content-length", b"")
        if length.isdigit() and int(length) > self.limit:
            refused = BodyTooLarge(self.limit)
            await problem(413, refused.detail)(scope, receive, send_guarded)
            return
        received = 0

        async def receive_limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise BodyTooLarge(self.limit)
            return message

        await self.app(scope, receive_limited, send_guarded)
