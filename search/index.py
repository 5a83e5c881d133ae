"""The search index on disk next to the graph: units, BM25, vectors, and build metadata.

Layout of ``<store>/index/``: ``meta.json`` (embedder, dimension, counts, versions,
time), ``units.jsonl``, ``lexical/`` (bm25s), ``dense/`` (faiss + vectors.npy).
A new index is written to a sibling folder and swapped in, so a failed or
interrupted build leaves the previous index readable.
"""

from __future__ import annotations

import json
import platform
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import bm25s
import faiss
import numpy as np

from ingest.store import GraphStore

from .diacritics import Restorer
from .embedders import DEFAULT_EMBEDDER, Embedder, EmbedderError, get_embedder
from .lexical import LexicalIndex
from .units import Unit, read_units
from .vectors import HNSW_THRESHOLD, VectorIndex

INDEX_DIR = "index"
EMBED_BATCH = 32


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
              hnsw_threshold: int = HNSW_THRESHOLD) -> "SearchIndex":
        if vectors is None:
            vectors = embed_units(units, embedder, progress)
        meta = {
            "embedder": embedder.name, "embedder_option": getattr(embedder, "option", embedder.name),
            "dim": int(embedder.dim), "units": len(units),
            "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
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
        return cls.build(read_units(store), embedder, progress=progress)

    def updated(self, store: GraphStore, graphs: list[str], embedder: Embedder,
                progress: Callable[[int, int], None] | None = None) -> "SearchIndex":
        """A new index where the units of ``graphs`` are re-read from the store; vectors of
        unchanged units (same id and text) are reused, only new text is embedded."""
        check_model(self.meta, embedder)
        changed = set(graphs)
        old_rows = {(u.id, u.passage_text()): i for i, u in enumerate(self.units)}
        kept = [u for u in self.units if u.graph not in changed]
        fresh = read_units(store, sorted(changed)) if changed else []
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
        return SearchIndex.build(units, embedder, vectors, hnsw_threshold=self.meta.get("hnsw_threshold", HNSW_THRESHOLD))

    # -- persistence --------------------------------------------------------------
    def save(self, store_directory: Path) -> None:
        target = Path(store_directory) / INDEX_DIR
        staging = target.with_name(INDEX_DIR + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        with open(staging / "units.jsonl", "w", encoding="utf-8") as fh:
            for unit in self.units:
                fh.write(json.dumps(unit.as_dict(), ensure_ascii=False) + "\n")
        self.lexical.save(staging / "lexical")
        self.dense.save(staging / "dense")
        self.restorer.save(staging / "syllables.json")
        (staging / "meta.json").write_text(json.dumps(self.meta, indent=2), encoding="utf-8")
        old = target.with_name(INDEX_DIR + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if target.exists():
            target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, store_directory: Path) -> "SearchIndex":
        directory = Path(store_directory) / INDEX_DIR
        if not (directory / "meta.json").exists():
            old = directory.with_name(INDEX_DIR + ".old")   # interrupted swap: the old one is whole
            if (old / "meta.json").exists():
                directory = old
            else:
                raise SearchIndexError(f"no search index in {store_directory} (run `policykg index`)")
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        with open(directory / "units.jsonl", encoding="utf-8") as fh:
            units = [Unit(**json.loads(line)) for line in fh]
        return cls(units, LexicalIndex.load(directory / "lexical"), VectorIndex.load(directory / "dense"), meta,
                   Restorer.load(directory / "syllables.json"))

    @staticmethod
    def exists(store_directory: Path) -> bool:
        return (Path(store_directory) / INDEX_DIR / "meta.json").exists()


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
