"""What every reader returns: the text of a file as numbered lines."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class SourceLine:
    """One line of a source; ``number`` is 1-based and points into the original file.

    Table rows are one line each with their cells joined by a tab.
    For .docx/.html the number is the block's ordinal (paragraph or table row).
    """

    number: int
    text: str


@dataclass
class SourceText:
    path: Path
    lines: list[SourceLine]
    media_type: str
    sha256: str
    meta: dict[str, str] = field(default_factory=dict)
