"""Bytes → text, for inputs of unknown, wrong or mixed encodings; never raises on what the bytes hold.

UTF-8 is tried first. Then a charset the input declares (an HTML ``<meta charset>`` or
``http-equiv``, an HTTP ``Content-Type``), if it decodes the bytes cleanly. A file that is
mostly UTF-8 with a few stray Windows-1252 bytes (the commonest "mixed encoding" on scraped
pages) is decoded byte run by byte run, so neither part is lost. Anything else goes to
charset-normalizer. Nothing is registered with ``codecs``: importing this module changes no
global state.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from newstrace.errors import InputError

_BINARY_SNIFF_BYTES = 8192
_MAX_STRAY_SHARE = 0.02
_UTF16_BOMS = ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
# The HTML standard's prescan looks at the first 1024 bytes; pages with long heads put the tag later.
_CHARSET_SNIFF_BYTES = 4096
_META_CHARSET = re.compile(rb"<meta\b[^>]{0,512}?\bcharset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]{1,40})", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"\bcharset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]{1,40})", re.IGNORECASE)
# As the HTML standard says: these labels mean Windows-1252, and a page cannot declare itself UTF-16
# or UTF-7 in an ASCII meta tag (UTF-7 is also a known XSS vector). The other refused codecs are
# Python's own text transforms, no charsets (and punycode decodes in quadratic time).
_WINDOWS_1252_LABELS = {"iso8859-1", "ascii"}
_REFUSED_CODECS = {"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be", "utf-7", "punycode",
                   "idna", "unicode-escape", "raw-unicode-escape", "undefined", "charmap"}
_STRAY_BYTES = re.compile("[\udc80-\udcff]+")


def looks_binary(data: bytes) -> bool:
    """NUL bytes in the first few kilobytes mean this is no text file."""
    return b"\x00" in data[:_BINARY_SNIFF_BYTES]


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a ``<meta>`` tag near its start, if any."""
    match = _META_CHARSET.search(data[:_CHARSET_SNIFF_BYTES])
    return match.group(1).decode("ascii") if match else None


def charset_of_content_type(content_type: str) -> str | None:
    """The ``charset`` parameter of an HTTP ``Content-Type`` header, if any."""
    match = _HEADER_CHARSET.search(content_type)
    return match.group(1) if match else None


def decode_bytes(data: bytes, origin: str, declared: str | None = None) -> str:
    """Decode ``data`` to text, or raise ``InputError`` saying why it is not text.

    ``declared`` is the charset the input names for itself; it is used when the bytes are not
    UTF-8 and it decodes them without error, before any guessing.
    """
    if not data.strip():
        raise InputError(origin, "empty input")
    for bom, encoding in _UTF16_BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace")
    if looks_binary(data):
        raise InputError(origin, "binary content (NUL bytes), not text")
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if (text := _decode_declared(data, declared)) is not None:
        return text
    stray = data.decode("utf-8", errors="replace").count("\ufffd")
    if stray <= max(1, len(data) * _MAX_STRAY_SHARE):
        return _utf8_with_cp1252_strays(data)
    best = from_bytes(data).best()
    if best is None:
        raise InputError(origin, "cannot detect a text encoding")
    return str(best)


def _decode_declared(data: bytes, declared: str | None) -> str | None:
    """``data`` decoded as ``declared``, or None when there is no usable declaration or it does not fit."""
    if not declared:
        return None
    try:
        name = codecs.lookup(declared).name
        if name in _REFUSED_CODECS:
            return None
        # LookupError also for codecs that are no charset (rot13, base64); some decoders raise plain UnicodeError.
        return data.decode("cp1252" if name in _WINDOWS_1252_LABELS else name)
    except (LookupError, ValueError):
        return None


def _utf8_with_cp1252_strays(data: bytes) -> str:
    """UTF-8 with a few stray Windows-1252 bytes (or plain Windows-1252 text): each part decoded as what it is."""
    text = data.decode("utf-8", errors="surrogateescape")
    return _STRAY_BYTES.sub(
        lambda run: bytes(ord(c) - 0xDC00 for c in run.group()).decode("cp1252", errors="replace"), text
    )
