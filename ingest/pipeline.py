"""Ingest files into the store: read -> analyse -> build RDF -> validate -> store.

Each file is all-or-nothing: it is analysed, built and validated in memory
first (in worker processes when ``jobs > 1``), and only then replaces its named
graph in one transaction in this process (adding what it says of agencies, places and
cited documents to the shared graph in the same transaction). A file that fails leaves what the
store held for it untouched; the batch goes on.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

from .agencies import default_matcher
from .analyse import analyse_source
from .errors import IngestError
from .rdf import build_graph, graph_iri
from .readers import SUPPORTED_SUFFIXES, read_source
from .store import GraphStore
from .validate import validate_graph

PARALLEL_MIN_FILES = 16   # below this a process pool costs more than it saves


@dataclass
class FileResult:
    path: str
    status: str                 # added | replaced | unchanged | failed
    graph: str | None = None
    message: str = ""
    line: int | None = None
    tasks: int = 0
    triples: int = 0


@dataclass
class Prepared:
    """What a worker hands back: the result so far and the graph as N-Triples (the document's own
    triples, and those about the nodes it shares with others: ingest/rdf.py)."""

    result: FileResult
    ntriples: bytes | None = None
    shared: bytes = b""


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


def prepare_file(path: Path, validate: bool = True, max_bytes: int = 5_000_000) -> Prepared:
    """Read, analyse, build and (optionally) validate one file; touches no store."""
    graph_name = str(graph_iri(path.name))
    try:
        parsed = analyse_source(read_source(path, max_bytes=max_bytes), default_matcher())
        graph = build_graph(parsed, str(path))
        if validate:
            report = validate_graph(graph)
            if not report.conforms:
                raise IngestError(path, f"graph fails SHACL validation ({report.violations} violations):\n"
                                  + report.text[:2000])
        result = FileResult(str(path), "ready", graph_name, tasks=len(parsed.tasks), triples=len(graph))
        return Prepared(result, graph.ntriples(), graph.shared_ntriples())
    except IngestError as err:
        return Prepared(FileResult(str(path), "failed", graph_name, err.message, err.line))
    except Exception as err:  # a bug must not stop the batch or lose stored data
        detail = traceback.format_exception_only(type(err), err)[-1].strip()
        return Prepared(FileResult(str(path), "failed", graph_name, f"internal error: {detail}"))


def _prepare_job(args: tuple[Path, bool, int]) -> Prepared:
    return prepare_file(*args)


def _warm_worker() -> None:
    default_matcher()


def _prepared(todo: list[Path], validate: bool, max_bytes: int, jobs: int) -> Iterator[Prepared]:
    if jobs <= 1 or len(todo) < PARALLEL_MIN_FILES:
        for path in todo:
            yield prepare_file(path, validate, max_bytes)
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(jobs, mp_context=context, initializer=_warm_worker) as pool:
        yield from pool.map(_prepare_job, [(p, validate, max_bytes) for p in todo], chunksize=8)


BULK_BATCH = 200          # files per bulk load


def ingest_paths(paths: Iterable[str | Path], store: GraphStore, validate: bool = True, force: bool = False,
                 max_bytes: int = 5_000_000, jobs: int = 1, bulk: bool = False,
                 on_file: Callable[[FileResult], None] | None = None) -> list[FileResult]:
    """Ingest every file; results in file order. ``jobs`` > 1 analyses in that many processes;
    ``bulk`` writes files new to the store in batches with the bulk loader (faster, not atomic)."""
    results: list[FileResult] = []

    def report(result: FileResult) -> None:
        results.append(result)
        if on_file:
            on_file(result)

    todo: list[Path] = []
    previous: dict[str, str | None] = {}
    files = collect_files(paths)
    order = {str(path): i for i, path in enumerate(files)}
    for path in files:
        graph_name = str(graph_iri(path.name))
        previous[str(path)] = store.source_hash(graph_name)
        if not force and previous[str(path)] and previous[str(path)] == file_sha256(path):
            report(FileResult(str(path), "unchanged", graph_name))
        else:
            todo.append(path)
    batch: list[Prepared] = []

    def write_batch() -> None:
        try:
            shared = b"\n".join(dict.fromkeys(line for p in batch for line in p.shared.splitlines()))  # once each
            store.bulk_add_graphs([(p.result.graph, p.ntriples) for p in batch], shared)
            for p in batch:
                p.result.status = "added"
        except (OSError, SyntaxError, ValueError) as err:
            for p in batch:
                p.result.status, p.result.message = "failed", f"store write failed: {err}"
        for p in batch:
            report(p.result)
        batch.clear()

    for prepared in _prepared(todo, validate, max_bytes, jobs):
        result = prepared.result
        if prepared.ntriples is not None and bulk and not previous.get(result.path):
            batch.append(prepared)
            if len(batch) >= BULK_BATCH:
                write_batch()
            continue
        if prepared.ntriples is not None:
            try:
                store.replace_graph(result.graph, prepared.ntriples, prepared.shared)
                result.status = "replaced" if previous.get(result.path) else "added"
            except (OSError, SyntaxError, ValueError) as err:
                result.status, result.message = "failed", f"store write failed: {err}"
        report(result)
    write_batch()
    store.flush()
    if bulk and any(r.status == "added" for r in results):
        store.optimize()       # compact what the bulk loader wrote: queries 4-6x faster at 10M (BENCHMARKS)
    results.sort(key=lambda r: order[r.path])
    return results


def ingest_file(path: Path, store: GraphStore, validate: bool = True, force: bool = False,
                max_bytes: int = 5_000_000) -> FileResult:
    return ingest_paths([path], store, validate=validate, force=force, max_bytes=max_bytes)[0]
