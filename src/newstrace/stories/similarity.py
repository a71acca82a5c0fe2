"""Which articles are near one another: an inverted index over event vectors, within a time window.

Comparing every article with every other is quadratic; instead each term keeps the
articles whose vector holds it, sorted by publication day, and a query walks only the
entries inside the time window. An article without a date is compared with every
article (and every article with it): nothing says it is far away in time.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right, insort
from collections import defaultdict

Vector = dict[str, float]


class Postings:
    """Term → articles holding it, each with its weight, split into dated (sorted) and undated ones."""

    def __init__(self) -> None:
        self._dated: dict[str, list[tuple[int, int, float]]] = defaultdict(list)
        self._undated: dict[str, list[tuple[int, float]]] = defaultdict(list)

    def add(self, doc: int, day: int | None, vector: Vector) -> None:
        """Index article number ``doc`` (published on ordinal ``day``) under each of its terms."""
        for term, weight in vector.items():
            if day is None:
                self._undated[term].append((doc, weight))
            else:
                insort(self._dated[term], (day, doc, weight))

    def scores(
        self, vector: Vector, day: int | None, window: int, before: int | None = None
    ) -> dict[int, float]:
        """Dot products of ``vector`` with every indexed article in the window (``day`` ± ``window`` days).

        With ``before``, only with the articles indexed before article ``before``, where every article
        was added in ``canonical_order`` (by day, undated last): the scores ``before`` would have had,
        queried just before it was added. So the pairs of a whole collection can be scored in any
        order, or in parts.
        """
        totals: dict[int, float] = defaultdict(float)
        for term, weight in vector.items():
            entries = self._dated.get(term)
            if entries:
                if day is None:
                    selected = entries
                else:
                    low = bisect_left(entries, (day - window, -1, 0.0))
                    if before is None:
                        high = bisect_right(entries, (day + window, 1 << 62, 0.0))
                    else:
                        high = bisect_left(entries, (day, before, -math.inf))
                    selected = entries[low:high]
                for _, doc, other in selected:
                    totals[doc] += weight * other
            undated = self._undated.get(term, [])
            if before is not None:
                undated = undated[: bisect_left(undated, (before,))]
            for doc, other in undated:
                totals[doc] += weight * other
        return totals
