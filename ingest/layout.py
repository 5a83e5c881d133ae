"""Source lines -> paragraphs: strip markup, rejoin text split by wraps and page breaks.

A paragraph keeps the span of source lines it came from. Table rows stay one
paragraph each with their cells; rows split by a page break are rejoined by
:mod:`ingest.table`, which knows the columns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from .normalize import nfc
from .source import SourceLine

MARKER = re.compile(
    r"""^(?:
        (?P<roman>[IVXL]{1,6})\s*(?:[.\-–):]|/(?!\s*\d)|\s-)\s*(?=\D|$)   # I.  II-  III -  IV)  V/ (not IV/2024)
      | (?P<number>\d{1,2}(?:\.\d{1,2}){0,3})(?:[.)](?!\d)|\s+-\s)\s*     # 1.  1.1.  2)  3 -
      | (?P<number2>\d{1,2}(?:\.\d{1,2}){1,3})\s+                  # 1.1 without final dot
      | (?P<letter>[a-zđ])[)]\s*                          # a)
      | (?P<bullet>[-+•–—*∙·])\s+                          # - bullet
    )""",
    re.VERBOSE,
)
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+")
_TAGS = re.compile(r"</?(?:b|strong|i|em|u|span|br)\s*/?>", re.IGNORECASE)
_TERMINAL = re.compile(r"[.:;!?…]\s*[)\]”\"']*\s*$")
_STARTS_LOWER = re.compile(r"^[a-zà-ỹđ]")
_HEADER_START = re.compile(
    r"^(?:Số\s*[:.]|Nơi nhận|Kính gửi|TM\.|T/M|TM\s|KT\.|K/T|TL\.|T/L|Q\.\s)", re.IGNORECASE
)


@dataclass
class Paragraph:
    text: str
    first_line: int
    last_line: int
    bold: bool = False
    heading_level: int = 0        # markdown heading depth, 0 if none
    cells: list[str] | None = None  # table row cells
    raw: list[str] = field(default_factory=list)

    @property
    def is_row(self) -> bool:
        return self.cells is not None

    @property
    def is_heading_like(self) -> bool:
        """Bold, a markdown heading, or written in capitals."""
        return self.bold or self.heading_level > 0 or (self.text.isupper())


def clean_inline(text: str) -> tuple[str, bool]:
    """Drop markdown/HTML emphasis; report whether the text was wholly bold."""
    text = nfc(text).replace("\u00a0", " ")
    stripped = text.strip()
    bold = (stripped.startswith("**") and stripped.endswith("**") and len(stripped) > 4) or (
        stripped.lower().startswith(("<b>", "<strong>"))
    )
    text = _TAGS.sub("", text)
    text = text.replace("**", "").replace("__", "")
    text = re.sub(r"(?<!\w)\*|\*(?!\w)", "", text)
    text = re.sub(r"\s{2,}", " ", text)
    return text.strip(), bold


def split_row(text: str) -> list[str] | None:
    """Cells of a tab- or pipe-separated table row, else None."""
    if "\t" in text:
        return [clean_inline(c)[0] for c in text.split("\t")]
    stripped = text.strip()
    if stripped.startswith("|") and stripped.count("|") >= 3:
        inner = stripped.strip("|")
        if re.fullmatch(r"[\s:|\-]+", inner):
            return []  # markdown separator row
        return [clean_inline(c)[0] for c in inner.split("|")]
    return None


def starts_with_marker(text: str) -> bool:
    return bool(MARKER.match(text) or _HEADER_START.match(text))


def to_paragraphs(
    lines: list[SourceLine],
    continues_sentence: Callable[[Paragraph], bool] | None = None,
    wrapped: bool = True,
) -> list[Paragraph]:
    """Group source lines into paragraphs.

    ``wrapped``: consecutive non-blank lines of one paragraph are wraps (text
    and PDF sources); False for sources whose every line is a paragraph.
    ``continues_sentence(p)``: whether an unterminated paragraph ``p`` is a
    sentence (so the next plain paragraph after a blank line continues it),
    as opposed to a heading.
    """
    raw_paragraphs = _group_lines(lines, wrapped)
    return _rejoin_breaks(raw_paragraphs, continues_sentence or (lambda p: False))


def _group_lines(lines: list[SourceLine], wrapped: bool) -> list[Paragraph]:
    out: list[Paragraph] = []
    current: Paragraph | None = None
    for line in lines:
        raw = line.text
        cells = split_row(raw)
        if cells is not None:
            current = None
            if cells:
                out.append(Paragraph(" ".join(c for c in cells if c), line.number, line.number,
                                     cells=cells, raw=[raw]))
            continue
        heading = _HEADING.match(raw)
        body = raw[heading.end():] if heading else raw
        body = re.sub(r"^(\s*)\*\s+", r"\1- ", body)  # markdown "* item" bullet
        text, bold = clean_inline(body)
        if not text:
            current = None
            continue
        hard_break = raw.endswith("  ") or raw.endswith("\\")
        text = text.rstrip("\\").strip()
        joinable = (
            wrapped and current is not None and not heading and not current.heading_level
            and not starts_with_marker(text)
        )
        if joinable:
            current.text = f"{current.text} {text}"
            current.last_line = line.number
            current.raw.append(raw)
            opened = current.raw[0].lstrip(" #").startswith("**")
            current.bold = bold or (opened and raw.rstrip().endswith("**"))
        else:
            current = Paragraph(text, line.number, line.number, bold=bold,
                                heading_level=len(heading.group(1)) if heading else 0, raw=[raw])
            out.append(current)
        if hard_break or heading:
            current = None
    return out


def _rejoin_breaks(paragraphs: list[Paragraph], continues_sentence: Callable[[Paragraph], bool]
                   ) -> list[Paragraph]:
    """Rejoin a sentence split by a blank line (page break) into one paragraph."""
    out: list[Paragraph] = []
    for para in paragraphs:
        prev = out[-1] if out else None
        if prev is not None and _continues(prev, para, continues_sentence):
            prev.text = f"{prev.text} {para.text}"
            prev.last_line = para.last_line
            prev.raw.extend(para.raw)
            continue
        out.append(para)
    return out


def _continues(prev: Paragraph, para: Paragraph, continues_sentence: Callable[[Paragraph], bool]
               ) -> bool:
    if prev.is_row or para.is_row or para.heading_level or starts_with_marker(para.text):
        return False
    if _TERMINAL.search(prev.text):
        return False
    if prev.heading_level or (prev.bold and not para.bold) or MARKER.match(prev.text) and MARKER.match(prev.text).group("roman"):
        return False
    if prev.is_heading_like:
        return False
    if _STARTS_LOWER.match(para.text):
        return True
    return continues_sentence(prev)
