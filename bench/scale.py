"""Scale benchmark of the store backends (issue 6): ~10M triples on the embedded store,
an Oxigraph server and Virtuoso; load, size, memory, query latency, re-ingest.

    python bench/scale.py                               # full run (~14,500 plans, ~10M triples)
    python bench/scale.py --count 200 --work /tmp/policykg-scale-small --scaling none   # quick check
    python bench/scale.py --report                      # print the tables of the last run again

1. The corpus is built once and cached in --work: N synthetic plans (bench/synthetic.py),
   prepared (read, analyse, RDF; no SHACL) in 2 processes into one N-Quads file, one graph
   per document with the names the pipeline gives (corpus.nq, index.json with counts).
2. Each backend gets a fresh store/server in --work/stores: the first --sample documents go
   in through the per-document write of `policykg ingest` (replace_graph: a transaction on
   the embedded store, a Graph Store PUT on a server), the rest through the backend's bulk
   path (pyoxigraph bulk_load; POST of N-Quads to Oxigraph's /store?no_transaction;
   Virtuoso's ld_dir/rdf_loader_run). Store size is `du` of its folder; memory is
   VmRSS/VmHWM of the process holding the store.
3. Queries go through the code users run: `uvicorn api.app:create_app` on the store (HTTP,
   per-request timeout) for the JSON routes, the canned SPARQL (/sparql/examples/…) and
   /sparql; 2 warm-ups then --runs timed requests; p50/p95. A request that times out is
   recorded, the API server is restarted, and the route is not retried. Routes whose first
   request takes longer than --slow seconds are timed --slow-runs times only.
4. Re-ingest of one changed plan at full size: `ingest_paths([file], store)` (SHACL on, as
   `policykg ingest` does), a few words changed each time, --reingest runs.
5. The embedded (and Oxigraph) backends are also run on the first documents of the same
   corpus making ~100k and ~1M triples (--scaling), for the growth of each cost.

Each (backend, size) result is cached in --work/results/*.json (--fresh redoes them);
all raw numbers go to --work/scale.json, Markdown tables to stdout.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import datetime as dt
import gc
import json
import multiprocessing
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BACKENDS = ("embedded", "oxigraph", "virtuoso")
DEFAULT_COUNT = 14_500     # ~10M stored triples (shared descriptions stored once)
GRAPH_PREFIX = "https://policykg.org/graph/"
ID_DOC = "https://policykg.org/id/doc/"
ID_AGENCY = "https://policykg.org/id/agency/"


# ----------------------------------------------------------------------------------------
# small helpers
# ----------------------------------------------------------------------------------------

def log(*parts) -> None:
    print(f"[{time.strftime('%H:%M:%S')}]", *parts, file=sys.stderr, flush=True)


def du_mb(path: Path) -> float:
    """Disk usage (allocated blocks) of a folder, MB."""
    out = subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True)
    return int(out.stdout.split()[0]) / 1024 if out.returncode == 0 and out.stdout else float("nan")


def proc_mem(pid: int) -> dict:
    """VmRSS and VmHWM (peak) of a process, MB."""
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                values[key.lower()] = int(value.split()[0]) / 1024
    except OSError:
        pass
    return {"rss_mb": values.get("vmrss"), "peak_mb": values.get("vmhwm")}


def tree_mem(pid: int) -> float:
    """RSS of a process and its children (API server + SPARQL workers), MB."""
    total = proc_mem(pid).get("rss_mb") or 0.0
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        children = []
    return total + sum(tree_mem(int(c)) for c in children)


def pct(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(round(q / 100 * len(ordered) + 0.5)) - 1))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ----------------------------------------------------------------------------------------
# 1. the corpus
# ----------------------------------------------------------------------------------------

def _prepare(path: str):
    from ingest.pipeline import prepare_file
    p = prepare_file(Path(path), validate=False)
    return (p.result.path, p.result.graph, p.result.status, p.result.message, p.result.tasks, p.result.triples,
            p.ntriples, p.shared)


def _warm() -> None:
    from ingest.agencies import default_matcher
    default_matcher()


def build_corpus(work: Path, count: int, seed: int, jobs: int) -> dict:
    """Plans in work/corpus-N-sS/plans, their N-Quads in corpus.nq, counts in index.json (cached)."""
    base = work / f"corpus-{count}-s{seed}"
    index_path = base / "index.json"
    if index_path.exists():
        return json.loads(index_path.read_text())
    from bench.synthetic import write_corpus
    from ingest.store import _as_nquads
    from ontology.namespaces import SHARED_GRAPH

    plans_dir = base / "plans"
    shutil.rmtree(base, ignore_errors=True)
    t0 = time.perf_counter()
    plans = write_corpus(plans_dir, count, seed)
    gen_s = time.perf_counter() - t0
    log(f"wrote {len(plans)} plans in {gen_s:.0f} s")
    files = [str(plans_dir / p.filename) for p in plans]
    docs, failed = [], []
    offset = 0
    t0 = time.perf_counter()
    ctx = multiprocessing.get_context("spawn")
    with open(base / "corpus.nq.tmp", "wb") as out, \
            cf.ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_warm) as pool:
        for i, (path, graph, status, message, tasks, triples, nt, shared) in enumerate(
                pool.map(_prepare, files, chunksize=8)):
            if nt is None:
                failed.append({"path": path, "message": message})
                continue
            data = _as_nquads(nt, graph) + _as_nquads(shared, SHARED_GRAPH)   # own quads, then shared ones
            out.write(data)
            docs.append({"file": Path(path).name, "graph": graph, "tasks": tasks, "triples": triples,
                         "offset": offset, "length": len(data)})
            offset += len(data)
            if (i + 1) % 1000 == 0:
                log(f"prepared {i + 1}/{len(files)}")
    prep_s = time.perf_counter() - t0
    (base / "corpus.nq.tmp").rename(base / "corpus.nq")
    index = {
        "count": count, "seed": seed, "documents": len(docs), "failed": failed,
        "tasks": sum(d["tasks"] for d in docs), "triples": sum(d["triples"] for d in docs),
        "nquads_bytes": offset, "plan_bytes": sum(Path(f).stat().st_size for f in files),
        "generate_s": gen_s, "prepare_s": prep_s, "prepare_jobs": jobs,
        "prepare_docs_per_s": len(docs) / prep_s, "prepare_triples_per_s": offset and sum(d["triples"] for d in docs) / prep_s,
        "plans_dir": str(plans_dir), "nquads": str(base / "corpus.nq"), "docs": docs,
    }
    index_path.write_text(json.dumps(index))
    log(f"prepared {len(docs)} documents ({index['triples']:,} triples, {len(failed)} failed) in {prep_s:.0f} s")
    return index


def nquads_slice(index: dict, work: Path, start: int, stop: int) -> Path:
    """The N-Quads of documents [start, stop) as a file (cached)."""
    path = Path(index["nquads"]).parent / f"slice-{start}-{stop}.nq"
    if path.exists():
        return path
    docs = index["docs"]
    if start >= stop:
        path.write_bytes(b"")
        return path
    begin = docs[start]["offset"]
    end = docs[stop - 1]["offset"] + docs[stop - 1]["length"]
    with open(index["nquads"], "rb") as src, open(str(path) + ".tmp", "wb") as dst:
        src.seek(begin)
        left = end - begin
        while left:
            block = src.read(min(left, 16 << 20))
            dst.write(block)
            left -= len(block)
    os.rename(str(path) + ".tmp", path)
    return path


def doc_ntriples(index: dict, i: int, fh) -> tuple[bytes, bytes]:
    """Document i as N-Triples (the quads of corpus.nq without their graph name): its own triples
    and those it adds to the shared graph."""
    from ontology.namespaces import SHARED_GRAPH
    d = index["docs"][i]
    fh.seek(d["offset"])
    data = fh.read(d["length"])
    own, shared = f" <{d['graph']}> .".encode(), f" <{SHARED_GRAPH}> .".encode()
    return tuple(b"".join(line[: -len(suffix)] + b" .\n" for line in data.splitlines() if line.endswith(suffix))
                 for suffix in (own, shared))


def docs_for_triples(index: dict, triples: int) -> int:
    total = 0
    for i, d in enumerate(index["docs"]):
        total += d["triples"]
        if total >= triples:
            return i + 1
    return len(index["docs"])


# ----------------------------------------------------------------------------------------
# 2. one backend at one size (runs in its own process: `scale.py --backend-run ...`)
# ----------------------------------------------------------------------------------------

class ApiServer:
    """`uvicorn --factory api.app:create_app` on the store, as `policykg serve` runs it."""

    def __init__(self, location: str, env: dict, log_path: Path, sparql_timeout: float):
        self.location, self.extra_env, self.log_path = location, env, log_path
        self.sparql_timeout = sparql_timeout
        self.process = None
        self.restarts = 0

    def start(self) -> float:
        self.port = free_port()
        env = {**os.environ, **self.extra_env, "POLICYKG_STORE": self.location,
               "POLICYKG_SPARQL_TIMEOUT": str(self.sparql_timeout)}
        t0 = time.perf_counter()
        with open(self.log_path, "ab") as logf:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--factory", "api.app:create_app", "--host", "127.0.0.1",
                 "--port", str(self.port), "--log-level", "warning"],
                cwd=ROOT, env=env, stdout=logf, stderr=subprocess.STDOUT, start_new_session=True)
        import httpx
        while time.perf_counter() - t0 < 300:
            if self.process.poll() is not None:
                raise RuntimeError(f"API server exited {self.process.returncode}; see {self.log_path}")
            try:
                if httpx.get(f"{self.url}/openapi.json", timeout=5).status_code == 200:
                    return time.perf_counter() - t0
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("API server not ready in 300 s")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self, kill: bool = False) -> None:
        if self.process and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL if kill else signal.SIGTERM)
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
            except ProcessLookupError:
                pass

    def restart(self) -> None:
        self.stop(kill=True)   # a request still running would hold a graceful stop
        self.restarts += 1
        self.start()


def code_fingerprint() -> dict:
    """HEAD and the SHA-256 of the files whose queries are timed (the working tree may differ
    from HEAD, and the API server re-reads them on each restart)."""
    import hashlib
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    files = [ROOT / "api" / "service.py", ROOT / "api" / "routes_api.py", ROOT / "api" / "cascade.py",
             ROOT / "ingest" / "store.py", ROOT / "ingest" / "remote_store.py",
             *sorted((ROOT / "ontology" / "queries").glob("*.rq"))]
    return {"head": head, "files": {str(f.relative_to(ROOT)): hashlib.sha256(f.read_bytes()).hexdigest()[:12]
                                    for f in files if f.exists()}}


def pick_parameters(store, index: dict, ndocs: int) -> dict:
    """Realistic parameters, from the data: the busiest agency, a large plan, the most
    implemented central resolution, the most cited decision."""
    # links are stated in the documents' own graphs, descriptions of shared nodes once in the shared graph
    top_gid = store.select("""
        SELECT ?gid (COUNT(*) AS ?n) WHERE { ?t pkg:owner ?a . ?a pkg:gazetteerId ?gid }
        GROUP BY ?gid ORDER BY DESC(?n) LIMIT 1""")[0]
    label = store.select(f"""
        SELECT ?l WHERE {{ ?a pkg:gazetteerId "{top_gid['gid']}" ; skos:prefLabel ?l
        FILTER(lang(?l) = "vi") }} LIMIT 1""")[0]["l"]
    top_agency = store.select("""
        SELECT ?a (COUNT(*) AS ?n) WHERE { ?t pkg:owner ?a }
        GROUP BY ?a ORDER BY DESC(?n) LIMIT 1""")[0]
    resolution = store.select("""
        SELECT ?num (COUNT(DISTINCT ?d) AS ?n) WHERE {
          ?d eli:applies ?r . ?r eli:id_local ?num ; pkg:level ?lv FILTER(STRENDS(STR(?lv), "central")) }
        GROUP BY ?num ORDER BY DESC(?n) LIMIT 1""")
    if not resolution:  # central documents known only from citations may carry no level
        resolution = store.select("""
            SELECT ?num (COUNT(DISTINCT ?d) AS ?n) WHERE {
              ?d eli:applies ?r . ?r eli:id_local ?num FILTER(REGEX(?num, "/(TW|QĐ-TTg)$")) }
            GROUP BY ?num ORDER BY DESC(?n) LIMIT 1""")
    cited = store.select("""
        SELECT ?num (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d eli:cites ?c . ?c eli:id_local ?num }
        GROUP BY ?num ORDER BY DESC(?n) LIMIT 1""")
    top_gid["label"] = label
    # a large plan from the middle of the loaded documents
    loaded = index["docs"][:ndocs]
    middle = loaded[25:75] if len(loaded) >= 75 else loaded   # the same plan at every size
    doc = max(middle, key=lambda d: d["tasks"])
    doc_iri = store.select(f"""SELECT ?doc WHERE {{ GRAPH <{doc['graph']}> {{
        ?doc a eli:LegalResource ; prov:wasDerivedFrom/pkg:sourceFile ?f }} }} LIMIT 1""")[0]["doc"]
    province_plan = store.select("""
        SELECT ?r (SAMPLE(?num) AS ?number) (COUNT(DISTINCT ?d) AS ?n) WHERE {
          ?d eli:applies ?r . ?r pkg:level <https://policykg.org/ns/level/province> ; eli:id_local ?num .
          GRAPH ?g { ?r prov:wasDerivedFrom/pkg:sourceFile ?f } }
        GROUP BY ?r ORDER BY DESC(?n) ?r LIMIT 1""")
    return {
        "province_plan": province_plan[0]["r"] if province_plan else None,
        "province_plan_number": province_plan[0]["number"] if province_plan else None,
        "province_plan_plans": int(province_plan[0]["n"]) if province_plan else 0,
        "agency_label": top_gid["label"], "agency_gid": top_gid["gid"], "agency_gid_tasks": int(top_gid["n"]),
        "agency_iri": top_agency["a"], "agency_iri_tasks": int(top_agency["n"]),
        "resolution": resolution[0]["num"] if resolution else "45-NQ/TW",
        "resolution_plans": int(resolution[0]["n"]) if resolution else None,
        "cited": cited[0]["num"] if cited else "899/QĐ-TTg",
        "cited_by": int(cited[0]["n"]) if cited else None,
        "doc_file": doc["file"], "doc_tasks": doc["tasks"], "doc_iri": doc_iri,
        "doc_index": index["docs"].index(doc),
    }


def routes(p: dict) -> list[tuple[str, str, dict]]:
    """(name, path, query parameters) of what is timed."""
    doc_id = p["doc_iri"][len(ID_DOC):] if p["doc_iri"].startswith(ID_DOC) else p["doc_iri"]
    agency_id = p["agency_iri"][len(ID_AGENCY):] if p["agency_iri"].startswith(ID_AGENCY) else p["agency_iri"]
    count_tasks = "SELECT (COUNT(?t) AS ?n) WHERE { ?t a pkg:Task }"
    count_all = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    return [
        ("canned tasks-by-agency", "/sparql/examples/tasks-by-agency", {"agency": p["agency_gid"]}),
        ("canned cascade-of-resolution", "/sparql/examples/cascade-of-resolution", {"number": p["resolution"]}),
        ("canned tasks-due-in-quarter", "/sparql/examples/tasks-due-in-quarter",
         {"start": "2024-10-01", "end": "2024-12-31"}),
        ("canned documents-citing-decision", "/sparql/examples/documents-citing-decision", {"number": p["cited"]}),
        ("GET /health", "/health", {}),
        ("GET /api/tasks?agency=", "/api/tasks", {"agency": p["agency_label"]}),
        ("GET /api/tasks?document=", "/api/tasks", {"document": p["doc_file"]}),
        ("GET /api/documents", "/api/documents", {}),
        ("GET /api/documents/{id}", f"/api/documents/{quote(doc_id)}", {}),
        ("GET /api/agencies", "/api/agencies", {}),
        ("GET /api/agencies/{id}", f"/api/agencies/{quote(agency_id)}", {}),
        ("GET /api/targets?document=", "/api/targets", {"document": p["doc_file"]}),
        ("GET /api/cascade/{id}", f"/api/cascade/{quote(p['resolution'], safe='')}", {}),
        *([("GET /api/cascade/{provincial plan}", f"/api/cascade/{quote(p['province_plan'], safe='')}", {})]
          if p.get("province_plan") else []),
        ("GET /sparql COUNT tasks", "/sparql", {"query": count_tasks}),
        ("GET /sparql COUNT all", "/sparql", {"query": count_all}),
        ("GET /api/tasks (no filter)", "/api/tasks", {}),
        ("GET /api/tasks?offset=100000", "/api/tasks", {"offset": 100_000}),
    ]


def index_cascade(store, root: str | None) -> dict:
    """The search index of the plans under ``root`` (with it), as `policykg index` would build it
    for them: what a cascade request reads its task vectors from (embedding a whole 10M corpus
    would take hours here). Returns what was indexed and how long it took."""
    if not root:
        return {}
    from search.embedders import get_embedder
    from search.index import SearchIndex, _read_versioned
    rows = store.select(f"""SELECT DISTINCT ?g WHERE {{ ?d eli:applies* <{root}> .
        GRAPH ?g {{ ?d prov:wasDerivedFrom/pkg:sourceFile ?f }} }}""")
    t0 = time.perf_counter()
    units, versions = _read_versioned(store, sorted(r["g"] for r in rows))
    index = SearchIndex.build(units, get_embedder(), graphs=versions)
    index.save(store.directory)
    return {"graphs": len(rows), "units": len(units), "seconds": time.perf_counter() - t0}


def _restart(api: ApiServer, rec: dict) -> None:
    """Restart the API server after a timeout; if it does not come up, say so (the routes left
    are then recorded as not run) instead of losing the run."""
    try:
        api.restart()
    except RuntimeError as err:
        rec["errors"].append(f"API server restart failed: {err}")
        api.down = True


def time_routes(api: ApiServer, plist: list, runs: int, warmups: int, timeout: float, slow: float,
                slow_runs: int, out: list | None = None) -> list[dict]:
    import httpx

    out = [] if out is None else out
    for name, path, params in plist:
        if getattr(api, "down", False):
            out.append({"route": name, "path": path, "params": params, "times_ms": [], "timeout": False,
                        "errors": ["not run: the API server could not be restarted"], "status": None,
                        "bytes": None, "items": None, "first_ms": None})
            continue
        rec = {"route": name, "path": path, "params": params, "times_ms": [], "status": None,
               "bytes": None, "items": None, "errors": [], "timeout": False, "first_ms": None,
               "truncated": False}
        n_runs = runs
        total = warmups + n_runs
        i = 0
        while i < total:
            t0 = time.perf_counter()
            try:
                with httpx.Client(timeout=httpx.Timeout(timeout, connect=10)) as client:
                    r = client.get(api.url + path, params=params)
                    body = r.content
                ms = (time.perf_counter() - t0) * 1000
            except httpx.TimeoutException:
                rec["timeout"] = True
                rec["errors"].append(f"timeout after {timeout:.0f} s (request {i + 1})")
                log(f"  {name}: TIMEOUT after {timeout:.0f} s; restarting the API server")
                _restart(api, rec)
                break
            except httpx.HTTPError as err:
                rec["errors"].append(f"{type(err).__name__}: {err}")
                log(f"  {name}: {type(err).__name__}: {err}; restarting the API server")
                _restart(api, rec)
                break
            if i == 0:
                rec["first_ms"] = ms
                rec["status"], rec["bytes"] = r.status_code, len(body)
                rec["truncated"] = r.headers.get("x-result-truncated") == "true"
                try:
                    doc = json.loads(body)
                    if isinstance(doc, list):
                        rec["items"] = len(doc)
                    elif isinstance(doc, dict) and "results" in doc:
                        rec["items"] = len(doc["results"]["bindings"])
                        if name.startswith("GET /sparql COUNT") and doc["results"]["bindings"]:
                            rec["value"] = doc["results"]["bindings"][0]["n"]["value"]
                    elif isinstance(doc, dict) and "owned" in doc:
                        rec["items"] = len(doc["owned"]) + len(doc["cooperating"])
                    elif isinstance(doc, dict) and "tasks" in doc:
                        rec["items"] = len(doc["tasks"])
                    elif isinstance(doc, dict) and "error" in doc:
                        rec["errors"].append(f"HTTP {r.status_code}: {doc['error']['message'][:300]}")
                except ValueError:
                    pass
                if ms > slow * 1000 and n_runs > slow_runs:
                    n_runs = slow_runs
                    rec["slow"] = True
                if ms > 3 * slow * 1000:            # very slow: this one warm-up, then one timed run
                    n_runs, warmups_here = 1, 1
                    total = warmups_here + n_runs
                else:
                    total = warmups + n_runs
            if r.status_code >= 400:
                if r.status_code not in (rec.get("codes") or []):
                    rec.setdefault("codes", []).append(r.status_code)
                    if i > 0:
                        rec["errors"].append(f"HTTP {r.status_code}: {body[:300]!r}")
                if i == 0 and r.status_code >= 500:
                    break
            if i >= total - n_runs:
                rec["times_ms"].append(ms)
            i += 1
        if rec["times_ms"]:
            rec["p50_ms"] = statistics.median(rec["times_ms"])
            rec["p95_ms"] = pct(rec["times_ms"], 95)
            rec["runs"] = len(rec["times_ms"])
        log(f"  {name}: status {rec['status']} items {rec['items']} bytes {rec['bytes']} "
            f"first {rec['first_ms'] or 0:.0f} ms p50 {rec.get('p50_ms', float('nan')):.0f} ms "
            f"p95 {rec.get('p95_ms', float('nan')):.0f} ms {'TIMEOUT' if rec['timeout'] else ''}")
        out.append(rec)
    return out


def change_words(text: str, k: int) -> str:
    """A few words changed (different each k), as an editor would."""
    words = ["tăng cường", "đẩy mạnh", "tiếp tục", "nâng cao", "kịp thời"]
    new = text.replace("Tổ chức", f"Tổ chức {words[k % len(words)]}", 2)
    return new + f"\n<!-- sửa lần {k} -->\n" if new == text else new


def reingest(store, index: dict, doc_i: int, work_dir: Path, runs: int) -> dict:
    from ingest.pipeline import ingest_paths

    doc = index["docs"][doc_i]
    src = Path(index["plans_dir"]) / doc["file"]
    changed_dir = work_dir / "changed"
    changed_dir.mkdir(parents=True, exist_ok=True)
    target = changed_dir / doc["file"]   # same file name -> same graph
    original = src.read_text(encoding="utf-8")
    times, statuses = [], []
    for k in range(runs):
        text = change_words(original, k + 1)
        # alternate a little so every run really differs from what is stored
        target.write_text(text + (" " * k), encoding="utf-8")
        t0 = time.perf_counter()
        results = ingest_paths([target], store, validate=True)
        times.append((time.perf_counter() - t0) * 1000)
        statuses.append(results[0].status + (f" ({results[0].message[:200]})" if results[0].message else ""))
    return {"file": doc["file"], "times_ms": times, "median_ms": statistics.median(times), "statuses": statuses}


def backend_run(args) -> None:
    """One backend at one size; writes its JSON to args.out."""
    import httpx  # noqa: F401
    from tests.servers import start_oxigraph, start_virtuoso

    index = json.loads(Path(args.index).read_text())
    ndocs = args.docs
    work = Path(args.work)
    sample = min(args.sample, ndocs)
    kind = args.backend_run
    base = work / "stores" / f"{kind}-{ndocs}"
    shutil.rmtree(base, ignore_errors=True)
    base.mkdir(parents=True)
    rest_file = nquads_slice(index, work, sample, ndocs)
    docs = index["docs"][:ndocs]
    res = {"backend": kind, "documents": ndocs, "triples": sum(d["triples"] for d in docs),
           "tasks": sum(d["tasks"] for d in docs), "sample": sample, "started": dt.datetime.now().isoformat()}
    res["code"] = code_fingerprint()
    server = None
    env = {}
    try:
        # ---- open ---------------------------------------------------------------------
        if kind == "embedded":
            from ingest.store import GraphStore
            store = GraphStore(base / "data")
            location = str(base / "data")
            data_dir = base / "data"
            mem_pid = os.getpid()
        else:
            from ingest.store import RemoteStore
            if kind == "oxigraph":
                server = start_oxigraph(base / "server")
                data_dir = base / "server" / "db"
            else:
                buffers = args.virtuoso_buffers
                server = start_virtuoso(base / "server", buffers=buffers)
                res["virtuoso_buffers"] = buffers
                data_dir = base / "server"
            env = server.env()
            os.environ.update(env)
            location = server.store_spec() + f"&index={base / 'index'}"
            store = RemoteStore(location)
            mem_pid = server.process.pid
        res["location"] = location
        # ---- per-document ingest on the sample --------------------------------------------
        log(f"{kind}/{ndocs}: per-document writes of {sample} documents")
        t0 = time.perf_counter()
        with open(index["nquads"], "rb") as fh:
            for i in range(sample):
                store.replace_graph(docs[i]["graph"], *doc_ntriples(index, i, fh))
        store.flush()
        per_doc_s = time.perf_counter() - t0
        sample_triples = sum(d["triples"] for d in docs[:sample])
        res["per_doc"] = {"seconds": per_doc_s, "documents": sample, "triples": sample_triples,
                          "docs_per_s": sample / per_doc_s if per_doc_s else None,
                          "triples_per_s": sample_triples / per_doc_s if per_doc_s else None}
        log(f"  {sample / per_doc_s:.1f} docs/s, {sample_triples / per_doc_s:,.0f} triples/s")
        # ---- bulk for the rest ---------------------------------------------------------
        rest_triples = sum(d["triples"] for d in docs[sample:])
        log(f"{kind}/{ndocs}: bulk load of {ndocs - sample} documents ({rest_triples:,} triples)")
        t0 = time.perf_counter()
        if ndocs > sample:
            if kind == "embedded":
                import pyoxigraph as ox
                store.store.bulk_load(path=str(rest_file), format=ox.RdfFormat.N_QUADS)
                store.flush()
                t1 = time.perf_counter()
                store.optimize()      # as `policykg ingest --bulk` ends: compaction
                res["optimize_seconds"] = time.perf_counter() - t1
            else:
                server.bulk_load_nquads(rest_file)
        bulk_s = time.perf_counter() - t0
        res["bulk"] = {"seconds": bulk_s, "documents": ndocs - sample, "triples": rest_triples,
                       "triples_per_s": rest_triples / bulk_s if bulk_s and rest_triples else None}
        if rest_triples:
            log(f"  {bulk_s:.0f} s, {rest_triples / bulk_s:,.0f} triples/s")
        res["load_seconds"] = per_doc_s + bulk_s
        # ---- what is stored --------------------------------------------------------------
        t0 = time.perf_counter()
        rows = store.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
                            f'FILTER(STRSTARTS(STR(?g), "{GRAPH_PREFIX}")) }}')
        res["stored_quads"] = int(rows[0]["n"])
        res["count_quads_ms"] = (time.perf_counter() - t0) * 1000
        log(f"  stored quads {res['stored_quads']:,} (expected {res['triples']:,}); "
            f"counted in {res['count_quads_ms']:.0f} ms")
        if kind == "embedded":
            del store
            gc.collect()
        res["memory_after_load"] = proc_mem(mem_pid)
        res["store_mb"] = du_mb(data_dir)
        log(f"  store {res['store_mb']:.0f} MB, memory {res['memory_after_load']}")
        # ---- parameters from the data ----------------------------------------------------------
        if kind == "embedded":
            from ingest.store import GraphStore
            store = GraphStore(data_dir, read_only=True)
        params = pick_parameters(store, index, ndocs)
        res["parameters"] = params
        log(f"  parameters: {params}")
        res["cascade_index"] = index_cascade(store, params.get("province_plan"))
        log(f"  search index of the provincial cascade: {res['cascade_index']}")
        if kind == "embedded":
            del store
            gc.collect()
        # ---- queries through the API ------------------------------------------------------
        api = ApiServer(location, env, base / "api.log", sparql_timeout=args.timeout)
        res["api_start_s"] = api.start()
        import httpx
        spec = httpx.get(api.url + "/openapi.json", timeout=30).json()
        listing = {path: [p["name"] for p in op.get("get", {}).get("parameters", [])]
                   for path, op in spec["paths"].items() if path.startswith("/api/")}
        res["api_list_parameters"] = listing
        res["pagination"] = {p: ("limit" in names) for p, names in listing.items()}
        log(f"{kind}/{ndocs}: timing routes (API up in {res['api_start_s']:.1f} s)")
        try:
            chosen = [r for r in routes(params) if not args.routes
                      or any(part in r[0] for part in args.routes.split(","))]
            res["routes"] = []
            time_routes(api, chosen, args.runs, args.warmups, args.timeout, args.slow, args.slow_runs,
                        out=res["routes"])
            res["api_memory_mb"] = tree_mem(api.process.pid)
            res["api_restarts"] = api.restarts
        finally:
            api.stop()
        res["server_memory_after_queries"] = proc_mem(mem_pid) if kind != "embedded" else None
        # ---- re-ingest of one changed document ---------------------------------------------
        if args.reingest:
            log(f"{kind}/{ndocs}: re-ingest of one changed document x{args.reingest}")
            if kind == "embedded":
                from ingest.store import GraphStore
                store = GraphStore(data_dir)
            else:
                store = RemoteStore(location)
            res["reingest"] = reingest(store, index, params["doc_index"], base, args.reingest)
            log(f"  median {res['reingest']['median_ms']:.0f} ms: {res['reingest']['times_ms']} "
                f"{set(res['reingest']['statuses'])}")
            store.flush()
            if kind == "embedded":
                del store
                gc.collect()
        res["store_mb_end"] = du_mb(data_dir)
        res["finished"] = dt.datetime.now().isoformat()
    except Exception as err:  # record what failed; the caller reports it
        import traceback
        res["error"] = f"{type(err).__name__}: {err}"
        res["traceback"] = traceback.format_exc()
        log(f"{kind}/{ndocs} FAILED: {res['traceback']}")
    finally:
        if server is not None:
            if server.kind == "virtuoso":
                res.setdefault("server_log_tail", (base / "server" / "virtuoso.log").read_text(
                    errors="replace")[-2000:] if (base / "server" / "virtuoso.log").exists() else "")
            server.stop()
        Path(args.out).write_text(json.dumps(res, indent=1))
        if not args.keep:
            shutil.rmtree(base / "server", ignore_errors=True)
            shutil.rmtree(base / "data", ignore_errors=True)


# ----------------------------------------------------------------------------------------
# 3. the report
# ----------------------------------------------------------------------------------------

def fmt_ms(r: dict) -> str:
    if r.get("timeout") and not r.get("times_ms"):
        first = "timeout" if r.get("first_ms") is None else f"{r['first_ms'] / 1000:.1f} s then timeout"
        return f"**{first}**"
    if "p50_ms" not in r:
        if any(e.startswith("not run") for e in r.get("errors") or []):
            return "not run"
        return "error: " + "; ".join(r.get("errors") or [f"HTTP {r.get('status')}"])[:120]
    def one(v):
        return f"{v:,.0f}" if v >= 10 else f"{v:.1f}"
    text = f"{one(r['p50_ms'])} / {one(r['p95_ms'])}"
    if r.get("runs", 0) < 20:
        text += f" ({r['runs']} run{'s' if r['runs'] > 1 else ''})"
    if r.get("status") and r["status"] >= 400:
        text += f" HTTP {r['status']}"
    return text


def fmt_size(r: dict) -> str:
    if r.get("bytes") is None:
        return "–"
    size = r["bytes"]
    s = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.1f} kB" if size >= 1e3 else f"{size} B"
    if r.get("items") is not None:
        s = f"{r['items']:,} rows, " + s
    if r.get("truncated"):
        s += ", truncated"
    return s


def report(results: list[dict], corpus: dict) -> str:
    lines = []
    full = [r for r in results if r["documents"] == max(x["documents"] for x in results)]
    lines.append(f"Corpus: {corpus['documents']:,} synthetic plans, {corpus['tasks']:,} tasks, "
                 f"{corpus['triples']:,} triples (quads, one graph per plan), N-Quads {corpus['nquads_bytes'] / 1e9:.2f} GB, "
                 f"plans {corpus['plan_bytes'] / 1e6:.0f} MB; generated in {corpus['generate_s']:.0f} s, prepared "
                 f"(read, analyse, RDF, no SHACL) in {corpus['prepare_s']:.0f} s with {corpus['prepare_jobs']} processes "
                 f"({corpus['prepare_docs_per_s']:.0f} plans/s).\n")
    lines.append("| backend | documents | triples stored | per-document writes (sample) | bulk load of the rest | load total s | store on disk MB | memory after load MB (RSS / peak) | errors |")
    lines.append("| --- | ---: | ---: | --- | --- | ---: | ---: | --- | --- |")
    for r in full:
        if "per_doc" not in r:
            lines.append(f"| {r['backend']} | {r['documents']:,} | – | failed: {r.get('error', '')[:200]} | | | | |")
            continue
        pd, bk = r["per_doc"], r.get("bulk", {})
        mem = r.get("memory_after_load", {})
        bulk = (f"{bk['triples_per_s']:,.0f} triples/s ({bk['seconds']:.0f} s"
                + (f", of which compaction {r['optimize_seconds']:.0f} s" if r.get("optimize_seconds") else "") + ")"
                if bk.get("triples_per_s") else "–")
        lines.append(f"| {r['backend']} | {r['documents']:,} | {r.get('stored_quads', 0):,} | "
                     f"{pd['docs_per_s']:.1f} docs/s, {pd['triples_per_s']:,.0f} triples/s ({pd['documents']} docs) | "
                     f"{bulk} | {r.get('load_seconds', 0):,.0f} | {r.get('store_mb', 0):,.0f} | "
                     f"{(mem.get('rss_mb') or 0):,.0f} / {(mem.get('peak_mb') or 0):,.0f} |"
                     + ("" if r.get("error") else " |")
                     + (f" {r['error'][:200]} |" if r.get("error") else ""))
    lines.append("")
    # queries
    names = []
    for r in full:
        for q in r.get("routes", []):
            if q["route"] not in names:
                names.append(q["route"])
    header = "| route / query | " + " | ".join(f"{r['backend']} p50 / p95 ms" for r in full) + " | result (first backend) |"
    lines.append(header)
    lines.append("| --- |" + " ---: |" * len(full) + " --- |")
    for name in names:
        cells, size = [], None
        for r in full:
            q = next((x for x in r.get("routes", []) if x["route"] == name), None)
            cells.append(fmt_ms(q) if q else "–")
            if q and size is None and q.get("bytes") is not None:
                size = fmt_size(q)
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {size or '–'} |")
    lines.append("")
    for r in full:      # routes timed again later with newer code (merged in by hand: see docs/BENCHMARKS.md)
        if r.get("rerun_routes"):
            lines.append(f"Timed again on {r['backend']} ({(r.get('rerun_code') or {}).get('head', '')[:7]}):\n")
            lines.append("| route / query | p50 / p95 ms | first request ms | result |")
            lines.append("| --- | ---: | ---: | --- |")
            for q in r["rerun_routes"]:
                lines.append(f"| {q['route']} | {fmt_ms(q)} | {q.get('first_ms') or 0:,.0f} | {fmt_size(q) or '–'} |")
            lines.append("")
    # first (cold) requests and worst query
    lines.append("| backend | worst route (p50 or timeout) | first request of /api/cascade | API server RSS after queries MB | re-ingest one changed plan, median ms (5 runs) |")
    lines.append("| --- | --- | --- | ---: | --- |")
    for r in full:
        rs = r.get("routes", [])
        def cost(q):
            return float("inf") if q.get("timeout") else q.get("p50_ms", 0)
        worst = max(rs, key=cost) if rs else None
        worst_s = (f"{worst['route']}: " + ("timeout" if worst.get("timeout") else f"{worst['p50_ms'] / 1000:.2f} s")) if worst else "–"
        cas = next((q for q in rs if q["route"].startswith("GET /api/cascade")), None)
        cas_s = ("timeout" if cas and cas.get("timeout") and cas.get("first_ms") is None
                 else f"{cas['first_ms'] / 1000:.1f} s" if cas and cas.get("first_ms") else "–")
        ri = r.get("reingest")
        ri_s = f"{ri['median_ms']:,.0f} ({', '.join(f'{t:,.0f}' for t in ri['times_ms'])})" if ri else "–"
        lines.append(f"| {r['backend']} | {worst_s} | {cas_s} | {r.get('api_memory_mb', 0):,.0f} | {ri_s} |")
    lines.append("")
    # scaling
    sizes = sorted({(r["backend"], r["documents"]) for r in results})
    by_backend = {}
    for b, n in sizes:
        by_backend.setdefault(b, []).append(next(r for r in results if r["backend"] == b and r["documents"] == n))
    for b, rs in by_backend.items():
        if len(rs) < 2:
            continue
        lines.append(f"Scaling, {b}:\n")
        lines.append("| | " + " | ".join(f"{r.get('stored_quads', r['triples']) / 1e6:.2f}M triples ({r['documents']:,} plans)"
                                        for r in rs) + " |")
        lines.append("| --- |" + " ---: |" * len(rs))
        lines.append("| per-document writes, docs/s | " + " | ".join(
            f"{r['per_doc']['docs_per_s']:.1f}" if r.get("per_doc") else "–" for r in rs) + " |")
        lines.append("| bulk load, triples/s | " + " | ".join(
            f"{r['bulk']['triples_per_s']:,.0f}" if r.get("bulk", {}).get("triples_per_s") else "–" for r in rs) + " |")
        lines.append("| load total, s | " + " | ".join(f"{r.get('load_seconds', 0):,.1f}" for r in rs) + " |")
        lines.append("| store on disk, MB | " + " | ".join(f"{r.get('store_mb', 0):,.0f}" for r in rs) + " |")
        lines.append("| re-ingest one plan, ms | " + " | ".join(
            f"{r['reingest']['median_ms']:,.0f}" if r.get("reingest") else "–" for r in rs) + " |")
        for name in names:
            cells = []
            for r in rs:
                q = next((x for x in r.get("routes", []) if x["route"] == name), None)
                if q is None:
                    cells.append("–")
                elif q.get("timeout") and "p50_ms" not in q:
                    cells.append("timeout")
                elif "p50_ms" in q:
                    cells.append(f"{q['p50_ms']:,.0f}" if q["p50_ms"] >= 10 else f"{q['p50_ms']:.1f}")
                else:
                    cells.append("error")
            lines.append(f"| {name}, p50 ms | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=Path("/tmp/policykg-scale"))
    parser.add_argument("--count", type=int, default=DEFAULT_COUNT, help="synthetic plans (default ≈10M triples)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=2, help="processes preparing the corpus")
    parser.add_argument("--backends", default="embedded,oxigraph,virtuoso")
    parser.add_argument("--sample", type=int, default=1000, help="documents written one by one (replace_graph)")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmups", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=60.0, help="per request, seconds (also the SPARQL timeout)")
    parser.add_argument("--slow", type=float, default=10.0, help="a route whose first request takes longer ...")
    parser.add_argument("--slow-runs", type=int, default=3, help="... is timed this many times")
    parser.add_argument("--reingest", type=int, default=5)
    parser.add_argument("--routes", default="", help="only routes whose name contains one of these (comma-separated)")
    parser.add_argument("--scaling", default="100000,1000000",
                        help="smaller sizes in triples (comma-separated, or none)")
    parser.add_argument("--scaling-backends", default="embedded,oxigraph")
    parser.add_argument("--virtuoso-buffers", type=int, default=680_000,
                        help="NumberOfBuffers (8 KiB pages; MaxDirtyBuffers = 3/4)")
    parser.add_argument("--fresh", action="store_true", help="redo results already in --work/results")
    parser.add_argument("--keep", action="store_true", help="keep the stores after each run")
    parser.add_argument("--report", action="store_true", help="only print the tables of --work/scale.json")
    parser.add_argument("--backend-run", help=argparse.SUPPRESS)
    parser.add_argument("--docs", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--index", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.backend_run:
        backend_run(args)
        return 0
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    if args.report:
        data = json.loads((work / "scale.json").read_text())
        print(report(data["results"], data["corpus"]))
        return 0
    corpus = build_corpus(work, args.count, args.seed, args.jobs)
    index_path = Path(corpus["nquads"]).parent / "index.json"
    # order: the first backend at full size and its smaller sizes, then the other backends
    # at full size, then their smaller sizes (what matters most finishes first)
    backends = [b for b in args.backends.split(",") if b]
    smaller = []
    if args.scaling != "none":
        smaller = [n for n in (docs_for_triples(corpus, int(s)) for s in args.scaling.split(","))
                   if n < corpus["documents"]]
    scaled = [b for b in args.scaling_backends.split(",") if b]
    plan = [(backends[0], corpus["documents"])] + [(backends[0], n) for n in smaller if backends[0] in scaled]
    plan += [(b, corpus["documents"]) for b in backends[1:]]
    plan += [(b, n) for b in backends[1:] if b in scaled for n in smaller]
    results = []
    (work / "results").mkdir(exist_ok=True)
    for backend, ndocs in plan:
        out = work / "results" / f"{backend}-{ndocs}.json"
        if out.exists() and not args.fresh:
            results.append(json.loads(out.read_text()))
            log(f"{backend}/{ndocs}: cached result {out}")
            continue
        log(f"=== {backend} with {ndocs:,} documents")
        cmd = [sys.executable, __file__, "--backend-run", backend, "--docs", str(ndocs), "--index", str(index_path),
               "--out", str(out), "--work", str(work), "--sample", str(args.sample), "--runs", str(args.runs),
               "--warmups", str(args.warmups), "--timeout", str(args.timeout), "--slow", str(args.slow),
               "--slow-runs", str(args.slow_runs), "--reingest", str(args.reingest),
               "--virtuoso-buffers", str(args.virtuoso_buffers), "--routes", args.routes] + (["--keep"] if args.keep else [])
        subprocess.run(cmd, cwd=ROOT)
        if out.exists():
            results.append(json.loads(out.read_text()))
        summary = {k: v for k, v in corpus.items() if k != "docs"}
        (work / "scale.json").write_text(json.dumps({"corpus": summary, "results": results,
                                                     "date": dt.date.today().isoformat(),
                                                     "cores": os.cpu_count()}, indent=1))
    summary = {k: v for k, v in corpus.items() if k != "docs"}
    (work / "scale.json").write_text(json.dumps({"corpus": summary, "results": results,
                                                 "date": dt.date.today().isoformat(), "cores": os.cpu_count()},
                                                indent=1))
    print(report(results, summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
