"""The watch list: a TOML file of sources and settings, or urls given on the command line.

```toml
[watch]
user_agent = "example-monitor/1.0"
contact = "https://example.org/about-our-crawler"   # sent as "example-monitor/1.0 (+https://...)"
archive = "watch-archive"                           # folder of WARC files
interval = 900                                      # seconds between polls of a source
min_interval = 1.0                                  # seconds between requests to one host

[[source]]
url = "https://example.com/rss.xml"
kind = "feed"                                       # feed, sitemap, site, or auto (the default)
name = "Example"
interval = 300
```

Every field of ``WatchOptions`` and ``FetchOptions`` may be set under ``[watch]``.
"""

from __future__ import annotations

import dataclasses
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newstrace.errors import NewstraceError
from newstrace.watch.fetch import FetchOptions
from newstrace.watch.state import SOURCE_KINDS, Source
from newstrace.watch.watcher import WatchOptions

_WATCH_FIELDS = {f.name for f in dataclasses.fields(WatchOptions)} - {"fetch"}
_FETCH_FIELDS = {f.name for f in dataclasses.fields(FetchOptions)}
_SOURCE_FIELDS = {f.name for f in dataclasses.fields(Source)}


class ConfigError(NewstraceError):
    """A watch list that cannot be used, with what is wrong and where."""


@dataclass(frozen=True)
class WatchConfig:
    """Sources to watch and how."""

    sources: tuple[Source, ...] = ()
    options: WatchOptions = field(default_factory=WatchOptions)


def load_watch_list(arguments: Sequence[str], base: WatchOptions | None = None) -> WatchConfig:
    """Sources and options from TOML files and urls, in the order given; later settings win."""
    sources: list[Source] = []
    options = base or WatchOptions()
    for argument in arguments:
        if argument.startswith(("http://", "https://")):
            sources.append(Source(argument))
            continue
        path = Path(argument)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as error:
            raise ConfigError(f"{argument}: is neither a url nor a readable file ({error.strerror})") from error
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"{argument}: not valid TOML: {error}") from error
        options = _options(data.get("watch", {}), options, argument)
        sources.extend(_source(entry, f"{argument}: source {number}")
                       for number, entry in enumerate(data.get("source", []), start=1))
        unknown = set(data) - {"watch", "source"}
        if unknown:
            raise ConfigError(f"{argument}: unknown table(s) {', '.join(sorted(unknown))} (use [watch] and [[source]])")
    return WatchConfig(tuple(dict((s.id, s) for s in sources).values()), options)


def _options(table: dict[str, Any], options: WatchOptions, where: str) -> WatchOptions:
    unknown = set(table) - _WATCH_FIELDS - _FETCH_FIELDS
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s) under [watch]: {', '.join(sorted(unknown))}")
    watch = {k: v for k, v in table.items() if k in _WATCH_FIELDS}
    if "archive" in watch:
        watch["archive"] = Path(watch["archive"])
    fetch = {k: v for k, v in table.items() if k in _FETCH_FIELDS}
    try:
        return dataclasses.replace(options, **watch, fetch=dataclasses.replace(options.fetch, **fetch))
    except TypeError as error:
        raise ConfigError(f"{where}: {error}") from error


def _source(entry: Any, where: str) -> Source:
    if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
        raise ConfigError(f"{where}: a [[source]] needs a url")
    unknown = set(entry) - _SOURCE_FIELDS
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    if entry.get("kind", "auto") not in SOURCE_KINDS:
        raise ConfigError(f"{where}: kind must be one of {', '.join(SOURCE_KINDS)}, not {entry['kind']!r}")
    if not entry["url"].startswith(("http://", "https://")):
        raise ConfigError(f"{where}: {entry['url']!r} is not an http(s) url")
    return Source(**entry)
