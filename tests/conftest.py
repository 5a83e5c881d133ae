"""Shared fixtures: the seed corpus ingested once per store backend.

``corpus_store`` (and ``service``, ``indexed_store`` on top of it) is a store
location, run once for each backend: the embedded store (a folder), an
Oxigraph server and a Virtuoso server (``sparql+http://…`` specs), both
started here on 127.0.0.1 by tests/servers.py and stopped at the end.
$POLICYKG_TEST_BACKENDS narrows the list (e.g. ``embedded``). Tests whose
subject does not depend on the store (the browser, schema fuzzing, search
quality) use ``embedded_store``/``embedded_indexed_store``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from api.service import PolicyService
from ingest.pipeline import ingest_paths
from ingest.store import open_store

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
CORPUS = ROOT / "corpus"
BACKENDS = [b.strip() for b in os.environ.get("POLICYKG_TEST_BACKENDS", "embedded,oxigraph,virtuoso").split(",")
            if b.strip()]


def _ingest_corpus(location) -> None:
    store = open_store(location)
    results = ingest_paths([CORPUS], store)
    assert [r.status for r in results] == ["added"] * len(results), [r.message for r in results]


def _build_index(location) -> None:
    from search.embedders import get_embedder
    from search.index import SearchIndex

    store = open_store(location, read_only=True)
    SearchIndex.build_from_store(store, get_embedder()).save(store.directory)


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request, tmp_path_factory):
    """A fresh, empty store location of one backend: a folder or a running server's spec."""
    directory = tmp_path_factory.mktemp(request.param)
    if request.param == "embedded":
        yield directory / "store"
        return
    from tests import servers

    start = {"oxigraph": servers.start_oxigraph, "virtuoso": servers.start_virtuoso}[request.param]
    server = start(directory / "server")
    saved = {k: os.environ.get(k) for k in server.env()}
    os.environ.update(server.env())           # the password travels in the environment, as in production
    try:
        yield f"{server.store_spec()}&index={directory / 'index'}"
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def corpus_store(backend):
    _ingest_corpus(backend)
    return backend


@pytest.fixture(scope="session")
def embedded_store(tmp_path_factory) -> Path:
    """The corpus in the embedded store only, for tests that do not depend on the backend."""
    directory = tmp_path_factory.mktemp("embedded-only")
    _ingest_corpus(directory)
    return directory


@pytest.fixture(scope="session")
def embedded_indexed_store(embedded_store) -> Path:
    _build_index(embedded_store)
    return embedded_store


@pytest.fixture(scope="session")
def service(corpus_store) -> PolicyService:
    return PolicyService.open(corpus_store)


@pytest.fixture(scope="session")
def gold() -> dict:
    return json.loads((DATA / "gold_seeds.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_files() -> dict[str, str]:
    """Gold file name -> corpus file name (same bytes; see tests/data/seed_files.json)."""
    return json.loads((DATA / "seed_files.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def indexed_store(corpus_store):
    """The corpus store with its search index built by the default embedder."""
    _build_index(corpus_store)
    return corpus_store
