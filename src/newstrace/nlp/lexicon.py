"""Word lists are written as space-separated strings for reading; this turns them into sets."""

from __future__ import annotations


def word_set(words: str) -> frozenset[str]:
    """The words of a space- or newline-separated list."""
    return frozenset(words.split())
