"""Quantified targets in the objectives part: quantity, unit, baseline -> target, year.

>>> [t.display for t in find_targets("Tiến sĩ tăng từ 0,27% lên 0,5% trở lên; trên 90.000 người, khoảng 5% dân số")]
['>= 0.5%', '> 90000 người', '~ 5%']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .normalize import nfc

_NUM = r"(\d{1,3}(?:\.\d{3})+|\d+(?:,\d+)?)"
_UNIT = r"(%|[^\W\d]+(?:\s+[^\W\d]+){0,2})?"
_YEAR = re.compile(r"(?:đến|tới|vào)\s+năm\s+((?:19|20)\d{2})|năm\s+((?:19|20)\d{2})", re.IGNORECASE)

# Ordered: the first pattern that matches a stretch of text claims it.
_BASELINE = re.compile(
    rf"từ\s+{_NUM}\s*(%|[^\W\d]+(?:\s+[^\W\d]+){{0,2}})?\s+lên\s+(?:(trên|hơn|khoảng|ít nhất|tối thiểu)\s+)?{_NUM}\s*(%)?"
    rf"(?:\s*([^\W\d]+(?:\s+[^\W\d]+){{0,1}}))?(\s+trở lên)?",
    re.IGNORECASE,
)
_RANGE = re.compile(rf"(?<![\d/.,])(?:từ\s+)?(\d{{1,3}})\s*[-–]\s*(\d{{1,3}})(?![\d/])\s+{_UNIT}", re.IGNORECASE)
_COMPARED = re.compile(
    rf"(trên|hơn|khoảng|ít nhất|tối thiểu|dưới|không quá|tối đa|đạt)\s+{_NUM}\s*(%)?\s*{_UNIT}(\s+trở lên)?",
    re.IGNORECASE,
)
_PERCENT = re.compile(rf"(?<![\d,.]){_NUM}\s*%(\s+trở lên)?", re.IGNORECASE)

_COMPARATORS = {
    "trên": ">", "hơn": ">", "khoảng": "~", "ít nhất": ">=", "tối thiểu": ">=", "dưới": "<",
    "không quá": "<=", "tối đa": "<=", "đạt": "=",
}
_UNIT_STOP = {"so", "với", "dân", "trở", "lên", "và", "của", "trong", "đạt", "mới", "được"}


@dataclass(frozen=True)
class Target:
    start: int
    end: int
    quantity: Decimal
    unit: str | None
    comparator: str            # '=', '>', '>=', '<', '<=', '~', 'range'
    upper: Decimal | None = None
    baseline: Decimal | None = None
    baseline_unit: str | None = None

    @property
    def display(self) -> str:
        unit = self.unit or ""
        sep = "" if unit == "%" else " "
        if self.comparator == "range":
            return f"{_fmt(self.quantity)}-{_fmt(self.upper)}" + (f"{sep}{unit}" if unit and unit == "%" else "")
        value = f"{_fmt(self.quantity)}{sep if unit else ''}{unit}".strip()
        return value if self.comparator == "=" else f"{self.comparator} {value}"

    @property
    def baseline_display(self) -> str | None:
        if self.baseline is None:
            return None
        unit = self.baseline_unit or ""
        return f"{_fmt(self.baseline)}{unit}" if unit == "%" else _fmt(self.baseline)


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text


def to_decimal(text: str) -> Decimal:
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", text):
        return Decimal(text.replace(".", ""))
    return Decimal(text.replace(",", "."))


def _clean_unit(unit: str | None) -> str | None:
    if not unit:
        return None
    if unit == "%":
        return "%"
    words = []
    for word in unit.split():
        if word.lower() in _UNIT_STOP:
            break
        words.append(word)
    return " ".join(words) or None


def find_targets(text: str) -> list[Target]:
    """Quantified targets in one sentence or bullet of an objectives section."""
    text = nfc(text)
    found: list[Target] = []

    def free(m: re.Match) -> bool:
        return all(m.end() <= t.start or m.start() >= t.end for t in found)

    for m in _BASELINE.finditer(text):
        base, base_unit, cmp_word, value, pct, unit_after, or_more = m.groups()
        unit = "%" if pct else _clean_unit(unit_after) or _clean_unit(base_unit)
        comparator = ">=" if or_more else _COMPARATORS.get((cmp_word or "").lower(), ">=")
        found.append(Target(m.start(), m.end(), to_decimal(value), unit, comparator,
                            baseline=to_decimal(base), baseline_unit="%" if base_unit == "%" else unit))
    for m in _RANGE.finditer(text):
        if free(m) and _not_years(m.group(1), m.group(2)):
            found.append(Target(m.start(), m.end(), Decimal(int(m.group(1))), _clean_unit(m.group(3)),
                                "range", upper=Decimal(int(m.group(2)))))
    for m in _COMPARED.finditer(text):
        if not free(m):
            continue
        word, value, pct, unit, or_more = m.groups()
        comparator = ">=" if or_more else _COMPARATORS[word.lower()]
        if word.lower() == "đạt" and not pct:
            continue
        found.append(Target(m.start(), m.end(), to_decimal(value), "%" if pct else _clean_unit(unit), comparator))
    for m in _PERCENT.finditer(text):
        if free(m):
            found.append(Target(m.start(), m.end(), to_decimal(m.group(1)), "%", ">=" if m.group(2) else "="))
    return sorted(found, key=lambda t: t.start)


def _not_years(a: str, b: str) -> bool:
    return not (len(a) == 4 or len(b) == 4)


def target_year(*texts: str) -> int | None:
    """The year a target is for: '... đến năm 2030' in the sentence or its heading."""
    for text in texts:
        m = _YEAR.search(text or "")
        if m:
            return int(m.group(1) or m.group(2))
    return None
