"""Tests for ingest.readers: real seed text, generated .docx/.pdf/.html, bad inputs."""

from __future__ import annotations

from tests.helpers import to_cp1258

import hashlib
import io
import random
import re
import unicodedata
import zipfile
from pathlib import Path

import pytest

from ingest.errors import IngestError
from ingest.readers import READERS, SUPPORTED_SUFFIXES, read_source
from ingest.source import SourceLine

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "corpus" / "bac-giang_ubnd-tinh_ke-hoach_nq45-doi-ngu-tri-thuc_2024-06.txt"
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
needs_font = pytest.mark.skipif(
    not FONT.exists(), reason=f"{FONT} missing (install fonts-dejavu-core) - PDF generation needs Vietnamese glyphs"
)


def nfc(text: str) -> str:
    """NFC with whitespace collapsed, for comparing extracted text."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))


@pytest.fixture(scope="module")
def seed_lines() -> list[str]:
    """The seed plan's lines (213: its last line has no final newline)."""
    return SEED.read_text(encoding="utf-8").split("\n")


# --------------------------------------------------------------------- text


def test_seed_txt_verbatim(seed_lines: list[str]) -> None:
    src = read_source(SEED)
    assert src.media_type == "text/plain"
    assert src.sha256 == hashlib.sha256(SEED.read_bytes()).hexdigest()
    assert src.lines == [SourceLine(n, t) for n, t in enumerate(seed_lines, 1)]
    header = src.lines[180]
    assert header.number == 181 and "Cơ quan chủ trì thực hiện" in header.text.split("\t")
    assert src.lines[181].text.startswith("<b>I</b>\t<b>")  # tags kept verbatim


def test_line_endings_bom_and_markdown(tmp_path: Path) -> None:
    p = tmp_path / "a.md"
    p.write_bytes(b"\xef\xbb\xbf# Ti\xc3\xaau \xc4\x91\xe1\xbb\x81\r\n\r\n<b>x</b>\t**y**\rz\n")
    src = read_source(p)
    assert src.media_type == "text/markdown"
    assert [(l.number, l.text) for l in src.lines] == [(1, "# Tiêu đề"), (2, ""), (3, "<b>x</b>\t**y**"), (4, "z")]


def test_utf16_with_bom(tmp_path: Path) -> None:
    p = tmp_path / "u16.txt"
    p.write_bytes("Sở Nội vụ\nnăm 2024\n".encode("utf-16"))
    assert [l.text for l in read_source(p).lines] == ["Sở Nội vụ", "năm 2024"]


# --------------------------------------------------------------------- docx


def _write_seed_docx(lines: list[str], path: Path) -> None:
    """Paragraphs for ordinary lines ('#' -> Heading N, '**…**' -> bold run), real tables for tab lines."""
    import docx

    doc = docx.Document()
    i = 0
    while i < len(lines):
        line = lines[i]
        if "\t" in line:
            rows = []
            while i < len(lines) and "\t" in lines[i]:
                rows.append(lines[i].split("\t"))
                i += 1
            table = doc.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            for row, cells in zip(table.rows, rows):
                for cell, value in zip(row.cells, cells):
                    cell.text = value
            continue
        heading = re.match(r"(#{1,6}) (.*)", line)
        if heading:
            doc.add_heading(heading.group(2), level=len(heading.group(1)))
        elif len(line) > 4 and line.startswith("**") and line.endswith("**"):
            doc.add_paragraph().add_run(line[2:-2]).bold = True
        else:
            doc.add_paragraph(line)
        i += 1
    doc.save(str(path))


def test_docx_from_seed_keeps_order_tables_and_numbers(tmp_path: Path, seed_lines: list[str]) -> None:
    p = tmp_path / "plan.docx"
    _write_seed_docx(seed_lines, p)
    src = read_source(p)
    assert src.media_type.endswith("wordprocessingml.document")
    # Every line is one block (tables are separated by blank paragraphs), so the
    # block ordinals equal the .txt line numbers and the text round-trips exactly.
    assert src.lines == [SourceLine(n, t) for n, t in enumerate(seed_lines, 1)]
    rows = {l.number: l.text.split("\t") for l in src.lines if "\t" in l.text}
    assert sorted(rows)[0] == 181 and "Cơ quan chủ trì thực hiện" in rows[181]
    assert any("Sở Nội vụ" in cells and "2024" in cells for cells in rows.values())
    assert all(len(cells) == 5 for cells in rows.values())
    bold = [l for l in src.lines if l.text.startswith("**") and l.text.endswith("**")]
    assert bold, "seed has bold lines"
    headings = [l.text for l in src.lines if l.text.startswith("#")]
    assert "## KẾ HOẠCH" in headings


