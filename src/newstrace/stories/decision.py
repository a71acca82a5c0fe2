"""The learned part of the story decision: what the evidence of *when* two reports were written does to
their similarity, and the least average similarity that makes two groups of reports one story.

Two reports of one event share its particulars (names, places, numbers: the event-vector cosine of
``features``) and its time: their leads name the same weekday and month for it. Two look-alike events
(this month's jobs report and last month's; a nominee's hearing and her confirmation) share the
particulars and differ in time. So each pair's cosine is multiplied by ``exp(w · e)``, where ``e`` is
the pair's time evidence:

- the leads name the same weekday for the event, or only different ones (``same_event_day``);
- the leads name a month in common, or only different ones (``same_event_month``).

Evidence that is absent (a lead naming no day) counts 0, so it moves nothing. The weights ``w`` and the
merge ``threshold`` are learned by ``benchmarks/train_stories.py`` from gold stories of several sets
(see ``MODEL_CARD.md``) and shipped as ``decision.json``; nothing here reads a story's size or an
article's rank among its neighbours, which differ from one collection to the next.

The gap between publication days is not learned evidence: the gold sets hold a few hundred stories
over years, so two dated reports days apart are nearly always one story there, while a news stream
holds hundreds of events a day. Fitted on the sets, a same-day report weighed ×6 and merged three
unrelated reports of one day. Time in days stays a hard rule (``StoryOptions.window_days``,
``max_span_days``), which holds whatever the density of the stream.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from newstrace.errors import NewstraceError
from newstrace.stories.features import Signature, same_event_day, same_event_month

MODEL_FILE = Path(__file__).with_name("decision.json")
MODEL_FORMAT = 1
# The names of the evidence, in the order of ``time_evidence``'s values and of ``Evidence``'s weights.
EVIDENCE = ("same_weekday", "other_weekday", "same_month", "other_month")


@dataclass(frozen=True)
class Evidence:
    """Weights of the time evidence: the log of the factor each multiplies a pair's cosine by.

    Attributes:
        same_weekday: The leads name the same day for the event.
        other_weekday: Both leads name days, none the same.
        same_month: The leads name a month in common.
        other_month: Both leads name months, none in common.
    """

    same_weekday: float = 0.0
    other_weekday: float = 0.0
    same_month: float = 0.0
    other_month: float = 0.0

    def weights(self) -> tuple[float, ...]:
        return tuple(getattr(self, name) for name in EVIDENCE)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evidence:
        """Weights from their JSON form; names this version does not know are ignored."""
        return cls(**{name: float(data[name]) for name in EVIDENCE if name in data})


@dataclass(frozen=True)
class DecisionModel:
    """A trained decision: the evidence weights and the merge threshold chosen with them."""

    threshold: float
    evidence: Evidence

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DecisionModel:
        return cls(float(data["threshold"]), Evidence.from_dict(data["evidence"]))


def time_evidence(a: Signature, b: Signature) -> tuple[float, ...]:
    """The pair's time evidence, one value per name of ``EVIDENCE``."""
    day = same_event_day(a, b)
    month = same_event_month(a, b)
    return (float(day is True), float(day is False), float(month is True), float(month is False))


def pair_factor(a: Signature, b: Signature, evidence: Evidence) -> float:
    """What the time evidence multiplies two articles' cosine by (1 when there is none)."""
    if not (a.weekdays and b.weekdays) and not (a.months and b.months):
        return 1.0  # no evidence (most pairs): every value is 0
    values = time_evidence(a, b)
    return math.exp(sum(w * x for w, x in zip(evidence.weights(), values, strict=True)))


def largest_factor(evidence: Evidence) -> float:
    """The most ``pair_factor`` can multiply a cosine by: the day and the month evidence at their best."""
    return math.exp(
        max(0.0, evidence.same_weekday, evidence.other_weekday) + max(0.0, evidence.same_month, evidence.other_month)
    )


def load_model(path: Path = MODEL_FILE) -> DecisionModel:
    """Read a decision model written by ``benchmarks/train_stories.py``.

    Raises:
        NewstraceError: The file is missing, unreadable or of another format.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != MODEL_FORMAT:
            raise NewstraceError(f"{path}: decision model format {data.get('format')!r}, expected {MODEL_FORMAT}")
        return DecisionModel.from_dict(data["model"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise NewstraceError(f"{path}: cannot read the story decision model ({error})") from error


@functools.cache
def shipped_model() -> DecisionModel:
    """The decision model shipped with the package (read once)."""
    return load_model()
