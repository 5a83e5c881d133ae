"""The seed plans in other formats (.docx, .pdf, .html, .md) must give the same tasks as the .txt.

Each generated file is ingested into its own temporary store and compared,
through PolicyService, with the seed .txt ingested the same way.
"""

from __future__ import annotations

import gc
import html
import re
from collections import Counter
from pathlib import Path

import pytest

from api.service import PolicyService
from ingest.pipeline import ingest_paths
from ingest.store import GraphStore

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
BAC_GIANG = next(CORPUS.glob("bac-giang_*.txt"))
YEN_DUNG = next(CORPUS.glob("yen-dung_*.txt"))
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
_TAG_B = re.compile(r"</?b>")


# ----------------------------------------------------------------- helpers


def lines_of(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")


def ingest_one(path: Path, store_dir: Path) -> tuple[PolicyService, list[dict]]:
    store = GraphStore(store_dir)
    [result] = ingest_paths([path], store)
    assert result.status == "added", f"{result.path}:{result.line}: {result.message}"
    svc = PolicyService(store)
    return svc, svc.tasks()


def signature(tasks: list[dict]) -> Counter:
    """Multiset of (section, owners' IRIs)."""
    return Counter((t["section"], tuple(sorted(o["iri"] for o in t["owners"]))) for t in tasks)


def raw_deadline(task: dict) -> str | None:
    return task["deadline"]["raw"] if task["deadline"] else None


def sections(tasks: list[dict]) -> list[str]:
    return [t["section"] for t in tasks]


def annex(tasks: list[dict]) -> list[dict]:
    return [t for t in tasks if t["section"].startswith("annex ")]


def strip_markdown(line: str) -> tuple[str, int, bool]:
    """'## **x**' -> ('x', 2, True): text without '#'/'**', heading level, whether '**' was there."""
    m = re.match(r"(#{1,6})\s+(.*)", line)
    level = len(m.group(1)) if m else 0
    text = m.group(2) if m else line
    bold = "**" in text
    return text.replace("**", "").strip(), level, bold


def table_spans(lines: list[str]) -> list[tuple[int, int]]:
    """(first, last) indexes of runs of tab lines; blank lines inside a run belong to it."""
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(lines):
        if "\t" not in lines[i]:
            i += 1
            continue
        start = last = i
        j = i + 1
        while j < len(lines) and ("\t" in lines[j] or not lines[j].strip()):
            if "\t" in lines[j]:
                last = j
            j += 1
        spans.append((start, last))
        i = last + 1
    return spans


# ------------------------------------------------------------ generators


def write_docx(lines: list[str], path: Path) -> int:
    """Paragraphs (headings / bold, markdown stripped) and ONE real Word table per run of tab lines.

    Returns the number of tables written.
    """
    docx = pytest.importorskip("docx", reason="python-docx not installed")
    doc = docx.Document()
    spans = dict(table_spans(lines))
    in_bold = False
    i = 0
    tables = 0
    while i < len(lines):
        if i in spans:
            rows = [lines[k].split("\t") for k in range(i, spans[i] + 1) if "\t" in lines[k]]
            ncols = max(len(r) for r in rows)
            table = doc.add_table(rows=len(rows), cols=ncols)
            table.style = "Table Grid"
            for row, cells in zip(table.rows, rows):
                for cell, value in zip(row.cells, cells):
                    run = cell.paragraphs[0].add_run(_TAG_B.sub("", value).strip())
                    run.bold = "<b>" in value or None
            tables += 1
            i = spans[i] + 1
            continue
        line = lines[i]
        text, level, has_marker = strip_markdown(line)
        starts_bold = line.lstrip("# ").startswith("**")
        bold = in_bold or starts_bold
        if line.count("**") % 2:
            in_bold = not in_bold
        if level and text:
            doc.add_heading(text, level=level)
        elif bold and text:
            doc.add_paragraph().add_run(text).bold = True
        else:
            doc.add_paragraph(text)
        i += 1
    doc.save(str(path))
    return tables


def write_pdf(lines: list[str], path: Path) -> None:
    fpdf = pytest.importorskip("fpdf", reason="fpdf2 not installed (pip install '.[test]')")
    pdf = fpdf.FPDF()
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_font("DejaVu", size=11)
    pdf.add_page()
    for line in lines:
        text = strip_markdown(line)[0].replace("*", "")
        pdf.multi_cell(0, 6, text or " ", new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))


