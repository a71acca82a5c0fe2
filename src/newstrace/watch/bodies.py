"""Response bodies decoded a piece at a time, never past a size limit: a gzip or brotli bomb stops there.

httpx's own decoders inflate each network chunk whole, so a few kilobytes of brotli can become
gigabytes before the caller sees a byte; these decoders are asked for at most what is still allowed.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import brotli

from newstrace.errors import NewstraceError

_IDENTITY = ("", "identity")


class BodyError(NewstraceError):
    """A body that cannot be decoded (unknown content coding, corrupt compressed data)."""


class BoundedDecoder:
    """Decodes one response body's content coding, returning at most ``room`` bytes a call."""

    def __init__(self, coding: str) -> None:
        self.coding = coding.strip().lower()
        self._inflate: Callable[[bytes, int], bytes]
        if self.coding in _IDENTITY:
            self._inflate = _identity
        elif self.coding in ("gzip", "x-gzip"):
            self._inflate = _ZlibInflater(zlib.MAX_WBITS | 16).inflate
        elif self.coding == "deflate":
            self._inflate = _ZlibInflater(zlib.MAX_WBITS).inflate
        elif self.coding == "br":
            self._inflate = _BrotliInflater().inflate
        else:
            raise BodyError(f"unsupported content coding {coding!r}")

    def decode(self, data: bytes, room: int) -> bytes:
        """The decoded bytes of ``data`` (plus any held back), at most ``room + 1`` of them.

        One byte over ``room`` tells the caller the limit was passed without inflating the rest.
        """
        try:
            return self._inflate(data, room + 1)[: room + 1]
        except (zlib.error, brotli.error) as error:
            raise BodyError(f"corrupt {self.coding} body: {error}") from error


def _identity(data: bytes, limit: int) -> bytes:
    return data[:limit]


class _ZlibInflater:
    """gzip (several members too) or deflate; "deflate" sent without its zlib header is read raw."""

    def __init__(self, wbits: int) -> None:
        self.wbits = wbits
        self._inflater = zlib.decompressobj(wbits)
        self._started = False

    def inflate(self, data: bytes, limit: int) -> bytes:
        out: list[bytes] = []
        size = 0
        pending = data
        while size < limit:
            try:
                piece = self._inflater.decompress(pending, limit - size)
            except zlib.error:
                if self._started or self.wbits != zlib.MAX_WBITS:
                    raise
                # Servers often send "deflate" as raw deflate data, without the zlib header.
                self.wbits = -zlib.MAX_WBITS
                self._inflater = zlib.decompressobj(self.wbits)
                continue
            self._started = True
            out.append(piece)
            size += len(piece)
            if self._inflater.unconsumed_tail:
                pending = self._inflater.unconsumed_tail
            elif self._inflater.eof and self._inflater.unused_data:
                pending = self._inflater.unused_data
                self._inflater = zlib.decompressobj(self.wbits)
            else:
                break
        return b"".join(out)


class _BrotliInflater:
    def __init__(self) -> None:
        self._inflater = brotli.Decompressor()

    def inflate(self, data: bytes, limit: int) -> bytes:
        out = [self._inflater.process(data, output_buffer_limit=limit)]
        size = len(out[0])
        # Output held back by the buffer limit comes out with empty input, a limited amount at a time.
        while size < limit and not self._inflater.can_accept_more_data():
            piece = self._inflater.process(b"", output_buffer_limit=limit - size)
            if not piece:
                break
            out.append(piece)
            size += len(piece)
        return b"".join(out)
