"""Task tables (usually the annex): header by column names, rows rejoined across pages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .errors import IngestError
from .layout import Paragraph
from .normalize import fold

# Column role -> folded phrases that name it; checked in this order.
COLUMN_NAMES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("index", ("tt", "stt", "so tt", "so thu tu", "no.")),
    ("cooperating", ("phoi hop",)),
    ("owner", ("chu tri", "co quan thuc hien", "don vi thuc hien", "co quan, don vi thuc hien",
               "trach nhiem thuc hien", "lead agency")),
    ("deadline", ("thoi gian", "thoi han", "tien do", "nam hoan thanh", "deadline")),
    ("output", ("san pham", "ket qua", "hinh thuc van ban")),
    ("content", ("noi dung", "nhiem vu", "ten nhiem vu", "ten de an", "task")),
)
_ROMAN = re.compile(r"^[IVXL]{1,6}\.?$")
_NUMBER = re.compile(r"^(\d{1,3})\s*[.)]?$")


@dataclass
class TableRow:
    group: str | None
    number: str
    cells: dict[str, str]
    first_line: int
    last_line: int


@dataclass
class Table:
    header_line: int
    columns: list[str | None]
    rows: list[TableRow] = field(default_factory=list)
    groups: dict[str, str] = field(default_factory=dict)   # roman -> group title
    after_signature: bool = False

    @property
    def is_task_table(self) -> bool:
        return "owner" in self.columns


def column_roles(cells: list[str]) -> list[str | None]:
    roles: list[str | None] = []
    for cell in cells:
        key = fold(cell).strip()
        role = None
        for name, phrases in COLUMN_NAMES:
            if any(key == p or key.startswith(p + " ") or f" {p}" in f" {key}" for p in phrases):
                role = name
                break
        roles.append(role if role not in roles else None)
    return roles


def is_header(cells: list[str]) -> bool:
    roles = column_roles(cells)
    known = {r for r in roles if r}
    return len(known & {"content", "owner", "cooperating", "deadline"}) >= 2


def parse_table(rows: list[Paragraph], path: str, after_signature: bool) -> Table | None:
    """Rows of one table -> Table, or None when it is not a task table."""
    header_index = next((i for i, r in enumerate(rows[:3]) if r.cells and is_header(r.cells)), None)
    if header_index is None:
        return None
    header = rows[header_index]
    roles = column_roles(header.cells or [])
    table = Table(header.first_line, roles, after_signature=after_signature)
    if "owner" not in roles:
        looks_like_tasks = any(r in roles for r in ("cooperating", "deadline"))
        if looks_like_tasks:
            raise IngestError(path, "task table header has no lead-agency column "
                              "('Cơ quan chủ trì'); columns found: " + ", ".join(header.cells or []),
                              header.first_line)
        return None
    if "content" not in roles:
        raise IngestError(path, "task table header has no task column ('Nội dung'); columns found: "
                          + ", ".join(header.cells or []), header.first_line)
    group: str | None = None
    for row in rows[header_index + 1:]:
        cells = list(row.cells or [])
        extra = [c for c in cells[len(roles):] if c.strip()]
        if extra:
            raise IngestError(path, f"table row has {len(cells)} cells but the header at line "
                              f"{header.first_line} has {len(roles)}", row.first_line)
        cells += [""] * (len(roles) - len(cells))
        by_role = {role: cells[i].strip() for i, role in enumerate(roles) if role}
        index = by_role.get("index", "")
        if _ROMAN.match(index):
            group = index.rstrip(".")
            table.groups[group] = by_role.get("content", "")
            continue
        number = _NUMBER.match(index)
        if number:
            table.rows.append(TableRow(group, number.group(1), by_role, row.first_line, row.last_line))
        elif not index and table.rows and any(by_role.values()):
            _continue_row(table.rows[-1], by_role, row.last_line)
        elif any(v for k, v in by_role.items() if k != "index"):
            # a row without a number that does not continue one: number it in order
            n = str(sum(1 for r in table.rows if r.group == group) + 1)
            table.rows.append(TableRow(group, n, by_role, row.first_line, row.last_line))
    return table


def _continue_row(row: TableRow, cells: dict[str, str], last_line: int) -> None:
    """A row split by a page break: append each non-empty cell to the row above."""
    for role, value in cells.items():
        if value and role != "index":
            row.cells[role] = f"{row.cells.get(role, '')} {value}".strip()
    row.last_line = last_line
