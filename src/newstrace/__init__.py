"""newstrace: where a news story came from, who copied it, and what they changed on the way.

Example:
    >>> import newstrace
    >>> with newstrace.open_store(":memory:") as store:
    ...     report = newstrace.analyze(store, ["examples/demo"])  # doctest: +SKIP
"""

from importlib.metadata import PackageNotFoundError, version

from newstrace.analysis import AnalyzeOptions, AnalyzeReport, analyze
from newstrace.brief import brief_for_story, make_brief
from newstrace.errors import InputError, NewstraceError, NotFoundError, StoreError
from newstrace.extract import extract_article
from newstrace.model import Article, Brief, Finding, Passage, RawDocument, Relation, Story
from newstrace.pipeline import ingest
from newstrace.relate import relate_all
from newstrace.store import open_store

try:
    __version__ = version("newstrace")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

__all__ = [
    "AnalyzeOptions",
    "AnalyzeReport",
    "Article",
    "Brief",
    "Finding",
    "InputError",
    "NewstraceError",
    "NotFoundError",
    "Passage",
    "RawDocument",
    "Relation",
    "StoreError",
    "Story",
    "__version__",
    "analyze",
    "brief_for_story",
    "extract_article",
    "ingest",
    "make_brief",
    "open_store",
    "relate_all",
]
