"""Targets from the objectives parts (MỤC TIÊU, TẦM NHÌN) of an outline."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .structure import Node, Outline, part_role
from .targets import Target, find_targets, target_year

_SENTENCE = re.compile(r"(?<=[.;:])\s+")


@dataclass
class TargetDraft:
    text: str
    target: Target
    year: int | None
    section: str
    first_line: int
    last_line: int


def extract_targets(outline: Outline) -> list[TargetDraft]:
    drafts: list[TargetDraft] = []
    for part in outline.parts:
        if part_role(part) != "objectives":
            continue
        _visit(part, [part.text], drafts)
    return drafts


def _visit(node: Node, headings: list[str], out: list[TargetDraft]) -> None:
    for child in node.children:
        if child.kind in ("item", "letter"):
            _collect(child, child.text, headings, out)
            _visit(child, [child.text, *headings], out)
        else:
            _collect(child, child.text, headings, out)
            _visit(child, headings, out)


def _collect(node: Node, text: str, headings: list[str], out: list[TargetDraft]) -> None:
    for sentence in _SENTENCE.split(text):
        for target in find_targets(sentence):
            out.append(TargetDraft(sentence.strip(), target, target_year(sentence, *headings),
                                   node.path, node.first_line, node.last_line))
