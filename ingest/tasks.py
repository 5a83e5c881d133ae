"""Tasks (nhiệm vụ) from the outline: who leads, who cooperates, by when.

Owners come from, in this order: an "Agency: …" prefix, an item heading that
is only agency names ("2.1. Sở Nội vụ:"), a sentence that begins with agency
names ("Liên hiệp … chủ trì, …", "Đề nghị Ban Tổ chức Tỉnh ủy …", in parts
that assign tasks), or the lead-agency column of a task table. Cooperating
agencies come from "phối hợp với …" or the cooperating column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .agencies import Agency, AgencyMatcher, Jurisdiction, looks_like_organisation, resolve, unknown_agency
from .deadlines import Deadline, looks_like_deadline, parse_deadline
from .errors import IngestError
from .normalize import fold
from .structure import Node, Outline, part_role
from .table import Table

_SEPARATOR = re.compile(r"\s*(?:,|;|\bvà\b|\bcùng\b|&|\band\b)\s*", re.IGNORECASE)
_LEAD_IN = re.compile(r"^(?:Đề nghị|Giao cho|Giao|Yêu cầu|Phân công)\s+", re.IGNORECASE)
_COOPERATE = re.compile(r"phối hợp (?:với|cùng)\s+", re.IGNORECASE)
_TRAILING_PAREN = re.compile(r"\(([^()]{2,240})\)\s*[.;,]?\s*(?:\./\.)?\s*$")
_LEADS = re.compile(r"^\s*,?\s*chủ trì\b", re.IGNORECASE)
_LABELLED_DEADLINE = re.compile(
    r"[.;,]?\s*(?:Thời gian|Thời hạn|Tiến độ)(?: thực hiện| hoàn thành| trình)?\s*:\s*([^.;()]{2,80})[.;]?\s*$",
    re.IGNORECASE)
_INNER_PAREN = re.compile(r"\(([^()]{2,120})\)")


@dataclass
class TaskDraft:
    section: str
    ordinal: str
    text: str
    owners: list[Agency]
    cooperating: list[Agency] = field(default_factory=list)
    deadline: Deadline | None = None
    first_line: int = 0
    last_line: int = 0


@dataclass
class MeasureDraft:
    """A measure (giải pháp) a plan states without assigning it to anyone."""

    section: str
    ordinal: str
    text: str
    first_line: int
    last_line: int


class TaskExtractor:
    def __init__(self, matcher: AgencyMatcher, context: Jurisdiction, path: str):
        self.matcher = matcher
        self.context = context
        self.path = path
        self.measures: list[MeasureDraft] = []   # filled by extract(): unassigned bullets

    # -- agency lists ----------------------------------------------------------
    def leading_agencies(self, text: str) -> tuple[list[Agency], int]:
        """Agency names at the start of ``text`` joined by , ; và — and where they end."""
        mentions = self.matcher.find(text[:500])
        found: list[Agency] = []
        pos = len(text) - len(text.lstrip())
        for mention in mentions:
            if mention.start > pos + 1:
                break
            found.append(resolve(mention, self.context))
            pos = mention.end
            sep = _SEPARATOR.match(text, pos)
            following = next((m for m in mentions if m.start >= pos), None)
            if sep and following and following.start <= sep.end() + 1 and following is not mention:
                pos = sep.end()
                continue
            break
        return _dedupe(found), pos

    def agency_list(self, text: str) -> list[Agency]:
        """Every agency in a list such as a table cell; unknown names kept as written."""
        found: list[Agency] = []
        pos = 0
        for mention in self.matcher.find(text):
            found.extend(self._unknown_between(text[pos:mention.start]))
            found.append(resolve(mention, self.context))
            pos = mention.end
        found.extend(self._unknown_between(text[pos:]))
        return _dedupe(found)

    def _unknown_between(self, gap: str) -> list[Agency]:
        out = []
        for piece in _SEPARATOR.split(gap):
            piece = piece.strip(" .:-–")
            if len(piece) >= 3 and any(ch.isalpha() for ch in piece) and fold(piece) not in ("lien quan", "co lien quan"):
                out.append(unknown_agency(piece, self.context))
        return out

    def colon_owners(self, text: str) -> tuple[list[Agency], str] | None:
        """'Sở Nội vụ: Chủ trì …' -> ([Sở Nội vụ], 'Chủ trì …'); None when the prefix is no owner list."""
        colon = text.find(":")
        if colon <= 0 or colon > 250:
            return None
        prefix = text[:colon].strip()
        owners, end = self.leading_agencies(prefix)
        if owners and end >= len(prefix.rstrip(" ,;")):
            return owners, text[colon + 1:].strip()
        if not owners and looks_like_organisation(prefix) and len(prefix.split()) <= 10:
            return [unknown_agency(prefix, self.context)], text[colon + 1:].strip()
        return None

    def heading_owners(self, text: str) -> list[Agency] | None:
        """An item heading that is nothing but agency names ("1. Hội đồng nhân dân huyện")."""
        stripped = text.strip().rstrip(":").strip()
        owners, end = self.leading_agencies(stripped)
        return owners if owners and end >= len(stripped) else None

    def sentence_owners(self, text: str, explicit_only: bool) -> tuple[list[Agency], int] | None:
        lead_in = _LEAD_IN.match(text)
        offset = lead_in.end() if lead_in else 0
        owners, end = self.leading_agencies(text[offset:])
        if not owners or len(text[offset + end:].split()) < 2:
            return None
        if explicit_only and not lead_in and not _LEADS.match(text[offset + end:]) \
                and any(a.kind == "collective" for a in owners):
            return None  # "Các cấp ủy, … xây dựng …" in a general part is an exhortation, not an assignment
        return owners, offset + end

    def cooperating(self, text: str) -> list[Agency]:
        found: list[Agency] = []
        for m in _COOPERATE.finditer(text):
            agencies, _ = self.leading_agencies(text[m.end():])
            found.extend(agencies)
        return _dedupe(found)

    # -- tasks from the outline -------------------------------------------------
    def extract(self, outline: Outline) -> list[TaskDraft]:
        tasks: list[TaskDraft] = []
        for part in outline.parts:
            role = part_role(part)
            if role in ("purpose", "objectives"):
                continue
            for child in part.children:
                self._visit(child, role, None, tasks)
        for n, table in enumerate(outline.tables):
            if table.is_task_table:
                tasks.extend(self._table_tasks(table, n))
        return tasks

    def _visit(self, node: Node, role: str, inherited: list[Agency] | None, out: list[TaskDraft]) -> None:
        explicit_only = role != "assigned"
        text = node.text
        if node.kind in ("item", "letter"):
            colon = self.colon_owners(text)
            owners = colon[0] if colon else self.heading_owners(text)
            rest = colon[1] if colon else ""
            if owners:
                subtasks = [c for c in node.children if c.kind in ("bullet", "para", "letter", "item")]
                if rest:
                    out.append(self._task(node, rest + self._sub_bullets(node, subtasks), owners))
                if not rest or text.rstrip().endswith(":"):
                    for child in subtasks:
                        self._visit(child, role, owners, out)
                return
            sentence = self.sentence_owners(text, explicit_only)
            if sentence:
                follow = [c for c in node.children if c.kind in ("bullet", "para")]
                if text.rstrip().endswith(":") and follow:
                    for child in node.children:
                        self._visit(child, role, sentence[0], out)
                else:
                    out.extend(self._split_clauses(node, text + self._sub_bullets(node, follow), sentence))
                    for child in node.children:
                        if child.kind in ("item", "letter"):
                            self._visit(child, role, None, out)
                return
            if inherited and text:
                out.append(self._task(node, text, inherited))
                return
            for child in node.children:
                self._visit(child, role, inherited, out)
            return
        # bullets and plain paragraphs
        colon = self.colon_owners(text)
        plus = [c for c in node.children if c.kind == "bullet"]
        if colon and colon[1]:
            out.append(self._task(node, colon[1] + self._sub_bullets(node, plus), colon[0]))
            return
        if inherited:
            out.append(self._task(node, text + self._sub_bullets(node, plus), inherited))
            return
        sentence = self.sentence_owners(text, explicit_only)
        if sentence:
            out.extend(self._split_clauses(node, text + self._sub_bullets(node, plus), sentence))
            return
        if role == "general" and len(text.split()) >= 5:
            self.measures.append(MeasureDraft(node.path, f"b{node.ordinal}" if node.ordinal else "",
                                              text + self._sub_bullets(node, plus), node.first_line, node.last_line))
            return
        for child in node.children:
            self._visit(child, role, None, out)

    @staticmethod
    def _sub_bullets(node: Node, children: list[Node]) -> str:
        bullets = [c.text for c in children if c.kind == "bullet" and c.label == "+"]
        return "".join(f" + {b}" for b in bullets)

    def _split_clauses(self, node: Node, text: str, sentence: tuple[list[Agency], int]) -> list[TaskDraft]:
        """One task per clause that names its own owner ("A làm X; B làm Y")."""
        owners, end = sentence
        pieces: list[tuple[list[Agency], str]] = [(owners, text)]
        clauses = text[end:].split(";")
        if len(clauses) > 1:
            pieces = [(owners, text[:end] + clauses[0])]
            for clause in clauses[1:]:
                own = self.sentence_owners(clause.strip(), explicit_only=False)
                if own:
                    pieces.append((own[0], clause.strip()))
                else:
                    prev_owners, prev_text = pieces[-1]
                    pieces[-1] = (prev_owners, prev_text + ";" + clause)
        tasks = []
        for i, (who, piece) in enumerate(pieces):
            task = self._task(node, piece.strip(), who)
            if len(pieces) > 1:
                task.ordinal = (task.ordinal + "-" if task.ordinal else "") + "abcdefghij"[i % 10]
            tasks.append(task)
        return tasks

    def _task(self, node: Node, text: str, owners: list[Agency]) -> TaskDraft:
        text, deadline = split_deadline(text)
        ordinal = f"b{node.ordinal}" if node.kind in ("bullet", "para") and node.ordinal else ""
        if node.kind == "letter":
            ordinal = node.label
        return TaskDraft(
            section=node.path, ordinal=ordinal, text=text, owners=owners,
            cooperating=_without(self.cooperating(text), owners),
            deadline=deadline, first_line=node.first_line, last_line=node.last_line,
        )

    def _table_tasks(self, table: Table, index: int) -> list[TaskDraft]:
        prefix = ("annex" if table.after_signature else "table") + (str(index + 1) if index else "")
        tasks: list[TaskDraft] = []
        previous_owners: list[Agency] | None = None
        for row in table.rows:
            owner_cell = row.cells.get("owner", "")
            owners = self.agency_list(owner_cell) if owner_cell else previous_owners
            if not owners:
                raise IngestError(self.path, "task table row has no lead agency (column 'Cơ quan chủ trì')",
                                  row.first_line)
            previous_owners = owners
            section = f"{prefix} {row.group}.{row.number}" if row.group else f"{prefix} {row.number}"
            deadline_text = row.cells.get("deadline", "").strip()
            text = row.cells.get("content", "").strip()
            tasks.append(TaskDraft(
                section=section, ordinal="", text=text, owners=owners,
                cooperating=_without(self.agency_list(row.cells.get("cooperating", "")), owners),
                deadline=parse_deadline(deadline_text) if deadline_text else None,
                first_line=row.first_line, last_line=row.last_line,
            ))
        return tasks


def split_deadline(text: str) -> tuple[str, Deadline | None]:
    """The task's deadline: 'Thời gian thực hiện: …', a trailing '(hoàn thành trong quý IV/2024)'
    (taken off the text), or a parenthesis inside the text that names a time."""
    labelled = _LABELLED_DEADLINE.search(text)
    if labelled:
        return text[: labelled.start()].rstrip(" ,;."), parse_deadline(labelled.group(1).strip(" .;"))
    m = _TRAILING_PAREN.search(text)
    if m and looks_like_deadline(m.group(1)):
        return text[: m.start()].rstrip(" ,;"), parse_deadline(m.group(1).strip())
    for m in _INNER_PAREN.finditer(text):
        if looks_like_deadline(m.group(1)) and parse_deadline(m.group(1)).is_normalised:
            return text, parse_deadline(m.group(1).strip())
    return text, None


def _dedupe(agencies: list[Agency]) -> list[Agency]:
    seen: set[str] = set()
    out = []
    for agency in agencies:
        if agency.key not in seen:
            seen.add(agency.key)
            out.append(agency)
    return out


def _without(agencies: list[Agency], exclude: list[Agency]) -> list[Agency]:
    keys = {a.key for a in exclude}
    return [a for a in agencies if a.key not in keys]
