"""Dense vectors in faiss: exact inner product for small corpora, HNSW above a threshold."""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

HNSW_THRESHOLD = 50_000     # units; below it exact search is fast enough and exact
HNSW_M = 16
HNSW_EF_SEARCH = 64


class VectorIndex:
    def __init__(self, index: faiss.Index, vectors: np.ndarray):
        self.index = index
        self.vectors = vectors          # kept for exact scoring of filtered subsets

    @property
    def kind(self) -> str:
        return "hnsw" if isinstance(self.index, faiss.IndexHNSWFlat) else "flat"

    @classmethod
    def build(cls, vectors: np.ndarray, threshold: int = HNSW_THRESHOLD, threads: int | None = None) -> "VectorIndex":
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = vectors.shape[1] if vectors.ndim == 2 and vectors.shape[0] else 384
        if threads:
            faiss.omp_set_num_threads(threads)
        if len(vectors) >= threshold:
            index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = 40
        else:
            index = faiss.IndexFlatIP(dim)
        if len(vectors):
            index.add(vectors)
        if isinstance(index, faiss.IndexHNSWFlat):
            index.hnsw.efSearch = HNSW_EF_SEARCH
        return cls(index, vectors)

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(scores, row ids) of the k nearest units."""
        if self.index.ntotal == 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        scores, ids = self.index.search(query.reshape(1, -1).astype(np.float32), min(k, self.index.ntotal))
        keep = ids[0] >= 0
        return scores[0][keep], ids[0][keep]

    def scores_for(self, rows: np.ndarray, query: np.ndarray) -> np.ndarray:
        """Exact scores of a subset of units (used when filters select few)."""
        return self.vectors[rows] @ query.astype(np.float32)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / "vectors.npy", self.vectors)
        faiss.write_index(self.index, str(directory / "dense.faiss"))

    @classmethod
    def load(cls, directory: Path) -> "VectorIndex":
        index = faiss.read_index(str(directory / "dense.faiss"))
        if isinstance(index, faiss.IndexHNSWFlat):
            index.hnsw.efSearch = HNSW_EF_SEARCH
        return cls(index, np.load(directory / "vectors.npy", mmap_mode="r"))
