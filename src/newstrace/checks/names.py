"""Names written differently: in a copy against its original, across a story, within one article.

A copy's name is suspect when it is nowhere in the original and the corresponding
original passage holds a name that is nowhere in the copy. The two are taken as one
name when they are spelled or sound alike ("Mike Pence" / "Mike Fence", "Comey" /
"Komi", "FBI" / "Federal Investigation Bureau"), or, for translated names that share
no letters ("Yisrael Beiteinu" / "Israel Our Home"), when each is the only such name
of its passage and both sit at the same place in it. Across independent reports two
names are one person when they hold the same role ("South Korean president").
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from newstrace.checks.facts import CheckOptions, PassageIndex, finding, inside, relative
from newstrace.model import Finding, Passage, Severity, Span
from newstrace.nlp.annotate import Annotations, fold
from newstrace.nlp.entities import ORGANIZATION_WORDS, TITLES, Mention

# Spelling that sounds alike across transliterations: (pattern, replacement), applied in order.
_SOUND_RULES = tuple(
    (re.compile(p), r)
    for p, r in (
        (r"^y(?=[aeiou])", "a"),
        (r"ph", "f"),
        (r"ck|ch|kh|q|c", "k"),
        (r"x", "ks"),
        (r"z", "s"),
        (r"sh", "s"),
        (r"w", "v"),
        (r"th|dh", "t"),
        (r"gh", "g"),
        (r"j", "g"),
        (r"r", "l"),
        (r"(.)\1+", r"\1"),
    )
)
_VOWELS = re.compile(r"[aeiouy]+")
# A role this specific names one person; bare "president" may name several in one story.
_MIN_ROLE_WORDS = 2
_SURE_SOUND = 3
# Within one article, a variant spelling must be this close to the name it varies.
_WITHIN_SPELLING = 0.7
_INFLECTIONS = frozenset(("", "i", "a", "n", "an", "ian", "ia", "ish", "ese", "ic", "e", "es"))
_LAST_WORD = re.compile(r"(\w+)\W*$")
# Characters before a mention searched for the word before it.
_WORD_WINDOW = 60
_NEXT_WORD = re.compile(r"\s+(\w+)")
_NAME_WORDS = re.compile(r"[\s-]+")
_NOT_BEFORE_A_PERSON = frozenset(("in", "at", "from", "of", "to", "near", "the", "a", "an", "across", "into"))
_ADJECTIVE_ENDINGS = ("i", "an", "ese", "ish")
_BEFORE_A_PERSON = frozenset(
    ("and", "with", "by", "president", "mr", "mrs", "ms", "dr", "sen", "said", "told")
)
_AFTER_A_PERSON = frozenset(
    ("said", "says", "told", "added", "and", "has", "had", "was", "is", "will", "would", "who", "also")
)
# Names paired without a corresponding passage must be near-spellings.
_UNALIGNED_SIMILARITY = 0.85
_FILLERS = frozenset(("of", "for", "the", "and", "de", "la", "jr", "sr", "ii", "iii", "iv"))


@lru_cache(maxsize=1 << 16)  # a memo of a pure function: each name is compared with many others
def sound_key(name: str) -> str:
    """A rough sound of each word: consonants after transliteration-tolerant rewrites, vowels merged.

    Example:
        >>> sound_key("Yoon") == sound_key("Eun"), sound_key("Comey") == sound_key("Komi")
        (True, True)
    """
    keys = []
    for word in fold(name).split():
        for pattern, replacement in _SOUND_RULES:
            word = pattern.sub(replacement, word)
        head = "a" if word[:1] in "aeiouy" else word[:1]
        keys.append(head + _VOWELS.sub("", word[1:]))
    return " ".join(keys)


@lru_cache(maxsize=1 << 16)  # a memo of a pure function: each name is compared with many others
def _initials(name: str) -> str:
    return "".join(w[0] for w in fold(name).split() if w not in ("of", "for", "the", "and"))


@lru_cache(maxsize=1 << 16)  # the same pairs of names meet again across the articles of a story
def name_similarity(a: str, b: str) -> float:
    """How alike two names are in spelling, word order, sound or as an acronym, from 0 to 1."""
    fa, fb = fold(a), fold(b)
    if not fa or not fb:
        return 0.0
    if fa == fb:
        return 1.0
    scores = [fuzz.ratio(fa, fb) / 100, 0.95 * fuzz.token_sort_ratio(fa, fb) / 100]
    ka, kb = sound_key(a), sound_key(b)
    if ka and kb:
        # Two-consonant sounds ("Moon", "Min") coincide by chance too often to count fully.
        weight = 0.95 if min(len(ka.replace(" ", "")), len(kb.replace(" ", ""))) >= _SURE_SOUND else 0.8
        scores.append(weight * fuzz.ratio(ka, kb) / 100)
    for short, long in ((fa, fb), (fb, fa)):
        if " " not in short and len(short) >= 2 and len(long.split()) >= 2:
            initials = _initials(long)
            # Translations reorder words ("FBI" / "Federal Investigation Bureau"), but two letters
            # in any order match too much by chance.
            if short == initials or (len(short) >= 3 and sorted(short) == sorted(initials)):
                scores.append(0.9)
    return max(scores)


def name_stem(word: str) -> str:
    """A word of a name without inflection, so "Democrats", "Democratic" and "Democrat" agree."""
    word = word.removesuffix("s") if len(word) > 3 else word
    for _ in range(2):  # twice, so that "european" -> "europe" -> "europ" meets "europe" -> "europ"
        for suffix in ("ian", "an", "ic", "a", "n", "e"):
            if len(word) - len(suffix) >= 4 and word.endswith(suffix):
                word = word[: -len(suffix)]
                break
    return word


# Words that make a name longer without naming something else: "Democratic Party" / "Democrats".
_GENERIC_STEMS = frozenset(name_stem(w) for w in ORGANIZATION_WORDS)
_TITLE_STEMS = frozenset(name_stem(w) for w in TITLES)


@lru_cache(maxsize=1 << 16)  # a memo of a pure function: each name is compared with many others
def _stems(name: str) -> frozenset[str]:
    """Stems of a name's words, leaving out fillers, initials and "Jr"."""
    return frozenset(_ordered_stems(name))


