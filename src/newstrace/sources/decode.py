"""Bytes → text, for inputs of unknown, wrong or mixed encodings.

UTF-8 is tried first. A file that is mostly UTF-8 with a few stray Windows-1252
bytes (the commonest "mixed encoding" on scraped pages) is decoded byte run by
byte run, so neither part is lost. Anything else goes to charset-normalizer.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from newstrace.errors import InputError

_BINARY_SNIFF_BYTES = 8192
_MAX_STRAY_SHARE = 0.02
_UTF16_BOMS = ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def _cp1252_fallback(error: UnicodeDecodeError) -> tuple[str, int]:
    bad = error.object[error.start : error.end]
    return bad.decode("cp1252", errors="replace"), error.end


codecs.register_error("newstrace-cp1252", _cp1252_fallback)


def looks_binary(data: bytes) -> bool:
    """NUL bytes in the first few kilobytes mean this is no text file."""
    return b"\x00" in data[:_BINARY_SNIFF_BYTES]


def decode_bytes(data: bytes, origin: str) -> str:
    """Decode ``data`` to text, or raise ``InputError`` saying why it is not text."""
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
    stray = data.decode("utf-8", errors="replace").count("\ufffd")
    if stray <= max(1, len(data) * _MAX_STRAY_SHARE):
        # Few bad bytes: UTF-8 with stray Windows-1252 (or plain Windows-1252) text.
        return data.decode("utf-8", errors="newstrace-cp1252")
    best = from_bytes(data).best()
    if best is None:
        raise InputError(origin, "cannot detect a text encoding")
    return str(best)

