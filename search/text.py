"""Text forms for search: folded syllables + bigrams for BM25, prefixed-free passages for embedding.

>>> lexical_tokens("Sở Nội vụ chủ trì")
['so', 'noi', 'vu', 'chu', 'tri', 'so_noi', 'noi_vu', 'vu_chu', 'chu_tri']
"""

from __future__ import annotations

import re

from ingest.normalize import canonical, fold

_WORD = re.compile(r"\w+")


def syllables(text: str) -> list[str]:
    return _WORD.findall(fold(canonical(text)))


def lexical_tokens(text: str) -> list[str]:
    """Diacritic-folded syllables plus syllable bigrams (Vietnamese words are 1-3 syllables)."""
    words = syllables(text)
    return words + [f"{a}_{b}" for a, b in zip(words, words[1:])]


def window(words: list[str], size: int = 200, overlap: int = 40) -> list[str]:
    """Split a long passage into windows of at most ``size`` words."""
    if len(words) <= size:
        return [" ".join(words)]
    step = size - overlap
    return [" ".join(words[i:i + size]) for i in range(0, max(1, len(words) - overlap), step)]
