"""The one error type ingest raises for bad input."""

from __future__ import annotations

from pathlib import Path


class IngestError(Exception):
    """A file could not be ingested; names the file and, where known, the line."""

    def __init__(self, path: str | Path, message: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line else self.path
        super().__init__(f"{where}: {message}")
