"""An ingest killed with SIGKILL at a random moment leaves a store that opens, validates and
holds every document whole (as before that file's ingest or as after it), never half a graph."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph

from bench.synthetic import write_corpus
from ingest.pipeline import ingest_paths, prepare_file
from ingest.store import GraphStore
from ingest.validate import validate_graph
from ontology.namespaces import SHARED_GRAPH

KILLS = 20
POLICYKG = Path(sys.executable).with_name("policykg")


def graph_sizes(directory: Path) -> dict[str, int]:
    """Quads per named graph, read as the API would (read-only); no store yet counts as empty."""
    try:
        store = GraphStore(directory, read_only=True).store
    except FileNotFoundError:
        return {}
    sizes: dict[str, int] = {}
    for quad in store.quads_for_pattern(None, None, None, None):
        sizes[quad.graph_name.value] = sizes.get(quad.graph_name.value, 0) + 1
    return sizes


def shared_triples(directory: Path) -> set[str]:
    store = GraphStore(directory, read_only=True).store
    return {str(ox.Triple(q.subject, q.predicate, q.object))
            for q in store.quads_for_pattern(None, None, None, ox.NamedNode(SHARED_GRAPH))}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[Path, dict[str, int], dict[str, set[str]]]:
    """The plans, the quads per graph of a clean ingest, and what each document adds to the shared graph."""
    folder = tmp_path_factory.mktemp("plans")
    write_corpus(folder, 40, seed=77)
    reference = tmp_path_factory.mktemp("reference")
    results = ingest_paths([folder], GraphStore(reference), validate=False)
    assert all(r.status == "added" for r in results)
    shared_by_graph = {}
    for path in sorted(folder.iterdir()):
        prepared = prepare_file(path, validate=False)
        shared_by_graph[prepared.result.graph] = {str(t) for t in ox.parse(prepared.shared, format=ox.RdfFormat.N_TRIPLES)}
    return folder, graph_sizes(reference), shared_by_graph


def test_sigkill_during_ingest_never_leaves_half_a_document(corpus, tmp_path):
    folder, expected, shared_by_graph = corpus
    rng = random.Random(5)
    store_dir = tmp_path / "store"
    seen_partial_batches = 0
    for attempt in range(KILLS):
        proc = subprocess.Popen([str(POLICYKG), "ingest", str(folder), "--store", str(store_dir), "--no-index",
                                 "--no-validate", "--force", "--jobs", "1"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(rng.uniform(0.5, 6.0))   # some kills land while the store is being created
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        sizes = graph_sizes(store_dir)                       # the store opens
        shared = sizes.pop(SHARED_GRAPH, 0)
        for graph, count in sizes.items():
            assert count == expected[graph], f"attempt {attempt}: {graph} has {count} of {expected[graph]} quads"
        if sizes:   # the shared graph holds what every stored document said of shared nodes, and no more
            needed = set().union(*(shared_by_graph[g] for g in sizes))
            assert needed <= shared_triples(store_dir) and shared <= expected[SHARED_GRAPH], f"attempt {attempt}"
        seen_partial_batches += 0 < len(sizes) < len(expected) - 1
    print(f"\n{KILLS} SIGKILLs during ingest: every stored document whole; "
          f"{seen_partial_batches} kills landed mid-batch")
    store = GraphStore(store_dir, read_only=True)
    union = Graph().parse(data=ox.serialize(store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"),
                                            format=ox.RdfFormat.N_TRIPLES), format="nt")
    report = validate_graph(union)
    assert report.conforms, report.text[:2000]
