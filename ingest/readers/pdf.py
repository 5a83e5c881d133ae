"""PDF: the text layer, page by page (no OCR)."""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader as _PdfReader

from ingest.errors import IngestError
from ingest.readers import register
from ingest.readers.text import split_lines
from ingest.source import SourceLine


def _open(path: Path, data: bytes) -> _PdfReader:
    """Open the PDF; an empty user password is tried, any other encryption is an error."""
    try:
        pdf = _PdfReader(io.BytesIO(data))
    except Exception as exc:
        raise IngestError(path, f"corrupt or unreadable PDF ({type(exc).__name__}: {exc})") from exc
    if pdf.is_encrypted:
        try:
            ok = pdf.decrypt("")
        except Exception as exc:
            raise IngestError(path, f"encrypted PDF, cannot decrypt ({type(exc).__name__}: {exc})") from exc
        if not ok:
            raise IngestError(path, "encrypted PDF (password required); decrypt it first")
    return pdf


@register([".pdf"])
class PdfReader:
    """Running line numbers over all pages, a blank line between pages."""

    media_type = "application/pdf"

    def read(self, path: Path, data: bytes) -> list[SourceLine]:
        return self.read_with_meta(path, data)[0]

    def read_with_meta(self, path: Path, data: bytes) -> tuple[list[SourceLine], dict[str, str]]:
        pdf = _open(path, data)
        texts: list[str] = []
        starts: list[str] = []
        try:
            pages = list(pdf.pages)
            for number, page in enumerate(pages, 1):
                if number > 1:
                    texts.append("")
                starts.append(str(len(texts) + 1))
                try:
                    page_text = page.extract_text() or ""
                except Exception as exc:
                    raise IngestError(
                        path, f"cannot extract text of page {number} ({type(exc).__name__}: {exc})"
                    ) from exc
                texts.extend(split_lines(page_text) if page_text else [])
        except IngestError:
            raise
        except Exception as exc:
            raise IngestError(path, f"corrupt or unreadable PDF ({type(exc).__name__}: {exc})") from exc
        if not any(t.strip() for t in texts):
            raise IngestError(path, "PDF has no text layer (scanned image?); run OCR first")
        lines = [SourceLine(n, t) for n, t in enumerate(texts, 1)]
        return lines, {"pages": str(len(pages)), "page_start_lines": ",".join(starts)}
