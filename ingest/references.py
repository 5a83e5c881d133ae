"""Document references (số hiệu) and what the citing text says of them.

>>> [r.number for r in find_references("Kế hoạch số 123 -KH/TU ngày 13/3/2024 và Quyết định số 497/2011/QĐ-UBND")]
['123-KH/TU', '497/2011/QĐ-UBND']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .normalize import fold, nfc

_CODE = r"[A-ZĐ][A-Za-zĐđ]{0,7}"
# 45-NQ/TW, 123 -KH/TU (Party style: number-TYPE/ISSUER)
_PARTY = re.compile(rf"(?<![\w/])(\d{{1,5}})\s*-\s*({_CODE})\s*/\s*({_CODE}(?:-{_CODE})?)(?![\w])")
# 899/QĐ-TTg, 497/2011/QĐ-UBND, 15/2023/TT-BNV (State style: number[/year]/TYPE-ISSUER)
_STATE = re.compile(
    rf"(?<![\w/])(\d{{1,5}})\s*/\s*(?:((?:19|20)\d{{2}})\s*/\s*)?({_CODE})\s*-\s*({_CODE}(?:-{_CODE})?)(?![\w])"
)
# 202/2025/QH15 (laws and resolutions of the National Assembly)
_ASSEMBLY = re.compile(r"(?<![\w/])(\d{1,5})\s*/\s*((?:19|20)\d{2})\s*/\s*(QH\d{1,2})(?![\w])")
_DATE = re.compile(
    r"^\W{0,3}ngày\s*(\d{1,2})\s*(?:/|-|\.|\s*tháng\s*)\s*(\d{1,2})\s*(?:/|-|\.|\s*năm\s*)\s*((?:19|20)\d{2})",
    re.IGNORECASE,
)

TYPE_CODES = {
    "NQ": "Nghị quyết", "QĐ": "Quyết định", "KH": "Kế hoạch", "CT": "Chỉ thị", "KL": "Kết luận",
    "TB": "Thông báo", "HD": "Hướng dẫn", "CTr": "Chương trình", "NĐ": "Nghị định", "TT": "Thông tư",
    "TTLT": "Thông tư liên tịch", "ĐA": "Đề án", "BC": "Báo cáo", "TTr": "Tờ trình", "QC": "Quy chế",
    "QĐi": "Quy định", "QH": "Luật", "CV": "Công văn", "L": "Luật", "PL": "Pháp lệnh",
}
TYPE_WORDS = (
    "Nghị quyết", "Quyết định", "Kế hoạch", "Chỉ thị", "Kết luận", "Thông báo", "Hướng dẫn",
    "Chương trình", "Nghị định", "Thông tư liên tịch", "Thông tư", "Đề án", "Báo cáo", "Tờ trình",
    "Quy chế", "Quy định", "Luật", "Pháp lệnh", "Công văn", "Chiến lược",
)
# Issuer codes -> the issuer's name, resolved through the gazetteer like any mention.
ISSUER_CODES = {
    "TW": "Ban Chấp hành Trung ương", "TTg": "Thủ tướng Chính phủ", "CP": "Chính phủ",
    "TU": "Tỉnh ủy", "HU": "Huyện ủy", "ThU": "Thành ủy", "ĐU": "Đảng ủy",
    "UBND": "Ủy ban nhân dân", "HĐND": "Hội đồng nhân dân", "BCT": "Bộ Chính trị", "BBT": "Ban Bí thư",
    "VPCP": "Văn phòng Chính phủ", "BNV": "Bộ Nội vụ", "BTC": "Bộ Tài chính", "BKHĐT": "Bộ Kế hoạch và Đầu tư",
    "BKHCN": "Bộ Khoa học và Công nghệ", "BGDĐT": "Bộ Giáo dục và Đào tạo", "BYT": "Bộ Y tế",
    "BTTTT": "Bộ Thông tin và Truyền thông", "BTP": "Bộ Tư pháp", "BCT-TW": "Bộ Chính trị",
    "BTCTW": "Ban Tổ chức Trung ương", "BTGTW": "Ban Tuyên giáo Trung ương",
}


def canonical_number(number: str) -> str:
    """'123 -KH/TU' -> '123-KH/TU'; the form used in IRIs and lookups."""
    return re.sub(r"\s+", "", nfc(number))


@dataclass(frozen=True)
class Reference:
    number: str          # canonical số hiệu
    start: int           # offsets in the text searched
    end: int
    type_code: str
    issuer_code: str
    year: str | None

    @property
    def type_name(self) -> str | None:
        return TYPE_CODES.get(self.type_code)


def find_references(text: str) -> list[Reference]:
    text = nfc(text)
    found: list[Reference] = []
    for m in _ASSEMBLY.finditer(text):
        found.append(Reference(canonical_number(m.group()), m.start(), m.end(), "QH", m.group(3), m.group(2)))
    for m in _STATE.finditer(text):
        if _overlaps(found, m):
            continue
        found.append(Reference(canonical_number(m.group()), m.start(), m.end(), m.group(3), m.group(4), m.group(2)))
    for m in _PARTY.finditer(text):
        if _overlaps(found, m):
            continue
        found.append(Reference(canonical_number(m.group()), m.start(), m.end(), m.group(2), m.group(3), None))
    return sorted(found, key=lambda r: r.start)


def _overlaps(found: list[Reference], m: re.Match) -> bool:
    return any(not (m.end() <= r.start or m.start() >= r.end) for r in found)


def type_before(text: str, ref: Reference) -> str | None:
    """The document type written before a reference: 'Nghị quyết số 45-NQ/TW' -> 'Nghị quyết'."""
    window = fold(text[max(0, ref.start - 40): ref.start])
    best = None
    for word in TYPE_WORDS:
        key = fold(word)
        pos = window.rfind(key)
        if pos >= 0 and re.fullmatch(r"\s*(so|so:)?\s*", window[pos + len(key):]):
            if best is None or len(key) > len(fold(best)):
                best = word
    return best


def date_after(text: str, ref: Reference) -> str | None:
    """ISO date written right after a reference ('… ngày 24/11/2023')."""
    m = _DATE.match(text[ref.end: ref.end + 40])
    if not m:
        return None
    day, month, year = int(m.group(1)), int(m.group(2)), m.group(3)
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    return f"{year}-{month:02d}-{day:02d}"


_ISSUER_WINDOW = re.compile(r"^[^;()]{0,60}?\bcủa\s+", re.IGNORECASE)


def issuer_span_after(text: str, ref: Reference) -> int | None:
    """Offset where the issuer named by '… của <issuer>' after a reference begins."""
    m = _ISSUER_WINDOW.match(text[ref.end: ref.end + 80])
    if not m:
        return None
    between = text[ref.end: ref.end + m.start() + len(m.group())]
    if len(find_references(between)) > 0:
        return None
    return ref.end + m.end()
