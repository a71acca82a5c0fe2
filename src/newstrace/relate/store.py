"""The relate stage over a store: load its articles, relate them, write the relations back."""

from __future__ import annotations

from collections.abc import Iterable

from newstrace.model import Relation
from newstrace.relate.relator import ProgressCallback, RelateOptions, Relator
from newstrace.store import SQLiteStore

# When the new articles are at least 1/WHOLE_STORE_SHARE of the store, the whole store is related.
WHOLE_STORE_SHARE = 5


def relate_store(
    store: SQLiteStore,
    article_ids: Iterable[str] | None = None,
    options: RelateOptions | None = None,
    progress: ProgressCallback | None = None,
) -> list[Relation]:
    """Relate the store's articles and replace the stored relations they touch.

    Args:
        store: the store to read articles from and write relations to.
        article_ids: relate just these (new) articles against all others; ``None`` relates the whole store.
        options: relate options.
        progress: called with the number of articles handled since the last call.

    Returns:
        The relations written: all of them for a whole store, else those of the given articles' copy groups.
    """
    relator = Relator(options)
    wanted = set(article_ids) if article_ids is not None else set()
    # Relating many new articles one by one costs more than relating the whole store at once.
    if article_ids is None or len(wanted) * WHOLE_STORE_SHARE >= store.count_articles():
        relator.add_all(store.iter_articles(), progress)
        relations = relator.relations()
        store.delete_relations()
        store.put_relations(relations)
        return relations
    relator.index(a for a in store.iter_articles() if a.id not in wanted)
    groups: dict[tuple[str, str], Relation] = {}
    for article in store.iter_articles(sorted(wanted)):
        relator.add(article)
        if progress:
            progress(1)
    for article_id in sorted(wanted):
        for relation in relator.complete_group(article_id):
            groups[(relation.original, relation.derived)] = relation
    touched = {article_id for pair in groups for article_id in pair} | wanted
    store.delete_relations(sorted(touched))
    relations = [groups[key] for key in sorted(groups)]
    store.put_relations(relations)
    return relations
