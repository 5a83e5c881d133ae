"""Word .docx: body paragraphs and table rows, in document order."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from ingest.errors import IngestError
from ingest.readers import register
from ingest.source import SourceLine

_P, _TBL, _SDT, _SDT_CONTENT = qn("w:p"), qn("w:tbl"), qn("w:sdt"), qn("w:sdtContent")
# Runs that are part of the paragraph's visible text (incl. tracked insertions).
_RUNS_XPATH = (
    "./w:r | ./w:hyperlink/w:r | ./w:ins/w:r | ./w:ins/w:hyperlink/w:r | ./w:smartTag/w:r"
    " | ./w:fldSimple/w:r | ./w:customXml/w:r | ./w:sdt/w:sdtContent/w:r"
)
_HEADING = re.compile(r"^heading\s*([1-9])$", re.IGNORECASE)


def _blocks(parent: Any) -> Iterator[Any]:
    """Yield body-level w:p and w:tbl elements in order (descending into content controls)."""
    for child in parent.iterchildren():
        if child.tag in (_P, _TBL):
            yield child
        elif child.tag == _SDT:
            for content in child.iterchildren(_SDT_CONTENT):
                yield from _blocks(content)


def _is_bold(run: Run) -> bool:
    """Bold directly or through the run's character style."""
    if run.bold is not None:
        return run.bold
    style = run.style
    return bool(style is not None and style.font.bold)


def _paragraph_text(para: Paragraph) -> tuple[str, bool]:
    """Return the paragraph's text (soft breaks as spaces) and whether it is wholly bold."""
    runs = [Run(r, para) for r in para._p.xpath(_RUNS_XPATH)]
    text = "".join(r.text for r in runs).replace("\r", " ").replace("\n", " ")
    inked = [r for r in runs if r.text.strip()]
    return text, bool(inked) and all(_is_bold(r) for r in inked)


def _heading_level(para: Paragraph) -> int:
    """N for a 'Heading N' paragraph style, else 0."""
    try:
        name = para.style.name if para.style is not None else ""
    except (KeyError, ValueError, AttributeError):
        return 0
    m = _HEADING.match(name or "")
    return int(m.group(1)) if m else 0


def _paragraph_line(para: Paragraph) -> str:
    """Markdown-ish text: '# ' prefixes for headings, '**…**' around wholly bold text."""
    text, bold = _paragraph_text(para)
    level = _heading_level(para)
    if level and text.strip():
        return "#" * level + " " + text.strip()
    if bold and not (text.startswith("**") and text.endswith("**")):
        core = text.strip()
        lead = text[: len(text) - len(text.lstrip())]
        trail = text[len(text.rstrip()):]
        return f"{lead}**{core}**{trail}"
    return text


def _cell_text(tc: Any, parent: Any) -> str:
    """All paragraphs of a cell (nested tables included), joined by spaces."""
    parts = (_paragraph_text(Paragraph(p, parent))[0] for p in tc.iter(_P))
    return " ".join(p for p in parts if p.strip())


def _table_rows(table: Table) -> Iterator[str]:
    """One tab-joined line per row; horizontally merged cells appear once."""
    for row in table.rows:
        cells: list[str] = []
        last = None
        for cell in row.cells:
            if cell._tc is last:
                continue
            last = cell._tc
            cells.append(_cell_text(cell._tc, cell))
        yield "\t".join(cells)


@register([".docx"])
class DocxReader:
    """Paragraph -> one line; table row -> one line of tab-joined cells."""

    media_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    def read(self, path: Path, data: bytes) -> list[SourceLine]:
        try:
            doc = docx.Document(io.BytesIO(data))
            body = doc._body
            texts: list[str] = []
            for el in _blocks(doc.element.body):
                if el.tag == _P:
                    texts.append(_paragraph_line(Paragraph(el, body)))
                else:
                    texts.extend(_table_rows(Table(el, body)))
        except IngestError:
            raise
        except Exception as exc:  # zipfile, lxml, python-docx all raise their own types
            raise IngestError(path, f"not a valid .docx ({type(exc).__name__}: {exc})") from exc
        return [SourceLine(n, t) for n, t in enumerate(texts, 1)]
