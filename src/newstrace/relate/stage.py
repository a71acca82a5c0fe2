"""The relate stage in the engine: relate the articles that are due against everything stored.

A few due articles are related against the store's "relate" term index (``StoredPostings``),
which reads only what their candidates need; many (a fifth of the store or more) are related
together with the whole store in memory, which is cheaper per article. Either way the stage
returns the relations of every copy group the due articles belong to, and names the articles
whose relations changed, so that their stories, checks and briefs are made again.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from newstrace.engine.stages import StageContext, StageResult
from newstrace.model import Relation
from newstrace.relate.candidates import CandidateIndex
from newstrace.relate.relator import RelateOptions, Relator
from newstrace.relate.stored_index import (
    FINGERPRINT_SETTINGS,
    INDEX,
    StoredArticles,
    StoredPostings,
    article_fingerprint,
    fingerprint_entry,
)
from newstrace.store.base import Store, filled_index

# When the due articles are at least 1/WHOLE_STORE_SHARE of the store, the whole store is related.
WHOLE_STORE_SHARE = 5


@dataclass(frozen=True)
class RelateStage:
    """Relate: copies, excerpts, edits, spins and rewrites, with their evidence and direction."""

    options: RelateOptions = field(default_factory=RelateOptions)
    name: ClassVar[str] = "relate"

    def run(self, due: Sequence[str], context: StageContext) -> StageResult:
        store = context.store
        if len(due) * WHOLE_STORE_SHARE >= store.articles.count():
            return self._whole_store(due, context)
        relator = self._relator_over(store, set(due))
        groups: dict[tuple[str, str], Relation] = {}
        for article in store.articles.many(sorted(due)):
            relator.add(article)
            context.progress(1)
        for article_id in sorted(due):
            for relation in relator.complete_group(article_id):
                groups[(relation.original, relation.derived)] = relation
        touched = {article_id for pair in groups for article_id in pair} | set(due)
        relations = [groups[key] for key in sorted(groups)]
        result = StageResult(done=set(due), made=relations)
        result.changes.relations_dropped = touched
        result.changes.relations = relations
        result.changed = _changed(store.relations.of(touched), relations)
        return result

    def _whole_store(self, due: Sequence[str], context: StageContext) -> StageResult:
        """Relate every stored article (the due ones among them) at once, and keep their fingerprints."""
        store = context.store
        relator = Relator(self.options)
        relator.add_all(store.articles.all(), context.progress, context.workers)
        relations = relator.relations()
        # Kept for the next few new articles, which are then related without loading the store.
        index = store.index(INDEX)
        if index.settings() != FINGERPRINT_SETTINGS:
            index.reset(FINGERPRINT_SETTINGS)
        index.add(fingerprint_entry(article_id, stems) for article_id, stems in relator.fingerprints())
        result = StageResult(done=set(due), made=relations)
        result.changes.clear.add("relations")
        result.changes.relations = relations
        result.changed = _changed(store.relations.all(), relations)
        return result

    def _relator_over(self, store: Store, due: set[str]) -> Relator:
        """A relator holding every stored article but ``due``: searching the store's fingerprints where it
        can, else (the semantic search, or due articles fingerprinted before) with them all in memory."""
        index = filled_index(store, INDEX, FINGERPRINT_SETTINGS, article_fingerprint, exclude=due)
        if self.options.semantic or index.entries(ids=due):
            relator = Relator(self.options)
            relator.index(a for a in store.articles.all() if a.id not in due)
            return relator
        postings = StoredPostings(index)
        return Relator(self.options, index=CandidateIndex(postings), articles=StoredArticles(store, postings))


def _changed(before: Iterable[Relation], after: Iterable[Relation]) -> set[str]:
    """The articles whose relations differ between ``before`` and ``after``."""
    by_article: dict[str, list[set[str]]] = defaultdict(lambda: [set(), set()])
    for side, relations in enumerate((before, after)):
        for relation in relations:
            key = repr(sorted(relation.to_dict().items()))
            by_article[relation.original][side].add(key)
            by_article[relation.derived][side].add(key)
    return {article for article, (old, new) in by_article.items() if old != new}
