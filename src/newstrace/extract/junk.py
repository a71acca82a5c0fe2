"""Lines that page templates and content farms put around an article, each with the reason it is junk.

A line is judged on its own (plus one piece of context: the headlines under a "Related
posts" heading). Only short lines are tested, and almost every test is a whole-line match,
so an ordinary sentence that mentions sharing, comments or cookies is never touched; the
few free-worded prompts (newsletter, cookie banners) must also speak to the reader and
quote no one. Long lines skip the tests entirely, which keeps the cost per article small.
"""

from __future__ import annotations

import re

# No junk line of any kind below is longer than this; longer lines are article text.
MAX_JUNK_CHARS = 400
# Headline-like lines under a "Related" heading are teasers; a teaser is never longer than this.
MAX_TEASER_CHARS = 160

_PLACEHOLDER_USERS = r"(?:admin|administrator|editor|editorial staff|staff|newsdesk|news desk|webmaster|author|guest|user|root)"
_DATE_WORD = (
    r"(?:\d{1,4}|jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*|jul\w*|aug\w*|sep\w*|oct\w*|nov\w*|dec\w*|mon\w*|tue\w*"
    r"|wed\w*|thu\w*|fri\w*|sat\w*|sun\w*|a\.?m\.?|p\.?m\.?|noon|et|est|edt|ct|cst|cdt|pt|pst|pdt|gmt|utc|bst|cet|cest)"
)
# A publication named in an attribution line: capitalised words ("The Valdoria Herald") or a domain.
_SOURCE_NAME = (
    r"(?-i:(?:[A-Z][\w&.'’-]*|[\w-]+(?:\.[\w-]+)+\S*)(?:\s+(?:[A-Z0-9][\w&.'’-]*|of|the|and|for|on|at|&|[-–—|])){0,8})"
    r"(?:,? (?:on|at) (?:\w+ ){0,2}\d[\w ,:.]{0,30})?"
)
_SOCIAL = r"(?:facebook|twitter|x|whatsapp|linkedin|reddit|pinterest|telegram|messenger|flipboard|tumblr|instagram|youtube|e-?mail|sms)"

