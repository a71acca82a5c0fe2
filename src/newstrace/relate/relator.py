"""The relate stage's engine: index articles, verify candidate pairs, and resolve them into relations.

Three steps per article: candidate search (rare content stems, inverted index),
a cheap order check on the shared rare stems, then sentence alignment and the
copy decision. Verified pairs are kept; relations are resolved per copy group
from the pairs alone, so the result does not depend on the order articles came in.

The steps after candidate search are functions of a pair or a group (``PairVerifier``,
``missing_pairs``, ``resolve_group``), so that another engine (the Spark job) that finds
the same candidates by joins gets the same relations by calling them.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass, field

import numpy as np

from newstrace.groups import reachable
from newstrace.model import Article, Relation
from newstrace.nlp.annotate import Sentence, sentences
from newstrace.relate.candidates import CandidateIndex, Query, fingerprint
from newstrace.relate.classify import ClassifyOptions, compare_sentences, is_copy
from newstrace.relate.crosslingual import CrosslingualOptions, Translations, commonest_language, differ
from newstrace.relate.direction import DirectionOptions
from newstrace.relate.graph import Edge, components, resolve
from newstrace.workers import Progress, Workers

# Progress is reported every so many articles.
PROGRESS_EVERY = 100
_SEPARATOR = "\x1f"


@dataclass(frozen=True)
class RelateOptions:
    """Everything that tunes the relate stage.

    Attributes:
        top_k: candidates verified per article at most.
        min_candidate_score: rare-content overlap (0..1, by the smaller side) below which a candidate is dropped.
        min_order_agreement: share of shared rare stems in the same order below which a candidate is dropped.
        order_check_min_stems: fewer rare stems than this on the smaller side skip the order check.
        complete_max_size: copy groups up to this size get every pair compared (see ``complete_group``).
        parallel_min_articles: smaller collections are related in this process (forking costs more than it saves).
        semantic: also search candidates by sentence embeddings (needs the ``semantic`` extra).
        semantic_top_k: candidates the embedding search adds per article.
        parent_margin: parents scoring within this of the best count as equally good.
        classify: thresholds of the copy decision and the kinds.
        direction: margins of the direction decision.
        crosslingual: translations: candidates in other languages and their decision.
    """

    top_k: int = 8
    min_candidate_score: float = 0.1
    min_order_agreement: float = 0.3
    order_check_min_stems: int = 12
    parallel_min_articles: int = 2000
    complete_max_size: int = 16
    semantic: bool = False
    semantic_top_k: int = 3
    parent_margin: float = 0.1
    classify: ClassifyOptions = field(default_factory=ClassifyOptions)
    direction: DirectionOptions = field(default_factory=DirectionOptions)
    crosslingual: CrosslingualOptions = field(default_factory=CrosslingualOptions)


class Relator:
    """Relates articles as they arrive, against every article added before.

    Example:
        >>> relator = Relator()
        >>> relator.add(Article(id="a", text="Some text.")) == []
        True
    """

    def __init__(
        self,
        options: RelateOptions | None = None,
        encoder: object | None = None,
        index: CandidateIndex | None = None,
        articles: MutableMapping[str, Article] | None = None,
    ) -> None:
        """``index`` and ``articles`` may be given to search and read articles kept elsewhere (a store)
        instead of in memory; ``articles`` then holds exactly the articles ``index`` holds."""
        self.options = options or RelateOptions()
        self._index = index if index is not None else CandidateIndex()
        self._articles: MutableMapping[str, Article] = articles if articles is not None else {}
        self._edges: dict[str, dict[str, Edge]] = {}
        self._compared: set[tuple[str, str]] = set()  # pairs complete_group compared
        self._semantic = _SemanticIndex(encoder) if self.options.semantic else None
        self._verifier = PairVerifier(self.options)
        self._translations = self._verifier.translations

    def __len__(self) -> int:
        return len(self._articles)

    def add(self, article: Article) -> list[Relation]:
        """Relate ``article`` to everything added before; returns the relations of its copy group.

        The group's relations may change when a member arrives (an earlier original, a
        closer parent), so the caller replaces the stored relations of every article returned.
        """
        if article.id in self._articles:
            return self.group_relations(article.id)
        stems = fingerprint(article.text)
        query = self._index.prepare(stems)
        vector = self._semantic.vector(article) if self._semantic else None
        found = self._verify(article, query, self._candidates(article, query, vector))
        self._index.add(article.id, stems)
        self._articles[article.id] = article
        if self._semantic:
            self._semantic.add(article, vector)
        self._link(found)
        return self.complete_group(article.id)

    def add_all(
        self, articles: Iterable[Article], progress: Progress | None = None, workers: Workers | None = None
    ) -> None:
        """Index every article first, then verify each one's candidates among all of them.

        Used for a whole store: every article is compared with the full index, so the
        pairs found do not depend on the order of ``articles``. With ``workers`` and a large
        batch, fingerprints and verification run in forked processes.
        """
        batch = sorted((a for a in articles if a.id not in self._articles), key=lambda a: a.id)
        if self._translations and not self._articles:
            self._translations.quiet_language = commonest_language(a.language for a in batch)
        # The embedding runtime's thread pools are not safe to fork: the semantic path stays in-process.
        parallel = len(batch) >= self.options.parallel_min_articles and not self._semantic
        workers = workers or Workers(1)
        prints = workers.each(lambda article: _joined(article.text), batch, parallel)
        self.index(batch, [tuple(p.split(_SEPARATOR)) if p else () for p in prints])
        found = workers.shares(
            lambda k, n, report: self._verify_batch(batch[k::n], report), progress, parallel=parallel
        )
        unique = {(e.left, e.right): e for share in found for e in share}
        self._link([unique[key] for key in sorted(unique)])
        self._complete_all_groups()
        if self._translations:
            self._translations.quiet_language = self.options.crosslingual.main_language

    def _verify_batch(self, batch: list[Article], progress: Progress | None = None) -> list[Edge]:
        checked: set[tuple[str, str]] = set()
        edges: list[Edge] = []
        for done, article in enumerate(batch, start=1):
            query = self._index.stored_query(article.id)
            fresh: list[str] = []
            for candidate in self._candidates(article, query):
                pair = (min(candidate, article.id), max(candidate, article.id))
                if pair not in checked:
                    checked.add(pair)
                    fresh.append(candidate)
            edges += self._verify(article, query, fresh)
            if progress and done % PROGRESS_EVERY == 0:
                progress(PROGRESS_EVERY)
        if progress and len(batch) % PROGRESS_EVERY:
            progress(len(batch) % PROGRESS_EVERY)
        return edges

    def index(self, articles: Iterable[Article], prints: Iterable[tuple[str, ...]] | None = None) -> None:
        """Make ``articles`` searchable without relating them to each other (they were related before).

        ``prints`` may give their fingerprints, already computed, in the same order.
        """
        articles = list(articles)
        for article, stems in zip(articles, prints or (None,) * len(articles), strict=True):
            if article.id not in self._articles:
                self._index.add(article.id, stems if stems is not None else fingerprint(article.text))
                self._articles[article.id] = article
                if self._semantic:
                    self._semantic.add(article)

    def fingerprints(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        """Every article's id and fingerprint (its distinct content stems in order), as indexed."""
        return self._index.fingerprints()

    def complete_group(self, article_id: str) -> list[Relation]:
        """Verify the pairs not yet compared inside ``article_id``'s copy group, then return its relations.

        A copy found through a sibling (a spin whose rare words changed too much for the
        order check against its source) is compared with the whole group, so that its
        original is told apart from its siblings. Groups above ``options.complete_max_size``
        are left as they are.
        """
        members = self._group(article_id)
        linked = {(e.left, e.right) for m in members for e in self._edges.get(m, {}).values()}
        for left, right in missing_pairs(members, linked | self._compared, self.options.complete_max_size):
            self._compared.add((left, right))
            self._link(self._verify(self._articles[right], None, [left]))
        return self.group_relations(article_id)

    def _complete_all_groups(self) -> None:
        done: set[str] = set()
        for article_id in sorted(self._edges):
            if article_id not in done:
                done |= self._group(article_id)
                self.complete_group(article_id)

    def _group(self, article_id: str) -> set[str]:
        return reachable(article_id, self._edges)

    def _link(self, edges: list[Edge]) -> None:
        for edge in edges:
            self._edges.setdefault(edge.left, {})[edge.right] = edge
            self._edges.setdefault(edge.right, {})[edge.left] = edge

    def relations(self) -> list[Relation]:
        """Every relation among the articles added so far."""
        return [r for group in components(self._all_edges()) for r in self._resolve(group)]

    def group_relations(self, article_id: str) -> list[Relation]:
        """The relations of the copy group ``article_id`` belongs to (empty when it has no copies)."""
        members = self._group(article_id)
        return self._resolve([e for m in members for e in self._edges.get(m, {}).values() if e.left == m])

    def _all_edges(self) -> list[Edge]:
        return [edge for node, edges in self._edges.items() for edge in edges.values() if edge.left == node]

    def _resolve(self, edges: list[Edge]) -> list[Relation]:
        return resolve_group(edges, self._articles, self.options)

    def _candidates(self, article: Article, query: Query, vector: np.ndarray | None = None) -> list[str]:
        options = self.options
        found = [
            c.id
            for c in self._index.query(
                query, top_k=options.top_k, min_score=options.min_candidate_score, exclude=article.id
            )
        ]
        if self._semantic:
            found += [
                c for c in self._semantic.query(article, options.semantic_top_k, vector) if c not in found
            ]
        if self._translations:
            found += self._translations.candidates(article, self._index, self._articles, found)
        return found

    def _verify(self, article: Article, query: Query | None, candidates: list[str]) -> list[Edge]:
        """The candidates that ``article`` is a copy pair with (``query`` None: skip the order check)."""
        edges = []
        for candidate in candidates:
            if candidate == article.id or candidate not in self._index:
                continue
            agreement = None if query is None else functools.partial(self._index.order_agreement, query, candidate)
            edge = self._verifier.edge(article, self._articles[candidate], agreement)
            if edge is not None:
                edges.append(edge)
        return edges


