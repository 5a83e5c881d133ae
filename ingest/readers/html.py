"""HTML: block elements become lines, in markdown-ish form."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import lxml.etree
import lxml.html

from ingest.errors import IngestError
from ingest.readers import register
from ingest.readers.text import decode_text, split_lines
from ingest.source import SourceLine

_BLOCKS = frozenset(
    "address article aside blockquote body caption center dd details dialog div dl dt fieldset "
    "figcaption figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr legend li main nav ol p "
    "section summary table tbody tfoot thead ul".split()
)
_BOLD = frozenset({"b", "strong"})
_DROP = ("script", "style", "template")
_WS = re.compile(r"[ \t\n\r\f]+")
_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)|<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")


def _decode(path: Path, data: bytes) -> str:
    """Decode by BOM, else the declared charset, else UTF-8."""
    m = _CHARSET.search(data[:4096])
    charset = (m.group(1) or m.group(2)).decode("ascii").lower() if m else "utf-8"
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")) or charset.replace("-", "") in ("utf8", "utf16"):
        text = decode_text(path, data)
    else:
        try:
            text = data.decode(charset)
        except LookupError as exc:
            raise IngestError(path, f"unknown declared charset {charset!r}") from exc
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            raise IngestError(
                path, f"bytes invalid for the declared charset {charset!r} at line {line}", line=line
            ) from exc
    # lxml refuses str input with an XML encoding declaration; keep its newlines.
    return _XML_DECL.sub(lambda m: "\n" * m.group(0).count("\n"), text, count=1)


def _tag(el: Any) -> str:
    """Lower-case tag name, '' for comments and processing instructions."""
    return el.tag.lower() if isinstance(el.tag, str) else ""


def _flat(el: Any) -> str:
    """All text inside ``el``, block boundaries and <br> as spaces."""
    parts = [el.text or ""]
    for child in el:
        tag = _tag(child)
        if tag:
            sep = " " if tag in _BLOCKS or tag in ("br", "td", "th", "tr") else ""
            parts += [sep, _flat(child), sep]
        parts.append(child.tail or "")
    return "".join(parts)


@dataclass
class _Block:
    """The text being collected for one block element."""

    kind: str
    line: int | None
    segments: list[tuple[str, bool]] = field(default_factory=list)
    first: bool = True


class _Walker:
    """Walks the body, emitting (source line, text) pairs."""

    def __init__(self) -> None:
        self.out: list[tuple[int | None, str]] = []

    def emit(self, line: int | None, text: str) -> None:
        self.out.append((line, text))

    def after(self, child: Any, line: int | None) -> int | None:
        """Best-known source line for text that follows ``child``."""
        last = self.out[-1][0] if self.out else None
        return max(x for x in (last, child.sourceline, line, 0) if x is not None) or None

    def flush(self, block: _Block) -> None:
        text = _WS.sub(" ", "".join(s for s, _ in block.segments)).strip(" ")
        inked = [b for s, b in block.segments if s.strip()]
        block.segments = []
        if not text:
            return
        kind = block.kind
        if re.fullmatch(r"h[1-6]", kind):
            text = "#" * int(kind[1]) + " " + text
        else:
            if inked and all(inked):
                text = f"**{text}**"
            if kind == "li" and block.first:
                text = "- " + text
        block.first = False
        self.emit(block.line, text)

    def walk(self, el: Any, block: _Block, bold: bool) -> None:
        """Collect ``el``'s own text and children into ``block`` (tails are the caller's)."""
        block.segments.append((el.text or "", bold))
        for child in el:
            tag = _tag(child)
            if tag == "br":
                self.flush(block)
                block.line = child.sourceline or block.line
            elif tag == "tr":
                self.flush(block)
                cells = [_WS.sub(" ", _flat(c)).strip(" ") for c in child if _tag(c) in ("td", "th")]
                if any(cells):
                    self.emit(child.sourceline, "\t".join(cells))
                block.line = self.after(child, block.line)
            elif tag == "pre":
                self.flush(block)
                start = child.sourceline
                for i, text in enumerate(split_lines(child.text_content())):
                    if text.strip():
                        self.emit(start + i if start else None, text)
                block.line = self.after(child, block.line)
            elif tag in _BLOCKS:
                self.flush(block)
                inner = _Block(tag, child.sourceline or block.line)
                self.walk(child, inner, bold)
                self.flush(inner)
                block.line = self.after(child, block.line)
            elif tag:
                self.walk(child, block, bold or tag in _BOLD)
            block.segments.append((child.tail or "", bold))


@register([".html", ".htm"])
class HtmlReader:
    """Headings -> '#', list items -> '- ', table rows -> tab-joined cells."""

    media_type = "text/html"

    def read(self, path: Path, data: bytes) -> list[SourceLine]:
        text = _decode(path, data)
        try:
            root = lxml.html.document_fromstring(text)
        except (lxml.etree.LxmlError, ValueError) as exc:
            raise IngestError(path, f"cannot parse HTML ({exc})") from exc
        for el in list(root.iter(*_DROP)):
            el.drop_tree()
        body = root.find("body")
        walker = _Walker()
        top = _Block("body", body.sourceline if body is not None else None)
        walker.walk(body if body is not None else root, top, False)
        walker.flush(top)
        return [SourceLine(line or n, t) for n, (line, t) in enumerate(walker.out, 1)]
