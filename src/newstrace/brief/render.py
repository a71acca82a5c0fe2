"""The readable text form of a brief (the JSON form is ``Brief.to_dict()``)."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping

from newstrace.model import Article, Brief
from newstrace.relate import render_copy_trees
from newstrace.safety import for_terminal

_WIDTH = 100


def _label(article_id: str, articles: Mapping[str, Article]) -> str:
    article = articles.get(article_id)
    where = (article.outlet or article.site) if article else None
    return f"{where} ({article_id})" if where else article_id


def _wrapped(text: str, indent: str = "  ") -> str:
    return textwrap.fill(
        " ".join(text.split()), _WIDTH, initial_indent=indent, subsequent_indent=indent + "  "
    )


def render_brief_text(brief: Brief, articles_by_id: Mapping[str, Article]) -> str:
    """A brief as plain text: headline, span, outlets, copy tree, statements, quotes, findings.

    The text quotes articles, so it is made safe for a terminal: no control characters or escape sequences.
    """
    lines = [brief.headline, "=" * min(len(brief.headline), _WIDTH), f"story {brief.story}"]
    span = " to ".join(dict.fromkeys(d for d in (brief.first_seen, brief.last_seen) if d)) or "undated"
    lines.append(f"when: {span}")
    lines.append(f"outlets: {', '.join(brief.outlets) or 'unknown'}")
    lines.append(
        f"first reported by: {', '.join(_label(a, articles_by_id) for a in brief.first_reported_by)}"
    )
    lines.append("")
    lines.append(f"Copy tree ({len(brief.copy_tree)} relations)")
    for tree in render_copy_trees(brief.copy_tree, articles_by_id):
        lines.extend(f"  {line}" for line in tree.splitlines())
    lines.append("")
    lines.append(f"Corroborated by several independent sources ({len(brief.corroborated)})")
    for statement in brief.corroborated:
        lines.append(_wrapped(f"- {statement.text}"))
        lines.append(f"      sources ({len(statement.sources)}): {', '.join(statement.sources)}")
    lines.append("")
    lines.append(f"Said by one source only ({len(brief.single_source)})")
    for statement in brief.single_source:
        lines.append(_wrapped(f"- {statement.text}  [{statement.sources[0]}]"))
    lines.append("")
    lines.append(f"Direct quotes ({len(brief.quotes)})")
    for quote in brief.quotes:
        lines.append(_wrapped(f"- {quote.speaker or 'unattributed'}: “{quote.text}”"))
        lines.append(f"      carried by: {', '.join(quote.sources)}")
    if brief.findings:
        lines.append("")
        lines.append(f"Findings ({len(brief.findings)})")
        for finding in brief.findings:
            lines.append(
                _wrapped(f"- {finding.article}: {finding.kind} {finding.severity}: {finding.explanation}")
            )
    return for_terminal("\n".join(lines) + "\n")
