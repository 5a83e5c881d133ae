"""HTTP load: N concurrent clients for D seconds mixing search, tasks and SPARQL against a
running `policykg serve` on 127.0.0.1; reports requests/s, p50/p95/p99 latency and errors.

    python bench/api.py --duration 60 --clients 16            # starts its own server on the seed corpus
    python bench/api.py --url http://127.0.0.1:8000 ...        # or loads a server you started

Traffic stays on the loopback interface; the loop is bounded by --duration.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
POLICYKG = Path(sys.executable).with_name("policykg")

SEARCHES = ["Sở Nội vụ chủ trì những nhiệm vụ nào", "ke hoach dao tao boi duong tri thuc",
            "innovation investment fund", "cơ sở dữ liệu về đội ngũ trí thức", "giám sát thực hiện chính sách",
            "quỹ hỗ trợ sáng tạo kỹ thuật", "Department of Home Affairs tasks"]
AGENCIES = ["Sở Nội vụ", "so khoa hoc va cong nghe", "Department of Finance", "Ban Tổ chức Huyện ủy"]
SPARQL = ["SELECT (COUNT(?t) AS ?n) WHERE { ?t a pkg:Task }",
          "SELECT ?doc ?n WHERE { ?doc eli:applies ?r . ?r eli:id_local ?n }",
          "SELECT ?t ?l WHERE { ?t pkg:owner ?a . ?a skos:prefLabel ?l FILTER(lang(?l) = 'vi') } LIMIT 50"]


def request_for(rng: random.Random) -> tuple[str, str, dict]:
    kind = rng.choices(["search", "tasks", "sparql"], weights=[5, 3, 2])[0]
    if kind == "search":
        return kind, "/api/search", {"q": rng.choice(SEARCHES), "limit": 10}
    if kind == "tasks":
        return kind, "/api/tasks", {"agency": rng.choice(AGENCIES)}
    return kind, "/sparql", {"query": rng.choice(SPARQL)}


async def client(base: str, deadline: float, seed: int, results: list) -> None:
    rng = random.Random(seed)
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        while time.perf_counter() < deadline:
            kind, path, params = request_for(rng)
            t = time.perf_counter()
            try:
                response = await http.get(path, params=params, headers={"Accept": "application/json"})
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            results.append((kind, (time.perf_counter() - t) * 1000, ok))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(store: Path, port: int) -> subprocess.Popen:
    proc = subprocess.Popen([str(POLICYKG), "serve", "--store", str(store), "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    for _ in range(600):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("server did not start: " + proc.stderr.read().decode()[-2000:])


def percentile(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, int(p * (len(values) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--url", help="load this running server instead of starting one")
    args = parser.parse_args()
    proc = workdir = None
    base = args.url
    if not base:
        workdir = Path(tempfile.mkdtemp(prefix="bench-api-"))
        subprocess.run([str(POLICYKG), "ingest", str(ROOT / "corpus"), "--store", str(workdir)], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port = free_port()
        proc = start_server(workdir, port)
        base = f"http://127.0.0.1:{port}"
    try:
        for path, params in (("/api/search", {"q": "warm up"}), ("/api/tasks", {}), ("/sparql", {"query": SPARQL[0]})):
            httpx.get(base + path, params=params, timeout=120)   # load the index and model before timing
        results: list = []
        deadline = time.perf_counter() + args.duration
        start = time.perf_counter()

        async def run() -> None:
            await asyncio.gather(*(client(base, deadline, i, results) for i in range(args.clients)))

        asyncio.run(run())
        elapsed = time.perf_counter() - start
    finally:
        if proc:
            proc.terminate()
            proc.wait(10)
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"{args.clients} clients, {elapsed:.0f} s, cores {os.cpu_count()}, server: one uvicorn process\n")
    print("| requests | requests/s | p50 ms | p95 ms | p99 ms | errors |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for kind in ("all", "search", "tasks", "sparql"):
        rows = [r for r in results if kind == "all" or r[0] == kind]
        if not rows:
            continue
        lat = sorted(r[1] for r in rows)
        errors = sum(1 for r in rows if not r[2])
        print(f"| {kind} ({len(rows)}) | {len(rows) / elapsed:.1f} | {statistics.median(lat):.0f} | "
              f"{percentile(lat, 0.95):.0f} | {percentile(lat, 0.99):.0f} | {errors} |")
    return 1 if any(not r[2] for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