class PairVerifier:
    """Whether two articles are a copy pair, with their aligned evidence: the decision every engine
    makes for each candidate pair (and each pair a small group leaves unlinked).

    Keeps the sentences of the articles it compared last; the cross-lingual part (``translations``)
    also keeps its own, and which language does not search for candidates (see ``Translations``).
    """

    def __init__(self, options: RelateOptions) -> None:
        self.options = options
        crosslingual = options.crosslingual
        self.translations = Translations(crosslingual) if crosslingual.enabled else None
        self._sentences: OrderedDict[str, list[Sentence]] = OrderedDict()

    def edge(self, a: Article, b: Article, agreement: Callable[[], tuple[float, int]] | None) -> Edge | None:
        """The edge of ``a`` and ``b`` when they are a copy pair, else None; the same whichever is ``a``.

        ``agreement`` gives their shared rare stems' order agreement and the rarer side's count
        (``CandidateIndex.order_agreement``): a pair whose count reaches ``order_check_min_stems`` with
        too little in order is dropped before alignment. None skips the check.
        """
        options = self.options
        left, right = (a, b) if a.id < b.id else (b, a)
        if self.translations and differ(a, b):
            comparison = self.translations.verify(left, right)
            return Edge(left.id, right.id, comparison) if comparison is not None else None
        if agreement is not None:
            share, count = agreement()
            if count >= options.order_check_min_stems and share < options.min_order_agreement:
                return None
        comparison = compare_sentences(self._sentences_of(left), self._sentences_of(right))
        return Edge(left.id, right.id, comparison) if is_copy(comparison, options.classify) else None

    def _sentences_of(self, article: Article) -> list[Sentence]:
        cached = self._sentences.get(article.id)
        if cached is not None:
            self._sentences.move_to_end(article.id)
            return cached
        result = self._sentences[article.id] = sentences(article.text)
        if len(self._sentences) > 2048:
            self._sentences.popitem(last=False)
        return result


