"""The reader protocol: bytes of one file in, numbered lines out."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, runtime_checkable

from ingest.source import SourceLine


class Reader(Protocol):
    """Turns the raw bytes of a file into numbered lines.

    ``read`` raises only :class:`ingest.errors.IngestError` for bad input.
    """

    media_type: str

    def read(self, path: Path, data: bytes) -> list[SourceLine]: ...


@runtime_checkable
class MetaReader(Protocol):
    """A reader that also reports file metadata (e.g. the page count of a PDF)."""

    media_type: str

    def read_with_meta(self, path: Path, data: bytes) -> tuple[list[SourceLine], dict[str, str]]: ...
