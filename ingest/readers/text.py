"""Plain text and markdown: UTF-8 (BOM optional) or UTF-16/32 with a BOM."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from ingest.errors import IngestError
from ingest.readers import register
from ingest.source import SourceLine

# Control characters that have no business in text (tab, LF, VT, FF, CR allowed).
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\x0b\x0c\r") + b"\x7f"
_CONTROL_RE = re.compile("[" + re.escape(_CONTROL.decode("ascii")) + "]")
_DELETE_CONTROL = dict.fromkeys(_CONTROL)
_MAX_CONTROL_SHARE = 0.05

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _line_of(text: str, offset: int) -> int:
    """1-based line number of ``offset`` in ``text`` (``\\r\\n``, ``\\r``, ``\\n`` all count once)."""
    head = text[:offset]
    return head.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1


def _check_binary(path: Path, text: str) -> None:
    """Raise if ``text`` holds NUL or too many control characters."""
    first = _CONTROL_RE.search(text)
    if first is None:
        return
    count = len(text) - len(text.translate(_DELETE_CONTROL))
    if "\x00" in text or count > _MAX_CONTROL_SHARE * len(text):
        line = _line_of(text, first.start())
        raise IngestError(path, f"binary content, not text (first NUL/control byte at line {line})", line=line)


def decode_text(path: Path, data: bytes) -> str:
    """Decode ``data`` as UTF-8 (or UTF-16/32 with a BOM); strip the BOM.

    Invalid UTF-8 raises an :class:`IngestError` naming line, column and byte;
    binary data raises one naming the first NUL/control byte.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(codec)
            except UnicodeDecodeError as exc:
                raise IngestError(path, f"invalid {codec.upper()} after byte-order mark ({exc.reason})") from exc
            _check_binary(path, text)
            return text
    # Latin-1 keeps byte offsets, so the binary check can run before decoding.
    _check_binary(path, data.decode("latin-1"))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _utf8_error(path, data, exc) from exc


def _utf8_error(path: Path, data: bytes, exc: UnicodeDecodeError) -> IngestError:
    """Build the error for invalid UTF-8 at ``exc.start``."""
    start = exc.start
    head = data[:start]
    line = head.replace(b"\r\n", b"\n").replace(b"\r", b"\n").count(b"\n") + 1
    line_start = max(head.rfind(b"\n"), head.rfind(b"\r")) + 1
    column = len(data[line_start:start].decode("utf-8", errors="replace")) + 1
    return IngestError(
        path,
        f"invalid UTF-8 at line {line}, column {column} (byte 0x{data[start]:02X}); "
        "convert the file to UTF-8 first, e.g. `iconv -f WINDOWS-1258 -t UTF-8`",
        line=line,
    )


def split_lines(text: str) -> list[str]:
    """Split on ``\\r\\n``, ``\\r`` or ``\\n`` only; a final newline ends the last line."""
    parts = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if parts and parts[-1] == "" and len(parts) > 1:
        parts.pop()
    return parts


@register([".txt"])
class TextReader:
    """Plain text, kept verbatim line by line."""

    media_type = "text/plain"

    def read(self, path: Path, data: bytes) -> list[SourceLine]:
        text = decode_text(path, data)
        return [SourceLine(n, line) for n, line in enumerate(split_lines(text), 1)]


@register([".md"])
class MarkdownReader(TextReader):
    """Markdown, kept verbatim (the structure parser reads the markup)."""

    media_type = "text/markdown"
