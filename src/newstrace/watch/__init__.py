"""Watch: follow feeds, news sitemaps and sites as they publish, politely, archiving every response.

``Watcher(sources, state, sink, options).run_once()`` polls the sources that are due, fetches the
article pages they list that it has not had (by ``urls.url_key``), writes every response to a WARC
file (``archive``) and hands the pages to ``sink`` (``sink.store_and_analyze`` stores and analyses
them). Modules: ``fetch`` (the polite HTTP client), ``polite`` (host limits, robots.txt), ``bodies``
(decoding within the size limit), ``listings`` (feeds, sitemaps, home pages), ``urls`` (identity),
``state`` (what is remembered between runs), ``config`` (the TOML watch list).
"""

from newstrace.watch.config import ConfigError, WatchConfig, load_watch_list
from newstrace.watch.fetch import Fetcher, FetchOptions
from newstrace.watch.state import MemoryWatchState, Source, SourceStatus, SQLiteWatchState, WatchState
from newstrace.watch.watcher import Sink, Watcher, WatchOptions, WatchReport

__all__ = [
    "ConfigError",
    "FetchOptions",
    "Fetcher",
    "MemoryWatchState",
    "SQLiteWatchState",
    "Sink",
    "Source",
    "SourceStatus",
    "WatchConfig",
    "WatchOptions",
    "WatchReport",
    "WatchState",
    "Watcher",
    "load_watch_list",
]
