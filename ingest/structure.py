"""Paragraphs -> document outline: header, title, preamble, numbered parts and
items, tables, signature and recipients. Numbering decides the depth of a
heading, never its markdown level or bold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from .layout import MARKER, Paragraph
from .normalize import fold
from .table import Table, parse_table

DOC_TYPES = {
    "ke hoach": "Kế hoạch", "nghi quyet": "Nghị quyết", "quyet dinh": "Quyết định", "chi thi": "Chỉ thị",
    "chuong trinh hanh dong": "Chương trình hành động", "chuong trinh": "Chương trình",
    "thong bao": "Thông báo", "ket luan": "Kết luận", "huong dan": "Hướng dẫn", "de an": "Đề án",
    "chien luoc": "Chiến lược", "nghi dinh": "Nghị định", "thong tu": "Thông tư", "quy che": "Quy chế",
    "quy dinh": "Quy định", "bao cao": "Báo cáo", "to trinh": "Tờ trình", "cong van": "Công văn",
    "luat": "Luật",
}
_MOTTO = ("cong hoa xa hoi chu nghia viet nam", "doc lap - tu do - hanh phuc", "dang cong san viet nam",
          "doc lap – tu do – hanh phuc", "doc lap tu do hanh phuc")
_NUMBER_LINE = re.compile(r"^Số\s*[:.]?\s*(?P<number>[^\s,;]*(?:\s*-\s*[^\s,;]+)?)", re.IGNORECASE)
_PLACE_DATE = re.compile(
    r"(?P<place>[^\d,;]{2,40}),\s*ngày\s*(?P<day>\d{0,2})\s*tháng\s*(?P<month>\d{0,2})\s*năm\s*(?P<year>\d{4})",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(
    r"^(?:TM|T/M|T\.M|KT|K/T|K\.T|TL|T/L|Q|TUQ)[.\s/]+[A-ZĐÀ-Ỹ]|^(?:PHÓ\s+)?(?:CHỦ TỊCH|BÍ THƯ|GIÁM ĐỐC|"
    r"TRƯỞNG BAN|CHÁNH VĂN PHÒNG)\b"
)
_RECIPIENTS = re.compile(r"^Nơi nhận\s*:?", re.IGNORECASE)
_ANNEX_TITLE = re.compile(r"^(DANH MỤC|PHỤ LỤC|BIỂU|BẢNG)\b", re.IGNORECASE)


@dataclass
class Node:
    kind: str                 # part | item | letter | bullet | para
    label: str                # III | 2.1 | a | - | +
    text: str
    first_line: int
    last_line: int
    path: str = ""            # III.2.1
    ordinal: int = 0          # position among the parent's bullets/paragraphs (1-based)
    children: list["Node"] = field(default_factory=list)
    heading_like: bool = False

    @property
    def depth(self) -> int:
        if self.kind == "part":
            return 0
        if self.kind == "item":
            return self.label.count(".") + 1
        return 10


@dataclass
class Header:
    doc_type: str | None = None
    type_line: int = 0
    number_text: str | None = None       # as written after "Số:" ("/KH-UBND" when left blank)
    place: str | None = None
    date: str | None = None              # YYYY, YYYY-MM or YYYY-MM-DD
    issuer_lines: list[str] = field(default_factory=list)
    subject: str = ""
    subject_lines: tuple[int, int] = (0, 0)


@dataclass
class Outline:
    header: Header
    preamble: list[Paragraph]
    parts: list[Node]
    tables: list[Table]
    signature: list[str]
    signer: str | None
    signature_line: int | None
    recipients: list[str]


def find_type(paragraphs: list[Paragraph]) -> tuple[int, str, str] | None:
    """(index, document type, text after the type word) of the title paragraph."""
    for i, para in enumerate(paragraphs[:40]):
        if para.is_row:
            continue
        key = fold(para.text).strip(" .:")
        for word, name in DOC_TYPES.items():
            if key == word or (key.startswith(word + " ") and para.text[:len(word)].isupper()):
                return i, name, para.text[len(word):].strip()
    return None


def parse_outline(paragraphs: list[Paragraph], path: str) -> Outline:
    header = Header()
    found = find_type(paragraphs)
    start = 0
    if found:
        index, header.doc_type, rest = found
        header.type_line = paragraphs[index].first_line
        _parse_header(paragraphs[:index], header)
        start = index + 1
        subject = [rest] if rest else []
        first = last = paragraphs[index].first_line
        while start < len(paragraphs):
            para = paragraphs[start]
            if para.is_row or MARKER.match(para.text) or _SIGNATURE.match(para.text):
                break
            subject_like = para.bold or para.heading_level or para.text[:1].islower()
            if not subject_like and not subject and not para.text.rstrip().endswith(":") \
                    and len(para.text.split()) <= 60 and start + 1 < len(paragraphs):
                subject_like = True
            if not subject_like:
                break
            subject.append(para.text)
            first = first if subject[:-1] else para.first_line
            last = para.last_line
            start += 1
        header.subject = " ".join(s for s in subject if s)
        header.subject_lines = (first, last)
    else:
        _parse_header(paragraphs[:8], header)
    body, tables, signature, signer, sig_line, recipients = _split_tail(paragraphs[start:], path)
    preamble, parts = _build_tree(body)
    return Outline(header, preamble, parts, tables, signature, signer, sig_line, recipients)


def _parse_header(paragraphs: list[Paragraph], header: Header) -> None:
    texts: list[str] = []
    for para in paragraphs:
        texts.extend(c for c in (para.cells or [para.text]) if c.strip())
    for text in texts:
        key = fold(text).strip()
        number = _NUMBER_LINE.match(text)
        date = _PLACE_DATE.search(text)
        if number and header.number_text is None:
            header.number_text = number.group("number").strip()
        elif date:
            header.place = date.group("place").strip(" -")
            year, month, day = date.group("year"), date.group("month"), date.group("day")
            header.date = year + (f"-{int(month):02d}" if month else "") + (f"-{int(day):02d}" if month and day else "")
        elif any(key.startswith(m) for m in _MOTTO) or key.startswith("---") or not key:
            continue
        elif text.isupper():
            header.issuer_lines.append(text)


def _split_tail(paragraphs: list[Paragraph], path: str):
    """Separate body paragraphs from tables, signature, signer and recipients."""
    body: list[Paragraph] = []
    tables: list[Table] = []
    signature: list[str] = []
    signer = sig_line = None
    recipients: list[str] = []
    in_recipients = after_signature = False
    rows: list[Paragraph] = []

    def flush_rows() -> None:
        if rows:
            table = parse_table(rows, path, after_signature)
            if table:
                tables.append(table)
            else:
                body.extend(Paragraph(r.text, r.first_line, r.last_line) for r in rows)
            rows.clear()

    for para in paragraphs:
        if para.is_row:
            rows.append(para)
            continue
        flush_rows()
        text = para.text
        if _RECIPIENTS.match(text):
            in_recipients = True
            rest = _RECIPIENTS.sub("", text).strip(" :")
            if rest:
                recipients.append(rest)
            continue
        if in_recipients and MARKER.match(text) and MARKER.match(text).group("bullet"):
            recipients.append(text[MARKER.match(text).end():].strip())
            continue
        in_recipients = False
        if _SIGNATURE.match(text) and text.upper() == text and len(text.split()) <= 12 and body:
            signature.append(text)
            sig_line = sig_line or para.first_line
            after_signature = True
            continue
        if signature and signer is None and _is_person_name(text):
            signer = text
            continue
        if after_signature and (_ANNEX_TITLE.match(text) or text.startswith("(Kèm theo")):
            continue
        if after_signature and not MARKER.match(text):
            continue
        body.append(para)
    flush_rows()
    return body, tables, signature, signer, sig_line, recipients


def _is_person_name(text: str) -> bool:
    words = text.split()
    return 2 <= len(words) <= 5 and all(w[:1].isupper() for w in words) and not text.isupper() \
        and not any(ch.isdigit() for ch in text)


def _build_tree(body: list[Paragraph]) -> tuple[list[Paragraph], list[Node]]:
    preamble: list[Paragraph] = []
    parts: list[Node] = []
    stack: list[Node] = []
    for para in body:
        m = MARKER.match(para.text)
        kind, label = "para", ""
        if m:
            if m.group("roman"):
                kind, label = "part", m.group("roman")
            elif m.group("number") or m.group("number2"):
                kind, label = "item", (m.group("number") or m.group("number2"))
            elif m.group("letter"):
                kind, label = "letter", m.group("letter")
            else:
                kind, label = "bullet", "+" if m.group("bullet") == "+" else "-"
        text = para.text[m.end():].strip() if m else para.text
        node = Node(kind, label, text, para.first_line, para.last_line, heading_like=para.is_heading_like)
        if kind == "part":
            node.path = label
            parts.append(node)
            stack = [node]
            continue
        if not stack:
            if kind == "para" or kind == "bullet":
                preamble.append(para)
                continue
            implicit = Node("part", "", "", para.first_line, para.first_line)
            parts.append(implicit)
            stack = [implicit]
        _attach(stack, node)
    return preamble, parts


def _attach(stack: list[Node], node: Node) -> None:
    if node.kind == "item":
        while len(stack) > 1 and stack[-1].depth >= node.depth:
            stack.pop()
    elif node.kind == "letter":
        while len(stack) > 1 and stack[-1].kind in ("letter", "bullet", "para"):
            stack.pop()
    elif node.kind == "bullet":
        while len(stack) > 1 and (stack[-1].kind == "para" or (stack[-1].kind == "bullet"
                                   and not (node.label == "+" and stack[-1].label == "-"))):
            stack.pop()
    else:  # plain paragraph: body of the deepest heading
        while len(stack) > 1 and stack[-1].kind in ("bullet", "para"):
            stack.pop()
    parent = stack[-1]
    base = parent.path
    if node.kind == "item":
        node.path = f"{stack[0].path}.{node.label}" if stack[0].path else node.label
    elif node.kind == "letter":
        node.path = f"{base}.{node.label}" if base else node.label
    else:
        node.path = base
        node.ordinal = sum(1 for c in parent.children if c.kind in ("bullet", "para")) + 1
    parent.children.append(node)
    if node.kind in ("item", "letter", "bullet"):
        stack.append(node)


def part_role(part: Node) -> str:
    """purpose | objectives | assigned | general, from the part's heading."""
    key = fold(part.text)
    if any(w in key for w in ("to chuc thuc hien", "phan cong", "nhiem vu cu the", "trach nhiem")):
        return "assigned"
    if any(w in key for w in ("muc tieu", "tam nhin", "chi tieu")):
        return "objectives"
    if any(w in key for w in ("muc dich", "yeu cau", "quan diem")):
        return "purpose"
    return "general"


def walk(nodes: list[Node]):
    for node in nodes:
        yield node
        yield from walk(node.children)
