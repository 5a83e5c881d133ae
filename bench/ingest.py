"""Ingest throughput on a synthetic corpus (no embeddings).

Generates N plan-like documents (bench/synthetic.py: 50+ provinces, four kinds of
issuer, varied numbering, owner styles, deadlines, tab/pipe task tables), then
ingests them into a fresh on-disk store and reports plans/s, triples/s and peak
memory, for each configuration side by side, repeated; medians are reported.

    python bench/ingest.py --count 1000 --repeat 3

Writes a Markdown table to stdout (paste into docs/BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synthetic import write_corpus  # noqa: E402

CONFIGS = {
    "analyse only (no RDF, no store)": ["--stage", "analyse"],
    "ingest, no SHACL, 1 process": ["--stage", "ingest", "--jobs", "1", "--no-validate"],
    "ingest, no SHACL, 2 processes": ["--stage", "ingest", "--jobs", "2", "--no-validate"],
    "ingest --bulk, no SHACL, 2 processes": ["--stage", "ingest", "--jobs", "2", "--no-validate", "--bulk"],
    "ingest, SHACL per file, 2 processes": ["--stage", "ingest", "--jobs", "2"],
}


def run_once(corpus: Path, args: list[str]) -> dict:
    """One measurement in a fresh interpreter, so peak RSS is this run's own."""
    out = subprocess.run([sys.executable, __file__, "--worker", str(corpus), *args],
                         check=True, capture_output=True, text=True, cwd=ROOT)
    values = dict(line.split("=", 1) for line in out.stdout.split() if "=" in line)
    return {k: float(v) for k, v in values.items()}


def worker(corpus: Path, stage: str, jobs: int, validate: bool, bulk: bool) -> None:
    from ingest.agencies import default_matcher
    from ingest.analyse import analyse_file
    from ingest.pipeline import collect_files, ingest_paths
    from ingest.store import GraphStore

    files = collect_files([corpus])
    default_matcher()  # built once per process, as in a real run; not timed
    store_dir = Path(tempfile.mkdtemp(prefix="bench-store-"))
    start = time.perf_counter()
    triples = 0
    if stage == "analyse":
        for path in files:
            analyse_file(path)
    else:
        store = GraphStore(store_dir)
        results = ingest_paths(files, store, validate=validate, jobs=jobs, bulk=bulk)
        failed = [r for r in results if r.status == "failed"]
        if failed:
            raise SystemExit(f"{len(failed)} files failed, first: {failed[0].path}: {failed[0].message}")
        triples = sum(r.triples for r in results)
    elapsed = time.perf_counter() - start
    rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rss_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    size = sum(f.stat().st_size for f in store_dir.rglob("*") if f.is_file()) / 1e6
    shutil.rmtree(store_dir, ignore_errors=True)
    print(f"files={len(files)} seconds={elapsed:.3f} triples={triples} rss_mb={rss_self:.0f} "
          f"child_rss_mb={rss_children:.0f} store_mb={size:.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--stage", default="ingest", help=argparse.SUPPRESS)
    parser.add_argument("--jobs", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--no-validate", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--bulk", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.stage, args.jobs, not args.no_validate, args.bulk)
        return 0
    corpus = Path(tempfile.mkdtemp(prefix="bench-corpus-"))
    plans = write_corpus(corpus, args.count, args.seed)
    tasks = sum(len(p.tasks) for p in plans)
    print(f"corpus: {len(plans)} synthetic plans, {tasks} tasks, "
          f"{sum(f.stat().st_size for f in corpus.iterdir()) / 1e6:.1f} MB, cores: {os.cpu_count()}\n")
    print("| configuration | plans/s (median) | runs (plans/s) | triples/s | peak RSS MB (main / workers) |")
    print("| --- | ---: | --- | ---: | --- |")
    for name, extra in CONFIGS.items():
        runs = []
        # interleave nothing else: each configuration runs its repeats back to back, fresh process each
        for _ in range(args.repeat):
            runs.append(run_once(corpus, extra))
        rates = [r["files"] / r["seconds"] for r in runs]
        median = statistics.median(rates)
        triple_rate = statistics.median(r["triples"] / r["seconds"] for r in runs)
        rss = max(r["rss_mb"] for r in runs)
        child = max(r["child_rss_mb"] for r in runs)
        print(f"| {name} | {median:.0f} | {', '.join(f'{x:.0f}' for x in rates)} | "
              f"{triple_rate:,.0f} | {rss:.0f} / {child:.0f} |")
    shutil.rmtree(corpus, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
