"""WARC archives: every HTML ``response`` record becomes a document; a damaged record costs only itself.

fastwarc (2.0) parses records well but stops for good at the first bad header ("Invalid WARC header")
and has no way to resume, so one bogus Content-Length or one garbled gzip member used to cost every
later record. The framing is therefore done here: gzip members are decompressed one by one (after a
damaged one, decompression resumes at the next member's magic bytes); each record is cut out by its
Content-Length and must end in CRLF CRLF (and, if another header line lies inside it, be followed by a
header); after a bad record, reading resumes at the next ``WARC/1.x`` header line. fastwarc then
parses each record that was cut out. A bad stretch is reported as one record with its number
(``path#N``), so the records after it keep theirs.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from newstrace.model import Problem, RawDocument
from newstrace.sources.decode import charset_of_content_type
from newstrace.sources.readers import SourceItem, SourceOptions, read_document, read_limited, too_large

__all__ = ["read_warc"]

_PIECE = 1 << 16
_MAX_HEADER_BYTES = 1 << 16
_GZIP_MAGIC = b"\x1f\x8b\x08"
_HEADER_START = b"WARC/1."
_RECORD_END = b"\r\n\r\n"
_HEADER_LINE = re.compile(rb"WARC/1\.[0-9]\r?\n")
_HEADER_LINE_MAX = len(b"WARC/1.0\r\n")
_CONTENT_LENGTH = re.compile(rb"^content-length:[ \t]*(\d{1,15})[ \t]*\r?$", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class _Damage:
    """Compressed input that could not be decompressed (the rest of a member, or more)."""

    reason: str


@dataclass(frozen=True)
class _BadStretch:
    """Bytes where a record should be that are none: reported as one record."""

    reason: str


def read_warc(stream: IO[bytes], origin: str, options: SourceOptions) -> Iterator[SourceItem]:
    """HTML ``response`` records of a WARC archive (plain or gzipped); every other record is skipped with its reason."""
    number = 0
    try:
        first = stream.read(_PIECE)
        if first.startswith(_GZIP_MAGIC):
            pieces = _gunzipped(stream, first, hold=options.max_document_bytes + _MAX_HEADER_BYTES)
        else:
            pieces = _plain(stream, first)
        for number, framed in enumerate(_framed(_Buffer(pieces), options.max_document_bytes), start=1):
            where = f"{origin}#{number}"
            if isinstance(framed, _BadStretch):
                yield Problem(where, framed.reason)
            else:
                yield from _read_record(framed, where, options)
    except OSError as error:
        yield Problem(origin, f"cannot read WARC after record {number}: {error.strerror or error}")


def _read_record(data: bytes, where: str, options: SourceOptions) -> Iterator[SourceItem]:
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    try:
        record = next(iter(ArchiveIterator(io.BytesIO(data), parse_http=True)), None)
    except OSError as error:
        record, reason = None, str(error)
    else:
        reason = "fastwarc found no record in it"
    if record is None:
        yield Problem(where, f"unreadable WARC record: {reason}")
        return
    if record.record_type != WarcRecordType.response:
        yield Problem(where, f"skipped WARC {record.record_type} record")
        return
    content_type = (record.http_headers.get("Content-Type") or "") if record.http_headers else ""
    if "html" not in content_type.lower():
        yield Problem(where, f"skipped non-HTML response ({content_type or 'no content type'})")
        return
    # An error page, a redirect or a body the crawler cut off is no article.
    status = record.http_headers.status_code
    if not 200 <= status < 300:
        yield Problem(where, f"skipped HTTP {status} response")
        return
    if record.headers.get("WARC-Truncated"):
        yield Problem(where, f"skipped truncated response (WARC-Truncated: {record.headers['WARC-Truncated']})")
        return
    payload = read_limited(record.reader, options.max_document_bytes)
    charset = charset_of_content_type(content_type)
    for item in read_document(payload, where, "html", options.max_document_bytes, charset):
        if isinstance(item, RawDocument):
            item = RawDocument(
                origin=where,
                body=item.body,
                format="html",
                url=record.headers.get("WARC-Target-URI"),
                date=_warc_date(record.headers.get("WARC-Date")),
            )
        yield item


def _warc_date(value: str | None) -> str | None:
    return value[:10] if value and len(value) >= 10 else None


def _plain(stream: IO[bytes], first: bytes) -> Iterator[bytes]:
    piece = first
    while piece:
        yield piece
        piece = stream.read(_PIECE)


def _gunzipped(stream: IO[bytes], first: bytes, hold: int) -> Iterator[bytes | _Damage]:
    """The decompressed bytes of a stream of gzip members, a piece at a time (a bomb stays a stream).

    A member's output is held back until the member ends intact, so a damaged member becomes one
    ``_Damage`` where it started and none of its output is framed. Its compressed bytes are kept as
    well: a damaged member can run on into the next one without an error, so the search for the next
    member's magic bytes starts just after the damaged one's start. A member whose output passes
    ``hold`` bytes flows on instead, and is searched from where it broke.
    """
    window = bytearray(first)  # compressed input from the current member's start (or its break) on
    used = 0  # how much of the window the decompressor has taken
    decompressor = zlib.decompressobj(wbits=31)
    held: list[bytes] = []
    held_size = 0
    flowing = in_member = False
    while True:
        if not in_member:
            del window[: len(window) - len(window.lstrip(b"\x00"))]  # zero padding, as gzip itself allows
        if used == len(window) and (more := stream.read(_PIECE)):
            window += more
            continue
        try:
            if used == len(window):
                if not in_member:
                    return
                raise zlib.error("truncated: a gzip member runs to the end of the input unfinished")
            out = decompressor.decompress(window[used:], _PIECE)
        except zlib.error as error:
            yield _Damage(f"damaged compressed data ({error})")
            held, held_size, flowing, in_member = [], 0, False, False
            if not _skip_to_member(window, 1, stream):
                return
            used, decompressor = 0, zlib.decompressobj(wbits=31)
            continue
        in_member = True
        used = len(window) - len(decompressor.unconsumed_tail)
        held.append(out)
        held_size += len(out)
        if flowing or held_size > hold or decompressor.eof:
            yield from held
            held, held_size, flowing = [], 0, not decompressor.eof
        if decompressor.eof:
            used = len(window) - len(decompressor.unused_data)
            in_member, decompressor = False, zlib.decompressobj(wbits=31)
        if flowing or not in_member:
            del window[:used]
            used = 0


def _skip_to_member(window: bytearray, start: int, stream: IO[bytes]) -> bool:
    """Cut ``window`` to begin at the next gzip magic bytes from ``start`` on, reading on as needed;
    False when the input ends first."""
    while (found := window.find(_GZIP_MAGIC, start)) < 0:
        del window[: max(start, len(window) - (len(_GZIP_MAGIC) - 1))]  # keep a magic cut in two
        start = 0
        if not (more := stream.read(_PIECE)):
            return False
        window += more
    del window[:found]
    return True


class _Buffer:
    """Decompressed bytes not yet framed, pulled from the pieces as needed; remembers where damage fell."""

    def __init__(self, pieces: Iterator[bytes | _Damage]) -> None:
        self.data = bytearray()
        self.damage: list[tuple[int, str]] = []  # (offset into data, reason), in order
        self._pieces = pieces

    def pull(self) -> bool:
        """Take in one more piece; False once the input is used up."""
        piece = next(self._pieces, None)
        if isinstance(piece, _Damage):
            self.damage.append((len(self.data), piece.reason))
        elif piece is not None:
            self.data += piece
        return piece is not None

    def fill(self, size: int) -> bool:
        """Pull until at least ``size`` bytes are here; False if the input ends first."""
        while len(self.data) < size and self.pull():
            pass
        return len(self.data) >= size

    def after_blank_lines(self, start: int) -> int:
        """Where the blank lines (CR, LF) from ``start`` end; they never run across damage."""
        while (
            self.fill(start + 1)
            and self.data[start : start + 1] in (b"\r", b"\n")
            and not any(offset == start for offset, _ in self.damage)
        ):
            start += 1
        return start

    def damage_within(self, end: int) -> str | None:
        """The reason of the first damage strictly inside the first ``end`` bytes."""
        return next((reason for offset, reason in self.damage if 0 < offset < end), None)

    def drop(self, size: int) -> None:
        """Forget the first ``size`` bytes and the damage before them (damage right after them stays)."""
        del self.data[:size]
        self.damage = [(o - size, r) for o, r in self.damage if o >= size]


def _framed(buffer: _Buffer, max_bytes: int) -> Iterator[bytes | _BadStretch]:
    """Each record's bytes, or a ``_BadStretch`` for bytes that hold no sound record."""
    while True:
        buffer.drop(buffer.after_blank_lines(0))
        if buffer.damage and buffer.damage[0][0] == 0:
            # Decompression failed right at a record boundary: the member that followed is lost.
            yield _BadStretch(buffer.damage.pop(0)[1] + "; the record that should start here is lost")
            continue
        if not buffer.data:
            return
        outcome = _cut_record(buffer, max_bytes)
        if isinstance(outcome, int):
            yield bytes(buffer.data[:outcome])
            buffer.drop(outcome)
        else:
            yield outcome
            _resync(buffer)