def write_html(lines: list[str], path: Path) -> None:
    """<h1> for the title, <p> for paragraphs, <ul><li> for '- ' bullets."""
    body: list[str] = []
    in_list = False
    in_bold = False
    for line in lines:
        if not line.strip():
            continue  # blank lines separate blocks; a list goes on across them
        text, _, _ = strip_markdown(line)
        bold = in_bold or line.startswith("**")
        if line.count("**") % 2:
            in_bold = not in_bold
        bullet = re.match(r"-\s+(.*)", text)
        if bullet and not in_list:
            body.append("<ul>")
            in_list = True
        elif not bullet and in_list:
            body.append("</ul>")
            in_list = False
        if bullet:
            body.append(f"  <li>{html.escape(bullet.group(1))}</li>")
        elif text == "KẾ HOẠCH":
            body.append(f"<h1>{html.escape(text)}</h1>")
        elif bold:
            body.append(f"<p><b>{html.escape(text)}</b></p>")
        else:
            body.append(f"<p>{html.escape(text)}</p>")
    if in_list:
        body.append("</ul>")
    path.write_text(
        '<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8"><title>Kế hoạch</title></head>\n<body>\n'
        + "\n".join(body) + "\n</body></html>\n",
        encoding="utf-8",
    )


def write_markdown_pipe_table(lines: list[str], path: Path) -> None:
    """The seed with its tab-separated annex written as a markdown pipe table."""
    out: list[str] = []
    spans = dict(table_spans(lines))
    i = 0
    while i < len(lines):
        if i not in spans:
            out.append(lines[i])
            i += 1
            continue
        rows = [lines[k].split("\t") for k in range(i, spans[i] + 1) if "\t" in lines[k]]
        ncols = max(len(r) for r in rows)
        for n, cells in enumerate(rows):
            cells = [c.strip() for c in cells] + [""] * (ncols - len(cells))
            out.append("| " + " | ".join(cells) + " |")
            if n == 0:
                out.append("|" + "|".join(["---"] * ncols) + "|")
        i = spans[i] + 1
    path.write_text("\n".join(out), encoding="utf-8")


# ------------------------------------------------------------- baselines


@pytest.fixture(scope="module")
def bac_giang_txt(tmp_path_factory) -> list[dict]:
    svc, tasks = ingest_one(BAC_GIANG, tmp_path_factory.mktemp("bg-txt"))
    assert len(tasks) == 56 and len(annex(tasks)) == 21
    assert len(svc.tasks(agency="Sở Nội vụ")) == 9
    return tasks


@pytest.fixture(scope="module")
def yen_dung_txt(tmp_path_factory) -> list[dict]:
    _, tasks = ingest_one(YEN_DUNG, tmp_path_factory.mktemp("yd-txt"))
    assert len(tasks) == 14
    return tasks


def test_table_spans_cover_the_annex_only() -> None:
    spans = table_spans(lines_of(BAC_GIANG))
    assert len(spans) == 1
    first, last = spans[0]
    assert "Cơ quan chủ trì thực hiện" in lines_of(BAC_GIANG)[first]
    assert last == len(lines_of(BAC_GIANG)) - 1
    assert table_spans(lines_of(YEN_DUNG)) == []


# ------------------------------------------------------------------- docx


def test_docx_with_real_table_same_tasks(tmp_path: Path, bac_giang_txt: list[dict]) -> None:
    path = tmp_path / "bac-giang-plan.docx"
    assert write_docx(lines_of(BAC_GIANG), path) == 1

    import docx

    doc = docx.Document(str(path))
    assert len(doc.tables) == 1
    table = doc.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert header[:3] == ["TT", "Nội dung nhiệm vụ", "Cơ quan chủ trì thực hiện"]
    assert not any("\t" in p.text or "#" in p.text[:1] or "**" in p.text for p in doc.paragraphs)
    assert any(p.style.name.startswith("Heading") for p in doc.paragraphs)

    svc, tasks = ingest_one(path, tmp_path / "store")
    assert signature(tasks) == signature(bac_giang_txt)
    assert len(tasks) == 56
    assert sorted(sections(annex(tasks))) == sorted(sections(annex(bac_giang_txt)))
    assert len(annex(tasks)) == 21
    home = svc.tasks(agency="Sở Nội vụ")
    assert len(home) == 9
    assert all(any(o["iri"].endswith("/agency/bac-giang/so-noi-vu") for o in t["owners"]) for t in home)
    # deadlines from the table's deadline column survive too
    raw = Counter(t["deadline"]["raw"] for t in annex(tasks) if t["deadline"])
    assert raw == Counter(t["deadline"]["raw"] for t in annex(bac_giang_txt) if t["deadline"])
    assert raw["Quý IV/2024"] == 2
    # provenance names the .docx
    assert {t["source"]["path"] for t in tasks} == {str(path)}