def _name_stems(facts: Annotations) -> set[str]:
    return {stem for m in facts.names for stem in _stems(m.text)}


def _same_name(a: str, b: str) -> bool:
    """Same words up to inflection and order, or one is the other plus a word like "Party"."""
    mine, theirs = _stems(a), _stems(b)
    if mine == theirs:
        # "Senate GOP" / "GOP Senate" and "Florida Republican" / "Republican of Florida" are one
        # name; "Committee for Justice" / "Justice Committee" are two.
        return _purposed(a) == _purposed(b) or _ordered_stems(a) == _ordered_stems(b)
    shorter, longer = sorted((mine, theirs), key=len)
    return bool(shorter) and shorter < longer and all(w in _GENERIC_STEMS for w in longer - shorter)


@lru_cache(maxsize=1 << 16)  # a memo of a pure function: names recur in every pair compared
def _ordered_stems(name: str) -> tuple[str, ...]:
    return tuple(name_stem(w) for w in fold(name).split() if w not in _FILLERS and len(w) > 1)


def _purposed(name: str) -> bool:
    return "for" in fold(name).split()


def _substantial(a: Mention, b: Mention) -> bool:
    """Names pairable by position alone: several words each, or both known as people/organisations."""
    return (" " in a.text.strip() and " " in b.text.strip()) or (a.kind is not None and b.kind is not None)


def _explained(derived_name: str, original_name: str, original_stems: set[str]) -> bool:
    """Whether the copy's name differs from a loosely alike original name mostly by words the original
    names anyway: "Marco Rubio of Florida" / "Florida Republican" when the original names Marco Rubio.
    """
    mine, theirs = _stems(derived_name), _stems(original_name)
    rest = mine - theirs
    return bool(rest) and 2 * len(rest & original_stems) > len(rest)


