"""Word lists are written as space-separated strings for reading; this turns them into sets."""

from __future__ import annotations


def word_set(words: str) -> frozenset[str]:
    """The words of a space- or newline-separated list."""
    return frozenset(words.split())


# English function words and reporting verbs, which every text uses whatever it reports.
ENGLISH_STOPWORDS = word_set(
    """a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had has
    have having he her here hers herself him himself his how i if in into is it its itself just me more
    most my myself no nor not now of off on once only or other our ours ourselves out over own same she
    should so some such than that the their theirs them themselves then there these they this those
    through to too under until up very was we were what when where which while who whom why will with
    would you your yours yourself yourselves said says say told according new mr mrs ms like get got"""
)