def missing_pairs(
    members: Iterable[str], linked: Collection[tuple[str, str]], max_size: int
) -> list[tuple[str, str]]:
    """The pairs ``(left, right)`` of a copy group (left < right) still to compare, in order: every pair
    not in ``linked``, when the group has at most ``max_size`` members (see ``Relator.complete_group``)."""
    members = sorted(members)
    if len(members) > max_size:
        return []
    return [
        (left, right)
        for i, left in enumerate(members)
        for right in members[i + 1 :]
        if (left, right) not in linked
    ]


def resolve_group(edges: list[Edge], articles: Mapping[str, Article], options: RelateOptions) -> list[Relation]:
    """The relations of one copy group's verified pairs (see ``graph.resolve``)."""
    return resolve(edges, articles, options.classify, options.direction, options.parent_margin)


class _SemanticIndex:
    """Candidate search by the mean sentence embedding of each article's opening (cosine, exact)."""

    def __init__(self, encoder: object | None) -> None:
        if encoder is None:
            from newstrace.nlp.embedding import load_encoder

            encoder = load_encoder()
        self._encoder = encoder
        self._ids: list[str] = []
        self._positions: dict[str, int] = {}
        self._vectors: list[np.ndarray] = []
        self._matrix: np.ndarray | None = None

    def vector(self, article: Article) -> np.ndarray:
        """The article's stored vector, or its embedding when it is not stored."""
        if article.id in self._positions:
            return self._vectors[self._positions[article.id]]
        opening = [s.text for s in sentences(article.text)[:8]] or [article.text[:500]]
        vectors = self._encoder.encode(opening)  # type: ignore[attr-defined]
        mean = np.asarray(vectors, dtype=np.float32).mean(axis=0)
        return mean / max(float(np.linalg.norm(mean)), 1e-9)

    def add(self, article: Article, vector: np.ndarray | None = None) -> None:
        if article.id in self._positions:
            return
        self._vectors.append(self.vector(article) if vector is None else vector)
        self._positions[article.id] = len(self._ids)
        self._ids.append(article.id)
        self._matrix = None

    def query(self, article: Article, top_k: int, vector: np.ndarray | None = None) -> list[str]:
        if not self._ids:
            return []
        if self._matrix is None:
            self._matrix = np.vstack(self._vectors)
        sims = self._matrix @ (self.vector(article) if vector is None else vector)
        top = np.argsort(-sims, kind="stable")[: top_k + 1] if len(sims) <= 4 * top_k else None
        if top is None:
            top = np.argpartition(-sims, top_k)[: top_k + 1]
        ranked = sorted(top.tolist(), key=lambda i: (-float(sims[i]), self._ids[i]))
        return [self._ids[i] for i in ranked if self._ids[i] != article.id][:top_k]


def _joined(text: str) -> str:
    """A fingerprint as one string: cheap to send back from a worker process."""
    return _SEPARATOR.join(fingerprint(text))


def relate_all(
    articles: Iterable[Article],
    options: RelateOptions | None = None,
    progress: Progress | None = None,
    workers: Workers | None = None,
) -> list[Relation]:
    """Relate every article to every other; the same relations whatever the order of ``articles``.

    Args:
        articles: the articles (ids unique).
        options: tuning; defaults are the benchmarked ones.
        progress: called with the number of articles verified since the last call.
        workers: processes to verify candidates in, for many articles (default: this one only).

    Returns:
        Relations sorted by (original, derived).
    """
    relator = Relator(options)
    relator.add_all(articles, progress, workers)
    return relator.relations()
