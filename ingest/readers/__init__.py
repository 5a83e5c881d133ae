"""File readers, picked by suffix: ``read_source(path)`` -> :class:`SourceText`.

Every reader turns raw bytes into numbered :class:`SourceLine` objects, drops
no text, and raises only :class:`IngestError` for bad input.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from ingest.errors import IngestError
from ingest.readers.base import MetaReader, Reader
from ingest.source import SourceText

__all__ = ["READERS", "SUPPORTED_SUFFIXES", "Reader", "read_source", "register"]

READERS: dict[str, Reader] = {}

T = TypeVar("T")

_MB = 1_000_000


def register(suffixes: str | Iterable[str]) -> Callable[[type[T]], type[T]]:
    """Class decorator: register an instance of the reader for each suffix."""
    names = [suffixes] if isinstance(suffixes, str) else list(suffixes)

    def deco(cls: type[T]) -> type[T]:
        reader = cls()
        for suffix in names:
            key = suffix.lower() if suffix.startswith(".") else "." + suffix.lower()
            READERS[key] = reader  # type: ignore[assignment]
        return cls

    return deco


# Readers register themselves on import; keep these below ``register``.
from ingest.readers import docx as _docx  # noqa: E402,F401
from ingest.readers import html as _html  # noqa: E402,F401
from ingest.readers import pdf as _pdf  # noqa: E402,F401
from ingest.readers import text as _text  # noqa: E402,F401

SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(sorted(READERS))


def read_source(path: Path, max_bytes: int = 5_000_000) -> SourceText:
    """Read one file into a :class:`SourceText`, or raise :class:`IngestError`."""
    path = Path(path)
    if not path.exists():
        raise IngestError(path, "file not found")
    if not path.is_file():
        raise IngestError(path, "not a regular file")
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise IngestError(path, f"cannot stat file ({exc.strerror or exc})") from exc
    if size > max_bytes:
        raise IngestError(
            path,
            f"file is {size / _MB:.1f} MB, over the limit of {max_bytes / _MB:.1f} MB "
            f"({max_bytes} bytes); raise it with --max-bytes",
        )
    if size == 0:
        raise IngestError(path, "file is empty")
    suffix = path.suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        raise IngestError(
            path,
            f"unsupported file type {suffix or '(no suffix)'!r}; "
            f"supported: {', '.join(SUPPORTED_SUFFIXES)}",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise IngestError(path, f"cannot read file ({exc.strerror or exc})") from exc
    if len(data) > max_bytes:  # grew since stat
        raise IngestError(path, f"file is over the limit of {max_bytes} bytes; raise it with --max-bytes")
    if not data:
        raise IngestError(path, "file is empty")
    meta: dict[str, str] = {}
    if isinstance(reader, MetaReader):
        lines, meta = reader.read_with_meta(path, data)
    else:
        lines = reader.read(path, data)
    if not any(line.text.strip() for line in lines):
        raise IngestError(path, "file is empty (no text content)")
    return SourceText(
        path=path,
        lines=lines,
        media_type=reader.media_type,
        sha256=hashlib.sha256(data).hexdigest(),
        meta=meta,
    )

