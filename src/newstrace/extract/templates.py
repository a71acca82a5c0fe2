"""Site templates: lines that recur verbatim across many articles of one site are the site's, not the article's.

A sidebar, a newsletter's standing text, a subscription pitch, a gallery embedded in every
story, a scraper that pastes the same passages into every page: none of it belongs to the
event an article reports, and left in the text it makes unrelated articles of one site look
alike to relate and stories. Like CCNet's paragraph deduplication (Wenzek et al. 2020), which
drops paragraphs whose normalised hash recurs across a shard, and site-level boilerplate
detectors, which learn a site's template from many of its pages, this module counts each
normalised line per site over distinct articles and calls a line template once enough distinct
articles of the site carry it.

Why an absolute count and not a share of the site's pages: a site's template is often on only
part of its pages (one section, one year of its layout), and a share would hide it on a large
site; an absolute count is also what the counts a store keeps can answer without knowing the
site's size. Why five: the legitimate way one line recurs verbatim in several articles of a site
is a short run of versions or follow-ups of one story (an update, a correction, a second-day
story repeating a background line), and such runs rarely reach five; standing text reaches five
as soon as five pages are read. On the 37.5k-article news corpus (491 outlets), 2 articles would
mark 6,647 lines (many of them shared background lines of follow-ups), 5 marks 1,046 lines on
96 sites and 10 marks 464; the lines marked at 5 are, read by eye, standing text (see
``benchmarks/extraction.py``). A line shared only by copies of one page (the same text stored
under several ids) is counted once per distinct text, so a site that stores one article five
times does not turn that article into template.

The pure core only: ``SiteTemplates`` learns, ``strip_templates`` applies what was learnt to
one article (the lines move to ``Article.removed`` with the reason ``"site-template"``), and
``changed_by`` says which already-extracted articles a grown template set would change.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace

from newstrace.model import Article, Removed

TEMPLATE_REASON = "site-template"
_NON_WORD = re.compile(r"[\W_]+")
# The fast path of ``line_key``: the punctuation news text is full of (curly quotes, dashes,
# bullets, soft hyphens), all of it non-word, becomes a space, so that most lines are then ASCII
# and are read as bytes; the Unicode ``_NON_WORD`` pattern, which looks up every character's
# category, took 80 % of the template step on the news corpus.
_COMMON_NON_WORD = re.compile("[\u00ab\u00ad\u00b7\u00bb\u200b\u2010-\u2015\u2018-\u201f\u2022\u2026]")
_ASCII_NON_WORD_TO_SPACE = bytes(i if chr(i).isalnum() else 0x20 for i in range(128)) + bytes(range(128, 256))
_SPACES = re.compile(b" {2,}")
_BLANK_LINE = re.compile(r"\n\s*\n")


@dataclass(frozen=True)
class TemplateOptions:
    """When a line counts as a site's template.

    Attributes:
        min_articles: how many distinct articles of one site must carry a line verbatim (after
            normalising case, punctuation and spacing) for it to be template (see the module's note).
    """

    min_articles: int = 5


def line_key(line: str) -> str | None:
    """The key a line is counted under: a hash of its words, case and punctuation aside; ``None`` without words."""
    text = unicodedata.normalize("NFKC", line)
    text = text.lower() if text.isascii() else _COMMON_NON_WORD.sub(" ", text.casefold())
    if text.isascii():
        words = _SPACES.sub(b" ", text.encode("ascii").translate(_ASCII_NON_WORD_TO_SPACE)).strip()
    else:
        words = _NON_WORD.sub(" ", text).strip().encode("utf-8")
    return hashlib.sha1(words).hexdigest()[:16] if words else None


def article_keys(article: Article) -> frozenset[str]:
    """Keys of every line of the article's body, counting lines already moved out as site template.

    So an article gives the same keys whether or not an earlier template set was applied to it.
    """
    lines = [*_lines(article.text), *(r.text for r in article.removed if r.reason == TEMPLATE_REASON)]
    return frozenset(key for key in map(line_key, lines) if key is not None)


class SiteTemplates:
    """Learns each site's template lines from its articles: per site, how many distinct articles carry each line.

    The result depends only on which articles were added, never on their order; adding an
    article twice (same id, or same text under another id) counts it once.
    """

    def __init__(self, options: TemplateOptions | None = None) -> None:
        self.options = options or TemplateOptions()
        self._counts: dict[str, Counter[str]] = defaultdict(Counter)
        self._seen_ids: dict[str, set[str]] = defaultdict(set)
        self._seen_texts: dict[str, set[str]] = defaultdict(set)

    def add(self, site: str, article_id: str, keys: Iterable[str]) -> frozenset[str]:
        """Count one article's line keys (see ``article_keys``) for ``site``; return the keys that became template."""
        keys = frozenset(keys)
        # An article is known by its id and by its set of lines: copies of one page under two ids count once.
        identity = hashlib.sha1("\n".join(sorted(keys)).encode("ascii")).hexdigest()
        if article_id in self._seen_ids[site] or identity in self._seen_texts[site]:
            return frozenset()
        self._seen_ids[site].add(article_id)
        self._seen_texts[site].add(identity)
        counts = self._counts[site]
        counts.update(keys)
        return frozenset(key for key in keys if counts[key] == self.options.min_articles)

    def add_article(self, article: Article) -> frozenset[str]:
        """``add`` for an extracted article, under its site (articles without a site teach nothing)."""
        if not article.site:
            return frozenset()
        return self.add(article.site, article.id, article_keys(article))

    def templates(self, site: str | None) -> frozenset[str]:
        """The template line keys learnt for ``site`` so far."""
        if not site or site not in self._counts:
            return frozenset()
        return frozenset(k for k, n in self._counts[site].items() if n >= self.options.min_articles)

    def sites(self) -> list[str]:
        """Every site with at least one template line, sorted."""
        return sorted(site for site in self._counts if self.templates(site))


def strip_templates(article: Article, templates: Collection[str]) -> Article:
    """The article with every line whose key is in ``templates`` moved to ``removed`` as ``"site-template"``.

    Paragraph breaks of the lines kept stay as they were. The result may have an empty text: a
    page holding nothing but its site's template; the caller decides what to do with it.
    """
    if not templates:
        return article
    paragraphs, removed = [], []
    for paragraph in _BLANK_LINE.split(article.text):
        kept = []
        for line in paragraph.split("\n"):
            if line.strip() and line_key(line) in templates:
                removed.append(Removed(line.strip(), TEMPLATE_REASON))
            else:
                kept.append(line)
        if any(line.strip() for line in kept):
            paragraphs.append("\n".join(kept).strip("\n"))
    if not removed:
        return article
    return replace(article, text="\n\n".join(paragraphs), removed=(*article.removed, *removed))


def changed_by(articles: Iterable[Article], new_templates: Collection[str]) -> list[str]:
    """Ids of the articles (of one site) that ``new_templates``, keys just become template, would change."""
    if not new_templates:
        return []
    return [
        article.id
        for article in articles
        if any(line_key(line) in new_templates for line in _lines(article.text))
    ]


def _lines(text: str) -> list[str]:
    return [line for line in (raw.strip() for raw in text.split("\n")) if line]
