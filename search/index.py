"""The search index on disk next to the graph: units, BM25, vectors, and build metadata.

Layout of ``<store>/index/``: ``meta.json`` (embedder, dimension, counts, versions,
time, and ``graphs``: the version of each document graph the units were read from),
``units.jsonl``, ``lexical/`` (bm25s), ``dense/`` (faiss + vectors.npy).
A new index is written to a sibling folder and swapped in, so a failed or
interrupted build leaves the previous index readable; a crash between a graph
write and the index save leaves the index *stale* for that graph, which
``stale_graphs`` reports and ``sync_index`` (run by every ``policykg ingest``) repairs.
"""

from __future__ import annotations

import json
import platform
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import bm25s
import faiss
import numpy as np

from ingest.store import GraphStore, bump_generation, graph_versions

from .diacritics import Restorer
from .embedders import DEFAULT_EMBEDDER, Embedder, EmbedderError, get_embedder
from .lexical import LexicalIndex
from .units import Unit, read_units
from .vectors import HNSW_THRESHOLD, VectorIndex

INDEX_DIR = "index"
EMBED_BATCH = 32
LOAD_ATTEMPTS = 20          # a reader racing an index swap tries again (see SearchIndex.load)


class SearchIndexError(RuntimeError):
    """The index is missing, or was built by another model than the one asked for."""


