"""Groups of linked things: copy groups of articles, stories joined by copies, a brief's sources.

One union-find and one search serve every stage, so that "linked at any distance" means the
same everywhere.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

T = TypeVar("T", bound=Hashable)


def connected(nodes: Iterable[T], links: Iterable[tuple[T, T]]) -> list[list[T]]:
    """The connected groups of ``nodes`` under ``links`` (pairs of nodes; other nodes in a pair are
    ignored): each group in the order of ``nodes``, the groups in the order of their first node.

    Example:
        >>> connected("abcd", [("a", "c"), ("d", "c")])
        [['a', 'c', 'd'], ['b']]
    """
    order = {node: i for i, node in enumerate(dict.fromkeys(nodes))}
    parent = list(range(len(order)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in links:
        if a in order and b in order:
            low, high = sorted((root(order[a]), root(order[b])))
            parent[high] = low
    groups: dict[int, list[T]] = {}
    for node, i in order.items():
        groups.setdefault(root(i), []).append(node)
    return [groups[key] for key in sorted(groups)]


def neighbours(links: Iterable[tuple[T, T]]) -> dict[T, set[T]]:
    """Each node of ``links`` → the nodes a link ties it to, either way."""
    found: dict[T, set[T]] = {}
    for a, b in links:
        found.setdefault(a, set()).add(b)
        found.setdefault(b, set()).add(a)
    return found


def reachable(start: T, linked: Mapping[T, Iterable[T]]) -> set[T]:
    """``start`` and every node linked to it at any distance."""
    group, frontier = {start}, [start]
    while frontier:
        for other in linked.get(frontier.pop(), ()):
            if other not in group:
                group.add(other)
                frontier.append(other)
    return group
