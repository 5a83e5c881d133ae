"""Shared fixtures: the seed corpus ingested once into a temporary store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from api.service import PolicyService
from ingest.pipeline import ingest_paths
from ingest.store import GraphStore

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("store")
    store = GraphStore(directory)
    results = ingest_paths([CORPUS], store)
    assert [r.status for r in results] == ["added"] * len(results), [r.message for r in results]
    del store
    return directory


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
def indexed_store(corpus_store) -> Path:
    """The corpus store with its search index built by the default embedder."""
    from search.embedders import get_embedder
    from search.index import SearchIndex

    store = GraphStore(corpus_store, read_only=True)
    SearchIndex.build_from_store(store, get_embedder()).save(corpus_store)
    return corpus_store
