"""Incremental story assignment: a new article joins the story it matches best, or starts one.

The index keeps every known article's event vector in an inverted index (``Postings``),
so placing one article costs a walk over the few articles that share its telling terms
within the time window: milliseconds, whatever the size of the store. The rule is the
batch one (``cluster.average_linkage``) applied to one article: join the story whose
articles are most similar to it on average, if that average reaches the threshold.

Term statistics are those the index was built with; a rebuild refreshes them and
re-clusters everything in canonical order. Assignment is greedy, so a borderline
article may land differently depending on what arrived before it; a rebuild gives
the canonical stories whatever the order of arrival.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from newstrace.model import Article
from newstrace.stories.cluster import StoryOptions, joined_span
from newstrace.stories.decision import pair_factor
from newstrace.stories.features import Signature, TermStats, signature
from newstrace.stories.similarity import Postings


class StoryIndex:
    """Known articles, their stories, and an inverted index to place new articles.

    Example:
        >>> index = StoryIndex(TermStats({}, 0), StoryOptions())
        >>> index.assign(Article(id="a1", text="Quake hits Peru."))
        'a1'
    """

    def __init__(self, stats: TermStats, options: StoryOptions) -> None:
        self.stats = stats
        self.options = options
        self._postings = Postings()
        self._signatures: list[Signature] = []
        self._story_of: list[str] = []
        self._sizes: dict[str, int] = defaultdict(int)
        self._spans: dict[str, tuple[int, int] | None] = {}

    def __len__(self) -> int:
        return len(self._signatures)

    def add(self, sig: Signature, story: str, counted: bool = True) -> None:
        """Index an article already placed in ``story`` (``counted``: its terms are in ``stats``)."""
        vector = self.stats.vector(sig, self.options.features, counted=counted)
        self._postings.add(len(self._signatures), sig.day, vector)
        self._signatures.append(sig)
        self._story_of.append(story)
        self._sizes[story] += 1
        day = None if sig.day is None else (sig.day, sig.day)
        self._spans[story] = joined_span(self._spans.get(story), day)

    def set_story(self, story: str, size: int, span: tuple[int, int] | None) -> None:
        """Give a story's whole size and time span, when only the articles of it that can resemble the
        ones to place were indexed (the others count as similarity 0 in its average)."""
        self._sizes[story] = size
        self._spans[story] = span

    def story_scores(self, sig: Signature, counted: bool = False) -> dict[str, float]:
        """Average similarity of ``sig`` to the articles of every story it shares a telling term with
        and could join (its dated articles would still span at most ``max_span_days``)."""
        vector = self.stats.vector(sig, self.options.features, counted=counted)
        totals: dict[str, float] = defaultdict(float)
        for doc, cosine in self._postings.scores(vector, sig.day, self.options.window_days).items():
            totals[self._story_of[doc]] += cosine * pair_factor(self._signatures[doc], sig, self.options.evidence)
        day = None if sig.day is None else (sig.day, sig.day)
        scores = {}
        for story, total in totals.items():
            span = joined_span(self._spans[story], day)
            if span is None or span[1] - span[0] <= self.options.max_span_days:
                scores[story] = total / self._sizes[story]
        return scores

    def best_story(self, sig: Signature, counted: bool = False) -> tuple[str | None, float]:
        """The story whose articles are on average most similar to ``sig``, and that average."""
        best: tuple[str | None, float] = (None, 0.0)
        for story, average in sorted(self.story_scores(sig, counted).items()):
            if average > best[1]:
                best = (story, average)
        return best

    def assign(self, article: Article, counted: bool = False) -> str:
        """Place ``article``: the key of the story it joins, or its own id when it starts one.

        Args:
            article: The new article.
            counted: Whether the article's terms are already in the index's statistics.

        Returns:
            The key of the article's story in this index (a new story is keyed by the article's id).
        """
        sig = signature(article, self.options.features)
        story, score = self.best_story(sig, counted)
        if story is None or score < self.options.threshold:
            story = article.id
        self.add(sig, story, counted)
        return story

    def stories(self) -> dict[str, list[str]]:
        """Story key → its article ids, in the order they were indexed."""
        grouped: dict[str, list[str]] = defaultdict(list)
        for sig, story in zip(self._signatures, self._story_of, strict=True):
            grouped[story].append(sig.article)
        return dict(grouped)


def build_index(
    signatures: Iterable[Signature], story_of: dict[str, str], options: StoryOptions
) -> StoryIndex:
    """An index over every signature's statistics, holding those already placed in stories.

    Args:
        signatures: All known articles' signatures: the term statistics are taken over all of them.
        story_of: Article id → story key, for the articles already placed; the others are left for
            ``StoryIndex.assign(..., counted=True)``.
        options: Threshold, window, feature options.
    """
    signatures = list(signatures)
    index = StoryIndex(TermStats.from_signatures(signatures), options)
    for sig in signatures:
        if sig.article in story_of:
            index.add(sig, story_of[sig.article])
    return index