def test_docx_merged_cells_bold_and_breaks(tmp_path: Path) -> None:
    import docx

    doc = docx.Document()
    p = doc.add_paragraph()
    p.add_run("Điều 1. ").bold = True
    p.add_run("Phạm vi")  # partly bold: not wrapped
    table = doc.add_table(rows=2, cols=3)
    table.cell(0, 0).text = "TT"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "Nội dung"
    table.cell(1, 0).text = "1."
    table.cell(1, 1).text = "dòng một\ndòng hai"
    table.cell(1, 2).add_paragraph("đoạn hai")
    q = doc.add_paragraph()
    q.add_run("Dòng A")
    q.add_run().add_break()
    q.add_run("Dòng B")
    path = tmp_path / "m.docx"
    doc.save(str(path))
    lines = read_source(path).lines
    assert lines == [
        SourceLine(1, "Điều 1. Phạm vi"),
        SourceLine(2, "TT\tNội dung"),
        SourceLine(3, "1.\tdòng một dòng hai\tđoạn hai"),
        SourceLine(4, "Dòng A Dòng B"),
    ]


# ---------------------------------------------------------------------- pdf


def _fpdf():
    return pytest.importorskip("fpdf", reason="fpdf2 not installed (pip install '.[test]')").FPDF


@needs_font
def test_pdf_vietnamese_round_trip(tmp_path: Path, seed_lines: list[str]) -> None:
    chunk = seed_lines[60:91]
    assert "Sở Nội vụ" in "\n".join(chunk)
    pdf = _fpdf()()
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_font("DejaVu", size=10)
    pdf.add_page()
    for line in chunk:
        pdf.multi_cell(0, 5, line or " ", new_x="LMARGIN", new_y="NEXT")
    pdf.add_page()
    pdf.multi_cell(0, 5, "Nghị quyết số 45-NQ/TW ngày 24/11/2023", new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "plan.pdf"
    pdf.output(str(path))

    src = read_source(path)
    assert src.media_type == "application/pdf"
    pages = int(src.meta["pages"])
    assert pages >= 2
    assert [l.number for l in src.lines] == list(range(1, len(src.lines) + 1))
    text = nfc("\n".join(l.text for l in src.lines))
    for needle in ("Sở Nội vụ", "Nghị quyết số 45-NQ/TW", "đội ngũ trí thức"):
        assert nfc(needle) in text
    # a blank line separates pages
    starts = [int(s) for s in src.meta["page_start_lines"].split(",")]
    assert len(starts) == pages and all(src.lines[s - 2].text == "" for s in starts[1:])


@needs_font
def test_pdf_without_text_layer(tmp_path: Path) -> None:
    pdf = _fpdf()()
    pdf.add_page()
    pdf.rect(20, 20, 100, 60, style="F")
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    with pytest.raises(IngestError, match="no text layer"):
        read_source(path)


@needs_font
def test_pdf_encrypted(tmp_path: Path) -> None:
    pdf = _fpdf()()
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_font("DejaVu", size=10)
    pdf.set_encryption(owner_password="owner", user_password="secret")
    pdf.add_page()
    pdf.cell(text="Sở Nội vụ")
    path = tmp_path / "locked.pdf"
    pdf.output(str(path))
    with pytest.raises(IngestError, match="encrypted"):
        read_source(path)


# --------------------------------------------------------------------- html

HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Kế hoạch</title>
<style>p {{ color: red }}</style><script>var bad = "<p>no</p>";</script></head>
<body>
<h1>KẾ HOẠCH</h1>
<h3>Thực hiện Nghị quyết số 45-NQ/TW</h3>
<p><strong>I. MỤC ĐÍCH, YÊU CẦU</strong></p>
<p>Thực hiện <b>Nghị quyết</b> số 45-NQ/TW;
Kế hoạch số 123-KH/TU.</p>
<div>dòng một<br>dòng hai</div>
<ul>
  <li>Tuyên truyền sâu rộng</li>
  <li>Nêu cao <em>trách nhiệm</em></li>
</ul>
<table>
  <tr><th>TT</th><th>Nội dung nhiệm vụ</th><th>Cơ quan chủ trì thực hiện</th><th>Thời gian</th></tr>
  <tr><td>1.</td><td>Tham mưu cơ chế</td><td>Sở Nội vụ</td><td>2024</td></tr>
</table>
</body></html>
"""


def test_html_blocks(tmp_path: Path) -> None:
    path = tmp_path / "plan.html"
    path.write_text(HTML.format(), encoding="utf-8")
    src = read_source(path)
    assert src.media_type == "text/html"
    got = [(l.number, l.text) for l in src.lines]
    assert got == [
        (5, "# KẾ HOẠCH"),
        (6, "### Thực hiện Nghị quyết số 45-NQ/TW"),
        (7, "**I. MỤC ĐÍCH, YÊU CẦU**"),
        (8, "Thực hiện Nghị quyết số 45-NQ/TW; Kế hoạch số 123-KH/TU."),
        (10, "dòng một"),
        (10, "dòng hai"),
        (12, "- Tuyên truyền sâu rộng"),
        (13, "- Nêu cao trách nhiệm"),
        (16, "TT\tNội dung nhiệm vụ\tCơ quan chủ trì thực hiện\tThời gian"),
        (17, "1.\tTham mưu cơ chế\tSở Nội vụ\t2024"),
    ]


def test_html_declared_charset(tmp_path: Path) -> None:
    path = tmp_path / "old.htm"
    path.write_bytes(
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
        "</head><body><p>café crème</p></body></html>".encode("latin-1")
    )
    assert [l.text for l in read_source(path).lines] == ["café crème"]


# --------------------------------------------------------------- bad input


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    with pytest.raises(IngestError, match="file is empty"):
        read_source(p)


def test_whitespace_only_file(tmp_path: Path) -> None:
    p = tmp_path / "blank.txt"
    p.write_bytes(b"\n  \n\t\n")
    with pytest.raises(IngestError, match="empty"):
        read_source(p)


def test_binary_txt(tmp_path: Path) -> None:
    p = tmp_path / "bin.txt"
    p.write_bytes(b"dong mot\ndong hai\n\x00\x01\x02\x89PNG\x1a\x00" * 20)
    with pytest.raises(IngestError, match=r"binary content, not text \(first NUL/control byte at line 3\)") as e:
        read_source(p)
    assert e.value.line == 3


def test_many_control_chars(tmp_path: Path) -> None:
    p = tmp_path / "ctl.txt"
    p.write_bytes(b"ok\n" + bytes([1, 2, 3, 4, 5, 6, 7, 8]) * 10)
    with pytest.raises(IngestError, match="binary content"):
        read_source(p)


@pytest.mark.parametrize(
    ("data", "line", "column", "byte"),
    [
        (to_cp1258("KE HOACH\nThuc hien\nBan hành: Sở Nội vụ\n"), 3, 6, "0xE0"),
        (b"line one\nline two\n" + "café".encode("latin-1") + b"\n", 3, 4, "0xE9"),
    ],
    ids=["cp1258", "latin-1"],
)
def test_invalid_utf8_names_line(tmp_path: Path, data: bytes, line: int, column: int, byte: str) -> None:
    p = tmp_path / "legacy.txt"
    p.write_bytes(data)
    with pytest.raises(IngestError) as e:
        read_source(p)
    assert e.value.line == line
    assert f"line {line}, column {column} (byte {byte})" in str(e.value)
    assert "convert the file to UTF-8" in str(e.value)


def test_too_big(tmp_path: Path) -> None:
    p = tmp_path / "big.txt"
    p.write_bytes(b"Thuc hien nghi quyet.\n" * (10_000_000 // 22 + 1))
    with pytest.raises(IngestError, match=r"10\.0 MB.*5\.0 MB.*--max-bytes"):
        read_source(p)
    assert len(read_source(p, max_bytes=20_000_000).lines) == 10_000_000 // 22 + 1


def test_unknown_suffix(tmp_path: Path) -> None:
    p = tmp_path / "plan.xyz"
    p.write_text("x")
    with pytest.raises(IngestError, match=r"unsupported.*\.docx.*\.pdf.*\.txt"):
        read_source(p)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(IngestError, match="not found"):
        read_source(tmp_path / "nope.txt")


def test_suffix_is_case_insensitive(tmp_path: Path) -> None:
    p = tmp_path / "PLAN.TXT"
    p.write_text("Sở Nội vụ", encoding="utf-8")
    assert read_source(p).lines == [SourceLine(1, "Sở Nội vụ")]


def test_corrupt_docx(tmp_path: Path) -> None:
    p = tmp_path / "bad.docx"
    p.write_bytes(random.Random(0).randbytes(4096))
    with pytest.raises(IngestError, match=r"not a valid \.docx \("):
        read_source(p)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "not word")
    p.write_bytes(buf.getvalue())
    with pytest.raises(IngestError, match=r"not a valid \.docx"):
        read_source(p)


def test_registry() -> None:
    assert {".txt", ".md", ".docx", ".pdf", ".html", ".htm"} <= set(SUPPORTED_SUFFIXES)
    assert all(hasattr(r, "media_type") and callable(r.read) for r in READERS.values())


@pytest.mark.parametrize("suffix", sorted(SUPPORTED_SUFFIXES))
def test_garbage_raises_only_ingest_error(tmp_path: Path, suffix: str, seed_lines: list[str]) -> None:
    rng = random.Random(suffix)
    samples = [rng.randbytes(n) for n in (1, 7, 512, 4096)]
    # truncated copies of valid files of this type
    good = tmp_path / f"good{suffix}"
    if suffix == ".docx":
        _write_seed_docx(seed_lines[:40], good)
    elif suffix in (".html", ".htm"):
        good.write_text(HTML.format(), encoding="utf-8")
    else:
        good.write_bytes(SEED.read_bytes())
    raw = good.read_bytes()
    samples += [raw[: len(raw) // 2], raw[:100]]
    for i, data in enumerate(samples):
        p = tmp_path / f"s{i}{suffix}"
        p.write_bytes(data)
        try:
            read_source(p)
        except IngestError:
            pass