def _usable(mention: Mention) -> bool:
    return not mention.initial and len(fold(mention.text)) >= 2


@dataclass(frozen=True)
class _Pair:
    derived: Mention
    original: Mention
    score: float
    how: str


def pair_findings(
    original: Annotations, derived: Annotations, passages: list[Passage], severity: Severity, options: CheckOptions
) -> list[Finding]:
    """Names of ``derived`` that replace a name of ``original`` in corresponding passages."""
    novel = [m for m in derived.names if _usable(m) and not original.says(m.text)]
    if not novel:
        return []
    votes: dict[tuple[str, str], float] = defaultdict(float)
    evidence: dict[tuple[str, str], list[_Pair]] = defaultdict(list)
    index = PassageIndex(passages)
    stems = _name_stems(original)
    by_passage: dict[Passage, list[Mention]] = defaultdict(list)
    for mention in novel:
        passage = index.of_derived(mention.span)
        if passage is not None:
            by_passage[passage].append(mention)
    for passage, derived_names in by_passage.items():
        # A copy may garble a name in one place and keep it in another: "missing" is per passage.
        kept = f" {fold(derived.text[passage.derived[0] : passage.derived[1]])} "
        original_names = [
            m
            for m in original.names
            if inside(m.span, passage.original) and _usable(m) and f" {fold(m.text)} " not in kept
        ]
        texts = (derived.text, original.text)
        for pair in _pairs_in_passage(passage, derived_names, original_names, options, stems, texts):
            key = (fold(pair.derived.text), fold(pair.original.text))
            votes[key] += pair.score
            evidence[key].append(pair)
    mapping = _best_mapping(votes)
    for key, pair in _unaligned_pairs(original, derived, novel, mapping, options).items():
        mapping[key] = fold(pair.original.text)
        evidence[(key, mapping[key])].append(pair)
    findings = []
    for mention in novel:
        target = mapping.get(fold(mention.text))
        if target is None:
            continue
        pairs = evidence[(fold(mention.text), target)]
        here = sorted(
            (p for p in pairs if p.derived.span == mention.span),
            key=lambda p: abs(p.original.span[0] - p.derived.span[0]),
        )
        chosen = here[0] if here else _cite_nearby(pairs[0], mention, target, original, index)
        findings.append(_name_finding(original, derived, mention, chosen, severity))
    return findings


def _opening_word_only(derived: Mention, original: Mention, texts: tuple[str, str]) -> bool:
    """Two runs that differ only in a sentence-opening word ("Consider Loizaga’s" / "Notice Loizaga’s"):
    the opener was reworded, the name kept.
    """
    mine, theirs = derived.text.split(" "), original.text.split(" ")
    return (
        len(mine) > 1
        and len(theirs) > 1
        and mine[1:] == theirs[1:]
        and _opens_sentence(texts[0], derived.span[0])
        and _opens_sentence(texts[1], original.span[0])
    )


def _opens_sentence(text: str, start: int) -> bool:
    before = text[:start].rstrip(" \t\"“‘'(")
    return not before or before[-1] in ".!?\n:”"


def _cite_nearby(pair: _Pair, mention: Mention, target: str, original: Annotations, index: PassageIndex) -> _Pair:
    """The pair for another mention of a name, citing the original's mention in this mention's passage."""
    passage = index.of_derived(mention.span)
    if passage is not None:
        for candidate in original.names:
            if inside(candidate.span, passage.original) and fold(candidate.text) == target:
                return _Pair(mention, candidate, pair.score, pair.how)
    return _Pair(mention, pair.original, pair.score, pair.how)


