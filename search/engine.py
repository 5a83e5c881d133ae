"""Hybrid search: BM25 and dense rankings fused by reciprocal rank, with graph filters
and query understanding (an agency named in the query puts its tasks first).
"""

from __future__ import annotations

import gc
from dataclasses import dataclass, field

import numpy as np

from ingest.agencies import default_matcher
from ingest.normalize import fold

from .embedders import Embedder
from .index import SearchIndex
from .query import QueryError, UnderstoodQuery, understand
from .translate import default_glossary

RRF_K = 60
LEXICAL_WEIGHT = 1.0
DENSE_WEIGHT = 1.0
POOL = 200                    # candidates taken from each ranking before fusion
EXACT_DENSE_MAX = 20_000      # below this many candidate units, dense scores are computed exactly
MODES = ("hybrid", "dense", "lexical")
KINDS = ("task", "target", "passage")


@dataclass
class Filters:
    kind: str | None = None
    agency: str | None = None        # lead agency, as a user types it (vi, folded or en)
    document: str | None = None      # số hiệu, document IRI or source file name
    level: str | None = None         # central | province | district
    due_after: str | None = None     # ISO dates, on the deadline's end
    due_before: str | None = None


@dataclass
class SearchResult:
    hits: list[dict]
    query: UnderstoodQuery
    notes: list[str] = field(default_factory=list)


def _inverted(agencies_per_unit: list[list[str]]) -> dict[str, np.ndarray]:
    """Agency id -> the rows of the units it leads (or cooperates on)."""
    rows: dict[str, list[int]] = {}
    for row, agencies in enumerate(agencies_per_unit):
        for agency in agencies:
            rows.setdefault(agency, []).append(row)
    return {agency: np.array(r, dtype=np.int64) for agency, r in rows.items()}


