"""Shared text analysis without heavy models: sentences, names, numbers and quotes.

Every function takes plain text and returns spans as ``(start, end)`` character
offsets into it, so results line up with ``Article.text``.
"""

from newstrace.nlp.entities import Mention, find_names
from newstrace.nlp.numbers import NumberMention, find_numbers
from newstrace.nlp.quotes import Quote, extract_quotes
from newstrace.nlp.sentences import split_sentences

__all__ = [
    "Mention",
    "NumberMention",
    "Quote",
    "extract_quotes",
    "find_names",
    "find_numbers",
    "split_sentences",
]
