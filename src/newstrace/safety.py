"""Untrusted text made safe for where it goes: one function per sink.

Article text, titles, outlet names, file names and problem reasons all come from input that anyone
could have written. Before such text reaches a terminal, a spreadsheet or a web page it passes
through exactly one of these functions, so the rule for each sink lives in one place:

- ``for_terminal``: no control characters or escape sequences (an OSC sequence can retitle the
  window or plant a hyperlink, ``ESC [2J`` clears the screen), and Rich markup escaped where the
  text goes through a console that reads markup (``[/]`` in a title would abort the report).
- ``for_csv_cell``: a cell that a spreadsheet would run as a formula is prefixed with ``'``
  (the OWASP rule for CSV injection).
- ``for_html``: text escaped for HTML element content and attribute values.

``valid_text`` is the rule for every sink that encodes UTF-8 (the store, files): no lone surrogates.
"""

from __future__ import annotations

import html
import re
from typing import Any

__all__ = ["for_csv_cell", "for_html", "for_terminal", "valid_text"]

# ECMA-48: CSI (ESC [ or 8-bit 0x9B) with its parameter, intermediate and final bytes; the string
# sequences OSC, DCS, SOS, PM and APC up to their terminator (BEL or ST), kept to one line so an
# unterminated one cannot swallow the text after it; any other ESC sequence; then every remaining
# C0 and C1 control character except newline and tab. Each branch is a run of one character class,
# so the scan is linear in the text.
_TERMINAL_UNSAFE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
    r"|[\x00-\x08\x0b-\x1f\x7f-\x9f]"
)
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def valid_text(text: str) -> str:
    """``text`` with every lone surrogate (from a JSON ``\\udc00`` escape, say) replaced by U+FFFD.

    Such a string cannot be encoded as UTF-8, so it would fail in the store, in a file or on a terminal.
    """
    return _LONE_SURROGATE.sub("\ufffd", text)


def for_terminal(text: str, markup: bool = False) -> str:
    """``text`` without control characters and escape sequences (newlines and tabs kept).

    Args:
        text: untrusted text.
        markup: True where the text goes into a Rich console string that reads markup: then
            ``[...]`` is escaped so it prints as written.

    Example:
        >>> for_terminal("Floods\\x1b]0;owned\\x07 in [b]Vell[/b]", markup=True)
        'Floods in \\\\[b]Vell\\\\[/b]'
    """
    text = valid_text(_TERMINAL_UNSAFE.sub("", text))
    if not markup:
        return text
    from rich.markup import escape  # only where a console prints: extract workers never load Rich (~3 MB)

    return escape(text)


def for_csv_cell(value: Any) -> Any:
    """``value`` as a CSV cell: a string a spreadsheet would read as a formula gets a leading ``'``.

    Example:
        >>> for_csv_cell('=HYPERLINK("http://x.example","click")')
        '\\'=HYPERLINK("http://x.example","click")'
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def for_html(text: str) -> str:
    """``text`` escaped for HTML content and quoted attribute values (``& < > " '``)."""
    return html.escape(text, quote=True)
