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
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from newstrace.extract.templates import SiteTemplates, TemplateOptions, article_keys, strip_templates
from newstrace.model import Article
from newstrace.store.base import Changes, Store, dumps

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

    def run(self, store: Store, due: Sequence[str]) -> tuple[Changes, TemplateReport]:
        """The rewritten articles of ``due`` as ``Changes`` for the engine to commit, and a report."""
        if not due:
            return Changes(), TemplateReport()
        kept: dict[str, list[str]] = json.loads(store.settings.get(KEPT) or "{}")
        changes, lines = Changes(), 0
        if len(due) * LEARN_SHARE >= store.articles.count():
            kept.update(self._learnt(store, due))
            changes.settings[KEPT] = json.dumps(kept, sort_keys=True)
        for article in store.articles.many(due):
            stripped = without_templates(article, kept.get(site_of(article), ()))
            if stripped is not None:
                changes.articles_rewritten.append((article.id, dumps(stripped.to_dict())))
                lines += len(stripped.removed) - len(article.removed)
        return changes, TemplateReport(len(changes.articles_rewritten), lines)

    def _learnt(self, store: Store, due: Sequence[str]) -> dict[str, list[str]]:
        """The template lines of each site of ``due``, learnt from every article the store holds for it."""
        sites = store.articles.sites()
        due_sites = {sites[i] for i in due if sites.get(i)}
        return learn_templates(store.articles.many([i for i, site in sites.items() if site in due_sites]), self.options)


def learn_templates(articles: Iterable[Article], options: TemplateOptions) -> dict[str, list[str]]:
    """The template line keys of each site among ``articles``, learnt from them all (both engines call this)."""
    learner, sites = SiteTemplates(options), set()
    for article in articles:
        if site := site_of(article):
            learner.add(site, article.id, article_keys(article))
            sites.add(site)
    return {site: sorted(learner.templates(site)) for site in sorted(sites)}


def without_templates(article: Article, templates: Collection[str]) -> Article | None:
    """``article`` with its site's ``templates`` lines moved out; None when none moved or no text would be left."""
    if not templates:
        return None
    stripped = strip_templates(article, frozenset(templates))
    return stripped if stripped is not article and stripped.text.strip() else None


def site_of(article: Article) -> str:
    """The site an article is learnt under: as the store lists it (its site, else its outlet)."""
    return article.site or article.outlet or ""
