"""Site templates in the engine: before relate, the standing lines of each site move out of its new articles.

The engine calls ``TemplateStep`` on the articles due for relate (extracted, not yet related):
for every site among them it learns the template lines (``templates.SiteTemplates``) from all
the articles the store holds for that site, the due ones included, and rewrites each due article
whose text holds template lines with those lines moved to ``Article.removed`` (reason
``"site-template"``). So relate, stories, checks and briefs never see them, and the article's
provenance says what went and why.

A bulk run (its due articles at least 1/``LEARN_SHARE`` of the store) learns from the whole store,
which makes the result independent of the order articles came in within the run, and keeps what
it learnt in the store's settings; a small run (one article posted or fetched) strips with what
was kept, since learning again would read every stored article of the site (2.7 s for one
article of the corpus's largest site, beside 60 ms for relating it). An article already related is not rewritten when its site's template grows later (its
relations, stories and term-index entries rest on its text); the lines it still holds are the
site's own and are rare by construction (on fewer than ``min_articles`` articles at the time).
A page that holds nothing but its site's template is left whole: an article without text would
have nothing for relate to read, and its copies are still worth finding.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from newstrace.extract.templates import SiteTemplates, TemplateOptions, article_keys, strip_templates
from newstrace.model import Article
from newstrace.store.base import Changes, Store, dumps
from newstrace.workers import PARALLEL_MIN_ARTICLES, Workers

# A run whose due articles are at least 1/LEARN_SHARE of the store learns the templates again.
LEARN_SHARE = 5
# The settings key of the template lines learnt so far: {site: [line key, ...]}.
KEPT = "site-templates"


@dataclass(frozen=True)
class TemplateReport:
    """What the step did: articles rewritten and template lines moved out of them."""

    articles: int = 0
    lines: int = 0


@dataclass(frozen=True)
class TemplateStep:
    """Moves site template lines out of the articles due for relate (see the module's note)."""

    options: TemplateOptions = field(default_factory=TemplateOptions)

    def run(
        self, store: Store, due: Sequence[str], workers: Workers | None = None
    ) -> tuple[Changes, TemplateReport]:
        """The rewritten articles of ``due`` as ``Changes`` for the engine to commit, and a report.

        ``workers`` read the line keys and strip the lines when there are many articles.
        """
        if not due:
            return Changes(), TemplateReport()
        kept: dict[str, list[str]] = json.loads(store.settings.get(KEPT) or "{}")
        changes = Changes()
        if len(due) * LEARN_SHARE >= store.articles.count():
            articles = self._of_due_sites(store, due)
            learnt = learn_templates(articles, self.options, workers)
            kept.update(learnt.templates)
            changes.settings[KEPT] = json.dumps(kept, sort_keys=True)
            # Only the articles found holding a template line can change; they are still in memory.
            wanted = set(due) & learnt.holders
            articles = [article for article in articles if article.id in wanted]
        else:
            articles = list(store.articles.many(due))
        found = (workers or Workers(1)).each(
            lambda article: _stripped(article, kept), articles, len(articles) >= PARALLEL_MIN_ARTICLES
        )
        stripped = [(article.id, *done) for article, done in zip(articles, found, strict=True) if done]
        changes.articles_rewritten = [(article_id, data) for article_id, data, _ in stripped]
        return changes, TemplateReport(len(stripped), sum(lines for _, _, lines in stripped))

    def _of_due_sites(self, store: Store, due: Sequence[str]) -> list[Article]:
        """Every article the store holds for a site of ``due``."""
        sites = store.articles.sites()
        due_sites = {sites[i] for i in due if sites.get(i)}
        return list(store.articles.many([i for i, site in sites.items() if site in due_sites]))


def _stripped(article: Article, kept: dict[str, list[str]]) -> tuple[str, int] | None:
    """The article with its site's template lines moved out, as stored, and how many moved; None when none."""
    stripped = without_templates(article, kept.get(site_of(article), ()))
    if stripped is None:
        return None
    return dumps(stripped.to_dict()), len(stripped.removed) - len(article.removed)


@dataclass(frozen=True)
class LearntTemplates:
    """What ``learn_templates`` learnt: each site's template line keys, and which articles hold any of them."""

    templates: dict[str, list[str]]
    holders: frozenset[str]


def learn_templates(
    articles: Iterable[Article], options: TemplateOptions, workers: Workers | None = None
) -> LearntTemplates:
    """The template line keys of each site among ``articles``, learnt from them all (both engines call this).

    The articles' line keys are read in ``workers`` when there are many articles (reading them is
    nearly all the work), and kept, as numbers, until the templates are known, so that the
    articles holding a template line are named without reading every line again.
    """
    sited = [article for article in articles if site_of(article)]
    keys = (workers or Workers(1)).each(_key_numbers, sited, len(sited) >= PARALLEL_MIN_ARTICLES)
    learner = SiteTemplates(options)
    for article, numbers in zip(sited, keys, strict=True):
        learner.add(site_of(article), article.id, (f"{number:016x}" for number in numbers))
    templates = {site: sorted(learner.templates(site)) for site in sorted({site_of(a) for a in sited})}
    template_numbers = {site: {int(key, 16) for key in keys} for site, keys in templates.items()}
    holders = frozenset(
        article.id
        for article, numbers in zip(sited, keys, strict=True)
        if not template_numbers[site_of(article)].isdisjoint(numbers)
    )
    return LearntTemplates(templates, holders)


def _key_numbers(article: Article) -> array[int]:
    """``article_keys`` as 64-bit numbers: an eighth of the memory of their hex strings, and quick to send back from a worker."""
    return array("Q", (int(key, 16) for key in article_keys(article)))


def without_templates(article: Article, templates: Collection[str]) -> Article | None:
    """``article`` with its site's ``templates`` lines moved out; None when none moved or no text would be left."""
    if not templates:
        return None
    stripped = strip_templates(article, frozenset(templates))
    return stripped if stripped is not article and stripped.text.strip() else None


def site_of(article: Article) -> str:
    """The site an article is learnt under: as the store lists it (its site, else its outlet)."""
    return article.site or article.outlet or ""