@dataclass
class SearchIndex:
    units: list[Unit]
    lexical: LexicalIndex
    dense: VectorIndex
    meta: dict
    restorer: Restorer

    # -- building ---------------------------------------------------------------
    @classmethod
    def build(cls, units: list[Unit], embedder: Embedder, vectors: np.ndarray | None = None,
              progress: Callable[[int, int], None] | None = None,
              hnsw_threshold: int = HNSW_THRESHOLD, graphs: dict[str, str | None] | None = None) -> "SearchIndex":
        """``graphs``: document graph -> the store version (source SHA-256) its units were read
        at, None when unknown (such a graph counts as stale until it is indexed again)."""
        if vectors is None:
            vectors = embed_units(units, embedder, progress)
        meta = {
            "embedder": embedder.name, "embedder_option": getattr(embedder, "option", embedder.name),
            "dim": int(embedder.dim), "units": len(units),
            "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "build_id": uuid.uuid4().hex,
            "graphs": dict(sorted((graphs or {}).items())),
            "hnsw_threshold": hnsw_threshold,
            "versions": {"python": platform.python_version(), "faiss": faiss.__version__,
                         "bm25s": bm25s.__version__, "numpy": np.__version__},
        }
        dense = VectorIndex.build(vectors.reshape(-1, embedder.dim), hnsw_threshold)
        meta["dense_index"] = dense.kind
        restorer = Restorer.from_texts([u.lexical_text() for u in units])
        return cls(units, LexicalIndex.build([u.lexical_text() for u in units]), dense, meta, restorer)

    @classmethod
    def build_from_store(cls, store: GraphStore, embedder: Embedder,
                         progress: Callable[[int, int], None] | None = None) -> "SearchIndex":
        units, versions = _read_versioned(store, None)
        return cls.build(units, embedder, progress=progress, graphs=versions)

    def updated(self, store: GraphStore, graphs: list[str], embedder: Embedder,
                progress: Callable[[int, int], None] | None = None) -> "SearchIndex":
        """A new index where the units of ``graphs`` are re-read from the store (a graph no
        longer there loses its units); vectors of unchanged units (same id and text) are
        reused, only new text is embedded."""
        check_model(self.meta, embedder)
        changed = set(graphs)
        old_rows = {(u.id, u.passage_text()): i for i, u in enumerate(self.units)}
        kept = [u for u in self.units if u.graph not in changed]
        fresh, fresh_versions = _read_versioned(store, sorted(changed)) if changed else ([], {})
        versions = {g: v for g, v in self.meta.get("graphs", {}).items() if g not in changed}
        versions.update(fresh_versions)
        units = kept + fresh
        vectors = np.zeros((len(units), embedder.dim), dtype=np.float32)
        todo: list[int] = []
        for i, unit in enumerate(units):
            row = old_rows.get((unit.id, unit.passage_text()))
            if row is not None:
                vectors[i] = self.dense.vectors[row]
            else:
                todo.append(i)
        if todo:
            vectors[todo] = embed_units([units[i] for i in todo], embedder, progress)
        return SearchIndex.build(units, embedder, vectors, hnsw_threshold=self.meta.get("hnsw_threshold", HNSW_THRESHOLD),
                                 graphs=versions)

    def stale_graphs(self, versions: dict[str, str]) -> list[str]:
        """Graphs where this index and the store disagree (see ``stale_graphs``)."""
        return stale_graphs(self.meta, versions, {u.graph for u in self.units})

    # -- persistence --------------------------------------------------------------
    def save(self, store_directory: Path) -> None:
        """Write to ``index.new`` and swap it in. At every moment either ``index`` or (mid-swap)
        ``index.old`` is a whole index, so a reader or a crash never finds none (or half of one)."""
        target = Path(store_directory) / INDEX_DIR
        staging = target.with_name(INDEX_DIR + ".new")
        old = target.with_name(INDEX_DIR + ".old")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        with open(staging / "units.jsonl", "w", encoding="utf-8") as fh:
            for unit in self.units:
                fh.write(json.dumps(unit.as_dict(), ensure_ascii=False) + "\n")
        self.lexical.save(staging / "lexical")
        self.dense.save(staging / "dense")
        self.restorer.save(staging / "syllables.json")
        # meta.json last: a folder without it is never taken for an index
        (staging / "meta.json").write_text(json.dumps(self.meta, indent=2), encoding="utf-8")
        _recover_swap(target, old)
        shutil.rmtree(old, ignore_errors=True)    # only ever removed while `index` is whole
        if target.exists():
            target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
        bump_generation(store_directory)

    @classmethod
    def load(cls, store_directory: Path) -> "SearchIndex":
        """The index in ``<store>/index`` (or, after a swap interrupted by a crash, ``index.old``).

        A reader may race a writer's swap (``policykg ingest`` while the server runs): the
        parts are read and then the build id in meta.json is read again; if it moved, or a
        file vanished, the load starts over, so the parts always belong to one build."""
        last_error: Exception | None = None
        for attempt in range(LOAD_ATTEMPTS):
            directory = _index_folder(Path(store_directory))
            if directory is None:
                raise SearchIndexError(f"no search index in {store_directory} (run `policykg index`)")
            try:
                meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
                with open(directory / "units.jsonl", encoding="utf-8") as fh:
                    units = [Unit(**json.loads(line)) for line in fh]
                index = cls(units, LexicalIndex.load(directory / "lexical"), VectorIndex.load(directory / "dense"),
                            meta, Restorer.load(directory / "syllables.json"))
                again = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
                if again.get("build_id") == meta.get("build_id") and len(units) == meta.get("units", len(units)):
                    return index
                last_error = SearchIndexError("the index changed while it was read")
            except (OSError, ValueError, RuntimeError) as err:   # a file swapped away mid-read
                last_error = err
            time.sleep(0.05 * (attempt + 1))
        raise SearchIndexError(f"cannot read the search index in {store_directory}: {last_error}")

    @staticmethod
    def exists(store_directory: Path) -> bool:
        return _index_folder(Path(store_directory)) is not None

    @staticmethod
    def read_meta(store_directory: Path) -> dict | None:
        """meta.json of the current index (None when there is none or it is mid-swap)."""
        directory = _index_folder(Path(store_directory))
        try:
            return json.loads((directory / "meta.json").read_text(encoding="utf-8")) if directory else None
        except (OSError, ValueError):
            return None


def _index_folder(store_directory: Path) -> Path | None:
    """``index``, or ``index.old`` when a crash stopped a swap between its two renames."""
    for name in (INDEX_DIR, INDEX_DIR + ".old"):
        if (store_directory / name / "meta.json").exists():
            return store_directory / name
    return None


def _recover_swap(target: Path, old: Path) -> None:
    """A swap killed between ``index`` -> ``index.old`` and ``index.new`` -> ``index`` left the
    whole old index as ``index.old`` only: put it back before anything removes it."""
    if not (target / "meta.json").exists() and (old / "meta.json").exists():
        shutil.rmtree(target, ignore_errors=True)
        old.rename(target)


