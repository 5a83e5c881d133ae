"""Score the extractor on synthetic plans: task recall, owner accuracy, cooperating F1.

Used by tests/test_generality.py and runnable alone:
``python bench/synthetic_score.py --count 200 --seed 3`` prints the scores and the first misses.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic import SyntheticPlan, write_corpus  # noqa: E402
from ingest.analyse import analyse_file  # noqa: E402
from ingest.errors import IngestError  # noqa: E402
from ingest.normalize import match_key  # noqa: E402
from ingest.gold import agencies_equal, agency_matches  # noqa: E402


def _norm(text: str) -> str:
    return re.sub(r"[^\w]+", " ", match_key(text)).strip()


@dataclass
class Scores:
    gold_tasks: int = 0
    extracted_tasks: int = 0
    matched: int = 0
    owners_right: int = 0
    coop_tp: int = 0
    coop_extracted: int = 0
    coop_gold: int = 0
    deadlines_right: int = 0
    failed_files: list[str] = field(default_factory=list)
    misses: list[str] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return self.matched / self.gold_tasks if self.gold_tasks else 0.0

    @property
    def precision(self) -> float:
        return self.matched / self.extracted_tasks if self.extracted_tasks else 0.0

    @property
    def owner_accuracy(self) -> float:
        return self.owners_right / self.matched if self.matched else 0.0

    @property
    def coop_f1(self) -> float:
        p = self.coop_tp / self.coop_extracted if self.coop_extracted else 1.0
        r = self.coop_tp / self.coop_gold if self.coop_gold else 1.0
        return 2 * p * r / (p + r) if p + r else 0.0

    def line(self) -> str:
        return (f"tasks recall {self.recall:.3f} precision {self.precision:.3f} ({self.matched}/{self.gold_tasks}, "
                f"extracted {self.extracted_tasks}), owner accuracy {self.owner_accuracy:.3f}, cooperating F1 "
                f"{self.coop_f1:.3f}, deadline raw {self.deadlines_right}/{self.matched}, "
                f"failed files {len(self.failed_files)}")


def _as_dicts(agencies) -> list[dict]:
    return [{"iri": "x/" + a.key, "label": a.label_vi} for a in agencies]


def score_plan(plan: SyntheticPlan, path: Path, scores: Scores) -> None:
    gold = [t for t in plan.tasks if t.owners]
    scores.gold_tasks += len(gold)
    try:
        parsed = analyse_file(path)
    except IngestError as err:
        scores.failed_files.append(f"{path.name}: {err}")
        return
    tasks = parsed.tasks
    scores.extracted_tasks += len(tasks)
    used: set[int] = set()
    for g in gold:
        start = _norm(g.text_start)
        hit = next((i for i, t in enumerate(tasks) if i not in used and t.section == g.section
                    and start in _norm(t.text)), None)
        if hit is None:
            scores.misses.append(f"{path.name} {g.section} {g.text_start!r} owners={g.owners}")
            continue
        used.add(hit)
        task = tasks[hit]
        scores.matched += 1
        if agencies_equal(_as_dicts(task.owners), g.owners):
            scores.owners_right += 1
        else:
            scores.misses.append(f"{path.name} {g.section} owners gold={g.owners} got={[a.label_vi for a in task.owners]}")
        extracted = _as_dicts(task.cooperating)
        remaining = list(extracted)
        for name in g.cooperating:
            m = next((a for a in remaining if agency_matches(a, name)), None)
            if m:
                remaining.remove(m)
                scores.coop_tp += 1
        scores.coop_extracted += len(extracted)
        scores.coop_gold += len(g.cooperating)
        if (task.deadline.raw if task.deadline else None) == g.deadline_raw:
            scores.deadlines_right += 1


def run(count: int, seed: int, directory: Path | None = None) -> Scores:
    directory = directory or Path(tempfile.mkdtemp(prefix="synthetic-"))
    plans = write_corpus(directory, count, seed)
    scores = Scores()
    for plan in plans:
        score_plan(plan, directory / plan.filename, scores)
    return scores


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show", type=int, default=30, help="misses to print")
    args = parser.parse_args()
    t0 = time.perf_counter()
    scores = run(args.count, args.seed)
    print(scores.line(), f"({time.perf_counter() - t0:.1f} s)")
    for line in scores.failed_files[: args.show] + scores.misses[: args.show]:
        print("  ", line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
