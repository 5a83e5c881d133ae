"""Deadline phrases -> a normalised interval and/or recurrence.

>>> parse_deadline("Quý IV/2024")
Deadline(raw='Quý IV/2024', start='2024-10-01', end='2024-12-31', recurrence=None)
>>> parse_deadline("Định kỳ hằng năm").recurrence
'annual'
>>> parse_deadline("xây dựng kế hoạch thực hiện trong quý II/2024 và thực hiện thường xuyên")
Deadline(raw='xây dựng kế hoạch thực hiện trong quý II/2024 và thực hiện thường xuyên', start='2024-04-01', end='2024-06-30', recurrence='continuous')
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

from .normalize import canonical, fold

_ROMAN_Q = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_Y = r"((?:19|20)\d{2})"
_PATTERNS: tuple[tuple[str, re.Pattern], ...] = (
    ("date", re.compile(rf"(?:ngay\s*)?(\d{{1,2}})\s*[/.-]\s*(\d{{1,2}})\s*[/.-]\s*{_Y}")),
    ("date", re.compile(rf"ngay\s*(\d{{1,2}})\s*thang\s*(\d{{1,2}})\s*nam\s*{_Y}")),
    ("quarter", re.compile(rf"quy\s*(iv|iii|ii|i|[1-4])\b\s*(?:/|nam|-)?\s*{_Y}")),
    ("half", re.compile(rf"6\s*thang\s*(dau|cuoi)\s*nam\s*{_Y}")),
    ("month", re.compile(rf"thang\s*(\d{{1,2}})\s*(?:/|nam|-)\s*{_Y}")),
    ("range", re.compile(rf"{_Y}\s*(?:-|–|den|toi)\s*(?:nam\s*)?{_Y}")),
    ("from", re.compile(rf"(?:tu|bat dau tu|ke tu)\s*(?:nam\s*)?{_Y}")),
    ("year", re.compile(rf"(?<![\d/])(?:nam\s*)?{_Y}(?![\d/])")),
)
_RECURRENCES = (
    ("continuous", re.compile(r"thuong xuyen|lien tuc")),
    ("quarterly", re.compile(r"hang quy|hang quy|moi quy|dinh ky quy")),
    ("monthly", re.compile(r"hang thang|moi thang|dinh ky thang")),
    ("semiannual", re.compile(r"6 thang mot lan|dinh ky 6 thang|hang 6 thang")),
    ("annual", re.compile(r"hang nam|moi nam|dinh ky nam|cac nam tiep theo|dinh ky$")),
)
_BEFORE = re.compile(r"\b(truoc|cham nhat|khong qua)\b")


@dataclass(frozen=True)
class Deadline:
    raw: str
    start: str | None = None
    end: str | None = None
    recurrence: str | None = None

    @property
    def is_normalised(self) -> bool:
        return bool(self.start or self.end or self.recurrence)

    def as_dict(self) -> dict:
        return {"raw": self.raw, "start": self.start, "end": self.end, "recurrence": self.recurrence}


def _month_end(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}-{calendar.monthrange(year, month)[1]:02d}"


def _interval(kind: str, m: re.Match) -> tuple[str | None, str | None]:
    g = m.groups()
    if kind == "date":
        day, month, year = int(g[0]), int(g[1]), int(g[2])
        if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]):
            return None, None
        return None, f"{year:04d}-{month:02d}-{day:02d}"
    if kind == "quarter":
        q, year = _ROMAN_Q[g[0]], int(g[1])
        return f"{year}-{3 * q - 2:02d}-01", _month_end(year, 3 * q)
    if kind == "half":
        year = int(g[1])
        return (f"{year}-01-01", f"{year}-06-30") if g[0] == "dau" else (f"{year}-07-01", f"{year}-12-31")
    if kind == "month":
        month, year = int(g[0]), int(g[1])
        if not 1 <= month <= 12:
            return None, None
        return f"{year}-{month:02d}-01", _month_end(year, month)
    if kind == "range":
        return f"{g[0]}-01-01", f"{g[1]}-12-31"
    if kind == "from":
        return f"{g[0]}-01-01", None
    return f"{g[0]}-01-01", f"{g[0]}-12-31"


def parse_deadline(raw: str) -> Deadline:
    """Normalise a deadline phrase; an unrecognised phrase keeps only ``raw``."""
    raw = raw.strip()
    key = fold(canonical(raw))
    start = end = None
    for kind, pattern in _PATTERNS:
        m = pattern.search(key)
        if m:
            start, end = _interval(kind, m)
            if kind == "date" and not _BEFORE.search(key[: m.start()]):
                start = end
            break
    recurrence = next((name for name, rx in _RECURRENCES if rx.search(key)), None)
    return Deadline(raw, start, end, recurrence)


_TIME_WORDS = re.compile(
    r"\b(nam (19|20)\d\d|quy (i|ii|iii|iv|[1-4])\b|thang \d|thuong xuyen|hang nam|hang quy|hang thang|"
    r"dinh ky|(19|20)\d\d)"
)
_DEADLINE_VERBS = re.compile(r"^(thuc hien|hoan thanh|trien khai|ban hanh|trinh|xong|bao cao)\b")


def looks_like_deadline(phrase: str) -> bool:
    """Whether a parenthetical remark is a deadline ("hoàn thành trong quý IV/2024")."""
    key = fold(canonical(phrase)).strip()
    if len(key.split()) > 16:
        return False
    return bool(_TIME_WORDS.search(key) or _DEADLINE_VERBS.match(key))
