"""Scoring an ingest against hand-made gold (tests/data/gold_seeds.json) or generator records.

Agencies are compared by identity, not by string: an extracted owner matches a
gold name when the name is one of the names the owner's gazetteer entry is
known by (label, aliases, abbreviated forms), ignoring case, diacritics and a
trailing level word ("tỉnh", "huyện"). Unlisted owners compare by label.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ingest.agencies import _surface_variants, tokenize
from ingest.gazetteer import default_gazetteer
from ingest.normalize import match_key

_LEVEL_TAIL = re.compile(r"\s+(tinh|huyen|cap tinh|cap huyen)$")


def _key(name: str) -> str:
    """Folded tokens ("Văn phòng HĐND&UBND" = "van phong hdnd & ubnd"), no trailing level word."""
    tokens = " ".join(t for t, _, _ in tokenize(match_key(name).strip(" .,;:")))
    return _LEVEL_TAIL.sub("", tokens)


@lru_cache(maxsize=None)
def entry_names(entry_id: str) -> frozenset[str]:
    entry = default_gazetteer().agency(entry_id)
    names = set()
    forms = [f for f in (entry.vi, *entry.aliases) if "{province}" not in f]
    forms += [f.replace("{province}", p.name) for f in entry.aliases if "{province}" in f
              for p in default_gazetteer().provinces]
    for form in forms:
        for variant in _surface_variants(form):
            names.add(_key(variant))
    return frozenset(names)


def agency_matches(agency: dict, name: str) -> bool:
    entry_id = agency["iri"].rsplit("/", 1)[-1]
    if not entry_id.startswith("x-"):
        try:
            return _key(name) in entry_names(entry_id)
        except KeyError:
            return False
    return _key(name) == _key(agency["label"])


def agencies_equal(extracted: list[dict], names: list[str]) -> bool:
    if len(extracted) != len(names):
        return False
    remaining = list(extracted)
    for name in names:
        hit = next((a for a in remaining if agency_matches(a, name)), None)
        if hit is None:
            return False
        remaining.remove(hit)
    return True


def pair_counts(extracted: list[dict], names: list[str]) -> tuple[int, int, int]:
    """(true positives, extracted count, gold count) for cooperating agencies."""
    remaining = list(extracted)
    tp = 0
    for name in names:
        hit = next((a for a in remaining if agency_matches(a, name)), None)
        if hit is not None:
            tp += 1
            remaining.remove(hit)
    return tp, len(extracted), len(names)


def _norm_text(text: str) -> str:
    return re.sub(r"[^\w]+", " ", match_key(text)).strip()


@dataclass
class TaskScore:
    matched: dict[tuple[str, str], dict] = field(default_factory=dict)   # (file, where) -> extracted task
    missing: list[tuple[str, str]] = field(default_factory=list)
    owner_errors: list[str] = field(default_factory=list)
    coop_tp: int = 0
    coop_extracted: int = 0
    coop_gold: int = 0
    deadline_errors: list[str] = field(default_factory=list)
    total: int = 0

    @property
    def recall(self) -> float:
        return len(self.matched) / self.total if self.total else 0.0

    @property
    def owner_accuracy(self) -> float:
        return 1 - len(self.owner_errors) / len(self.matched) if self.matched else 0.0

    @property
    def coop_f1(self) -> float:
        p = self.coop_tp / self.coop_extracted if self.coop_extracted else 1.0
        r = self.coop_tp / self.coop_gold if self.coop_gold else 1.0
        return 2 * p * r / (p + r) if p + r else 0.0


def score_tasks(gold: dict, tasks: list[dict], seed_files: dict[str, str]) -> TaskScore:
    score = TaskScore(total=len(gold["tasks"]))
    used: set[str] = set()
    for g in gold["tasks"]:
        corpus_name = seed_files[g["file"]]
        section = g["where"].split(" -")[0]
        section = re.sub(r"\s+[a-z]$", "", section)
        start = _norm_text(g["starts_with"])
        hit = next((t for t in tasks if t["iri"] not in used and t["source"]["path"].endswith(corpus_name)
                    and t["section"] == section and start in _norm_text(t["text"])), None)
        key = (g["file"], g["where"])
        if hit is None:
            score.missing.append(key)
            continue
        used.add(hit["iri"])
        score.matched[key] = hit
        if not agencies_equal(hit["owners"], g["owners"]):
            score.owner_errors.append(f"{key}: gold {g['owners']} got {[a['label'] for a in hit['owners']]}")
        tp, n_ext, n_gold = pair_counts(hit["cooperating"], g["cooperating"])
        score.coop_tp += tp
        score.coop_extracted += n_ext
        score.coop_gold += n_gold
        got = (hit["deadline"] or {}).get("raw")
        if (got or None) != (g["deadline"] or None):
            score.deadline_errors.append(f"{key}: gold {g['deadline']!r} got {got!r}")
    return score


def target_matches(extracted: dict, gold_target: dict) -> bool:
    m = re.match(r"^(>=|<=|>|<|~)?\s*([\d.]+)(?:-([\d.]+))?\s*(%)?", gold_target["target"])
    if not m:
        return False
    comparator = m.group(1) or ("range" if m.group(3) else "=")
    if comparator != extracted["comparator"] or float(m.group(2)) != extracted["quantity"]:
        return False
    if m.group(3) and float(m.group(3)) != extracted["upper"]:
        return False
    if bool(m.group(4)) != (extracted["unit"] == "%"):
        return False
    baseline = gold_target.get("baseline")
    if baseline is not None and (extracted["baseline"] is None or float(baseline.rstrip("%")) != extracted["baseline"]):
        return False
    return gold_target.get("year") == extracted["year"]