# (reason, whole-line pattern); all are anchored by a literal word, so a non-matching line fails fast.
_LINE_PATTERNS: tuple[tuple[str, str], ...] = (
    ("scraper-junk", r"(?:source|original) (?:link|article|url)s?:?"),
    ("scraper-junk", rf"(?:(?:posted|written|published|submitted)\s+)?by\s+{_PLACEHOLDER_USERS}\b.{{0,80}}"),
    (
        "scraper-junk",
        rf"(?:posted|published|submitted)(?: on| in)? .{{0,50}}? by {_PLACEHOLDER_USERS}\b.{{0,60}}",
    ),
    (
        "scraper-junk",
        r"placeholder (?:when|while) article (?:work|actions?) (?:is |are )?load(?:ed|s|ing)?\.?",
    ),
    (
        "scraper-junk",
        r"like this:?|like loading(?:\.{3}|…)?|be the first to like this\.?|\d+ bloggers? likes? this\.?",
    ),
    ("scraper-junk", r"(?:loading|please wait)(?:\.{3}|…)?"),
    (
        "attribution",
        r"(?:this (?:article|story|post|piece|report) (?:was |has been )?(?:originally |first )?(?:appeared|published|posted|ran)"
        r"|(?:originally|first) (?:published|appeared|posted)|republished|source|via)"
        rf"(?: (?:on|in|at|by|from|with))?\s*:?\s*{_SOURCE_NAME}\.?",
    ),
    (
        "photo-credit",
        r"(?:featured )?(?:image|photo|picture)s? (?:source|via|credit|courtesy(?: of)?)\s*:?\s*.{1,100}"
        r"|featured image\s*:?\s*.{1,100}",
    ),
    (
        "comments",
        r"leave a (?:reply|comment|response)(?: to .{0,80})?|(?:post|add|write|submit) (?:a |your )?comment"
        r"|(?:\d+|no|one) (?:comments?|responses?|replies)(?: so far)?|comments?(?: \(\d+\))?"
        r"|comments? (?:are|is) closed\.?|join the (?:conversation|discussion|debate)|(?:show|view|hide|load) (?:all )?comments"
        r"|you must be logged in to post a comment\.?|cancel reply|log in to (?:comment|reply)"
        r"|your email address will not be published\.?(?: required fields are marked \*?)?|required fields are marked\s*\*?"
        r"|(?:name|e-?mail|website|comment)\s*(?:\*|\(required\))"
        r"|notify me of (?:follow-up comments|new posts|new comments).{0,60}|save my name, email,? and website.{0,80}"
        r"|this site uses akismet to reduce spam.{0,120}",
    ),
    ("newsletter", r"(?:sign up|sign-up|subscribe)(?: now| today| here| free)?(?: (?:to|for) .{0,100})?"),
    ("newsletter", r"(?:thanks|thank you) for (?:signing up|subscribing).{0,80}"),
    (
        "advertisement",
        r"(?:advertisement|advertisements|advertising|sponsored(?: content| posts?| links| stories)?|ads?|paid (?:content|post)"
        r"|promoted(?: links| stories| content)?)"
        r"(?: continue reading the main story| - scroll to continue(?: with content)?)?",
    ),
    (
        "advertisement",
        r"(?:story|article|content) continues? below(?: advertisement)?|story continued below"
        r"|continue reading (?:the main story|below)|scroll (?:down )?to continue(?: with content)?",
    ),
    (
        "read-more",
        r"(?:continue|keep) reading(?: (?:at|on|here|from|this (?:article|story)) ?.{0,60})?(?:…|\.{3})?",
    ),
    (
        "read-more",
        r"read (?:more|the (?:full|whole|rest of the|complete|original) (?:story|article|post|report)|full (?:story|article))"
        r"(?: (?:at|on|here|from|in|via) ?.{0,60})?(?:…|\.{3}|»|›)?",
    ),
    (
        "read-more",
        r"click here to read (?:more|the full (?:story|article)).{0,60}|full story(?: (?:at|on|here) .{0,60})?",
    ),
    (
        "related",
        r"(?:read more|read also|also read|see also|related|related (?:posts|articles|stories|news|content|coverage|links|reading|items)"
        r"|more (?:on|from|in|about) (?:this|that|the|our)\b.{0,40}|you (?:may|might) (?:also )?(?:like|enjoy|be interested in)"
        r"|must read|don't miss|recommended|more stories|more news)\s*:\s*.{0,200}",
    ),
    (
        "navigation",
        r"home\s*(?:»|›|>|/|\|)\s*.{0,200}|(?:next|prev|previous) (?:image|photo|slide|article|post)(?: \d+ of \d+)?.{0,120}"
        r"|(?:image|photo|slide) \d+ (?:of|/) \d+|slideshow \(\d+ images?\)|\d+ (?:photos|images)|close|skip to (?:main )?content"
        r"|back to top|toggle caption.{0,120}|enlarge this image.{0,160}|hide caption.{0,120}|show caption.{0,120}"
        r"|home|menu|search|sections|(?:log|sign) ?(?:in|out)|register",
    ),
    (
        "media",
        r"(?:photo|photos|video|videos|image|images|gallery|photo gallery|audio|watch|listen|play video|watch video|now playing"
        r"|watch live|watch now)\s*:?",
    ),
    ("promo", r"(?:click here to )?(?:get|download) (?:the|our) .{0,50}\bapp\b.{0,80}"),
    (
        "promo",
        rf"follow\b.{{0,40}}?(?:\bon {_SOCIAL}\b|@\w+).{{0,60}}|(?:join|like|find) us on {_SOCIAL}\b.{{0,80}}",
    ),
    (
        "tags",
        r"(?:tags?|tagged|filed under|categories|category|topics?)\s*:\s*.{0,250}|tags|categories|topics"
        r"|posted (?:in|under) [A-Za-z ,&|/-]{1,100}",
    ),
    ("promo", r"click here\b.{0,120}"),
    ("label", r"(?:breaking(?: news)?|urgent|exclusive|developing(?: story)?|just in|live updates?)\s*:?"),
    (
        "dated",
        r"(?:\d+|an?|one) (?:seconds?|minutes?|hours?|days?|weeks?|months?|years?) ago"
        r"|this (?:article|story) is more than \d+ \w+ old"
        rf"|(?:updated|published|posted|last updated|last modified)(?: on| at)?:?\s+(?:{_DATE_WORD}[\s,.:/-]*){{1,12}}",
    ),
    (
        "copyright",
        r"(?:copyright|©|\(c\))(?:\s*(?:copyright|©))?\s*\d{4}.{0,300}"
        r"|this copy is for your personal,? non-commercial use only.{0,300}",
    ),
    (
        "tools",
        r"(?:order |buy )?reprints?(?: (?:&|and) permissions)?|print (?:this )?(?:article|story|page)|e-?mail (?:this )?(?:article|story)"
        r"|(?:text|font) size|save (?:this )?(?:article|story)",
    ),
    (
        "contact",
        r"(?:write to|have a tip\??|(?:contact|e-?mail|reach) (?:the )?(?:author|writer|reporter|editors?|us|me|him|her|them)\b)"
        r".{0,120}?[\w.+-]+@[\w-]+\.[\w.]+.{0,80}",
    ),
)
# Every pattern above opens with one of these words (or with a digit or sign, which always gets tested):
# looking the first word up in a set spares the ~5 µs regex for the ordinary line. Keep both in step.
_OPENERS = frozenset(
    re.findall(
        r"\w+",
        """
    source original posted written published submitted by placeholder like be leave post add write submit comments
    comment join show view hide load you cancel log your required name e email mail website notify save this sign
    subscribe thanks thank advertisement advertisements advertising sponsored ad ads paid promoted story article content
    continue scroll keep read click full see also related more must don recommended home next prev previous image
    photo slide slideshow close skip back toggle enlarge photos video videos images gallery audio watch listen play now
    get download follow join find tags tag tagged filed categories category topic topics breaking urgent exclusive developing just
    live an a one updated last copyright no order buy reprint reprints print text font
    contact reach have menu search sections register loading please originally first republished featured via
""",
    )
)
_FIRST_WORD = re.compile(r"[^\W\d_]+")
_LINE = re.compile(
    "|".join(f"(?P<r{index}>{pattern})" for index, (_, pattern) in enumerate(_LINE_PATTERNS)), re.IGNORECASE
)
# WordPress feeds sign every copied post: "The post <title> appeared first on <site>."
_FEED_FOOTER = re.compile(r"the post .{1,200} appeared first on .{1,120}", re.IGNORECASE)
_LINE_REASONS = {f"r{index}": reason for index, (reason, _) in enumerate(_LINE_PATTERNS)}