class SearchEngine:
    def __init__(self, index: SearchIndex, embedder: Embedder):
        self.index = index
        self.embedder = embedder
        units = index.units
        self._kind = np.array([u.kind for u in units]) if units else np.array([], dtype=str)
        self._owners = _inverted([[o.get("gazetteer_id") or o["iri"] for o in u.owners] for u in units])
        self._cooperating = _inverted([[o.get("gazetteer_id") or o["iri"] for o in u.cooperating] for u in units])
        self._by_number = _inverted([[(u.document.get("number") or "").lower()] for u in units])
        # The index's millions of small objects never die; keep the cyclic GC from walking them
        # on every full collection (that walk was the p95 latency at 1M units).
        gc.collect()
        gc.freeze()

    # -- filters -----------------------------------------------------------------
    def _mask(self, f: Filters) -> np.ndarray:
        units = self.index.units
        mask = np.ones(len(units), dtype=bool)
        if f.kind:
            if f.kind not in KINDS:
                raise QueryError(f"unknown kind {f.kind!r}; one of {', '.join(KINDS)}")
            mask &= self._kind == f.kind
        if f.agency:
            mask &= self._rows_of(self._owners, self._agency_ids(f.agency), len(units))
        if f.document:
            key = "".join(f.document.split()).lower()
            mask &= np.array([(u.document.get("number") or "").lower() == key or u.document["iri"] == f.document
                              or (u.source and u.source["path"].rsplit("/", 1)[-1] in (f.document,))
                              for u in units], dtype=bool)
        if f.level:
            mask &= np.array([u.level == f.level for u in units], dtype=bool)
        if f.due_after or f.due_before:
            def due(u) -> bool:
                end = (u.deadline or {}).get("end")
                return bool(end) and (not f.due_after or end >= f.due_after) and (not f.due_before or end <= f.due_before)
            mask &= np.array([due(u) for u in units], dtype=bool)
        return mask

    def _agency_ids(self, name: str) -> list[str]:
        entries = default_matcher().lookup(name)
        if entries:
            return [e.id for e in entries]
        key = fold(name)
        found = {o.get("gazetteer_id") or o["iri"] for u in self.index.units for o in u.owners
                 if key in fold(o["label"])}
        if not found:
            raise QueryError(f"no agency matches {name!r}")
        return sorted(found)

    # -- rankings ------------------------------------------------------------------
    def _lexical_rank(self, query: str, rows: np.ndarray) -> list[int]:
        scores = self.index.lexical.scores(query)
        if len(rows) < len(scores):
            scores = scores[rows]
        else:
            rows = None                                    # all units: no copy
        positive = np.flatnonzero(scores > 0)
        if len(positive) > POOL:                           # top POOL without sorting them all
            positive = positive[np.argpartition(-scores[positive], POOL)[:POOL]]
        order = positive[np.argsort(-scores[positive], kind="stable")]
        return (order if rows is None else rows[order]).tolist()

    def _dense_rank(self, vector: np.ndarray, rows: np.ndarray, restricted: bool) -> list[int]:
        if len(rows) == 0:
            return []
        if not restricted and len(rows) > EXACT_DENSE_MAX:
            _, ids = self.index.dense.search(vector, POOL)
            return ids.tolist()
        if restricted and len(rows) > EXACT_DENSE_MAX:
            _, ids = self.index.dense.search(vector, POOL * 10)
            allowed = set(rows.tolist())
            return [i for i in ids.tolist() if i in allowed][:POOL]
        scores = self.index.dense.scores_for(rows, vector)
        order = np.argsort(-scores, kind="stable")[:POOL]
        return rows[order].tolist()

    @staticmethod
    def _fuse(rankings: list[tuple[float, list[int]]]) -> dict[int, float]:
        """Weighted reciprocal rank fusion."""
        fused: dict[int, float] = {}
        for weight, ranking in rankings:
            for rank, row in enumerate(ranking):
                fused[row] = fused.get(row, 0.0) + weight / (RRF_K + rank + 1)
        return fused

    def query_forms(self, text: str) -> dict[str, list[str]]:
        """What each ranking searches for: the query itself, its diacritics restored (for the
        dense model), or, for English, its Vietnamese rendering through the glossary."""
        if not text.isascii():
            return {"language": ["vi"], "lexical": [text], "dense": [text]}
        vi_share = self.index.restorer.known_share(text)
        glossary = default_glossary()
        if glossary.english_share(text) > vi_share or vi_share < 0.6:
            translated = glossary.translate(text)   # English words match nothing in Vietnamese BM25
            return {"language": ["en"], "lexical": [translated] if translated else [text],
                    "dense": [t for t in (text, translated) if t]}
        return {"language": ["vi-ascii"], "lexical": [text], "dense": [self.index.restorer.restore(text)]}

    # -- search ------------------------------------------------------------------------
    def search(self, query: str, limit: int = 10, mode: str = "hybrid", filters: Filters | None = None) -> SearchResult:
        if mode not in MODES:
            raise QueryError(f"unknown mode {mode!r}; one of {', '.join(MODES)}")
        if limit < 1:
            raise QueryError("limit must be at least 1")
        understood = understand(query)
        filters = filters or Filters()
        mask = self._mask(filters)
        rows = np.nonzero(mask)[0]
        restricted = len(rows) < len(mask)
        forms = self.query_forms(understood.text)
        vectors = [self.embedder.embed_query(t) for t in forms["dense"]] if mode != "lexical" else []
        fused = self._fuse(self._rankings(mode, forms["lexical"], vectors, rows, restricted))
        for row in self._about_numbers(understood, rows):
            fused[row] = fused.get(row, 0.0) + 1.0 / (RRF_K + 1)
        ordered = sorted(fused, key=lambda r: -fused[r])
        first = self._named_agency_rows(understood, filters, rows)
        if first:
            sub = np.array(sorted(first), dtype=np.int64)
            sub_fused = self._fuse(self._rankings(mode, forms["lexical"], vectors, sub, True))
            head = sorted(first, key=lambda r: (-sub_fused.get(r, 0.0), r))
            ordered = head + [r for r in ordered if r not in first]
            fused = {**fused, **{r: 1.0 + sub_fused.get(r, 0.0) for r in head}}
        hits = [self._hit(row, fused.get(row, 0.0)) for row in ordered[:limit]]
        return SearchResult(hits, understood, list(understood.notes))

    def _rankings(self, mode: str, lexical: list[str], vectors: list[np.ndarray], rows: np.ndarray,
                  restricted: bool) -> list[tuple[float, list[int]]]:
        """The weighted rankings the mode asks for, over the given rows."""
        rankings: list[tuple[float, list[int]]] = []
        if mode != "dense":
            rankings += [(LEXICAL_WEIGHT, self._lexical_rank(t, rows)) for t in lexical]
        if mode != "lexical":
            rankings += [(DENSE_WEIGHT, self._dense_rank(v, rows, restricted)) for v in vectors]
        return rankings

    def _named_agency_rows(self, q: UnderstoodQuery, f: Filters, rows: np.ndarray) -> set[int]:
        """Units the agency named in the query leads (or cooperates on, if the query says so)."""
        if not q.agency_ids or f.agency:
            return set()
        table = self._cooperating if q.role == "cooperating" else self._owners
        named = self._rows_of(table, q.agency_ids, len(self.index.units))
        if len(rows) < len(named):
            keep = np.zeros(len(named), dtype=bool)
            keep[rows] = True
            named &= keep
        return set(np.flatnonzero(named).tolist())

    @staticmethod
    def _rows_of(table: dict[str, np.ndarray], ids, size: int) -> np.ndarray:
        """Boolean mask of the units whose agencies include any of ``ids``."""
        mask = np.zeros(size, dtype=bool)
        for agency in ids:
            if agency in table:
                mask[table[agency]] = True
        return mask

    def _about_numbers(self, q: UnderstoodQuery, rows: np.ndarray) -> list[int]:
        """Units of the documents the query names by số hiệu (BM25 already finds texts citing them)."""
        if not q.numbers:
            return []
        named = self._rows_of(self._by_number, [n.lower() for n in q.numbers], len(self.index.units))
        if len(rows) < len(named):
            keep = np.zeros(len(named), dtype=bool)
            keep[rows] = True
            named &= keep
        return np.flatnonzero(named).tolist()

    def _hit(self, row: int, score: float) -> dict:
        u = self.index.units[row]
        return {
            "iri": u.iri, "kind": u.kind, "text": u.text, "score": round(float(score), 6),
            "document": {"iri": u.document["iri"], "number": u.document.get("number"),
                         "title": u.document.get("title")},
            "owners": [{"iri": o["iri"], "label": o["label"]} for o in u.owners],
            "cooperating": [{"iri": o["iri"], "label": o["label"]} for o in u.cooperating],
            "deadline": u.deadline, "source": u.source, "section": u.section, "level": u.level,
        }
