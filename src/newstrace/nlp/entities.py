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

_WORD = re.compile(r"(?:[A-Z]\.){2,}|[A-Z]\.(?=\s)|[\w]+(?:[-'’][\w]+)*\.?")
_POSSESSIVE = re.compile(r"['’]s?$")
_GAP = re.compile(r"[ \t]+")
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

    @property
    def bare(self) -> str:
        """Lower case, without a trailing period or a contraction ("We’re" -> "we")."""
        return _bare(self.text)


@lru_cache(maxsize=1 << 16)  # a memo of a pure function: the same words recur in every text
def _bare(word: str) -> str:
    return _CONTRACTION.sub("", word.rstrip(".")).lower()


def tokenize(text: str) -> list[_Token]:
    """Words with their spans; a trailing period is kept only on abbreviations and initials,
    and a descriptive tail is cut off a name ("Seoul-based" -> "Seoul").
    """
    tokens: list[_Token] = []
    append, make = tokens.append, tuple.__new__  # a tuple made directly: the commonest call here, by far
    for match in _WORD.finditer(text):
        word = match.group()
        start, end = match.span()
        if word[-1] == "." and not _keeps_period(word):
            word, end = word[:-1], end - 1
        if "-" in word and word[0].isupper() and (tail := _DESCRIPTIVE_TAIL.search(word)):
            word, end = word[: tail.start()], end - (len(word) - tail.start())
        append(make(_Token, (start, end, word)))
    return tokens


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
    tokens = tokenize(text)
    starts = {_first_letter(text, s) for s, _ in (split_sentences(text) if sentences is None else sentences)}
    mentions: list[Mention] = []
    for group in _capitalised_runs(text, tokens):
        mention = _mention(text, tokens, group, starts)
        if mention is not None:
            mentions.append(mention)
    return mentions


def _first_letter(text: str, start: int) -> int:
    while start < len(text) and not text[start].isalnum():
        start += 1
    return start


def _capitalised_runs(text: str, tokens: list[_Token]) -> list[list[int]]:
    """Index runs of capitalised tokens separated by single spaces, with connectors inside."""
    runs: list[list[int]] = []
    current: list[int] = []
    for index, token in enumerate(tokens):
        joined = (
            bool(current)
            and _GAP.fullmatch(text[tokens[current[-1]].end : token.start]) is not None
            and not tokens[current[-1]].text.endswith(("'s", "’s"))  # "Alabama’s Crimson Tide": two names
        )
        if token.text[:1].isupper():
            if current and not joined:
                runs.append(current)
                current = []
            current.append(index)
        elif (
            current
            and joined
            and token.text.lower() in CONNECTORS
            and index + 1 < len(tokens)
            and tokens[index + 1].text[:1].isupper()
            and _GAP.fullmatch(text[token.end : tokens[index + 1].start]) is not None
        ):
            current.append(index)
        elif current:
            runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs


def _mention(text: str, tokens: list[_Token], group: list[int], starts: set[int]) -> Mention | None:
    words = [tokens[i] for i in group]
    # Leading function words ("But", "The") and trailing connectors are not part of a name.
    while words and (
        words[0].bare in FUNCTION_WORDS
        or words[0].bare in WEEKDAYS
        or words[0].bare in MONTHS
        or words[0].bare.split("-")[0] in NUMBER_WORDS
    ):
        words = words[1:]
    while words and words[-1].text.lower() in CONNECTORS:
        words = words[:-1]
    if len(words) >= 2 and words[0].start in starts and _VERB_FORM.search(words[0].bare):
        words = words[1:]  # "Cutting Trump out ...": a sentence opening on a verb form
    if words and all(w.text.isupper() for w in words) and (len(words) > 1 or len(words[0].bare) >= 6):
        return None  # a heading in capitals, not an acronym
    role_words: list[_Token] = []
    last_title = max(
        (i for i, w in enumerate(words[:-1]) if w.bare in (TITLES if i == 0 else INNER_TITLES)), default=-1
    )
    if last_title >= 0:
        role_words, words = words[: last_title + 1], words[last_title + 1 :]
    if not words or all(w.bare in MONTHS or w.bare in WEEKDAYS for w in words):
        return None
    if len(words) > 1 and words[-1].bare in INNER_TITLES:
        return None  # a title without a name: "House Speaker", "Prime Minister"
    if len(words) == 1 and words[0].bare in FUNCTION_WORDS | TITLES:
        return None
    start, end = words[0].start, words[-1].end
    surface = text[start:end]
    trimmed = _POSSESSIVE.sub("", surface) if surface.endswith(("'s", "’s", "s'", "s’")) else surface
    end = start + len(trimmed)
    role = " ".join(w.text for w in role_words).lower().replace(".", "")
    if role and group[0] > 0 and tokens[group[0] - 1].text.lower() in ROLE_QUALIFIERS:
        role = f"{tokens[group[0] - 1].text.lower()} {role}"  # "former South Korean President"
    role = role or _role_before(tokens, group[0], text)
    initial = len(words) == 1 and start in starts and not role_words
    return Mention((start, end), text[start:end], _kind(words, role, tokens, group[0]), role or None, initial)


def _role_before(tokens: list[_Token], first: int, text: str) -> str:
    """Lower-case descriptor words right before a name ("trump adviser"), when the last is a role noun."""
    if first == 0 or tokens[first - 1].text.lower() not in ROLE_NOUNS:
        return ""
    words: list[_Token] = []
    index = first - 1
    while index >= 0 and len(words) < 4:
        token = tokens[index]
        following = tokens[index + 1].start
        if _GAP.fullmatch(text[token.end : following]) is None or token.bare in FUNCTION_WORDS:
            break
        words.insert(0, token)
        index -= 1
    return " ".join(w.text for w in words).lower().replace(".", "")


def _kind(words: list[_Token], role: str, tokens: list[_Token], first: int) -> MentionKind | None:
    bares = [w.bare for w in words]
    if any(b in ORGANIZATION_WORDS for b in bares) or (
        len(words) == 1 and words[0].text.isupper() and len(bares[0]) > 1
    ):
        return "organization"
    if role:
        return "person"
    previous = tokens[first - 1].text.lower() if first > 0 else ""
    if (previous in PLACE_PREPOSITIONS and len(words) <= 2) or (
        len(words) > 1 and bares[0] in PLACE_FIRST_WORDS
    ):
        return "place"
    if 2 <= len(words) <= 4 and all(w.text[:1].isupper() for w in words):
        return "person"
    return None