def _pairs_in_passage(
    passage: Passage,
    derived_names: list[Mention],
    original_names: list[Mention],
    options: CheckOptions,
    stems: set[str],
    texts: tuple[str, str],
) -> list[_Pair]:
    pairs = []
    alone = len(derived_names) == 1 and len(original_names) == 1
    for d in derived_names:
        for o in original_names:
            if d.kind and o.kind and d.kind != o.kind and d.kind != "person" and o.kind != "person":
                continue
            similarity = name_similarity(d.text, o.text)
            if similarity >= 1.0 or _same_name(d.text, o.text):
                continue
            if similarity < options.name_similarity and _explained(d.text, o.text, stems):
                continue
            if _opening_word_only(d, o, texts):
                continue
            shift = abs(relative(d.span, passage.derived) - relative(o.span, passage.original))
            if similarity >= options.name_similarity:
                pairs.append(_Pair(d, o, similarity, "spelled or sounding alike"))
            elif (
                similarity >= options.name_loose_similarity
                and shift <= 2 * options.name_position
                and (" " in d.text.strip() or " " in o.text.strip())
            ):
                pairs.append(_Pair(d, o, similarity, "partly alike, at the same place"))
            elif (
                alone and _substantial(d, o) and shift <= options.name_position and passage.similarity >= 0.5
            ):
                pairs.append(_Pair(d, o, 0.3, "the only differing name, at the same place"))
    return pairs


def _unaligned_pairs(
    original: Annotations, derived: Annotations, novel: list[Mention], mapping: dict[str, str], options: CheckOptions
) -> dict[str, _Pair]:
    """Names left unpaired (often in sentences too reworded to align) that are near-spellings of an
    original name the copy never uses: "Ermitage Capital Management" / "Hermitage Capital Management".
    """
    absent = [m for m in original.names if _usable(m) and not derived.says(m.text)]
    threshold = max(options.name_similarity, _UNALIGNED_SIMILARITY)
    pairs: dict[str, _Pair] = {}
    for mention in novel:
        key = fold(mention.text)
        if key in mapping or key in pairs:
            continue
        scored = [
            (name_similarity(mention.text, m.text), -m.span[0], m)
            for m in absent
            if not _same_name(m.text, mention.text)
        ]
        best = max(scored, default=None, key=lambda item: item[:2])
        if best is not None and best[0] >= threshold:
            pairs[key] = _Pair(mention, best[2], best[0], "spelled or sounding alike")
    return pairs


def _best_mapping(votes: dict[tuple[str, str], float]) -> dict[str, str]:
    best: dict[str, tuple[float, str]] = {}
    for (derived_key, original_key), score in sorted(votes.items()):
        if derived_key not in best or score > best[derived_key][0]:
            best[derived_key] = (score, original_key)
    return {k: v for k, (_, v) in best.items()}


def _narrow(text: str, span: Span, other: str) -> Span:
    """Drop the words a name shares at its start and end with ``other`` ("Mike Fence" -> "Fence")."""
    mine, theirs = text[span[0] : span[1]].split(" "), other.split(" ")
    start, end = span
    while len(mine) > 1 and len(theirs) > 1 and mine[0] == theirs[0]:
        start += len(mine[0]) + 1
        mine, theirs = mine[1:], theirs[1:]
    while len(mine) > 1 and len(theirs) > 1 and mine[-1] == theirs[-1]:
        end -= len(mine[-1]) + 1
        mine, theirs = mine[:-1], theirs[:-1]
    return start, end


def _name_finding(
    original: Annotations, derived: Annotations, mention: Mention, pair: _Pair, severity: Severity
) -> Finding:
    source = pair.original
    span = _narrow(derived.text, mention.span, source.text)
    other_span = _narrow(original.text, source.span, mention.text)
    return finding(
        derived,
        "name",
        severity,
        span,
        original,
        other_span,
        f"names “{derived.text[span[0] : span[1]]}” where the original has “{original.text[other_span[0] : other_span[1]]}”"
        f" ({pair.how}, similarity {pair.score:.2f})",
    )


