"""Cursor paging for every list the service gives: opaque cursors over a stable order, bounded pages.

A cursor is the URL-safe base64 of what the list needs to go on: the store's own cursor for lists the
store pages (stories, article search), or the sort key of the last item for lists paged here.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from newstrace.errors import CursorError

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


def wrap(raw: str | None) -> str | None:
    """The opaque form of a store's cursor (None stays None: there is no page after)."""
    return None if raw is None else base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def unwrap(cursor: str | None) -> str | None:
    """The store's cursor inside ``cursor``.

    Raises:
        CursorError: ``cursor`` is no cursor this service gave.
    """
    if cursor is None:
        return None
    try:
        return base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise CursorError(f"{cursor!r} is not a cursor this service gave") from None


def page_of(
    items: Iterable[T], key: Callable[[T], Sequence[Any]], limit: int, cursor: str | None
) -> tuple[list[T], str | None]:
    """One page of ``items`` in the order of ``key`` (which must tell every item apart), after ``cursor``."""
    raw = unwrap(cursor)
    after: tuple[Any, ...] | None = None
    if raw is not None:
        try:
            after = tuple(json.loads(raw))
        except (ValueError, TypeError):
            raise CursorError(f"{cursor!r} is not a cursor of this list") from None
    ordered = sorted(items, key=lambda item: tuple(key(item)))
    try:
        chosen = [item for item in ordered if after is None or tuple(key(item)) > after]
    except TypeError:
        raise CursorError(f"{cursor!r} is not a cursor of this list") from None
    page = chosen[:limit]
    return page, wrap(json.dumps(list(key(page[-1])))) if len(chosen) > limit else None
