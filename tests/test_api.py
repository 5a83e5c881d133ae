"""The JSON API over the seed corpus: every endpoint, the gold questions, errors."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.app import Settings, create_app
from ingest.gold import score_tasks


@pytest.fixture(scope="module")
def client(indexed_store):
    with TestClient(create_app(Settings(store=indexed_store))) as c:
        yield c


def assert_error(response, status: int, code: str | None = None):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}
    assert body["error"]["message"]
    if code:
        assert body["error"]["code"] == code


def test_health(client):
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["documents"] == 2
    # the index was built from the stored versions of both documents
    assert health["index"]["present"] is True and health["index"]["stale_documents"] == 0
    assert health["index"]["units"] > 70


def test_openapi_and_docs(client):
    schema = client.get("/openapi.json").json()
    assert {"/api/search", "/api/tasks", "/api/agencies", "/api/documents", "/api/targets"} <= set(schema["paths"])
    assert client.get("/docs").status_code == 200


@pytest.mark.parametrize("index", [0, 1, 2])
def test_gold_questions(client, gold, seed_files, index):
    tasks = client.get("/api/tasks").json()
    matched = score_tasks(gold, tasks, seed_files).matched
    question = gold["questions"][index]
    params = {"agency": question["owner"]} if "owner" in question else {"cooperating": question["cooperating"]}
    got = {t["iri"] for t in client.get("/api/tasks", params=params).json()}
    expected = {matched[(f, w)]["iri"] for f, w in matched if w in question["expect_where"] and f.startswith("000")}
    assert got == expected and len(got) == len(question["expect_where"])


def test_tasks_same_shape_as_cli(client):
    task = client.get("/api/tasks", params={"agency": "Department of Home Affairs"}).json()[0]
    assert set(task) == {"iri", "text", "section", "owners", "cooperating", "deadline", "document", "source"}
    assert set(task["source"]) == {"path", "line"} and set(task["document"]) == {"iri", "number", "title"}
    due = client.get("/api/tasks", params={"due_before": "2024-12-31"}).json()
    assert due and all(t["deadline"]["end"] <= "2024-12-31" for t in due)
    assert len(client.get("/api/tasks", params={"document": "45-NQ/TW"}).json()) == 0


def test_agencies_and_agency_page(client):
    agencies = client.get("/api/agencies").json()
    home = next(a for a in agencies if a["iri"].endswith("/bac-giang/so-noi-vu"))
    assert home["owned"] == 9 and home["label_en"].startswith("Department of Home Affairs")
    one = client.get("/api/agencies/bac-giang/so-noi-vu").json()
    assert len(one["owned"]) == 9 and len(one["cooperating"]) >= 1
    assert client.get("/api/agencies/" + home["iri"]).status_code == 200   # full IRI works too


def test_documents_and_document(client):
    docs = client.get("/api/documents").json()
    assert len(docs) == 2
    cited = client.get("/api/documents", params={"cited": True}).json()
    assert {"45-NQ/TW", "899/QĐ-TTg"} <= {d["number"] for d in cited}
    plan = next(d for d in docs if d["issuer"]["label"] == "Ủy ban nhân dân tỉnh Bắc Giang")
    doc = client.get("/api/documents/" + plan["iri"].split("/id/doc/")[1]).json()
    assert len(doc["tasks"]) == 56 and sum(t["section"].startswith("annex") for t in doc["tasks"]) == 21
    assert {"implements", "cites"} <= {c["relation"] for c in doc["citations_out"]}
    resolution = client.get("/api/documents/vn/45-nq-tw").json()
    assert {c["relation"] for c in resolution["citations_in"]} >= {"implements"}
    assert client.get("/api/documents/45-NQ/TW").json()["iri"] == resolution["iri"]


def test_targets(client):
    targets = client.get("/api/targets").json()
    assert len(targets) == 13 and all({"quantity", "unit", "target", "year", "source"} <= set(t) for t in targets)


def test_search(client):
    body = client.get("/api/search", params={"q": "Sở Nội vụ chủ trì những nhiệm vụ nào", "limit": 9}).json()
    assert len(body["hits"]) == 9 and all("Sở Nội vụ" in h["owners"][0]["label"] for h in body["hits"])
    english = client.get("/api/search", params={"q": "innovation investment fund", "kind": "task"}).json()
    assert "Quỹ đầu tư đổi mới sáng tạo" in english["hits"][0]["text"]


@pytest.mark.parametrize("path, params", [
    ("/api/search", {}),
    ("/api/search", {"q": ""}),
    ("/api/search", {"q": "x", "limit": 0}),
    ("/api/search", {"q": "x", "kind": "memo"}),
    ("/api/search", {"q": "x", "mode": "magic"}),
    ("/api/search", {"q": "?!"}),
    ("/api/search", {"q": "x", "due_before": "31/12/2024"}),
    ("/api/tasks", {"due_before": "tomorrow"}),
    ("/api/tasks", {"agency": "no such agency at all"}),
    ("/api/tasks", {"document": "999/QĐ-XYZ"}),
    ("/api/targets", {"document": "nothing.txt"}),
])
def test_bad_parameters_are_422_with_the_error_shape(client, path, params):
    assert_error(client.get(path, params=params), 422, "invalid_parameter")


@pytest.mark.parametrize("path", ["/api/agencies/nowhere/so-nothing", "/api/documents/vn/0-xx-yy", "/api/nothing"])
def test_unknown_ids_are_404(client, path):
    assert_error(client.get(path), 404, "not_found")


def test_wrong_method_is_405_with_the_error_shape(client):
    assert_error(client.post("/api/tasks"), 405)


def test_unfiltered_task_pages_follow_the_sorted_order(service):
    """Pages of all tasks are cut per document (no sort of every task); they must match the full sort."""
    everything = [t["iri"] for t in service.tasks()]          # no limit: one sorted query
    assert len(everything) == 70
    for offset, limit in ((0, 1), (0, 13), (13, 1), (10, 50), (55, 20), (69, 5), (70, 5), (3, 1000)):
        assert [t["iri"] for t in service.tasks(limit=limit, offset=offset)] == everything[offset:offset + limit]
    for filters in ({"agency": "Sở Nội vụ"}, {"cooperating": "Sở Tài chính"}, {"due_before": "2025-12-31"}):
        matching = [t["iri"] for t in service.tasks(**filters)]
        assert matching, filters
        for offset, limit in ((0, 1), (0, 4), (2, 3), (len(matching) - 1, 5)):
            page = service.tasks(limit=limit, offset=offset, **filters)
            assert [t["iri"] for t in page] == matching[offset:offset + limit], (filters, offset, limit)


def test_an_agency_named_with_its_place_is_that_place_s_only(service):
    """At national scale "Sở Nội vụ tỉnh X" must not mean every province's Sở Nội vụ."""
    assert len(service.tasks(agency="Sở Nội vụ")) == 9                      # any province's
    assert len(service.tasks(agency="Sở Nội vụ tỉnh Bắc Giang")) == 9
    assert service.tasks(agency="Sở Nội vụ tỉnh Lạng Sơn") == []            # named, but not in the corpus
    picked = service.owner_labels()[0]                                      # a name from the UI's chooser
    assert service.resolve_agency(picked).iris and not service.resolve_agency(picked).gazetteer_ids


