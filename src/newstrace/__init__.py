"""newstrace: where a news story came from, who copied it, and what they changed on the way.

The records flow through the stages: ``RawDocument`` → ``extract_article`` → ``Article`` →
``relate_all`` → ``Relation`` → ``cluster_articles`` → ``Story`` → ``check_story`` →
``Finding`` → ``make_brief`` → ``Brief``. Each stage function is pure; ``LocalEngine`` runs
them over a store (``open_store`` for SQLite, ``MemoryStore`` in memory), and ``analyze`` is
the main job.

Example:
    >>> import newstrace
    >>> with newstrace.open_store(":memory:") as store:
    ...     report = newstrace.analyze(store, ["examples/demo"])  # doctest: +SKIP
"""

from importlib.metadata import PackageNotFoundError, version

from newstrace.brief import make_brief
from newstrace.checks import check_story
from newstrace.engine import AnalyzeOptions, LocalEngine, Pipeline, RunReport, analyze
from newstrace.errors import InputError, NewstraceError, NotFoundError, StoreError
from newstrace.extract import extract_article
from newstrace.model import Article, Brief, Finding, Passage, Problem, RawDocument, Relation, Story
from newstrace.relate import relate_all
from newstrace.store import MemoryStore, open_store
from newstrace.stories import cluster_articles

try:
    __version__ = version("newstrace")
except PackageNotFoundError:  # running from a source tree that was not installed
    __version__ = "0.0.0"

__all__ = [
    "AnalyzeOptions",
    "Article",
    "Brief",
    "Finding",
    "InputError",
    "LocalEngine",
    "MemoryStore",
    "NewstraceError",
    "NotFoundError",
    "Passage",
    "Pipeline",
    "Problem",
    "RawDocument",
    "Relation",
    "RunReport",
    "StoreError",
    "Story",
    "__version__",
    "analyze",
    "check_story",
    "cluster_articles",
    "extract_article",
    "make_brief",
    "open_store",
    "relate_all",
]
