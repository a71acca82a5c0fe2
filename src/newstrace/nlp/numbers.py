"""Numbers in text, normalised so that differently written forms compare equal.

"five", "5", "$5.5bn", "5.5 billion dollars", "5.8 percent", "131-year-old", "In 2007",
"August 19, 2016": each becomes a ``NumberMention`` with a float ``value`` (scales
applied), a ``kind`` (count, amount, percent, date, age, year) and a ``unit`` (the
currency, "percent", or the noun counted), which is what cross-checks compare.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from newstrace.model import Span
from newstrace.nlp.lexicon import word_set

NumberKind = str  # "count" | "amount" | "percent" | "date" | "age" | "year"

UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
SCALES = {
    "hundred": 1e2,
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "mln": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
    "tr": 1e12,
}
CURRENCY_SYMBOLS = {
    "us$": "USD",
    "$": "USD",
    "c$": "CAD",
    "a$": "AUD",
    "£": "GBP",
    "€": "EUR",
    "¥": "JPY",
    "₹": "INR",
}
CURRENCY_WORDS = {
    "dollar": "USD",
    "dollars": "USD",
    "euro": "EUR",
    "euros": "EUR",
    "pound": "GBP",
    "pounds": "GBP",
    "yen": "JPY",
    "yuan": "CNY",
    "rupees": "INR",
    "rubles": "RUB",
    "roubles": "RUB",
    "pesos": "MXN",
}
MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
# Words after a number that are not the thing counted.
NOT_UNITS = word_set("""a an the of and or to in on at for from by with as is are was were be been than that this these
    those it its he she they we i you his her their our who which what when where while but so if per
    percent cent more less most least times time years year old""")
# "one" is a number only when it counts something, not in "one of", "no one", "one another".
_ONE_NOT_NUMBER = word_set("of another who which that day")

_WORD_NUMBER = "|".join([*UNITS, *TENS, "hundred", "thousand", "million", "billion", "trillion", "dozen"])
_CURRENCY = r"(?P<cur>US\$|C\$|A\$|\$|£|€|¥|₹)"
_SCALE = r"(?:\s?-?(?P<scale>trillion|billion|million|thousand|hundred|bn|tn|mn|mln|m|k|b)\b)"
_PERCENT = (
    r"(?:\s?(?P<pct>%|percent\b|per cent\b|percentage points?\b|points?\b(?=\s(?:lead|drop|gain|rise|fall))))"
)
_CUR_WORD = r"(?:\s(?P<curword>" + "|".join(CURRENCY_WORDS) + r")\b)"
_DIGITS = r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_WORDS = rf"(?P<words>\b(?:(?:a|an)\s(?=(?:hundred|thousand|million|billion|dozen)\b))?(?:{_WORD_NUMBER})(?:(?:[\s-]|\sand\s)(?:{_WORD_NUMBER}))*\b)"
_NUMBER = re.compile(
    rf"(?<![\w.,$£€¥-]){_CURRENCY}?\s?(?:{_DIGITS}|{_WORDS}){_SCALE}?{_PERCENT}?{_CUR_WORD}?", re.IGNORECASE
)
_MONTH = "|".join(m.capitalize() for m in sorted(MONTHS, key=len, reverse=True))
_DATE = re.compile(
    rf"\b(?:(?P<m1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y1>\d{{4}}))?"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m2>{_MONTH})\.?(?:,?\s+(?P<y2>\d{{4}}))?"
    rf"|(?P<m3>{_MONTH})\.?\s+(?P<y3>\d{{4}}))\b"
)
_AGE_AFTER = re.compile(r"[\s-]?(?:years?|months?)[\s-]old\b|-year-|-years-", re.IGNORECASE)
_AGE_BEFORE = re.compile(r"\b(?:aged|age|ages)\s$", re.IGNORECASE)
_YEAR_BEFORE = re.compile(
    r"\b(?:in|since|by|of|from|until|till|through|during|before|after|early|late|mid|the)\s$", re.I
)
_NEXT_WORD = re.compile(r"[\s-]*([A-Za-z]+)")


@dataclass(frozen=True)
class NumberMention:
    """A number with its normalised value.

    ``value`` has scales applied (``$5.5bn`` -> 5.5e9); dates are ``YYYYMMDD`` with
    unknown parts as zero. ``unit`` is a currency code for amounts, ``"percent"``,
    ``"years"`` for ages, or the noun counted ("deaths") when there is one.
    """

    span: Span
    text: str
    value: float
    kind: NumberKind
    unit: str | None = None
    scale: float = 1.0


def find_numbers(text: str) -> list[NumberMention]:
    """Find and normalise the numbers of ``text``.

    Args:
        text: plain text.

    Returns:
        Mentions in text order; dates take precedence over the numbers inside them.

    Example:
        >>> [(n.value, n.kind, n.unit) for n in find_numbers("Hyundai will invest $5.5bn.")]
        [(5500000000.0, 'amount', 'USD')]
    """
    found: list[NumberMention] = []
    taken: list[Span] = []
    for match in _DATE.finditer(text):
        found.append(_date(match))
        taken.append(match.span())
    for match in _NUMBER.finditer(text):
        span = _trimmed_span(text, match)
        if any(a < span[1] and span[0] < b for a, b in taken):
            continue
        mention = _number(text, match, span)
        if mention is not None:
            found.append(mention)
    return sorted(found, key=lambda n: n.span)


def _trimmed_span(text: str, match: re.Match[str]) -> Span:
    start, end = match.span()
    while start < end and text[start].isspace():
        start += 1
    return start, end


def _date(match: re.Match[str]) -> NumberMention:
    month = MONTHS[(match.group("m1") or match.group("m2") or match.group("m3")).lower()]
    day = int(match.group("d1") or match.group("d2") or 0)
    year = int(match.group("y1") or match.group("y2") or match.group("y3") or 0)
    return NumberMention(match.span(), match.group(), float(year * 10000 + month * 100 + day), "date")


def _number(text: str, match: re.Match[str], span: Span) -> NumberMention | None:
    if match.group("num"):
        base = float(match.group("num").replace(",", ""))
    else:
        base = words_to_number(match.group("words"))
        if base is None or not _counts_something(text, match):
            return None
    scale_word = (match.group("scale") or "").lower()
    if scale_word in ("m", "b", "k") and not match.group("cur") and not match.group("num"):
        scale_word = ""
    scale = SCALES.get(scale_word, 1.0) if scale_word else 1.0
    if scale_word in ("m", "b", "k") and not match.group("cur"):
        return _plain(text, match, span, base)
    value = base * scale
    currency = match.group("cur") or match.group("curword")
    if currency:
        code = CURRENCY_SYMBOLS.get(currency.lower()) or CURRENCY_WORDS.get(currency.lower())
        return NumberMention(span, text[span[0] : span[1]], value, "amount", code, scale)
    if match.group("pct"):
        unit = "points" if "point" in match.group("pct").lower() else "percent"
        return NumberMention(span, text[span[0] : span[1]], value, "percent", unit, scale)
    if _AGE_AFTER.match(text, span[1]) or _AGE_BEFORE.search(text[max(0, span[0] - 6) : span[0]]):
        age_end = _AGE_AFTER.match(text, span[1])
        end = age_end.end() if age_end and "old" in age_end.group() else span[1]
        return NumberMention((span[0], end), text[span[0] : end], value, "age", "years", scale)
    if scale == 1.0 and match.group("num") and _is_year(text, span, match.group("num")):
        return NumberMention(span, text[span[0] : span[1]], value, "year")
    return NumberMention(span, text[span[0] : span[1]], value, "count", _unit_after(text, span[1]), scale)


def _plain(text: str, match: re.Match[str], span: Span, base: float) -> NumberMention:
    """A bare number whose one-letter "scale" was really the next word ("5 m" is left ambiguous)."""
    number_end = match.start("scale") if match.group("scale") else span[1]
    while number_end > span[0] and text[number_end - 1] in " -":
        number_end -= 1
    return NumberMention((span[0], number_end), text[span[0] : number_end], base, "count", None)


def _counts_something(text: str, match: re.Match[str]) -> bool:
    words = match.group("words").lower()
    if words not in ("one", "zero"):
        return True
    before = text[max(0, match.start() - 4) : match.start()].lower()
    following = _NEXT_WORD.match(text, match.end())
    next_word = following.group(1).lower() if following and following.start() == match.end() else ""
    return (
        not before.endswith(("no ", "any", "the ")) and bool(next_word) and next_word not in _ONE_NOT_NUMBER
    )


def _is_year(text: str, span: Span, digits: str) -> bool:
    if not (len(digits) == 4 and digits.isdigit() and 1800 <= int(digits) <= 2100):
        return False
    unit = _unit_after(text, span[1])
    return unit is None or _YEAR_BEFORE.search(text[max(0, span[0] - 8) : span[0]]) is not None


def _unit_after(text: str, end: int) -> str | None:
    following = _NEXT_WORD.match(text, end)
    if following is None or following.start() != end or len(following.group()) - len(following.group(1)) > 2:
        return None
    word = following.group(1).lower()
    return None if word in NOT_UNITS else word


def words_to_number(words: str) -> float | None:
    """Value of written-out numbers: "twenty-six" -> 26, "two hundred thousand" -> 200000."""
    total = 0.0
    current = 0.0
    seen = False
    for word in re.split(r"[\s-]+", words.lower()):
        if word in ("and", "a", "an"):
            current = current or (1.0 if word != "and" else current)
            continue
        if word in UNITS:
            current += UNITS[word]
        elif word in TENS:
            current += TENS[word]
        elif word == "dozen":
            current = (current or 1) * 12
        elif word == "hundred":
            current = (current or 1) * 100
        elif word in SCALES:
            total += (current or 1) * SCALES[word]
            current = 0.0
        else:
            return None
        seen = True
    return total + current if seen else None


# Languages that write a decimal comma ("3,1 %") and group thousands with a point or a space: the
# news languages of continental Europe and Latin America. English, Chinese, Japanese, Korean, Hebrew
# and Thai write a decimal point.
DECIMAL_COMMA_LANGUAGES = frozenset(
    ["de", "fr", "es", "it", "pt", "nl", "cs", "sk", "pl", "hu", "ro", "ru", "uk", "bg", "hr", "sr", "sl", "da", "sv", "no", "fi", "et", "lv", "lt", "el", "tr", "id"]
)
# A number as any locale writes it: digit groups joined by points, commas, thin or plain spaces, or
# apostrophes (Swiss), with an optional decimal part.
LOCALIZED_NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:[.,\u00a0\u202f' ]\d{3})+(?:[.,]\d+)?(?![\d])|\d+(?:[.,]\d+)?")
_GROUP_MARKS = "\u00a0\u202f' "


def localized_number(token: str, decimal_comma: bool) -> float | None:
    """The value of a number written in any locale's style: "1.234,5" and "1,234.5" are 1234.5.

    Thin spaces, spaces and apostrophes always group thousands. With both a point and a comma the
    last one is the decimal mark; a mark used twice groups thousands. A lone mark followed by three
    digits ("1,234", "1.234") is read as the text's language writes it (``decimal_comma``); any other
    lone mark is the decimal mark ("3,1" and "3.1" are both 3.1).

    Example:
        >>> localized_number("1.234,5", True), localized_number("1,234.5", False), localized_number("3,1", True)
        (1234.5, 1234.5, 3.1)
    """
    token = "".join(c for c in token.strip() if c not in _GROUP_MARKS)
    if not token or not token[0].isdigit() or not token[-1].isdigit():
        return None
    marks = [c for c in token if c in ".,"]
    if not marks:
        decimal = None
    elif len(set(marks)) == 2:
        decimal = marks[-1]
    elif len(marks) > 1:
        decimal = None
    elif len(token.rsplit(marks[0], 1)[1]) == 3 and token[0] != "0":
        decimal = "," if decimal_comma else "."
        decimal = decimal if decimal == marks[0] else None
    else:
        decimal = marks[0]
    whole, _, fraction = token.rpartition(decimal) if decimal else (token, "", "")
    digits = whole.replace(".", "").replace(",", "") + ("." + fraction if decimal else "")
    try:
        return float(digits)
    except ValueError:
        return None


def writes_decimal_comma(language: str | None) -> bool:
    """Whether texts in ``language`` (ISO 639-1) write "3,1" for three point one."""
    return language in DECIMAL_COMMA_LANGUAGES
