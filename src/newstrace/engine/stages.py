"""Stages and pipelines: what the engine runs, in which order, and what a stage hands back.

A stage (``RelateStage``, ``StoryStage``, ``CheckStage``, ``BriefStage``; extraction is the ingest
step) takes the articles that are due for it and reads what else it needs from the store; it
writes nothing. It returns a ``StageResult``: the records to write (as ``Changes``), the articles
it brought up to date, and those whose results changed, whose later stages the engine then marks
as due again. A ``Pipeline`` checks the order of its stages when it is built.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from newstrace.errors import NewstraceError
from newstrace.store.base import STAGES, Changes, Store
from newstrace.workers import Progress, Workers

StageCallback = Callable[[str, int | None], Progress]
"""Called as a stage starts, with its name and size (None when unknown); returns its progress callback."""


class PipelineError(NewstraceError):
    """Stages given in an order they cannot run in, or run on articles that lack an earlier stage."""


@dataclass(frozen=True)
class StageContext:
    """What a stage works with: the store to read, the engine's workers, and its progress callback."""

    store: Store
    workers: Workers
    progress: Progress = lambda n: None


@dataclass
class StageResult:
    """What a stage made of the articles that were due.

    Attributes:
        changes: the records to write (the engine adds the stage marks).
        done: articles now up to date for this stage (at least those that were due).
        changed: articles whose results of this stage changed: their later stages are due again.
        made: the records made, for the run's report (relations, stories, findings or briefs).
        notes: anything the user should be told (options that changed, a whole-store rebuild).
    """

    changes: Changes = field(default_factory=Changes)
    done: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)
    made: list[Any] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class Stage(Protocol):
    """A stage of the pipeline, after extraction.

    ``name`` is its place in ``STAGES``; it needs every article it runs on to have been through
    the stage before it (``requires``).
    """

    name: ClassVar[str]

    def run(self, due: Sequence[str], context: StageContext) -> StageResult:
        """Bring ``due`` (article ids, in ingest order) up to date for this stage."""
        ...


def requires(stage: str) -> str:
    """The stage that must have run on an article before ``stage`` can."""
    if stage not in STAGES:
        raise PipelineError(f"no stage {stage!r}; the stages are {', '.join(STAGES)}")
    position = STAGES.index(stage)
    if position == 0:
        raise PipelineError("extract is the first stage and needs none before it")
    return STAGES[position - 1]


class Pipeline:
    """Stages in the order they run; refuses, when built, an order they cannot run in.

    The first stage's requirement must be met by the store (the engine checks it per article when
    it runs); every other stage must follow the stage it requires.

    Example:
        >>> from newstrace.checks.stage import CheckStage
        >>> from newstrace.stories.stage import StoryStage
        >>> Pipeline([CheckStage(), StoryStage()])
        Traceback (most recent call last):
        ...
        newstrace.engine.stages.PipelineError: checks needs stories before it, not after it
    """

    def __init__(self, stages: Sequence[Stage]) -> None:
        names = [stage.name for stage in stages]
        if not names:
            raise PipelineError("a pipeline needs at least one stage")
        if len(set(names)) != len(names):
            raise PipelineError(f"a stage appears twice: {', '.join(names)}")
        for position, name in enumerate(names):
            needed = requires(name)
            if needed in names[position + 1 :]:
                raise PipelineError(f"{name} needs {needed} before it, not after it")
            if position and needed != names[position - 1]:
                raise PipelineError(f"{name} needs {needed} right before it; the pipeline has {names[position - 1]}")
        self.stages = list(stages)

    @property
    def names(self) -> list[str]:
        return [stage.name for stage in self.stages]

    def __repr__(self) -> str:
        return f"Pipeline({' → '.join(self.names)})"