def _cut_record(buffer: _Buffer, max_bytes: int) -> int | _BadStretch:
    """The length of the sound record at the start of the buffer, or why there is none."""
    if not buffer.fill(len(_HEADER_START)) or not buffer.data.startswith(_HEADER_START):
        return _bad(buffer, len(buffer.data), "no WARC header where a record should start")
    header_end = buffer.data.find(_RECORD_END)
    while header_end < 0 and len(buffer.data) < _MAX_HEADER_BYTES and buffer.pull():
        header_end = buffer.data.find(_RECORD_END)
    if header_end < 0:
        return _bad(buffer, len(buffer.data), "WARC header without its end")
    length = _CONTENT_LENGTH.search(buffer.data, 0, header_end)
    if length is None:
        return _bad(buffer, header_end, "WARC header without a Content-Length")
    size = int(length.group(1))
    if size > max_bytes:
        return _bad(buffer, header_end, too_large(max_bytes, size, what="WARC record"))
    end = header_end + len(_RECORD_END) + size + len(_RECORD_END)
    buffer.fill(end + len(_HEADER_START))
    if len(buffer.data) < end:
        found = len(buffer.data) - header_end - len(_RECORD_END)
        return _bad(buffer, end, f"truncated WARC record (or a wrong Content-Length): {found} of {size} bytes")
    # Sound: the block ends in CRLF CRLF, and if another header hides inside it, one must also follow it
    # (else the Content-Length took in the next record). A damaged next header does not spoil this one.
    ends_well = buffer.data[end - len(_RECORD_END) : end] == _RECORD_END
    if not ends_well or (_HEADER_LINE.search(buffer.data, 1, end) and not _record_follows(buffer, end)):
        return _bad(buffer, end, f"its Content-Length ({size}) does not match where the record ends")
    return end if (damage := buffer.damage_within(end)) is None else _BadStretch(damage)


def _bad(buffer: _Buffer, end: int, reason: str) -> _BadStretch:
    """A bad stretch, blamed on damaged compressed data when some fell within it."""
    return _BadStretch(buffer.damage_within(end) or reason)


def _record_follows(buffer: _Buffer, start: int) -> bool:
    """True when the input ends at ``start`` (blank lines aside) or a WARC header starts there."""
    start = buffer.after_blank_lines(start)
    if not buffer.fill(start + 1):
        return True
    buffer.fill(start + len(_HEADER_START))
    return buffer.data.startswith(_HEADER_START, start)


def _resync(buffer: _Buffer) -> None:
    """Drop bytes up to the next WARC header line after the start (damaged bytes may come right before it).

    Searched bytes are let go as the search goes on, so a long stretch costs no memory.
    """
    position = 1
    while not (found := _HEADER_LINE.search(buffer.data, position)):
        keep = _HEADER_LINE_MAX - 1  # a header line may be cut between two pieces
        if len(buffer.data) > keep:
            buffer.drop(len(buffer.data) - keep)
            position = 0
        if not buffer.pull():
            buffer.drop(len(buffer.data))
            return
    buffer.drop(found.start())
