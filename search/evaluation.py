"""Search quality on a labelled query set: MRR@10, nDCG@10 and Recall@5 (capped: relevant
items in the top 5 / min(relevant, 5)) per mode and split.

Relevant items are gold tasks (file + where, as in tests/data/gold_seeds.json),
mapped to task IRIs by scoring the ingest against the gold. Splits:
``diacritics`` (the queries as written), ``no_diacritics`` (the same queries
with every diacritic removed, "kế hoạch" -> "ke hoach"), ``english`` (our
English translations, tests/data/queries.en.jsonl).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

from ingest.gold import score_tasks
from ingest.normalize import fold

from .engine import MODES, SearchEngine


@dataclass
class Query:
    text: str
    relevant: set[str]        # task IRIs
    split: str


def _strip_diacritics(text: str) -> str:
    """Remove diacritics but keep the case a user would type: 'Sở Nội vụ' -> 'So Noi vu'."""
    folded = fold(text)
    return "".join(f.upper() if c.isupper() else f for c, f in zip(text, folded))


def load_queries(paths: dict[str, Path], gold: dict, tasks: list[dict], seed_files: dict[str, str]) -> list[Query]:
    """Queries of each file, plus a no-diacritics copy of the Vietnamese ones."""
    matched = score_tasks(gold, tasks, seed_files).matched
    queries: list[Query] = []
    for split, path in paths.items():
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            relevant = {matched[(r["file"], r["where"])]["iri"] for r in row["relevant"]
                        if (r["file"], r["where"]) in matched}
            queries.append(Query(row["query"], relevant, split))
            if split == "diacritics":
                queries.append(Query(_strip_diacritics(row["query"]), relevant, "no_diacritics"))
    return queries


def metrics(ranked: list[str], relevant: set[str]) -> dict[str, float]:
    top10 = ranked[:10]
    rr = next((1.0 / (i + 1) for i, iri in enumerate(top10) if iri in relevant), 0.0)
    dcg = sum(1.0 / math.log2(i + 2) for i, iri in enumerate(top10) if iri in relevant)
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(relevant), 10)))
    # capped recall: a perfect ranking scores 1.0 even with more than 5 relevant items
    recall5 = len(set(ranked[:5]) & relevant) / min(len(relevant), 5) if relevant else 0.0
    return {"mrr@10": rr, "ndcg@10": dcg / ideal if ideal else 0.0, "recall@5": recall5}


def evaluate(engine: SearchEngine, queries: list[Query], modes: tuple[str, ...] = MODES) -> dict:
    """{mode: {split or 'all': {metric: mean}}} plus per-query ranks for inspection."""
    report: dict = {}
    for mode in modes:
        per_split: dict[str, list[dict]] = {}
        for q in queries:
            hits = engine.search(q.text, limit=10, mode=mode).hits
            m = metrics([h["iri"] for h in hits], q.relevant)
            per_split.setdefault(q.split, []).append(m)
            per_split.setdefault("all", []).append(m)
        report[mode] = {split: {k: sum(m[k] for m in ms) / len(ms) for k in ms[0]} | {"n": len(ms)}
                        for split, ms in per_split.items()}
    return report


def format_report(report: dict) -> str:
    lines = ["| mode | split | n | MRR@10 | nDCG@10 | Recall@5 |", "| --- | --- | ---: | ---: | ---: | ---: |"]
    for mode, splits in report.items():
        for split in ("all", "diacritics", "no_diacritics", "english"):
            if split in splits:
                s = splits[split]
                lines.append(f"| {mode} | {split} | {s['n']} | {s['mrr@10']:.3f} | {s['ndcg@10']:.3f} | "
                             f"{s['recall@5']:.3f} |")
    return "\n".join(lines)