# Prompts that are longer or worded freely: a keyword plus a site speaking about itself.
_NEWSLETTER = re.compile(
    r"\bnewsletters?\b.{0,200}\b(?:sign[ -]?up|subscribe|inbox)\b|\b(?:sign[ -]?up|subscribe)\b.{0,200}\bnewsletters?\b"
    r"|\bby signing up\b|\bdelivered (?:straight )?to your inbox\b",
    re.IGNORECASE,
)
_COOKIES = re.compile(
    r"\b(?:we|this (?:web)?site|our (?:web)?site|by (?:continuing|using|clicking|browsing))\b.{0,160}\bcookies?\b"
    r"|\b(?:accept|manage|reject)(?: all)? cookies\b|\bcookies? (?:policy|settings|preferences|notice)\b",
    re.IGNORECASE,
)
_SHARE_WORDS = frozenset(
    re.findall(
        r"\w+",
        "share shares sharing this article story post page video tweet email e mail print pin it on via to "
        "facebook twitter x whatsapp linkedin reddit pinterest telegram messenger flipboard tumblr pocket copy link "
        "url save opens in new window click the with a friend friends your like us or and sms text google plus",
    )
)
_SHARE_CORE = frozenset(
    (
        "share",
        "sharing",
        "tweet",
        "facebook",
        "twitter",
        "whatsapp",
        "linkedin",
        "reddit",
        "pinterest",
        "telegram",
        "email",
        "print",
        "flipboard",
    )
)
_WORD = re.compile(r"[a-z]+")
_SHARE_HINT = re.compile("|".join(_SHARE_CORE))  # searched in lower case
_HAS_WORD = re.compile(r"[^\W_]")
_QUOTE = re.compile(r"[“”\"]|\b(?:said|says|told)\b")
# A related-block heading on its own line ("Related Posts", "You may also like").
_RELATED_HEADING = re.compile(
    r"(?:related|related (?:posts|articles|stories|news|content|coverage|links|reading|items|topics)|you (?:may|might) (?:also )?"
    r"(?:like|enjoy|be interested in)|more (?:from|on|in|about) [^.!?]{1,40}|recommended(?: for you| stories| reading| articles)?"
    r"|most (?:popular|read|viewed|shared)|trending(?: now| stories| articles)?|read next|up next|what to read next"
    r"|more stories|more news|top stories|latest (?:news|stories|posts)|popular (?:posts|stories)|more on this\.*"
    r"|other (?:stories|news)|recent posts|editor'?s picks)\s*:?",
    re.IGNORECASE,
)
_SENTENCE_END = (".", "!", "?", "”", '"', "’", "'", ":", ";", ")")
_LEADING_MARKS = " \t|•·*►▶»›-–—"
_TRAILING_MARKS = " \t|•·►▶»›-–—"


