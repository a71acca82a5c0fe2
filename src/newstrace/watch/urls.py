"""Which urls name the same article: the store's url normalisation, with AMP versions mapped to their page.

``url_key`` is the identity the watcher keeps ("seen"): the normalised url of ``extract.normalize_url``
(scheme, ``www.``, fragments and tracking parameters ignored) after the AMP spellings that are safe to
undo without fetching are undone. An AMP page whose url does not say so is recognised after fetching by
``<html amp>`` (or ``⚡``) and its ``<link rel=canonical>``, and extraction names it by that canonical url.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from newstrace.extract import normalize_url, site_of

# The AMP cache serves https://example.com/a/b as https://example-com.cdn.ampproject.org/c/s/example.com/a/b.
_AMP_CACHE = re.compile(r"^/[a-z](?:/s)?/(?P<rest>[^/].*)$")
# Query switches that ask a site for its AMP rendering of the same page.
_AMP_QUERY = {"amp", "amp_markup", "outputtype"}
# A last path segment "amp" (/story/amp, /story/amp/) or an ".amp" before the extension (/story.amp.html).
_AMP_PATH_END = re.compile(r"/amp/?$")
_AMP_EXTENSION = re.compile(r"\.amp(?=\.html?$)")


def without_amp(url: str) -> str:
    """``url`` with the AMP spellings taken out that always name the same page on the same site.

    Hosts such as ``amp.example.com`` are left alone: whether they mirror ``example.com`` is up to the site.
    """
    parts = urlsplit(url.strip())
    if parts.hostname and parts.hostname.endswith(".cdn.ampproject.org"):
        match = _AMP_CACHE.match(parts.path)
        if match:
            scheme = "https" if parts.path.startswith(("/c/s/", "/v/s/", "/i/s/")) else "http"
            return without_amp(f"{scheme}://{match.group('rest')}" + (f"?{parts.query}" if parts.query else ""))
    # Filtered as written, not re-encoded: the url fetched must be the one the site gave.
    query = "&".join(q for q in parts.query.split("&") if q and not _is_amp_switch(*_name_value(q)))
    path = _AMP_EXTENSION.sub("", _AMP_PATH_END.sub("", parts.path)) or "/"
    return urlunsplit((parts.scheme, parts.netloc, path, query, parts.fragment))


def _name_value(pair: str) -> tuple[str, str]:
    name, _, value = pair.partition("=")
    return unquote_plus(name), unquote_plus(value)


def _is_amp_switch(name: str, value: str) -> bool:
    name = name.lower()
    if name == "outputtype":
        return value.lower() == "amp"
    return name in _AMP_QUERY and value.lower() in ("", "1", "true", "amp")


def url_key(url: str) -> str:
    """The identity of the article at ``url``: equal keys are never fetched twice."""
    return normalize_url(without_amp(url))


def host_of(url: str) -> str:
    """Host and port: the unit politeness limits apply to."""
    return urlsplit(url).netloc.lower()


def same_site(a: str, b: str) -> bool:
    """Whether two urls are on one site (``www.`` aside), as extraction decides for an AMP page's canonical."""
    site = site_of(a)
    return site is not None and site == site_of(b)
