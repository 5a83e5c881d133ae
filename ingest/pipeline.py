"""Ingest files into the store: read -> analyse -> build RDF -> validate -> store.

Each file is all-or-nothing: it is analysed, built and validated in memory
first, and only then replaces its named graph in one transaction. A file
that fails leaves what the store held for it untouched; the batch goes on.
"""

from __future__ import annotations

import hashlib
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from .agencies import AgencyMatcher, default_matcher
from .analyse import analyse_source
from .errors import IngestError
from .rdf import build_graph, graph_iri
from .readers import SUPPORTED_SUFFIXES, read_source
from .store import GraphStore
from .validate import validate_graph


@dataclass
class FileResult:
    path: str
    status: str                 # added | replaced | unchanged | failed
    graph: str | None = None
    message: str = ""
    line: int | None = None
    tasks: int = 0
    triples: int = 0


def collect_files(paths: Iterable[str | Path]) -> list[Path]:
    """Files named, plus supported files found below named folders (sorted)."""
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES))
        else:
            files.append(path)
    return files


def file_sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def ingest_file(path: Path, store: GraphStore, matcher: AgencyMatcher | None = None, validate: bool = True,
                force: bool = False, max_bytes: int = 5_000_000) -> FileResult:
    graph_name = str(graph_iri(path.name))
    try:
        previous = store.source_hash(graph_name)
        if not force and previous and previous == file_sha256(path):
            return FileResult(str(path), "unchanged", graph_name)
        source = read_source(path, max_bytes=max_bytes)
        parsed = analyse_source(source, matcher or default_matcher())
        graph = build_graph(parsed, str(path))
        if validate:
            report = validate_graph(graph)
            if not report.conforms:
                raise IngestError(path, f"graph fails SHACL validation ({report.violations} violations):\n"
                                  + report.text[:2000])
        store.replace_graph(graph_name, graph)
        return FileResult(str(path), "replaced" if previous else "added", graph_name,
                          tasks=len(parsed.tasks), triples=len(graph))
    except IngestError as err:
        return FileResult(str(path), "failed", graph_name, err.message, err.line)
    except Exception as err:  # a bug must not stop the batch or lose stored data
        detail = traceback.format_exception_only(type(err), err)[-1].strip()
        return FileResult(str(path), "failed", graph_name, f"internal error: {detail}")


def ingest_paths(paths: Iterable[str | Path], store: GraphStore, validate: bool = True, force: bool = False,
                 max_bytes: int = 5_000_000,
                 on_file: Callable[[FileResult], None] | None = None) -> list[FileResult]:
    matcher = default_matcher()
    results = []
    for path in collect_files(paths):
        result = ingest_file(path, store, matcher, validate, force, max_bytes)
        results.append(result)
        if on_file:
            on_file(result)
    store.flush()
    return results