def within_findings(facts: Annotations) -> list[Finding]:
    """A person named two ways in one article: a lone name that sounds like the short name used
    for someone else's full name.

    "Eun-suk-eul" ... "Eun" ... "Biden and Yoon": "Yoon" matches no name of the article but
    sounds like "Eun", which the article uses alone for the president, so both probably name
    the same person.
    """
    standalone = {fold(m.text) for m in facts.names if " " not in fold(m.text)}
    full = [m for m in facts.names if len(fold(m.text).split()) >= 2 and (m.kind == "person" or m.role)]
    known_words = {w for m in facts.names if len(fold(m.text).split()) >= 2 for w in fold(m.text).split()}
    variants = _standalone_words_by_sound(full, standalone)
    findings = []
    seen: set[str] = set()
    for mention in facts.names:
        key = fold(mention.text)
        if mention.initial or " " in key or len(key) < 3 or key in known_words or key in seen:
            continue
        if mention.kind not in (None, "person") or not _used_as_a_name(facts.text, mention):
            continue
        target = _sounds_like_short_name(mention, variants.get(sound_key(mention.text), []), facts.text)
        if target is None:
            continue
        seen.add(key)
        findings.append(
            finding(
                facts,
                "name",
                "difference",
                mention.span,
                facts,
                target.span,
                f"“{mention.text}” matches no other name here but sounds like part of “{target.text}”"
                + (f" ({target.role})" if target.role else "")
                + ": probably the same person written two ways",
            )
        )
    return findings


def _used_as_a_name(text: str, mention: Mention) -> bool:
    """Not a place ("of Peoria, Ill.") nor an adjective ("the Iraqi invasion")."""
    # Only the few characters before the mention are searched: from the start of a long text, the
    # search for "the last word" costs time in proportion to the text, for every mention.
    before = _LAST_WORD.search(text, max(0, mention.span[0] - _WORD_WINDOW), mention.span[0])
    if before and before.group(1).lower() in _NOT_BEFORE_A_PERSON:
        return False
    after = _NEXT_WORD.match(text, mention.span[1])
    return not (after and fold(mention.text).endswith(_ADJECTIVE_ENDINGS) and after.group(1).islower())


def _inflected(a: str, b: str) -> bool:
    """One word is the other inflected ("Iraq" / "Iraqi", "Kurds" / "Kurdish"): not a second spelling."""
    shorter, longer = sorted((a.removesuffix("s"), b.removesuffix("s")), key=len)
    return longer.startswith(shorter) and longer[len(shorter) :] in _INFLECTIONS


def _in_a_person_slot(text: str, mention: Mention) -> bool:
    """Beside words that go with people: "Biden and Yoon", "Yoon said"."""
    before = _LAST_WORD.search(text, max(0, mention.span[0] - _WORD_WINDOW), mention.span[0])
    after = _NEXT_WORD.match(text, mention.span[1])
    return bool(
        (before and before.group(1).lower() in _BEFORE_A_PERSON)
        or (after and after.group(1).lower() in _AFTER_A_PERSON)
    )


def _standalone_words_by_sound(full: list[Mention], standalone: set[str]) -> dict[str, list[tuple[Mention, str]]]:
    """The words of the full names that the article also uses alone, folded, with their full name, in order,
    by their sound key: each mention then meets only the words that sound like it."""
    by_sound: dict[str, list[tuple[Mention, str]]] = defaultdict(list)
    for candidate in full:
        for folded, sound in _word_sounds(candidate.text):
            if folded in standalone:
                by_sound[sound].append((candidate, folded))
    return by_sound


@lru_cache(maxsize=1 << 16)  # a memo of a pure function: the same full names recur in every article
def _word_sounds(name: str) -> tuple[tuple[str, str], ...]:
    """Each word of a name (split at spaces and hyphens), folded, with its sound key."""
    return tuple((fold(word), sound_key(word)) for word in _NAME_WORDS.split(name))