# -------------------------------------------------------------------- pdf


needs_font = pytest.mark.skipif(not FONT.exists(), reason=f"{FONT} missing (install fonts-dejavu-core): "
                                "the PDF needs a font with Vietnamese glyphs")


@pytest.fixture(scope="module")
def yen_dung_pdf(tmp_path_factory) -> Path:
    if not FONT.exists():
        pytest.skip(f"{FONT} missing (install fonts-dejavu-core): the PDF needs a font with Vietnamese glyphs")
    path = tmp_path_factory.mktemp("pdf") / "yen-dung-plan.pdf"
    write_pdf(lines_of(YEN_DUNG), path)
    return path


@needs_font
def test_pdf_is_a_real_multi_page_pdf(yen_dung_pdf: Path) -> None:
    from ingest.readers import read_source

    src = read_source(yen_dung_pdf)
    assert src.media_type == "application/pdf"
    assert int(src.meta["pages"]) >= 3
    text = " ".join(line.text for line in src.lines)
    assert "Ban Tổ chức Huyện ủy" in text and "Tạ Quang Khải" in text


@needs_font
def test_pdf_same_tasks(yen_dung_pdf: Path, tmp_path: Path, yen_dung_txt: list[dict]) -> None:
    _, tasks = ingest_one(yen_dung_pdf, tmp_path / "store")
    assert len(tasks) == 14
    assert sections(tasks) == sections(yen_dung_txt)
    # the IV.4 task keeps its wrapped deadline "(hoàn thành trong quý IV/2024)"
    assert [raw_deadline(t) for t in tasks] == [raw_deadline(t) for t in yen_dung_txt]


@needs_font
def test_pdf_same_sections_without_shacl(yen_dung_pdf: Path, tmp_path: Path, yen_dung_txt: list[dict]) -> None:
    store = GraphStore(tmp_path / "store")
    [result] = ingest_paths([yen_dung_pdf], store, validate=False)
    assert result.status == "added" and result.tasks == 14
    tasks = PolicyService(store).tasks()
    assert len(tasks) == 14
    assert sections(tasks) == sections(yen_dung_txt)


@needs_font
def test_pdf_same_owners_and_issuer(yen_dung_pdf: Path, tmp_path: Path, yen_dung_txt: list[dict]) -> None:
    store = GraphStore(tmp_path / "store")
    [result] = ingest_paths([yen_dung_pdf], store, validate=False)
    assert result.status == "added"
    svc = PolicyService(store)
    [doc] = svc.documents()
    assert doc["issuer"] and doc["issuer"]["label"] == "Ban Thường vụ Huyện ủy Yên Dũng"
    assert "123-KH/TU" in doc["implements"]
    assert signature(svc.tasks()) == signature(yen_dung_txt)


# ------------------------------------------------------------------- html


def test_html_same_tasks(tmp_path: Path, yen_dung_txt: list[dict]) -> None:
    path = tmp_path / "yen-dung-plan.html"
    write_html(lines_of(YEN_DUNG), path)
    page = path.read_text(encoding="utf-8")
    assert page.count("<h1>") == 1 and page.count("<ul>") >= 5 and "**" not in page
    _, tasks = ingest_one(path, tmp_path / "store")
    assert len(tasks) == 14
    assert sections(tasks) == sections(yen_dung_txt)
    assert signature(tasks) == signature(yen_dung_txt)


# --------------------------------------------------------------- markdown


def test_markdown_pipe_table_same_tasks(tmp_path: Path, bac_giang_txt: list[dict]) -> None:
    path = tmp_path / "bac-giang-plan.md"
    write_markdown_pipe_table(lines_of(BAC_GIANG), path)
    text = path.read_text(encoding="utf-8")
    assert "\t" not in text
    assert "| TT | Nội dung nhiệm vụ | Cơ quan chủ trì thực hiện |" in text
    assert "\n|---|---|---|---|---|\n" in text
    svc, tasks = ingest_one(path, tmp_path / "store")
    assert len(annex(tasks)) == 21
    assert sorted(sections(annex(tasks))) == sorted(sections(annex(bac_giang_txt)))
    assert signature(annex(tasks)) == signature(annex(bac_giang_txt))
    assert signature(tasks) == signature(bac_giang_txt)
    assert len(svc.tasks(agency="Sở Nội vụ")) == 9
