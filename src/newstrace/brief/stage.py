"""The brief stage in the engine: make the brief of every story that holds an article that is due.

Briefs are kept in the store, so a story's brief is read, exported and served without being
made again; a story's brief is made again whenever its articles, relations or findings change
(the engine marks its articles due). The sentence encoder is loaded once per stage object, in
the process that uses it (its runtime's threads do not survive a fork).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import ClassVar

import numpy as np

from newstrace.brief import BriefOptions, make_brief
from newstrace.brief.statements import Encoder
from newstrace.engine.stages import StageContext, StageResult
from newstrace.model import Brief, Story
from newstrace.nlp.embedding import SentenceEncoder, load_encoder, semantic_available
from newstrace.store.base import Store
from newstrace.workers import Progress, interleaved

# Fewer stories than this are briefed in this process: forking (and loading the encoder in every
# worker) costs more than it saves.
PARALLEL_MIN_STORIES = 200


@dataclass(frozen=True)
class BriefStage:
    """Brief: what a story's sources agree on, what only one says, who was first, who copied whom."""

    options: BriefOptions = field(default_factory=BriefOptions)
    name: ClassVar[str] = "brief"
    _encoders: _ProcessEncoders = field(default_factory=lambda: _ProcessEncoders(), repr=False, compare=False)

    def run(self, due: Sequence[str], context: StageContext) -> StageResult:
        store = context.store
        stories = store.stories.many(set(store.stories.of(due).values()))

        def share(k: int, n: int, report: Progress) -> list[Brief]:
            briefs = []
            for story in stories[k::n]:
                briefs.append(self.brief(store, story))
                report(1)
            return briefs

        found = context.workers.shares(share, context.progress, parallel=len(stories) >= PARALLEL_MIN_STORIES)
        result = StageResult(done=set(due))
        for brief in interleaved(found):
            result.changes.briefs.append(brief)
            result.made.append(brief)
        result.done.update(a for story in stories for a in story.articles)
        return result

    def brief(self, store: Store, story: Story) -> Brief:
        """The brief of ``story``, from the stored articles, relations and findings."""
        articles = list(store.articles.many(story.articles))
        relations = store.relations.of(story.articles)
        brief = make_brief(articles, relations, story, self.options, self._encoder())
        return replace(brief, findings=tuple(store.findings.of(story.articles)))

    def _encoder(self) -> Encoder | None:
        """The sentence encoder (None without the semantic extra or when the options say so)."""
        return self._encoders.get(self.options.semantic)


class _ProcessEncoders:
    """The sentence encoder of each process, loaded when a story first needs it: most stories have one
    source and need none, and a loaded runtime does not survive a fork."""

    def __init__(self) -> None:
        self._available: bool | None = None
        self._loaded: dict[int, SentenceEncoder] = {}

    def get(self, wanted: bool) -> Encoder | None:
        if self._available is None:
            self._available = semantic_available()
        return self if wanted and self._available else None

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        pid = os.getpid()
        if pid not in self._loaded:
            self._loaded[pid] = load_encoder()
        return self._loaded[pid].encode(texts)