def _sounds_like_short_name(mention: Mention, alike: list[tuple[Mention, str]], text: str) -> Mention | None:
    """The first full name with a word that the article also uses alone and that ``mention`` is a
    variant of: spelled alike ("Zalensky" / "Zelensky"), or, for short names that only sound alike
    ("Yoon" / "Eun"), a titled person's name in a place where a person is named. ``alike`` holds the
    full names' standalone words that sound like ``mention`` (``_standalone_words_by_sound``).
    """
    key, folded_mention = sound_key(mention.text), fold(mention.text)
    for candidate, folded in alike:
        if _inflected(folded, folded_mention):
            continue
        if fuzz.ratio(folded, folded_mention) >= _WITHIN_SPELLING * 100:
            return candidate
        if len(key) < _SURE_SOUND and candidate.role and _in_a_person_slot(text, mention):
            return candidate
    return None


def story_findings(facts: Annotations, other: Annotations, options: CheckOptions) -> list[Finding]:
    """Names of independent reports that differ for the same role, or differ only in spelling."""
    mine = [m for m in facts.names if _usable(m) and not other.says(m.text)]
    theirs = [m for m in other.names if _usable(m) and not facts.says(m.text)]
    # Mentions of a name with the same role and kind fare alike: each such name is judged once, and of
    # several alike candidates only the first can be the one found.
    firsts: dict[tuple[str, str | None, str | None], Mention] = {}
    for candidate in theirs:
        firsts.setdefault(_referent(candidate), candidate)
    candidates = list(firsts.values())
    judged: dict[tuple[str, str | None, str | None], tuple[Mention, str] | None] = {}
    findings = []
    seen: set[str] = set()
    for mention in mine:
        key = fold(mention.text)
        if key in seen:
            continue
        if (alike := _referent(mention)) not in judged:
            judged[alike] = _same_referent(mention, candidates, options)
        match = judged[alike]
        if match is None:
            continue
        seen.add(key)
        findings.append(
            finding(
                facts,
                "name",
                "difference",
                mention.span,
                other,
                match[0].span,
                f"“{mention.text}” here, “{match[0].text}” in another report of the story ({match[1]})",
            )
        )
    return findings


def _referent(mention: Mention) -> tuple[str, str | None, str | None]:
    """What ``_same_referent`` reads of a mention."""
    return mention.text, mention.role, mention.kind


def _same_referent(
    mention: Mention, candidates: list[Mention], options: CheckOptions
) -> tuple[Mention, str] | None:
    """The candidate naming the same person: same specific role, or a spelling variant of a person's name."""
    role = mention.role or ""
    specific = len(role.split()) >= _MIN_ROLE_WORDS
    person = _person(mention)
    if not (specific or person):
        return None
    for candidate in candidates:
        same_role = specific and candidate.role == role
        # Only a candidate with the same role, or a person beside a person, may be the one: the tests that
        # rule a pair out (one name, a short form, initials) are run on those alone (they cost the most).
        if not (same_role or (person and _person(candidate))):
            continue
        if _same_name(mention.text, candidate.text) or _shortened(mention.text, candidate.text):
            continue
        if _abbreviates(mention.text, candidate.text):
            continue
        if same_role:
            return candidate, f"both “{role}”"
        similarity = name_similarity(mention.text, candidate.text)
        if similarity >= max(options.name_similarity, _UNALIGNED_SIMILARITY):
            return candidate, f"spelled or sounding alike, similarity {similarity:.2f}"
    return None


def _person(mention: Mention) -> bool:
    return (mention.kind == "person" or bool(mention.role)) and not mention.text.isupper()


def _shortened(a: str, b: str) -> bool:
    """One name is a shorter form of the other: "Justice Roberts" / "John G. Roberts Jr"."""
    mine, theirs = _stems(a) - _TITLE_STEMS, _stems(b) - _TITLE_STEMS
    return bool(mine) and bool(theirs) and (mine <= theirs or theirs <= mine)


def _abbreviates(a: str, b: str) -> bool:
    """One name is the initials of the other: "WSJ" / "Wall Street Journal"."""
    fa, fb = fold(a), fold(b)
    return (" " not in fa and fa == _initials(fb)) or (" " not in fb and fb == _initials(fa))
