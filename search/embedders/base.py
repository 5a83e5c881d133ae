"""The embedder contract."""

from __future__ import annotations

from typing import Protocol

import numpy as np


class EmbedderError(RuntimeError):
    """An embedder cannot be loaded or used (missing extra, missing model, …)."""


class Embedder(Protocol):
    """Turns text into L2-normalised float32 vectors.

    ``name`` identifies the model; an index built with one name refuses another.
    Inputs are NFC-normalised by the caller (search.text.passage_text / query_text).
    """

    name: str
    dim: int

    def embed_passages(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...