def test_agency_lists_are_cut_with_their_totals(client):
    body = client.get("/api/agencies/bac-giang/so-noi-vu", params={"limit": 2}).json()
    assert len(body["owned"]) == 2 and body["owned_count"] == 9 and body["cooperating_count"] >= 1
    assert client.get("/api/agencies/bac-giang/so-noi-vu").json()["owned_count"] == 9


def test_lists_are_paged_with_a_next_link(client):
    whole = client.get("/api/tasks", params={"limit": 1000}).json()
    assert len(whole) == 70
    seen, url, pages = [], "/api/tasks?limit=25", 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += [t["iri"] for t in response.json()]
        link = response.headers.get("link")
        url = link[1:link.index(">")] if link else None
        pages += 1
    assert pages == 3 and seen == [t["iri"] for t in whole]          # same order, nothing lost or repeated
    assert "link" not in client.get("/api/tasks", params={"agency": "Sở Nội vụ"}).headers   # 9 < one page
    docs = client.get("/api/documents", params={"limit": 1})
    assert len(docs.json()) == 1 and 'rel="next"' in docs.headers["link"]
    second = client.get("/api/documents", params={"limit": 1, "offset": 1}).json()
    assert second and second[0]["iri"] != docs.json()[0]["iri"]
    agencies = client.get("/api/agencies", params={"limit": 5, "offset": 5}).json()
    assert [a["iri"] for a in agencies] == [a["iri"] for a in client.get("/api/agencies").json()[5:10]]
    assert client.get("/api/tasks", params={"limit": 1001}).status_code == 422
