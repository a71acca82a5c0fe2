"""Direct quotations and who said them.

Quotes are found from their marks (curly or straight double quotes; a quote that runs
over several paragraphs re-opens each paragraph and closes only at its end). The
speaker comes from the attribution next to the quote ("…,” said X", "X said, “…”",
"according to X", "X told reporters"); pronouns and surnames ("he said", "said Go")
are resolved to the nearest full name mentioned before, so that the same quote can be
compared across articles by who said it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cached_property, lru_cache
from operator import le

from newstrace.model import Span
from newstrace.nlp.entities import Mention, find_names
from newstrace.nlp.lexicon import word_set

SPEECH_VERBS = (
    "said|says|say|saying|told|tells|telling|added|adds|wrote|writes|explained|explains|noted|asked|asks|"
    "replied|replies|responded|responds|continued|stated|declared|declares|insisted|insists|argued|argues|"
    "warned|warns|tweeted|recalled|recalls|acknowledged|admitted|admits|claimed|announced|announces|remarked|"
    "conceded|observed|suggested|urged|urges|concluded|testified|answered|shouted|yelled|cautioned|predicted|"
    "vowed|pledged|promised|boasted|complained|lamented|countered|mused|quipped|joked|whispered|emphasized|"
    "stressed|reiterated|confirmed|denied|proclaimed|commented|maintained|contended|affirmed|assured|called"
)
_VERB = re.compile(rf"\b(?:{SPEECH_VERBS}|according to)\b", re.IGNORECASE)
_PRONOUNS = word_set("he she they i we it")
_PRONOUN = re.compile(r"\b(he|she|they|I|we|it)\b", re.IGNORECASE)
_DESCRIPTION = re.compile(r"\b(?:the|a|an|his|her|their|its)\s+(?:[\w'’-]+\s+){0,3}?[\w'’-]+$", re.IGNORECASE)
_OPEN = "“"
_CLOSE = "”"
_STRAIGHT = '"'
_WINDOW = 250
# What can end or interrupt a quotation: a mark or a paragraph break (every other character is skipped).
_MARK_OR_BREAK = re.compile(r'[“”"\n]')
_PARAGRAPH_BREAK = re.compile(r"\n\s*")
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")
_NAME_WORD_SPLIT = re.compile(r"[\s-]+")


@dataclass(frozen=True)
class Quote:
    """A direct quotation: the quoted words (without the marks) and its speaker when known.

    ``speaker`` is the resolved full name (or a description such as "the safety agency");
    ``speaker_span`` is where the attribution names the speaker in the text.
    """

    span: tuple[int, int]
    text: str
    speaker: str | None
    speaker_span: tuple[int, int] | None


def extract_quotes(
    text: str, mentions: list[Mention] | None = None, spans: list[Span] | None = None
) -> list[Quote]:
    """Find the direct quotations of ``text`` and attribute them.

    Args:
        text: plain article text, paragraphs separated by newlines.
        mentions: ``find_names(text)`` when the caller has it already.
        spans: ``find_quote_spans(text)`` when the caller has it already.

    Returns:
        Quotes in text order.

    Example:
        >>> t = "“We will win,” said Senator Ann Lee. “Trust me,” she added."
        >>> [(q.text, q.speaker) for q in extract_quotes(t)]
        [('We will win,', 'Ann Lee'), ('Trust me,', 'Ann Lee')]
    """
    spans = find_quote_spans(text) if spans is None else spans
    names = _Names(find_names(text) if mentions is None else mentions)
    quotes: list[Quote] = []
    for index, (start, end) in enumerate(spans):
        previous_end = spans[index - 1][1] + 1 if index else 0
        next_start = spans[index + 1][0] - 1 if index + 1 < len(spans) else len(text)
        speaker, speaker_span = _attribute(text, start, end, previous_end, next_start, names)
        if speaker is None and quotes and _same_paragraph(text, quotes[-1].span[1], start):
            speaker, speaker_span = quotes[-1].speaker, quotes[-1].speaker_span
        quotes.append(Quote((start, end), text[start:end], speaker, speaker_span))
    return quotes


def find_quote_spans(text: str) -> list[Span]:
    """Spans of quoted text (inside the marks), multi-paragraph quotes joined into one."""
    spans: list[Span] = []
    position = 0
    while True:
        start = _next_opening(text, position)
        if start < 0:
            return spans
        close = _closing(text, start + 1)
        if close is None:
            position = start + 1
            continue
        if close < 0:  # another quote opened before this one closed: restart there
            position = -close
            continue
        inner = _strip(text, start + 1, close)
        if inner[1] > inner[0]:
            spans.append(inner)
        position = close + 1


def _next_opening(text: str, position: int) -> int:
    while position < len(text):
        curly = text.find(_OPEN, position)
        straight = text.find(_STRAIGHT, position)
        candidates = [c for c in (curly, straight) if c >= 0]
        if not candidates:
            return -1
        found = min(candidates)
        if text[found] == _OPEN or _opens(text, found):
            return found
        position = found + 1
    return -1


def _opens(text: str, index: int) -> bool:
    """A straight quote opens when it follows a space, a line start or an opening bracket or dash."""
    before = text[index - 1] if index else "\n"
    after = text[index + 1] if index + 1 < len(text) else " "
    return (before.isspace() or before in "([—–-:") and not after.isspace()


def _closing(text: str, position: int) -> int | None:
    """Index of the closing mark; ``None`` when unterminated; ``-i`` when a new quote opens at ``i`` first."""
    index = position
    while (found := _MARK_OR_BREAK.search(text, index)) is not None:
        index = found.start()
        char = text[index]
        if char == _CLOSE or (char == _STRAIGHT and not _opens(text, index)):
            return index
        if char == _OPEN or (char == _STRAIGHT and _opens(text, index)):
            return -index
        following = _PARAGRAPH_BREAK.match(text, index)  # a newline
        after = following.end() if following else index + 1
        if after < len(text) and text[after] in (_OPEN, _STRAIGHT):
            index = after + 1  # the quote goes on in the next paragraph
            continue
        return None
    return None


def _strip(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _same_paragraph(text: str, start: int, end: int) -> bool:
    return "\n" not in text[start:end]


class _Names:
    """The name mentions of a text, with those inside a window found by bisection when they are in text order
    (as ``find_names`` gives them), and those of several words with their words."""

    def __init__(self, mentions: list[Mention]) -> None:
        self.mentions = mentions
        self._starts = [m.span[0] for m in mentions]
        self._in_order = all(map(le, self._starts, self._starts[1:]))

    def starting_in(self, start: int, end: int) -> list[Mention]:
        """The mentions that start within ``start..end`` (both included), in their order."""
        if self._in_order:
            return self.mentions[bisect_left(self._starts, start) : bisect_right(self._starts, end)]
        return [m for m in self.mentions if start <= m.span[0] <= end]

    @cached_property
    def several_words(self) -> list[tuple[Mention, frozenset[str]]]:
        """The mentions of more than one word, each with its lower-cased words (``_name_words``)."""
        return [(m, _name_words(m.text)) for m in self.mentions if len(m.text.split()) > 1]


def _attribute(
    text: str, start: int, end: int, previous_end: int, next_start: int, names: _Names
) -> tuple[str | None, Span | None]:
    after_from = end + 1
    after_to = min(next_start, after_from + _WINDOW, _paragraph_end(text, after_from))
    after_to = _sentence_end(text, after_from, after_to)
    before_from = max(previous_end, start - 1 - _WINDOW, _paragraph_start(text, start))
    # A fragment quoted inside a sentence ("X said it was “years of neglect” and …") belongs to the
    # speaker before it; a whole quoted sentence ("“…,” said X") is attributed after it first.
    fragment = not text[start:end].rstrip().endswith((",", ".", "?", "!"))
    windows = [(before_from, start - 1, False), (after_from, after_to, True)]
    found: tuple[str | None, Span | None] = (None, None)
    for window_start, window_end, after in windows if fragment else windows[::-1]:
        found = _speaker_in(text, window_start, window_end, names, after=after)
        if found[0] is not None:
            break
    if found[0] is None:
        return None, None
    return _resolve(found[0], found[1], names)


def _paragraph_end(text: str, position: int) -> int:
    index = text.find("\n", position)
    return len(text) if index < 0 else index


def _paragraph_start(text: str, position: int) -> int:
    return text.rfind("\n", 0, position) + 1


def _sentence_end(text: str, start: int, end: int) -> int:
    match = _SENTENCE_END.search(text, start, end)
    return match.end() if match else end


def _speaker_in(text: str, start: int, end: int, names: _Names, after: bool) -> tuple[str | None, Span | None]:
    """The speaker named next to a speech verb in ``text[start:end]``, unresolved."""
    verbs = list(_VERB.finditer(text, start, end))
    if not verbs:
        return None, None
    verb = verbs[0] if after else verbs[-1]
    inside = [
        m
        for m in names.starting_in(start, end)
        if m.span[1] <= end and (not m.initial or m.text.lower() not in _PRONOUNS)
    ]
    following = [m for m in inside if m.span[0] >= verb.end() and m.span[0] - verb.end() <= 40]
    preceding = [m for m in inside if m.span[1] <= verb.start() and verb.start() - m.span[1] <= 100]
    if verb.group().lower() == "according to" and following:
        return following[0].text, following[0].span
    people = [m for m in preceding if m.kind == "person" or m.role]
    if people or preceding:
        chosen = (people or preceding)[-1]
        return chosen.text, chosen.span
    pronoun = _nearest_pronoun(text, start, end, verb)
    if pronoun is not None:
        return text[pronoun[0] : pronoun[1]], pronoun
    if following:
        return following[0].text, following[0].span
    described = _DESCRIPTION.search(text, max(start, verb.start() - 50), verb.start())
    if described and described.group().strip():
        span = _strip(text, described.start(), described.end())
        return text[span[0] : span[1]], span
    after_verb = _DESCRIPTION.search(text[verb.end() : end].split(",")[0].split(".")[0].strip())
    if after_verb:
        offset = text.find(after_verb.group(), verb.end())
        return after_verb.group(), (offset, offset + len(after_verb.group()))
    return None, None


def _nearest_pronoun(text: str, start: int, end: int, verb: re.Match[str]) -> Span | None:
    before = list(_PRONOUN.finditer(text, max(start, verb.start() - 12), verb.start()))
    if before:
        return before[-1].span()
    after = _PRONOUN.match(text, verb.end() + 1, end) if verb.end() + 1 < end else None
    return after.span() if after else None


def _resolve(speaker: str, span: Span, names: _Names) -> tuple[str, Span]:
    """Resolve a pronoun or a surname to the nearest full name mentioned before it."""
    lowered = speaker.lower()
    if lowered in _PRONOUNS:
        if lowered in ("we", "it", "i", "they"):
            return speaker, span
        people = [m for m in names.mentions if m.span[1] <= span[0] and (m.kind == "person" or m.role)]
        full = [m for m in people if len(m.text.split()) > 1]
        chosen = (full or people)[-1:] if people else []
        if chosen and len(chosen[0].text.split()) == 1:
            return _full_name(chosen[0].text, names, span) or chosen[0].text, span
        return (chosen[0].text if chosen else speaker), span
    if len(speaker.split()) == 1:
        return _full_name(speaker, names, span) or speaker, span
    return speaker, span


def _full_name(short: str, names: _Names, near: Span) -> str | None:
    """The longest-standing multi-word mention containing ``short`` as a word, nearest before ``near``."""
    key = short.lower()
    candidates = [m for m, words in names.several_words if key in words]
    if not candidates:
        return None
    before = [m for m in candidates if m.span[1] <= near[0]]
    chosen = before[-1] if before else candidates[0]
    return chosen.text


@lru_cache(maxsize=1 << 16)  # a memo of a pure function: the same names recur in every text
def _name_words(name: str) -> frozenset[str]:
    return frozenset({w.lower() for w in _NAME_WORD_SPLIT.split(name) if w} | {w.lower() for w in name.split()})
