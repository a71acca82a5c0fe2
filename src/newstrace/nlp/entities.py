"""Name-like mentions (people, organisations, places) found from capitalisation alone.

No model: a mention is a run of capitalised words ("Yoon Suk-yeol", "Asan Institute
for Policy Studies", "U.S."), with a few lower-case connectors inside ("of", "de",
"bin"). Leading titles ("South Korean President", "Sen.") are split off as the
mention's ``role``, which is how two differently spelled names can still be matched
to the same person. A single capitalised word that opens a sentence may just be an
ordinary word ("Silence."), so such mentions are marked ``initial`` for callers that
need certainty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, compress, count
from operator import itemgetter
from typing import NamedTuple

from newstrace.model import Span
from newstrace.nlp.lexicon import word_set
from newstrace.nlp.sentences import split_sentences

MentionKind = str  # "person" | "organization" | "place"

# Capitalised words that open sentences or clauses but do not name anything.
FUNCTION_WORDS = word_set("""a an the this that these those there here it its i we you he she they his her their our my your
    me us him them who whom whose what which when where why how if but and or nor so yet for of in on at
    to from by with without about above after before during since until while as than then though although
    because unless whether also only just even still now once again all any both each every few many most
    some such no not nor none one two three four five six seven eight nine ten more less much very too
    being been be is are was were am do does did has have had can could may might must shall should will
    would yes oh well however meanwhile moreover furthermore instead indeed perhaps maybe already later
    earlier today tonight tomorrow yesterday last next first second third finally overall other another
    despite among between against under over into through across around near like unlike according
    let please thank thanks dear said says say told asked added besides anyway somehow otherwise therefore
    thus hence nevertheless nonetheless likewise similarly additionally consequently accordingly regardless""")
NUMBER_WORDS = word_set(
    """one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
    seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand
    million billion dozens dozen"""
)
MONTHS = word_set(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"
)
WEEKDAYS = word_set("monday tuesday wednesday thursday friday saturday sunday")
# Titles written before a name; split off as the mention's role.
TITLES = word_set("""president vice prime minister secretary senator sen rep representative congressman congresswoman gov
    governor mayor judge justice chief speaker chairman chairwoman chair mr mrs ms miss dr prof professor
    king queen prince princess pope ambassador director commissioner sheriff lt sgt capt col gen adm rev
    sir lady lord dame attorney leader chancellor premier detective coach officer deputy councilman
    councilwoman trooper lawmaker pastor bishop cardinal ayatollah sheikh emir sultan gen. former
    president-elect first spokesman spokeswoman anchor adviser advisor aide heir founder executive ceo""")
# Titles that follow other words of a role ("South Korean President"); "King" in "Martin Luther
# King" is a name, so only these split a run in its middle.
INNER_TITLES = word_set(
    """president vice-president minister secretary senator sen rep representative gov governor mayor ambassador
    chancellor premier spokesman spokeswoman congressman congresswoman chairman chairwoman ceo lawmaker
    commissioner director sheriff general gen adviser advisor anchor speaker leader justice judge"""
)
# Lower-case words before a title that change whom it names.
ROLE_QUALIFIERS = word_set("former then ex late acting interim outgoing incoming deputy vice")
# Role nouns written in lower case before a name: "Trump adviser Michael Cohen".
ROLE_NOUNS = TITLES | word_set("""official analyst expert economist fellow researcher scientist professor lawyer attorney spokesperson
    candidate challenger nominee host reporter correspondent columnist editor author strategist pollster
    consultant manager owner partner investor activist general admiral commander colonel captain
    sergeant lieutenant envoy diplomat negotiator chairperson head""")
ORGANIZATION_WORDS = word_set("""institute university college school party council committee office agency department ministry
    association group inc corp corporation company co ltd llc board bank court commission news times
    post journal press network house senate congress parliament assembly administration foundation
    fund union federation league organization organisation service services bureau authority church
    army navy force forces police club team center centre society trust network media airlines motors
    reuters""")
PLACE_PREPOSITIONS = word_set("in from to at near across throughout outside inside")
CONNECTORS = word_set("of for de da del della di du la le van von der den bin al el ibn y")

# A word: initials ("U.S.", "A. "), or letters and digits joined by hyphens or apostrophes with an optional
# period (kept later only on abbreviations). In this order, the alternatives read as (?:[A-Z]\.){2,} |
# [A-Z]\.(?=\s) | \w+...: the shared "[A-Z]\." is tried once, which makes the one pass over a text faster.
_WORD = r"[A-Z]\.(?:(?:[A-Z]\.)+|(?=\s))|\w+(?:[-'’]\w+)*\.?"
# Split on words, keeping them: gaps and words alternate, so running lengths give every offset.
_WORD_SPLIT = re.compile(f"({_WORD})")
_POSSESSIVE = re.compile(r"['’]s?$")
# "Rove-backed", "GOP-appointed", "Seoul-based": a name turned into an adjective.
_DESCRIPTIVE_TAIL = re.compile(
    r"-(?:[a-z]+(?:ed|ing)|led|run|born|style|era|like|made|owned|held|bred|built|wide|only)$"
)
_CONTRACTION = re.compile(r"['’](?:re|ve|ll|d|m|t)$", re.IGNORECASE)
_VERB_FORM = re.compile(r"^[a-z]{2,}(?:ing|ed|ly)$")
PLACE_FIRST_WORDS = word_set("north south east west new united saint san santa los las st")


@dataclass(frozen=True)
class Mention:
    """A name-like mention.

    ``role`` is the title or descriptor before it ("south korean president"), lower-cased;
    ``initial`` marks a one-word mention opening a sentence, which may be a common word.
    """

    span: Span
    text: str
    kind: MentionKind | None = None
    role: str | None = None
    initial: bool = False


class _Token(NamedTuple):
    start: int
    end: int
    text: str


class _Words(NamedTuple):
    """The words of a text as columns, ``texts[i]`` at ``starts[i]:ends[i]``: a name needs only the few
    words around it, so the thousand words of an article are not each made an object."""

    starts: list[int]
    ends: list[int]
    texts: list[str]


class _Shape(NamedTuple):
    """What the words of a capitalised run say by themselves, wherever the run stands.

    Offsets count words from the run's first word that may name something: role words are
    ``[role:name)``, the name ``[name:stop)``. ``cut`` is the possessive ending cut off the name's
    end ("Biden’s"). The flags are the kind its words suggest; the word before the run and the
    role decide between them (``_kind``).
    """

    role_from: int
    name: int
    stop: int
    cut: int
    role: str
    organization: bool
    place: bool
    person: bool


@lru_cache(maxsize=1 << 16)  # a memo of a pure function: the same words recur in every text
def _bare(word: str) -> str:
    """Lower case, without a trailing period or a contraction ("We’re" -> "we")."""
    return _CONTRACTION.sub("", word.rstrip(".")).lower()


def tokenize(text: str) -> list[_Token]:
    """Words with their spans; a trailing period is kept only on abbreviations and initials,
    and a descriptive tail is cut off a name ("Seoul-based" -> "Seoul").
    """
    return list(map(_Token._make, zip(*_words(text), strict=True)))


def _words(text: str) -> _Words:
    """The words of ``text`` as ``tokenize`` cuts them, in columns."""
    pieces = _WORD_SPLIT.split(text)  # gap, word, gap, word, ..., gap
    offsets = list(accumulate(map(len, pieces)))
    starts, ends, texts = offsets[0:-1:2], offsets[1::2], pieces[1::2]
    for index in [i for i, word in enumerate(texts) if word[-1] == "."]:
        if not _keeps_period(texts[index]):
            texts[index] = texts[index][:-1]
            ends[index] -= 1
    for index in _capitalised(texts):
        word = texts[index]
        if "-" in word and (tail := _DESCRIPTIVE_TAIL.search(word)):
            texts[index] = word[: tail.start()]
            ends[index] -= len(word) - tail.start()
    return _Words(starts, ends, texts)


def _capitalised(texts: list[str]) -> list[int]:
    """Indices of the words that start with a capital letter: where a name may be. (The loop runs in C: a
    list comprehension would cost a Python step for each of the thousand words of an article.)"""
    return list(compress(count(), map(str.isupper, map(itemgetter(0), texts))))


def _keeps_period(word: str) -> bool:
    core = word.rstrip(".")
    return "." in core or (len(core) == 1 and core.isupper()) or core.lower() in TITLES


def find_names(text: str, sentences: list[Span] | None = None) -> list[Mention]:
    """Find name-like mentions in ``text``.

    Args:
        text: plain article text.
        sentences: ``split_sentences(text)`` when the caller has it already.

    Returns:
        Mentions in text order, each with its span, text, a cheap ``kind`` guess
        (``"person"``, ``"organization"``, ``"place"`` or ``None``) and its role.

    Example:
        >>> [m.text for m in find_names("South Korean President Yoon Suk-yeol met Biden.")]
        ['Yoon Suk-yeol', 'Biden']
    """
    words = _words(text)
    starts = {_first_letter(text, s) for s, _ in (split_sentences(text) if sentences is None else sentences)}
    mentions: list[Mention] = []
    for first, stop in _capitalised_runs(text, words):
        mention = _mention(text, words, first, stop, starts)
        if mention is not None:
            mentions.append(mention)
    return mentions


def _first_letter(text: str, start: int) -> int:
    while start < len(text) and not text[start].isalnum():
        start += 1
    return start


def _spaced(text: str, words: _Words, before: int, after: int) -> bool:
    """Whether only spaces or tabs separate word ``before`` from word ``after``."""
    gap = text[words.ends[before] : words.starts[after]]
    return gap == " " or (gap != "" and not gap.strip(" \t"))


def _joined(text: str, words: _Words, before: int, after: int) -> bool:
    """Whether word ``after`` continues a name ending at word ``before``: spaces between, and no possessive
    ending the first ("Alabama’s Crimson Tide" is two names)."""
    return _spaced(text, words, before, after) and not words.texts[before].endswith(("'s", "’s"))


def _capitalised_runs(text: str, words: _Words) -> list[tuple[int, int]]:
    """Runs of capitalised words separated by spaces, with connectors inside, as ``(first, stop)`` indices.

    Only the capitalised words are visited: each joins the run of the one before it, or of the one two
    before through a lower-case connector ("Institute for Policy").
    """
    runs: list[tuple[int, int]] = []
    first = last = -3  # no run yet: no index is one or two words after it
    for index in _capitalised(words.texts):
        if last == index - 1 and _joined(text, words, last, index):
            last = index
            continue
        if (
            last == index - 2
            and words.texts[index - 1].lower() in CONNECTORS
            and _joined(text, words, last, index - 1)
            and _joined(text, words, index - 1, index)
        ):
            last = index
            continue
        if last >= 0:
            runs.append((first, last + 1))
        first = last = index
    if last >= 0:
        runs.append((first, last + 1))
    return runs


def _mention(text: str, words: _Words, run_first: int, stop: int, starts: set[int]) -> Mention | None:
    # Leading function words ("But", "The") are not part of a name.
    first = run_first
    while first < stop and _opens_no_name(words.texts[first]):
        first += 1
    if first == stop:
        return None
    shape = _shape(tuple(words.texts[first:stop]), words.starts[first] in starts)
    if shape is None:
        return None
    start, end = words.starts[first + shape.name], words.ends[first + shape.stop - 1] - shape.cut
    previous = words.texts[run_first - 1].lower() if run_first > 0 else ""
    role = shape.role
    if role and previous in ROLE_QUALIFIERS:
        role = f"{previous} {role}"  # "former South Korean President"
    role = role or _role_before(text, words, run_first)
    initial = shape.stop - shape.name == 1 and start in starts and shape.name == shape.role_from
    return Mention((start, end), text[start:end], _kind(shape, role, previous), role or None, initial)


@lru_cache(maxsize=1 << 16)  # a memo of a pure function of one word
def _opens_no_name(word: str) -> bool:
    """A word dropped from the start of a run: "But", "Monday", "Twenty-five"."""
    bare = _bare(word)
    return bare in _NOT_NAME_STARTS or bare.split("-")[0] in NUMBER_WORDS


_NOT_NAME_STARTS = FUNCTION_WORDS | WEEKDAYS | MONTHS
_FUNCTION_WORDS_OR_TITLES = FUNCTION_WORDS | TITLES


@lru_cache(maxsize=1 << 16)  # a memo of a pure function: "Trump", "White House", "Sen. Ted Cruz" recur
def _shape(texts: tuple[str, ...], opens_sentence: bool) -> _Shape | None:
    """The role and the name within the words of a run (after its leading function words), or ``None``
    when they name nothing; ``opens_sentence`` tells whether the first word opens a sentence."""
    words = list(texts)
    while words and words[-1].lower() in CONNECTORS:
        words.pop()
    skipped = 0
    if len(words) >= 2 and opens_sentence and _VERB_FORM.search(_bare(words[0])):
        skipped = 1  # "Cutting Trump out ...": a sentence opening on a verb form
    words = words[skipped:]
    bares = [_bare(w) for w in words]
    if words and all(w.isupper() for w in words) and (len(words) > 1 or len(bares[0]) >= 6):
        return None  # a heading in capitals, not an acronym
    last_title = max(
        (i for i, b in enumerate(bares[:-1]) if b in (TITLES if i == 0 else INNER_TITLES)), default=-1
    )
    role_words, words, bares = words[: last_title + 1], words[last_title + 1 :], bares[last_title + 1 :]
    if not words or all(b in MONTHS or b in WEEKDAYS for b in bares):
        return None
    if len(words) > 1 and bares[-1] in INNER_TITLES:
        return None  # a title without a name: "House Speaker", "Prime Minister"
    if len(words) == 1 and bares[0] in _FUNCTION_WORDS_OR_TITLES:
        return None
    possessive = _POSSESSIVE.search(words[-1]) if words[-1].endswith(("'s", "’s", "s'", "s’")) else None
    return _Shape(
        role_from=skipped,
        name=skipped + len(role_words),
        stop=skipped + len(role_words) + len(words),
        cut=len(possessive.group()) if possessive else 0,
        role=" ".join(role_words).lower().replace(".", ""),
        organization=any(b in ORGANIZATION_WORDS for b in bares)
        or (len(words) == 1 and words[0].isupper() and len(bares[0]) > 1),
        place=len(words) > 1 and bares[0] in PLACE_FIRST_WORDS,
        person=2 <= len(words) <= 4 and all(w[:1].isupper() for w in words),
    )


def _role_before(text: str, words: _Words, first: int) -> str:
    """Lower-case descriptor words right before a name ("trump adviser"), when the last is a role noun."""
    if first == 0 or words.texts[first - 1].lower() not in ROLE_NOUNS:
        return ""
    index = first - 1
    while index >= 0 and first - index <= 4:
        if not _spaced(text, words, index, index + 1) or _bare(words.texts[index]) in FUNCTION_WORDS:
            break
        index -= 1
    return " ".join(words.texts[index + 1 : first]).lower().replace(".", "")


def _kind(shape: _Shape, role: str, previous: str) -> MentionKind | None:
    """A cheap guess at what a name names, from its words, its role and the word before it (lower case)."""
    if shape.organization:
        return "organization"
    if role:
        return "person"
    if shape.place or (previous in PLACE_PREPOSITIONS and shape.stop - shape.name <= 2):
        return "place"
    return "person" if shape.person else None
