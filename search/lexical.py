"""BM25 over folded syllables and bigrams (bm25s)."""

from __future__ import annotations

from pathlib import Path

import bm25s
import numpy as np

from .text import lexical_tokens


class LexicalIndex:
    def __init__(self, retriever: bm25s.BM25 | None = None, size: int = 0):
        self.retriever = retriever
        self.size = size

    @classmethod
    def build(cls, texts: list[str]) -> "LexicalIndex":
        retriever = bm25s.BM25(k1=1.2, b=0.75)
        corpus = [lexical_tokens(t) or ["_"] for t in texts]
        if corpus:
            retriever.index(corpus, show_progress=False)
        return cls(retriever if corpus else None, len(corpus))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every unit (0 where no query token occurs)."""
        if self.retriever is None:
            return np.zeros(self.size, dtype=np.float32)
        tokens = [t for t in lexical_tokens(query) if t in self.retriever.vocab_dict]
        if not tokens:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self.retriever.get_scores(tokens), dtype=np.float32)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        if self.retriever is not None:
            self.retriever.save(str(directory), show_progress=False)
        (directory / "size").write_text(str(self.size))

    @classmethod
    def load(cls, directory: Path) -> "LexicalIndex":
        size = int((directory / "size").read_text())
        if size == 0:
            return cls(None, 0)
        return cls(bm25s.BM25.load(str(directory), show_progress=False, mmap=False), size)
