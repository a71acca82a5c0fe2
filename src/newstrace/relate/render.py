"""Copy trees as text: who copied whom, how, and on what evidence, for the main job's report."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from newstrace.model import Article, Relation


def render_copy_trees(relations: Iterable[Relation], articles_by_id: Mapping[str, Article]) -> list[str]:
    """One block of text per copy group: the original at the root, each copy under what it copied.

    Args:
        relations: relations of any number of groups (as returned by ``relate_all``).
        articles_by_id: the articles they name (missing ones are shown by id only).

    Returns:
        One multi-line string per group, groups ordered by their root's id.

    Example:
        >>> from newstrace.model import Relation
        >>> r = Relation("a", "b", "duplicate", 1.0, {"original": 1.0, "derived": 1.0})
        >>> print(render_copy_trees([r], {})[0])
        a
        └── b  duplicate 1.00  (covers 100% of a)
    """
    children: dict[str, list[Relation]] = defaultdict(list)
    has_parent: set[str] = set()
    nodes: set[str] = set()
    for relation in relations:
        children[relation.original].append(relation)
        has_parent.add(relation.derived)
        nodes.update((relation.original, relation.derived))
    roots = sorted(n for n in nodes if n not in has_parent) or sorted(nodes)[:1]
    blocks = []
    shown: set[str] = set()
    for root in roots:
        if root in shown:
            continue
        lines = [_label(root, articles_by_id)]
        shown.add(root)
        _walk(root, children, articles_by_id, "", lines, shown)
        blocks.append("\n".join(lines))
    return blocks


def _walk(
    node: str,
    children: Mapping[str, list[Relation]],
    articles: Mapping[str, Article],
    prefix: str,
    lines: list[str],
    shown: set[str],
) -> None:
    kids = sorted(children.get(node, ()), key=lambda r: r.derived)
    for index, relation in enumerate(kids):
        last = index == len(kids) - 1
        direction = "" if relation.direction == "known" else ", direction unknown"
        lines.append(
            f"{prefix}{'└── ' if last else '├── '}{_label(relation.derived, articles)}  {relation.kind} "
            f"{relation.score:.2f}  (covers {relation.coverage.get('original', 0):.0%} of {node}{direction})"
        )
        if relation.derived not in shown:
            shown.add(relation.derived)
            _walk(relation.derived, children, articles, prefix + ("    " if last else "│   "), lines, shown)


def _label(article_id: str, articles: Mapping[str, Article]) -> str:
    article = articles.get(article_id)
    if article is None:
        return article_id
    where = article.site or article.outlet
    details = ", ".join(x for x in (where, article.date) if x)
    title = f' "{article.title.strip()[:70]}"' if article.title else ""
    return f"{article_id}{f' ({details})' if details else ''}{title}"
