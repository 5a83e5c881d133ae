"""SIGKILL at random moments during `policykg ingest` (graph writes *and* the search index
update) and during `policykg index` rebuilds.

After every kill: the store opens read-only; the index loads (it may be absent only before
the first save ever finished); a search runs; every document graph is whole, as before the
ingest or as after it; every document's units in the index are those of one whole version of
it, and the index reports as stale exactly the documents whose stored version it was not
built from. Then one more normal `policykg ingest` must bring the index in step with the
store exactly: no stale document, and the units (ids and texts) of a fresh build.

The corpus has two versions, A and B, of two small synthetic plans (B adds a sentence to one
task of each), written in turn to the same paths, so each ingest replaces both graphs and
re-embeds only the two tasks that changed.

To spend the time budget on the moments that matter, the killed processes are forked from
a "zygote" that has already imported the CLI (`api.cli`, ~5 s of imports on a busy
2-core machine); each child then runs exactly ``policykg <args>`` (the typer app) and is
killed with SIGKILL. Nothing is written before those imports finish, so a kill there would
only show that nothing happened. The last ingest is a real `policykg` process.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from api.service import PolicyService
from bench.synthetic import write_corpus
from ingest.pipeline import ingest_paths
from ingest.store import GraphStore, graph_versions
from ingest.validate import validate_graph
from search.index import INDEX_DIR, SearchIndex, stale_graphs
from search.units import read_units

KILLS_INGEST = 14          # SIGKILLs that land during `policykg ingest` (writes + index update)
KILLS_INDEX = 6            # SIGKILLs that land during `policykg index` (full rebuild)
TASK_LINE = re.compile(r"^\s*(?:- |\d+(?:\.\d+)*\.\s)(?!Lưu)[^:]{3,90}: \S")
POLICYKG = Path(sys.executable).with_name("policykg")
ROOT = Path(__file__).resolve().parent.parent

ZYGOTE = r"""
import json, os, sys, time, traceback
from api.cli import app
devnull = os.open(os.devnull, os.O_RDWR)
for line in sys.stdin:
    order = json.loads(line)
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            err = os.open(order["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(err, 2)
            os.dup2(devnull, 1)
            os.dup2(devnull, 0)
            app(order["args"], prog_name="policykg")
            code = 0
        except SystemExit as exit:
            code = exit.code if isinstance(exit.code, int) else (0 if exit.code is None else 1)
        except BaseException:
            traceback.print_exc()
        finally:
            try:
                sys.stderr.flush()
            finally:
                os._exit(code)
    print(json.dumps({"pid": pid}), flush=True)
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)   # exited, but its pid stays ours until reaped
    seconds = time.monotonic() - started
    sys.stdin.readline()                                 # the test has sent its kill (or not)
    _, status = os.waitpid(pid, 0)
    print(json.dumps({"status": status, "seconds": seconds}), flush=True)
"""


class Zygote:
    """A process with the CLI imported that forks one `policykg` run per order."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        log_dir.mkdir(parents=True, exist_ok=True)
        self.runs = 0
        self.proc = subprocess.Popen([sys.executable, "-c", ZYGOTE], cwd=ROOT, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, bufsize=1)

    def run(self, args: list[str], kill_after: float | None = None) -> dict:
        """Run ``policykg args``; SIGKILL it after ``kill_after`` seconds if it is still running.
        Returns {killed, seconds, status, stderr}."""
        self.runs += 1
        log = self.log_dir / f"run-{self.runs}.log"
        self.proc.stdin.write(json.dumps({"args": args, "stderr": str(log)}) + "\n")
        self.proc.stdin.flush()
        pid = json.loads(self.proc.stdout.readline())["pid"]
        killed = False
        if kill_after is not None:
            time.sleep(kill_after)
            os.kill(pid, signal.SIGKILL)     # running, or a zombie the zygote has not reaped yet
            killed = True
        self.proc.stdin.write("reap\n")
        self.proc.stdin.flush()
        done = json.loads(self.proc.stdout.readline())
        killed = killed and os.WIFSIGNALED(done["status"])
        code = None if killed else os.waitstatus_to_exitcode(done["status"])
        return {"killed": killed, "seconds": done["seconds"], "code": code,
                "stderr": log.read_text(encoding="utf-8", errors="replace")}

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(30)


def edited(text: str) -> str:
    """Version B of a plan: its first "Agency: task" line gets a sentence more."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if TASK_LINE.match(line):
            lines[i] = line.rstrip() + " Định kỳ báo cáo kết quả thực hiện."
            return "\n".join(lines)
    raise AssertionError("no task line to edit")


PROV = "http://www.w3.org/ns/prov#"
WHEN = {ox.NamedNode(PROV + "startedAtTime"), ox.NamedNode(PROV + "endedAtTime"),
        ox.NamedNode(PROV + "generatedAtTime")}


def fingerprints(directory: Path) -> dict[str, str]:
    """Graph -> hash of its sorted quads (but the ingest's clock time), read as the API would."""
    store = GraphStore(directory, read_only=True)
    quads: dict[str, list[str]] = defaultdict(list)
    for quad in store.store.quads_for_pattern(None, None, None, None):
        if quad.predicate not in WHEN:
            quads[quad.graph_name.value].append(str(quad))
    return {g: hashlib.sha256("\n".join(sorted(q)).encode()).hexdigest() for g, q in quads.items()}


def unit_sets(units) -> dict[str, tuple]:
    by_graph: dict[str, list] = defaultdict(list)
    for u in units:
        by_graph[u.graph].append((u.id, u.text))
    return {g: tuple(sorted(v)) for g, v in by_graph.items()}


@pytest.fixture(scope="module")
def zygote(tmp_path_factory):
    """Started first, so its imports overlap the reference ingests of ``versions``."""
    process = Zygote(tmp_path_factory.mktemp("logs"))
    yield process
    process.close()


@pytest.fixture(scope="module")
def versions(tmp_path_factory):
    """Live corpus folder, the two versions' texts, and per version: graph fingerprints,
    units per graph and source hashes, from clean ingests of each version."""
    generated = tmp_path_factory.mktemp("generated")
    write_corpus(generated, 12, seed=77)
    chosen = [p for p in sorted(generated.iterdir(), key=lambda p: p.stat().st_size)
              if any(TASK_LINE.match(line) for line in p.read_text(encoding="utf-8").splitlines())][:2]
    texts_a = {p.name: p.read_text(encoding="utf-8") for p in chosen}
    texts_b = {name: edited(text) for name, text in texts_a.items()}
    live = tmp_path_factory.mktemp("live")
    reference = {}
    for label, texts in (("A", texts_a), ("B", texts_b)):
        for name, text in texts.items():
            (live / name).write_text(text, encoding="utf-8")
        ref = tmp_path_factory.mktemp(f"ref-{label}")
        store = GraphStore(ref)
        assert all(r.status == "added" for r in ingest_paths([live], store, validate=False))
        reference[label] = {"units": unit_sets(read_units(store)), "sha": graph_versions(store)}
        del store
        reference[label]["fp"] = fingerprints(ref)
    changed = [g for g in reference["A"]["fp"] if reference["A"]["fp"][g] != reference["B"]["fp"][g]]
    assert len(changed) == 2
    assert all(reference["A"]["units"][g] != reference["B"]["units"][g] for g in changed)
    return live, {"A": texts_a, "B": texts_b}, reference


def write_version(live: Path, texts: dict[str, str]) -> None:
    for name, text in texts.items():
        (live / name).write_text(text, encoding="utf-8")


def version_of(value, per_version: dict[str, dict], graph: str) -> set[str]:
    return {label for label, ref in per_version.items() if ref.get(graph) == value}


def check_after_kill(store_dir: Path, reference: dict, embedder, index_seen: bool) -> dict:
    """The invariants after a kill; returns what was found (for the record)."""
    fps = fingerprints(store_dir)                                  # the store opens read-only
    store_version = {}
    for graph, fp in fps.items():
        labels = version_of(fp, {k: v["fp"] for k, v in reference.items()}, graph)
        assert labels, f"{graph} is neither version A nor version B: half a document"
        store_version[graph] = labels
    state = {"graphs": len(fps), "index": SearchIndex.exists(store_dir),
             "index_new_left": (store_dir / (INDEX_DIR + ".new")).exists(),
             "only_old_index": not (store_dir / INDEX_DIR / "meta.json").exists()
             and (store_dir / (INDEX_DIR + ".old") / "meta.json").exists()}
    if not state["index"]:
        assert not index_seen, "the index existed before and is gone"
        return state
    index = SearchIndex.load(store_dir)
    assert len(index.units) == index.meta["units"] == index.dense.vectors.shape[0]
    units = unit_sets(index.units)
    recorded = index.meta["graphs"]
    expected_stale = set()
    for graph in set(units) | set(recorded):
        labels = version_of(units.get(graph, ()), {k: v["units"] for k, v in reference.items()}, graph)
        assert labels, f"the index holds a mix of two versions of {graph}"
        if recorded.get(graph) is None:          # read while a writer replaced it: unknown, stale
            expected_stale.add(graph)
            continue
        # the recorded version is the one the units were read from
        assert version_of(recorded[graph], {k: v["sha"] for k, v in reference.items()}, graph) <= labels
        if not labels & store_version.get(graph, set()):
            expected_stale.add(graph)            # the store holds the other version (or none)
    store = GraphStore(store_dir, read_only=True)
    documents = graph_versions(store)                             # document graphs (not the shared one)
    expected_stale |= set(documents) - set(recorded)
    stale = stale_graphs(index.meta, documents)
    assert set(stale) == expected_stale, (stale, expected_stale)
    assert PolicyService(store).index_status()["stale_documents"] == len(stale)      # what /health says
    from search.engine import SearchEngine
    hits = SearchEngine(index, embedder).search("kế hoạch thực hiện nhiệm vụ", limit=5).hits
    assert hits, "a search over the index found nothing"
    state["stale"] = len(stale)
    return state


def check_in_step(store_dir: Path) -> None:
    """The index is what a fresh build would be: same units (ids, texts), versions of the store."""
    store = GraphStore(store_dir, read_only=True)
    index = SearchIndex.load(store_dir)
    versions = graph_versions(store)
    assert stale_graphs(index.meta, versions) == []
    assert index.meta["graphs"] == versions
    fresh = read_units(store)
    assert sorted((u.id, u.text) for u in index.units) == sorted((u.id, u.text) for u in fresh)
    assert len(index.units) == index.dense.vectors.shape[0]


@pytest.mark.skipif(not hasattr(os, "waitid"), reason="the zygote needs os.waitid (Linux)")
def test_sigkill_during_ingest_and_index_keeps_store_and_index_whole(zygote, versions, tmp_path):
    from search.embedders import get_embedder

    live, texts, reference = versions
    store_dir = tmp_path / "store"
    embedder = get_embedder()
    rng = random.Random(11)
    ingest = ["ingest", str(live), "--store", str(store_dir), "--no-validate", "--jobs", "1"]
    rebuild = ["index", "--store", str(store_dir)]
    outcomes: Counter = Counter()
    landed = Counter()
    started = time.monotonic()
    # a kill during the very first ingest of an empty store: no index yet is allowed
    write_version(live, texts["A"])
    run = zygote.run(ingest, kill_after=rng.uniform(0.2, 3.0))
    state = check_after_kill(store_dir, reference, embedder, index_seen=False)
    outcomes[_outcome("first ingest", run, state)] += 1
    landed["ingest"] += run["killed"]
    assert zygote.run(ingest)["code"] == 0
    check_in_step(store_dir)
    write_version(live, texts["B"])                  # how long a whole ingest takes here
    run = zygote.run(ingest)
    assert run["code"] == 0, run["stderr"]
    ingest_seconds = run["seconds"]
    check_in_step(store_dir)

    attempt = 0
    while landed["ingest"] < KILLS_INGEST and attempt < 2 * KILLS_INGEST:
        attempt += 1
        write_version(live, texts["A" if attempt % 2 == 0 else "B"])
        run = zygote.run(ingest, kill_after=rng.uniform(0.0, ingest_seconds))
        state = check_after_kill(store_dir, reference, embedder, index_seen=True)
        outcomes[_outcome("ingest", run, state)] += 1
        landed["ingest"] += run["killed"]
        recovery = zygote.run(ingest)                       # one more normal ingest
        assert recovery["code"] == 0, recovery["stderr"]
        check_in_step(store_dir)

    run = zygote.run(rebuild)
    assert run["code"] == 0, run["stderr"]
    rebuild_seconds = run["seconds"]
    attempt = 0
    while landed["index"] < KILLS_INDEX and attempt < 2 * KILLS_INDEX:
        attempt += 1
        if attempt % 2 == 0:     # half the rebuilds start from a store the index is behind on
            write_version(live, texts["A" if attempt % 4 == 0 else "B"])
            assert zygote.run(ingest + ["--no-index"])["code"] == 0
        run = zygote.run(rebuild, kill_after=rng.uniform(0.0, rebuild_seconds))
        state = check_after_kill(store_dir, reference, embedder, index_seen=True)
        outcomes[_outcome("index", run, state)] += 1
        landed["index"] += run["killed"]
        recovery = zygote.run(ingest)
        assert recovery["code"] == 0, recovery["stderr"]
        check_in_step(store_dir)

    # the index left behind on purpose (a write without index update) ...
    now = {name: (live / name).read_text(encoding="utf-8") for name in texts["A"]}
    write_version(live, texts["B" if now == texts["A"] else "A"])
    assert zygote.run(ingest + ["--no-index"])["code"] == 0
    behind = stale_graphs(SearchIndex.load(store_dir).meta, graph_versions(GraphStore(store_dir, read_only=True)))
    assert len(behind) == 2
    # ... is brought in step by the next ingest, a real `policykg` process, with nothing to write
    done = subprocess.run([str(POLICYKG), *ingest], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "0 added, 0 replaced, 2 unchanged" in done.stderr and "2 graphs it was behind on re-read" in done.stderr
    check_in_step(store_dir)
    store = GraphStore(store_dir, read_only=True)
    union = Graph().parse(data=ox.serialize(store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"),
                                            format=ox.RdfFormat.N_TRIPLES), format="nt")
    report = validate_graph(union)
    assert report.conforms, report.text[:2000]
    print(f"\n{sum(landed.values())} SIGKILLs landed ({landed['ingest']} in ingest, {landed['index']} in index) "
          f"in {time.monotonic() - started:.0f} s; a whole ingest took {ingest_seconds:.1f} s, "
          f"a whole rebuild {rebuild_seconds:.1f} s")
    for outcome, n in sorted(outcomes.items()):
        print(f"  {n:3d}  {outcome}")
    assert landed["ingest"] >= KILLS_INGEST and landed["index"] >= KILLS_INDEX


def _outcome(command: str, run: dict, state: dict) -> str:
    if not run["killed"]:
        return f"{command}: completed before the kill"
    if not state["graphs"]:
        where = "before the first graph write"
    elif not state["index"]:
        where = "before the first index save (no index yet)"
    elif state.get("only_old_index"):
        where = "mid-swap (only index.old whole)"
    elif state.get("index_new_left"):
        where = "while writing index.new"
    elif state.get("stale"):
        where = "index behind the store (stale documents reported)"
    else:
        where = "store and index in step"
    return f"{command}: killed, {where}"




# -- the swap and the staleness rules, deterministically ---------------------------------------------
class _TinyEmbedder:
    """Enough of an embedder to build an index without a model."""
    name = option = "tiny-test-embedder"
    dim = 4

    def embed_passages(self, texts):
        import numpy as np
        return np.array([[len(t), t.count(" "), 1.0, 0.5] for t in texts], dtype=np.float32)


def _tiny_index(texts: list[str], version: str) -> SearchIndex:
    from search.units import Unit

    units = [Unit(id=f"urn:x:task/{i}", iri=f"urn:x:task/{i}", kind="task", text=text, graph="urn:x:graph",
                  document={"iri": "urn:x", "number": None, "title": None}) for i, text in enumerate(texts)]
    return SearchIndex.build(units, _TinyEmbedder(), graphs={"urn:x:graph": version})


def test_an_interrupted_swap_never_leaves_no_index(tmp_path):
    first = _tiny_index(["kế hoạch một", "nhiệm vụ hai"], "v1")
    first.save(tmp_path)
    # killed between `index` -> `index.old` and `index.new` -> `index`: only index.old is in place
    _tiny_index(["kế hoạch một", "nhiệm vụ hai", "mục tiêu ba"], "v2").save(tmp_path / "elsewhere")
    (tmp_path / INDEX_DIR).rename(tmp_path / (INDEX_DIR + ".old"))
    (tmp_path / "elsewhere" / INDEX_DIR).rename(tmp_path / (INDEX_DIR + ".new"))
    assert SearchIndex.exists(tmp_path)
    assert SearchIndex.load(tmp_path).meta["build_id"] == first.meta["build_id"]
    assert SearchIndex.read_meta(tmp_path)["graphs"] == {"urn:x:graph": "v1"}
    # the next save puts index.old back before it removes anything, then swaps the new one in
    third = _tiny_index(["kế hoạch một"], "v3")
    third.save(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(INDEX_DIR)) == [INDEX_DIR]
    assert SearchIndex.load(tmp_path).meta["build_id"] == third.meta["build_id"]
    # a half-written index.new (no meta.json yet) is never taken for an index
    (tmp_path / (INDEX_DIR + ".new")).mkdir()
    (tmp_path / (INDEX_DIR + ".new") / "units.jsonl").write_text("{", encoding="utf-8")
    assert SearchIndex.load(tmp_path).meta["build_id"] == third.meta["build_id"]


def test_stale_graphs_rules():
    meta = {"graphs": {"g1": "a", "g2": "b", "g3": None, "gone": "d"}}
    store = {"g1": "a", "g2": "B", "g3": "c", "new": "e"}
    # g2 changed, g3 read while it changed, gone removed, new not indexed yet; g1 in step
    assert stale_graphs(meta, store) == ["g2", "g3", "gone", "new"]
    assert stale_graphs({"graphs": {"g1": "a"}}, {"g1": "a"}, {"g1", "orphan"}) == ["orphan"]
    # an index from before versions were recorded: every graph is of unknown version
    assert stale_graphs({}, {"g1": "a"}, {"g0"}) == ["g0", "g1"]