def normalize_line(line: str) -> str:
    """A line without surrounding bullets, bars and arrows (they decorate junk and text alike)."""
    return line.strip().lstrip(_LEADING_MARKS).rstrip(_TRAILING_MARKS)


# Page widgets embedded in the text (a photo gallery's captions, a video carousel), often run together
# with a real paragraph on one line: they announce themselves with fixed phrases no article sentence uses.
_GALLERY = re.compile(r"(?:Photos?: .{0,400}?)?Hide Caption \d+ of \d+(?:.{0,600}?Hide Caption \d+ of \d+)*", re.DOTALL)
_VIDEO = re.compile(r"JUST WATCHED .{0,300}?Replay More Videos\W{0,10}(?:MUST WATCH .{0,300}?\d{1,2}:\d{2})?")
_NEWSLETTER_FORM = re.compile(r"\bsign up\b.{0,200}?\bchoose your country\b", re.IGNORECASE)


def cut_widgets(line: str) -> tuple[str, list[tuple[str, str]]]:
    """``line`` without the galleries and video carousels in it, and the pieces cut, each with its reason."""
    if "Hide Caption" not in line and "Replay More Videos" not in line:
        return line, []
    cut: list[tuple[str, str]] = []
    for reason, pattern in (("gallery", _GALLERY), ("video", _VIDEO)):
        pieces = []
        for match in pattern.finditer(line):
            cut.append((match.group().strip(), reason))
            pieces.append(match.span())
        for begin, end in reversed(pieces):
            line = line[:begin] + " " + line[end:]
    return " ".join(line.split()), cut


def long_line_reason(text: str) -> str | None:
    """Why a line too long for the template tests is junk anyway (a newsletter form), or ``None``."""
    if "country" in text and _NEWSLETTER_FORM.search(text):
        return "newsletter"
    return None


def junk_reason(line: str) -> str | None:
    """Why ``line`` is template junk, or ``None`` if it may be article text."""
    text = normalize_line(line)
    if not text:
        return "separator" if line.strip() else "empty"
    if len(text) > MAX_JUNK_CHARS:
        return long_line_reason(text)
    if not text[0].isalnum() and not _HAS_WORD.search(text):
        return "separator"
    first = _FIRST_WORD.match(text)
    if first is None or first.group().lower() in _OPENERS:
        match = _LINE.fullmatch(text)
        if match:
            return _LINE_REASONS[match.lastgroup or ""]
    if len(text) <= 60 and _RELATED_HEADING.fullmatch(text):
        return "related"
    if first is not None and first.group() in ("The", "the") and _FEED_FOOTER.fullmatch(text):
        return "attribution"
    low = text.lower()
    if len(text) <= 90 and _SHARE_HINT.search(low) and _is_share_prompt(low):
        return "share"
    # The free-worded prompts are rare: substring tests keep their regexes off ordinary lines.
    if "all rights reserved" in low:
        return "copyright"
    if ("newsletter" in low or "inbox" in low or "signing up" in low) and _is_prompt(text, _NEWSLETTER):
        return "newsletter"
    if "cookie" in low and _is_prompt(text, _COOKIES):
        return "cookies"
    return None


def _is_prompt(text: str, pattern: re.Pattern[str]) -> bool:
    """A prompt speaks to the reader; a line quoting someone is reporting ("… sign up for his newsletters, “so …”")."""
    return pattern.search(text) is not None and _QUOTE.search(text) is None


def is_related_heading(line: str) -> bool:
    """A heading that introduces a list of teaser links ("Related Posts", "More from Politics")."""
    text = normalize_line(line)
    return len(text) <= 60 and _RELATED_HEADING.fullmatch(text) is not None


def is_teaser(line: str) -> bool:
    """A short headline-like line (no closing punctuation), as listed under a related heading."""
    text = line.strip()
    return 0 < len(text) <= MAX_TEASER_CHARS and not text.endswith(_SENTENCE_END)


def _is_share_prompt(low: str) -> bool:
    """Share bars: a short line made only of sharing words, with at least one network or "share" among them."""
    words = _WORD.findall(low)
    return (
        bool(words)
        and len(words) <= 14
        and all(w in _SHARE_WORDS for w in words)
        and not _SHARE_CORE.isdisjoint(words)
    )