def _read_versioned(store: GraphStore, graphs: list[str] | None) -> tuple[list[Unit], dict[str, str | None]]:
    """Units of ``graphs`` (all when None) and the version of each graph they were read at.

    Units are read by several queries; a graph whose version moved while they ran (a writer
    replaced it) is recorded as None, i.e. stale, so the next ``sync_index`` reads it again."""
    before = graph_versions(store)
    units = read_units(store, graphs)
    after = graph_versions(store)
    scope = (set(before) | set(after)) if graphs is None else set(graphs)
    with_units = {u.graph for u in units}
    scope |= with_units
    versions: dict[str, str | None] = {}
    for graph in scope:
        if graph in after and before.get(graph) == after[graph]:
            versions[graph] = after[graph]
        elif graph in before or graph in after or graph in with_units:
            versions[graph] = None
    return units, versions


def stale_graphs(meta: dict, versions: dict[str, str], unit_graphs: set[str] | frozenset = frozenset()) -> list[str]:
    """Graphs where an index (its ``meta``, and the graphs its units come from) and the store
    (``versions``: ``graph_versions(store)``) disagree: changed or added since the index read
    them, removed since, or of unknown version (read while a writer replaced them, or an index
    from before versions were recorded: then every graph)."""
    recorded = meta.get("graphs")
    if recorded is None:
        return sorted(set(versions) | set(unit_graphs))
    indexed = set(recorded) | set(unit_graphs)
    stale = {g for g in indexed if g not in versions or recorded.get(g) is None}
    stale |= {g for g, version in versions.items() if recorded.get(g) != version}
    return sorted(stale)


def sync_index(store: GraphStore, changed: list[str] | tuple = (), embedder: str | None = None,
               progress: Callable[[int, int], None] | None = None) -> tuple["SearchIndex | None", list[str]]:
    """Bring the index of ``store`` in step with it: re-read the graphs in ``changed`` (written
    by this ingest) and every stale graph (``stale_graphs``: e.g. written by an ingest killed
    before its index save), drop units of graphs no longer stored, and save; build the index
    when there is none. Returns the saved index (None when it was already in step) and the
    graphs re-read."""
    directory = store.directory
    versions = graph_versions(store)
    meta = SearchIndex.read_meta(directory) if SearchIndex.exists(directory) else None
    if meta is None and SearchIndex.exists(directory):
        meta = SearchIndex.load(directory).meta
    if meta is None:
        model = get_embedder(embedder or DEFAULT_EMBEDDER)
        index = SearchIndex.build_from_store(store, model, progress)
        index.save(directory)
        return index, sorted(index.meta["graphs"])
    if not changed and not stale_graphs(meta, versions):
        return None, []
    index = SearchIndex.load(directory)
    model = get_embedder(embedder or index.meta.get("embedder_option") or DEFAULT_EMBEDDER)
    todo = sorted(set(changed) | set(index.stale_graphs(versions)))
    index = index.updated(store, todo, model, progress)
    index.save(directory)
    return index, todo


def check_model(meta: dict, embedder: Embedder) -> None:
    if meta.get("embedder") != embedder.name:
        raise SearchIndexError(f"the index was built with {meta.get('embedder')!r}, not {embedder.name!r}; "
                          f"rebuild it with `policykg index --embedder ...` rather than mix models")


def embed_units(units: list[Unit], embedder: Embedder,
                progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    out = np.zeros((len(units), embedder.dim), dtype=np.float32)
    for start in range(0, len(units), EMBED_BATCH):
        batch = units[start:start + EMBED_BATCH]
        out[start:start + len(batch)] = embedder.embed_passages([u.passage_text() for u in batch])
        if progress:
            progress(min(start + len(batch), len(units)), len(units))
    return out


def open_embedder_for(meta: dict | None, requested: str | None) -> Embedder:
    """The embedder to use with an index: the one it was built with unless another is asked for."""
    name = requested or (meta or {}).get("embedder_option") or DEFAULT_EMBEDDER
    embedder = get_embedder(name)
    if meta is not None and requested is None and meta.get("embedder") != embedder.name:
        raise EmbedderError(f"the index was built with {meta.get('embedder')!r}; pass --embedder to use it")
    return embedder
