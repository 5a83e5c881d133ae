"""sentence-transformers for any model name or local path the user already has.

Always ``local_files_only=True`` with the hub switched off: a model that is not
on this machine fails at once with a clear message; nothing is downloaded.
Install the extra with ``pip install -e '.[st]'`` (torch==2.13.0 first).
"""

from __future__ import annotations

import os
import unicodedata

import numpy as np

from .base import EmbedderError

E5_LIKE = ("e5", "bge-m3")


class SentenceTransformerEmbedder:
    def __init__(self, model: str, query_prefix: str | None = None, passage_prefix: str | None = None):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as err:
            raise EmbedderError(
                "the sentence-transformers backend needs the optional extra: "
                "pip install torch==2.13.0 && pip install -e '.[st]'") from err
        try:
            self._model = SentenceTransformer(model, local_files_only=True, device="cpu")
        except Exception as err:  # OSError, ValueError, HF errors: all mean "not here"
            raise EmbedderError(
                f"sentence-transformers model {model!r} is not available locally "
                f"(no download is attempted): {type(err).__name__}: {err}") from err
        self.name = self.option = f"st:{model}"
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim())
        e5 = "e5" in model.lower()
        self.query_prefix = query_prefix if query_prefix is not None else ("query: " if e5 else "")
        self.passage_prefix = passage_prefix if passage_prefix is not None else ("passage: " if e5 else "")

    def _encode(self, texts: list[str]) -> np.ndarray:
        texts = [unicodedata.normalize("NFC", t) for t in texts]
        vectors = self._model.encode(texts, normalize_embeddings=True, convert_to_numpy=True, batch_size=32,
                                     show_progress_bar=False)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return self._encode([self.passage_prefix + t for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([self.query_prefix + text])[0]
