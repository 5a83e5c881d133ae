"""Task alignment: which higher task a lower task takes up, and which body item an annex row restates.

A pair is scored from four kinds of evidence, each reported with the link:
- semantic similarity of the two texts (the search index's embeddings);
- a shared named deliverable: the longest run of words both texts contain
  ("cơ sở dữ liệu về đội ngũ trí thức"), and the overlap of their word pairs;
- corresponding agencies across levels (the gazetteer's ``counterpart`` and
  ``members``: Sở Nội vụ ↔ Phòng Nội vụ, UBND tỉnh ↔ UBND huyện,
  Ban Tổ chức Tỉnh ủy ↔ Ban Tổ chức Huyện ủy);
- documents both cite (other than the ones both plans implement).
Weights and the threshold were calibrated on tests/data/alignment_labels.json
(docs/ALIGNMENT.md); links at or above the threshold are asserted, the next
best are kept as candidates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from ingest.gazetteer import Gazetteer, default_gazetteer
from ingest.references import find_references
from ingest.store import GraphStore

from .text import syllables

# Calibrated with bench/calibrate_alignment.py on tests/data/alignment_labels.json (docs/ALIGNMENT.md)
W_SEMANTIC = 0.60
W_PHRASE = 0.20
W_AGENCY = 0.15
W_CITATION = 0.10
THRESHOLD = 0.438           # asserted at or above (0.46 of the weights' sum 1.05)
SEMANTIC_FLOOR = 0.78       # used when no baseline is known: e5 cosine of unrelated admin sentences
SEMANTIC_SPAN = 0.06        # cosine above the item's own mean that counts as fully similar
MIN_PHRASE = 3              # words in a shared phrase that counts as a deliverable
MIN_EVIDENCE_SCORE = 0.19   # candidates below this are not worth listing


@dataclass
class Item:
    iri: str
    kind: str                       # task | measure
    text: str
    document: str
    section: str
    owner_ids: frozenset[str] = frozenset()
    owners: list[dict] = field(default_factory=list)
    refs: frozenset[str] = frozenset()
    deadline: dict | None = None
    source: dict | None = None
    vector: np.ndarray | None = None


@dataclass
class Alignment:
    lower: Item
    higher: Item
    score: float
    evidence: list[str]
    asserted: bool

    def as_dict(self) -> dict:
        def side(item: Item) -> dict:
            return {"iri": item.iri, "kind": item.kind, "text": item.text, "section": item.section,
                    "document": item.document, "owners": item.owners, "deadline": item.deadline,
                    "source": item.source}
        return {"lower": side(self.lower), "higher": side(self.higher), "score": round(self.score, 3),
                "evidence": self.evidence, "asserted": self.asserted}


def read_items(store: GraphStore, document: str) -> list[Item]:
    """Tasks and measures of one document with owners, cited numbers, deadline and source."""
    return read_items_of(store, [document])[document]


def item_iris(store: GraphStore, documents: list[str]) -> list[str]:
    """The IRIs of the tasks and measures of ``documents`` (what ``read_items_of`` would read)."""
    if not documents:
        return []
    return [r["x"] for r in store.select(f"""SELECT ?x WHERE {{
        VALUES ?doc {{ {" ".join(f"<{d}>" for d in documents)} }} VALUES ?type {{ pkg:Task pkg:Measure }}
        ?x pkg:inDocument ?doc ; a ?type }}""")]


def read_items_of(store: GraphStore, documents: list[str]) -> dict[str, list[Item]]:
    """``read_items`` for many documents at once (three queries in all)."""
    values = "VALUES ?doc { " + " ".join(f"<{d}>" for d in documents) + " }"
    rows = store.select(f"""
        SELECT ?doc ?x ?kind ?text ?section ?order ?path ?line ?end ?raw WHERE {{
          {values}     # the kinds as VALUES, not a UNION (which oxigraph evaluated over every task: 37 s at 10M)
          VALUES (?type ?kind) {{ (pkg:Task "task") (pkg:Measure "measure") }}
          ?x pkg:inDocument ?doc ; a ?type ; pkg:text ?text ; pkg:sectionNumber ?section ; pkg:order ?order .
          OPTIONAL {{ ?x prov:wasDerivedFrom ?s . ?s pkg:firstLine ?line ; pkg:sourceFile/pkg:path ?path }}
          OPTIONAL {{ ?x pkg:deadline ?d . ?d pkg:rawText ?raw OPTIONAL {{ ?d time:hasEnd/time:inXSDDate ?end }} }}
        }} ORDER BY ?doc ?kind ?order""")
    owners = store.select(f"""
        SELECT DISTINCT ?x ?a ?gid ?label WHERE {{
          {values} ?x pkg:inDocument ?doc ; pkg:owner ?a . ?a skos:prefLabel ?label FILTER(lang(?label) = "vi")
          OPTIONAL {{ ?a pkg:gazetteerId ?gid }} }}""")
    refs = store.select(f"""
        SELECT DISTINCT ?x ?n WHERE {{ {values} ?x pkg:inDocument ?doc ; pkg:refersTo/eli:id_local ?n }}""")
    by_owner: dict[str, list[dict]] = {}
    for r in owners:
        people = by_owner.setdefault(r["x"], [])
        if all(o["iri"] != r["a"] for o in people):     # one entry per agency, whatever labels it has
            people.append({"iri": r["a"], "label": r["label"], "gazetteer_id": r["gid"]})
    by_ref: dict[str, set[str]] = {}
    for r in refs:
        by_ref.setdefault(r["x"], set()).add(r["n"])
    items: dict[str, list[Item]] = {d: [] for d in documents}
    for r in rows:
        people = by_owner.get(r["x"], [])
        items[r["doc"]].append(Item(
            iri=r["x"], kind=r["kind"], text=r["text"], document=r["doc"], section=r["section"],
            owner_ids=frozenset(o["gazetteer_id"] or o["iri"] for o in people),
            owners=[{"iri": o["iri"], "label": o["label"]} for o in people],
            refs=frozenset(by_ref.get(r["x"], ())),
            deadline={"raw": r["raw"], "end": r["end"]} if r["raw"] else None,
            source={"path": r["path"], "line": int(r["line"])} if r["path"] else None,
        ))
    return items


def attach_vectors(items: list[Item], index, embedder) -> None:
    """Vectors from the search index where the item is a unit; the rest are embedded now."""
    rows = {u.id: i for i, u in enumerate(index.units)} if index is not None else {}
    missing = []
    for item in items:
        row = rows.get(item.iri)
        if row is not None:
            item.vector = np.asarray(index.dense.vectors[row], dtype=np.float32)
        else:
            missing.append(item)
    if missing:
        vectors = embedder.embed_passages([m.text for m in missing])
        for item, vector in zip(missing, vectors):
            item.vector = vector


def corresponding(a: frozenset[str], b: frozenset[str], gazetteer: Gazetteer | None = None) -> str | None:
    """A pair of owners that are the same agency or correspond across levels, as evidence text."""
    gazetteer = gazetteer or default_gazetteer()
    for x in a:
        for y in b:
            if x == y:
                return f"same agency ({x})"
            ex, ey = _entry(gazetteer, x), _entry(gazetteer, y)
            if ex is None or ey is None:
                continue
            links = {(ex.counterpart, ey.id), (ey.counterpart, ex.id), (ex.members, ey.id), (ey.members, ex.id)}
            if any(p == q for p, q in links if p):
                return f"corresponding agencies ({ey.vi} ↔ {ex.vi})"
            if ex.members and ey.counterpart == ex.members or ey.members and ex.counterpart == ey.members:
                return f"corresponding agencies ({ey.vi} ↔ {ex.vi})"
    return None


def _entry(gazetteer: Gazetteer, agency_id: str):
    try:
        return gazetteer.agency(agency_id)
    except KeyError:
        return None


def shared_phrase(a: str, b: str) -> str:
    """The longest run of words both texts contain (diacritic-insensitive), as written in ``a``."""
    wa, wb = syllables(a), syllables(b)
    best = (0, 0)
    previous = [0] * (len(wb) + 1)
    for i in range(1, len(wa) + 1):
        current = [0] * (len(wb) + 1)
        for j in range(1, len(wb) + 1):
            if wa[i - 1] == wb[j - 1]:
                current[j] = previous[j - 1] + 1
                if current[j] > best[0]:
                    best = (current[j], i)
        previous = current
    length, end = best
    if length < MIN_PHRASE:
        return ""
    original = a.split()
    return " ".join(original[end - length:end]) if len(original) == len(wa) else " ".join(wa[end - length:end])


def without_references(text: str, numbers: frozenset[str]) -> str:
    """The text with mentions of the given documents removed ("Nghị quyết số 45-NQ/TW ngày …"):
    every plan of a cascade names its parents, which says nothing about which task is which."""
    for ref in reversed(find_references(text)):
        if ref.number in numbers:
            start = max(0, ref.start - 24)
            text = text[:start] + " " + text[ref.end:]
    return text


def _bigrams(text: str) -> set[str]:
    words = syllables(text)
    return {f"{x} {y}" for x, y in zip(words, words[1:])}


def bigram_weights(texts: list[str]) -> dict[str, float]:
    """Inverse document frequency of word pairs over the items being aligned: the plans'
    common vocabulary ("đội ngũ trí thức", "triển khai thực hiện") weighs little."""
    df: dict[str, int] = {}
    for text in texts:
        for b in _bigrams(text):
            df[b] = df.get(b, 0) + 1
    n = max(1, len(texts))
    return {b: math.log((n + 1) / (c + 0.5)) for b, c in df.items()}


@dataclass(frozen=True)
class Features:
    cosine: float
    baseline: float | None
    phrase: str
    overlap: float              # weighted share of word pairs the two texts have in common
    agencies: str | None
    cited: frozenset[str]

    def score(self) -> float:
        floor = SEMANTIC_FLOOR if self.baseline is None else self.baseline
        semantic = min(1.0, max(0.0, (self.cosine - floor) / SEMANTIC_SPAN))
        total = W_SEMANTIC + W_PHRASE + W_AGENCY + W_CITATION   # scores stay in [0, 1]
        return (W_SEMANTIC * semantic + W_PHRASE * self.overlap + W_AGENCY * (1.0 if self.agencies else 0.0)
                + W_CITATION * (1.0 if self.cited else 0.0)) / total

    def evidence(self) -> list[str]:
        out = [f"semantic similarity {self.cosine:.2f}"]
        if self.phrase:
            out.append(f"shared phrase: “{self.phrase}”")
        if self.agencies:
            out.append(self.agencies)
        if self.cited:
            out.append("both cite " + ", ".join(sorted(self.cited)))
        return out


def pair_features(lower: Item, higher: Item, ignore_refs: frozenset[str] = frozenset(),
                  weights: dict[str, float] | None = None, baseline: float | None = None) -> Features:
    """The evidence for one pair. ``baseline``: the lower item's mean cosine to all higher items;
    similarity counts by how far it stands above what this text shares with anything."""
    cosine = float(np.dot(lower.vector, higher.vector)) if lower.vector is not None else 0.0
    low_text, high_text = without_references(lower.text, ignore_refs), without_references(higher.text, ignore_refs)
    a, b = _bigrams(low_text), _bigrams(high_text)
    weights = weights or {}

    def mass(pairs: set[str]) -> float:
        return sum(weights.get(x, 1.0) for x in pairs)

    overlap = min(1.0, mass(a & b) / min(mass(a), mass(b))) if a and b else 0.0
    return Features(cosine, baseline, shared_phrase(low_text, high_text), overlap,
                    corresponding(lower.owner_ids, higher.owner_ids), (lower.refs & higher.refs) - ignore_refs)


def candidate_features(lower: list[Item], higher: list[Item], ignore_refs: frozenset[str] = frozenset()
                       ) -> dict[str, list[tuple[Features, Item]]]:
    """Features of every (lower, higher) pair, by lower IRI."""
    weights = bigram_weights([without_references(i.text, ignore_refs) for i in lower + higher])
    out = {}
    for item in lower:
        others = [h for h in higher if h.iri != item.iri]
        baseline = float(np.mean([np.dot(item.vector, h.vector) for h in others])) if others else None
        out[item.iri] = [(pair_features(item, h, ignore_refs, weights, baseline), h) for h in others]
    return out


def align(lower: list[Item], higher: list[Item], ignore_refs: frozenset[str] = frozenset(),
          threshold: float | None = None, candidates: int = 2,
          features: dict[str, list[tuple[Features, Item]]] | None = None) -> list[Alignment]:
    """For each lower item its best higher items; the best is asserted if at or above the threshold."""
    threshold = THRESHOLD if threshold is None else threshold
    features = features if features is not None else candidate_features(lower, higher, ignore_refs)
    by_iri = {i.iri: i for i in lower}
    out: list[Alignment] = []
    for iri, pairs in features.items():
        scored = sorted(((f.score(), f, h) for f, h in pairs), key=lambda s: -s[0])
        for rank, (score, f, h) in enumerate(scored[:candidates]):
            if score < MIN_EVIDENCE_SCORE:
                break
            out.append(Alignment(by_iri[iri], h, score, f.evidence(), asserted=(rank == 0 and score >= threshold)))
    return out


def restatements(items: list[Item]) -> list[Alignment]:
    """Within one document: each annex row linked to the body item it restates."""
    annex = [i for i in items if i.kind == "task" and i.section.startswith(("annex", "table"))]
    body = [i for i in items if not i.section.startswith(("annex", "table"))]
    return [a for a in align(annex, body, candidates=1)]


def label_scores(asserted: dict[str, str], labels: dict[str, list[str]], low: str, high: str
                 ) -> tuple[float, float, int, int, int]:
    """Precision, recall, tp, fp, fn of asserted links (lower IRI -> higher IRI) against labels
    that name items by their path below the lower / higher document IRI; an empty label list
    means the item should have no link."""
    tp = fp = fn = 0
    for key, acceptable in labels.items():
        got = asserted.get(f"{low}/{key}")
        got = got[len(high) + 1:] if got else None
        if got and got in acceptable:
            tp += 1
        elif got:
            fp += 1
            fn += bool(acceptable)
        elif acceptable:
            fn += 1
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0), tp, fp, fn
