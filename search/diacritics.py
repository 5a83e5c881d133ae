"""Restore diacritics of a query typed without them, from the corpus's own syllable statistics.

The dense model reads "ke hoach dao tao" poorly (NFD/ASCII input shifts its
vectors); BM25 does not care (it folds). So for dense search a query without
diacritics is first restored to the most likely Vietnamese spelling given the
indexed texts: a Viterbi pass over syllable bigram counts.

>>> r = Restorer.from_texts(["Kế hoạch đào tạo, bồi dưỡng trí thức", "kế hoạch này"])
>>> r.restore("ke hoach dao tao tri thuc")
'kế hoạch đào tạo trí thức'
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter, defaultdict
from pathlib import Path

from ingest.normalize import canonical, fold

_SYLLABLE = re.compile(r"\w+")


class Restorer:
    def __init__(self, unigrams: dict[str, int], bigrams: dict[str, int]):
        self.unigrams = unigrams                      # "kế" -> count
        self.bigrams = bigrams                        # "kế hoạch" -> count
        self.by_fold: dict[str, list[str]] = defaultdict(list)
        for word in unigrams:
            self.by_fold[fold(word)].append(word)

    @classmethod
    def from_texts(cls, texts: list[str]) -> "Restorer":
        unigrams: Counter[str] = Counter()
        bigrams: Counter[str] = Counter()
        for text in texts:
            words = [w.lower() for w in _SYLLABLE.findall(canonical(text))]
            unigrams.update(words)
            bigrams.update(f"{a} {b}" for a, b in zip(words, words[1:]))
        return cls(dict(unigrams), dict(bigrams))

    def known_share(self, query: str) -> float:
        """Share of the query's syllables that are (folded) syllables of the corpus."""
        words = _SYLLABLE.findall(fold(query))
        return sum(w in self.by_fold for w in words) / len(words) if words else 0.0

    def restore(self, query: str) -> str:
        words = _SYLLABLE.findall(fold(query))
        if not words:
            return query
        total = sum(self.unigrams.values()) or 1
        # Viterbi: state = chosen spelling of the current syllable
        best: dict[str, tuple[float, list[str]]] = {}
        for i, word in enumerate(words):
            candidates = self.by_fold.get(word) or [word]
            step: dict[str, tuple[float, list[str]]] = {}
            for cand in candidates:
                emit = math.log((self.unigrams.get(cand, 0) + 0.1) / total)
                if i == 0:
                    step[cand] = (emit, [cand])
                    continue
                options = []
                for prev, (score, path) in best.items():
                    pair = self.bigrams.get(f"{prev} {cand}", 0)
                    trans = math.log((pair + 0.01) / (self.unigrams.get(prev, 0) + 1))
                    options.append((score + trans + 0.2 * emit, path + [cand]))
                step[cand] = max(options)
            best = step
        return " ".join(max(best.values())[1])

    def save(self, path: Path) -> None:
        path.write_text(json.dumps({"unigrams": self.unigrams, "bigrams": self.bigrams}, ensure_ascii=False),
                        encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "Restorer":
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["unigrams"], data["bigrams"])
