"""A server keeps answering while `policykg ingest` adds documents to its store, and shows them
afterwards without a restart (live reload: api/app.py FollowTheStore, PolicyService.refreshed,
the SPARQL workers' reopen in api/sparql_worker.py).

A real uvicorn server runs on 127.0.0.1 over a copy of the seed store with its index; a
`policykg ingest` process adds three synthetic plans (graphs, then the index update) while
client threads call /api/tasks, /api/search, /sparql and /health without pause.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from api.app import Settings
from bench.synthetic import write_corpus
from ingest.store import GraphStore, read_generation
from tests.test_sparql_endpoint import serve

POLICYKG = Path(sys.executable).with_name("policykg")
COUNT_TASKS = "SELECT (COUNT(?t) AS ?n) WHERE { ?t a pkg:Task }"
NEW_PLANS = 3
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _count(response: httpx.Response) -> int:
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_readers_keep_answering_during_an_ingest_and_see_it_after(embedded_indexed_store, tmp_path):
    store_dir = tmp_path / "store"
    shutil.copytree(embedded_indexed_store, store_dir)
    generated = tmp_path / "generated"
    write_corpus(generated, 12, seed=5)
    plans = tmp_path / "plans"
    plans.mkdir()
    for path in sorted(generated.iterdir(), key=lambda p: p.stat().st_size)[:NEW_PLANS]:
        shutil.copy(path, plans / path.name)
    new_file = sorted(plans.iterdir())[0].name

    with serve(Settings(store=store_dir, sparql_timeout_s=20.0)) as url:
        before = httpx.get(f"{url}/health", timeout=10).json()
        assert before["documents"] == 2 and before["index"]["stale_documents"] == 0
        tasks_before = _count(httpx.get(f"{url}/sparql", params={"query": COUNT_TASKS}, timeout=30))
        assert tasks_before == 70

        stop = threading.Event()
        statuses: Counter = Counter()
        failures: list[str] = []
        documents_seen: set[int] = set()
        latencies: list[float] = []
        lock = threading.Lock()

        def client(kind: str) -> None:
            with httpx.Client(base_url=url, timeout=60) as http:
                while not stop.is_set():
                    started = time.monotonic()
                    try:
                        if kind == "tasks":
                            response = http.get("/api/tasks", params={"agency": "Sở Nội vụ"})
                        elif kind == "search":
                            response = http.get("/api/search", params={"q": "kế hoạch phát triển đội ngũ trí thức",
                                                                       "limit": 5})
                        elif kind == "sparql":
                            response = http.get("/sparql", params={"query": COUNT_TASKS})
                        else:
                            response = http.get("/health")
                    except httpx.HTTPError as err:
                        with lock:
                            failures.append(f"{kind}: {type(err).__name__}: {err}")
                        continue
                    with lock:
                        latencies.append(time.monotonic() - started)
                        statuses[(kind, response.status_code)] += 1
                        if response.status_code != 200:
                            failures.append(f"{kind}: {response.status_code} {response.text[:300]}")
                        elif kind == "health":
                            documents_seen.add(response.json()["documents"])
                    time.sleep(0.02)

        threads = [threading.Thread(target=client, args=(kind,), daemon=True)
                   for kind in ("tasks", "search", "sparql", "health")]
        for thread in threads:
            thread.start()
        generation = read_generation(store_dir)
        ingest_started = time.monotonic()
        done = subprocess.run([str(POLICYKG), "ingest", str(plans), "--store", str(store_dir), "--no-validate",
                               "--jobs", "1"], capture_output=True, text=True, timeout=600)
        ingest_seconds = time.monotonic() - ingest_started
        assert done.returncode == 0, done.stderr
        assert f"{NEW_PLANS} added" in done.stderr
        assert read_generation(store_dir) >= generation + NEW_PLANS + 1     # each graph, then the index

        # without a restart, the API shows the new documents within a few seconds
        deadline = time.monotonic() + 30
        while True:
            health = httpx.get(f"{url}/health", timeout=10).json()
            if health["documents"] == 2 + NEW_PLANS and health["index"]["stale_documents"] == 0:
                break
            assert time.monotonic() < deadline, health
            time.sleep(0.2)
        time.sleep(1.5)          # the clients go on through the last reload
        stop.set()
        for thread in threads:
            thread.join(60)

        expected_tasks = _count_in_store(store_dir)
        assert expected_tasks > tasks_before
        deadline = time.monotonic() + 15
        while _count(httpx.get(f"{url}/sparql", params={"query": COUNT_TASKS}, timeout=30)) != expected_tasks:
            assert time.monotonic() < deadline, "the SPARQL workers still answer from the old snapshot"
            time.sleep(0.2)
        documents = httpx.get(f"{url}/api/documents", timeout=30).json()
        assert sum(1 for d in documents if d["source"] and Path(d["source"]["path"]).name in
                   {p.name for p in plans.iterdir()}) == NEW_PLANS
        hits = httpx.get(f"{url}/api/search", params={"q": "kế hoạch", "document": new_file, "limit": 5},
                         timeout=30).json()["hits"]
        assert hits and all(Path(h["source"]["path"]).name == new_file for h in hits if h["source"])

    latencies.sort()
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(f"\ningest of {NEW_PLANS} plans took {ingest_seconds:.1f} s; {sum(statuses.values())} requests meanwhile "
          f"({dict(sorted((f'{k} {s}', n) for (k, s), n in statuses.items()))}), p95 {p95 * 1000:.0f} ms; "
          f"/health saw document counts {sorted(documents_seen)}")
    assert not failures, failures[:10]
    assert all(status == 200 for _, status in statuses)
    assert min(n for (kind, _), n in statuses.items()) >= 5      # every kind of client kept being answered


def _count_in_store(store_dir: Path) -> int:
    store = GraphStore(store_dir, read_only=True)
    return int(store.select(COUNT_TASKS)[0]["n"])


def test_a_reader_racing_a_compaction_reads_again(embedded_store, monkeypatch):
    """oxigraph documents a read-only open while another process writes as undefined; what we met
    (docs/RELIABILITY.md) is RocksDB's "IO error: No such file or directory" for a table file the
    writer's compaction removed. An open is tried again, and a SELECT is read again from a fresh
    snapshot."""
    import pyoxigraph as ox

    import ingest.store as store_module

    vanished = RuntimeError("Corruption: IO error: No such file or directory: While open a file for random "
                            "read: graph/000094.sst: No such file or directory")
    real_open = ox.Store.read_only
    failures = iter([vanished, vanished])

    def flaky_open(path):
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return real_open(path)

    monkeypatch.setattr(store_module.ox.Store, "read_only", staticmethod(flaky_open))
    store = GraphStore(embedded_store, read_only=True)             # two failed attempts, then open
    monkeypatch.setattr(store_module.ox.Store, "read_only", staticmethod(real_open))
    calls = []
    real_select = store._select

    def flaky_select(sparql):
        calls.append(sparql)
        if len(calls) == 1:
            raise vanished
        return real_select(sparql)

    monkeypatch.setattr(store, "_select", flaky_select)
    assert int(store.select(COUNT_TASKS)[0]["n"]) == 70 and len(calls) == 2


def test_a_refreshed_service_sees_the_write_and_the_old_one_keeps_its_snapshot(embedded_indexed_store, tmp_path):
    from api.service import PolicyService

    store_dir = tmp_path / "store"
    shutil.copytree(embedded_indexed_store, store_dir)
    old = PolicyService.open(store_dir)
    engine = old.search_engine()
    assert old.refreshed() is old                                   # nothing committed since it opened
    writer = GraphStore(store_dir)
    writer.replace_graph("https://policykg.org/graph/extra", (
        f"<urn:x:task> <{RDF_TYPE}> <https://policykg.org/ns#Task> .\n"
        f"<urn:x:file> <{RDF_TYPE}> <https://policykg.org/ns#SourceFile> .\n"
        f'<urn:x:file> <https://policykg.org/ns#sha256> "0123abcd" .\n').encode())
    del writer
    assert old.refresh_due() is False                               # looked at most once a second
    old._checked = 0.0
    assert old.refresh_due() is True
    fresh = old.refreshed()
    assert fresh is not old and fresh.generation > old.generation
    assert int(fresh.store.select(COUNT_TASKS)[0]["n"]) == 71
    assert int(old.store.select(COUNT_TASKS)[0]["n"]) == 70         # a request still on it sees its snapshot
    assert fresh.search_engine() is engine                          # the index was not saved again: shared
    assert fresh.index_status() == {"present": True, "units": len(engine.index.units), "stale_documents": 1}
