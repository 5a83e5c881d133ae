"""The SPARQL 1.1 Protocol endpoint (/sparql), its canned queries, timeout and result cap,
through FastAPI's TestClient and through real clients (SPARQLWrapper, rdflib's SPARQLStore)
over HTTP on 127.0.0.1."""

from __future__ import annotations

import csv
import io
import json
import socket
import threading
import time
import urllib.error
from contextlib import contextmanager
from xml.etree import ElementTree

import httpx
import pytest
import rdflib
from fastapi.testclient import TestClient
from rdflib.query import Result

from api.app import Settings, create_app
from api.sparql_endpoint import check_read_only, keywords, negotiate
from ontology.namespaces import SHARED_GRAPH

PKG = "https://policykg.org/ns#"
COUNT_TASKS = "SELECT (COUNT(?t) AS ?n) WHERE { ?t a pkg:Task }"
TASKS = "SELECT ?t ?text WHERE { ?t a pkg:Task ; pkg:text ?text } ORDER BY ?t"
EXPLODING = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
BAC_GIANG_PLAN = "https://policykg.org/id/doc/bac-giang/kh-2024-06-feb36721"
YEN_DUNG_PLAN = "https://policykg.org/id/doc/bac-giang/yen-dung/kh-undated-1dade0b3"
KH_123 = "https://policykg.org/id/doc/bac-giang/123-kh-tu"


@pytest.fixture(scope="module")
def client(corpus_store):
    with TestClient(create_app(Settings(store=corpus_store))) as c:
        yield c


def bindings(response) -> list[dict]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    return response.json()["results"]["bindings"]


def assert_too_costly(response) -> str:
    """503: our timeout stopped the query, or the SPARQL server behind us refused it as too costly
    (Virtuoso refuses by its cost estimate before running; see api/sparql_worker.py)."""
    assert response.status_code == 503, response.text
    code = response.json()["error"]["code"]
    assert code in ("timeout", "upstream_refused"), response.text
    return response.json()["error"]["message"]


def assert_error(response, status: int, code: str) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message"}, body
    assert body["error"]["code"] == code, body
    assert body["error"]["message"]
    return body["error"]["message"]


# -- results formats ------------------------------------------------------------------------------
def test_default_is_sparql_json_and_counts_70_tasks(client):
    rows = bindings(client.get("/sparql", params={"query": COUNT_TASKS}))
    assert rows == [{"n": {"type": "literal", "value": "70",
                           "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]


@pytest.mark.parametrize("accept, media, fmt", [
    ("application/sparql-results+json", "application/sparql-results+json", "json"),
    ("application/sparql-results+xml", "application/sparql-results+xml", "xml"),
    ("text/csv", "text/csv", "csv"),
    ("text/tab-separated-values", "text/tab-separated-values", "tsv"),
])
def test_select_result_formats(client, accept, media, fmt):
    response = client.get("/sparql", params={"query": TASKS}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media
    assert "x-result-truncated" not in response.headers
    result = Result.parse(io.BytesIO(response.content), format=fmt)
    rows = list(result)
    assert len(rows) == 70
    assert {str(v) for v in result.vars} == {"t", "text"}
    assert all(str(row[0]).startswith("https://policykg.org/id/doc/") for row in rows)
    assert any("Sở Nội vụ" in str(row[1]) or "899/QĐ-TTg" in str(row[1]) for row in rows)


def test_csv_is_rfc4180(client):
    response = client.get("/sparql", params={"query": TASKS, "format": "csv"})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert b"\r\n" in response.content
    table = list(csv.reader(io.StringIO(response.text)))
    assert table[0] == ["t", "text"] and len(table) == 71


def test_xml_results_are_well_formed(client):
    response = client.get("/sparql", params={"query": COUNT_TASKS}, headers={"Accept": "application/sparql-results+xml"})
    root = ElementTree.fromstring(response.content)
    ns = "{http://www.w3.org/2005/sparql-results#}"
    assert root.find(f"{ns}results/{ns}result/{ns}binding/{ns}literal").text == "70"


def test_accept_quality_values_and_format_parameter(client):
    response = client.get("/sparql", params={"query": COUNT_TASKS},
                          headers={"Accept": "text/csv;q=0.4, text/tab-separated-values;q=0.9, */*;q=0.1"})
    assert response.headers["content-type"].startswith("text/tab-separated-values")
    assert response.text.splitlines() == ["?n", '"70"^^<http://www.w3.org/2001/XMLSchema#integer>']
    # the format parameter wins over Accept
    response = client.get("/sparql", params={"query": COUNT_TASKS, "format": "csv"},
                          headers={"Accept": "application/sparql-results+xml"})
    assert response.text.splitlines() == ["n", "70"]
    response = client.get("/sparql", params={"query": COUNT_TASKS}, headers={"Accept": "*/*"})
    assert response.headers["content-type"] == "application/sparql-results+json"
    assert response.headers["vary"] == "Accept"


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml",
                                    "text/csv", "text/tab-separated-values"])
def test_ask(client, accept):
    response = client.get("/sparql", params={"query": "ASK { ?t a pkg:Task }"}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    assert "true" in response.text
    if accept.endswith("json"):
        assert response.json()["boolean"] is True


CONSTRUCT = "CONSTRUCT { ?t a pkg:Task ; pkg:owner ?a } WHERE { ?t a pkg:Task . OPTIONAL { ?t pkg:owner ?a } }"


@pytest.mark.parametrize("accept, media, rdflib_format", [
    (None, "text/turtle", "turtle"),
    ("text/turtle", "text/turtle", "turtle"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
])
def test_construct_formats_parse_with_rdflib(client, accept, media, rdflib_format):
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", params={"query": CONSTRUCT}, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].split(";")[0] == media
    graph = rdflib.Graph().parse(data=response.content, format=rdflib_format)
    assert len(set(graph.subjects(rdflib.RDF.type, rdflib.URIRef(PKG + "Task")))) == 70
    assert len(list(graph.triples((None, rdflib.URIRef(PKG + "owner"), None)))) > 70


def test_describe_as_turtle(client):
    response = client.get("/sparql", params={"query": f"DESCRIBE <{BAC_GIANG_PLAN}>"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    assert (rdflib.URIRef(BAC_GIANG_PLAN), rdflib.URIRef("http://data.europa.eu/eli/ontology#applies"),
            rdflib.URIRef("https://policykg.org/id/doc/vn/45-nq-tw")) in graph


# -- protocol: GET / POST ------------------------------------------------------------------------------
def test_post_form(client):
    response = client.post("/sparql", data={"query": COUNT_TASKS},
                           headers={"Accept": "application/sparql-results+json"})
    assert bindings(response)[0]["n"]["value"] == "70"
    response = client.post("/sparql?format=csv", data={"query": COUNT_TASKS})
    assert response.text.splitlines() == ["n", "70"]


def test_post_direct(client):
    response = client.post("/sparql", content=COUNT_TASKS.encode(),
                           headers={"Content-Type": "application/sparql-query; charset=utf-8"})
    assert bindings(response)[0]["n"]["value"] == "70"


def test_default_graph_uri_selects_one_document(client):
    named = {r["g"]["value"] for r in bindings(client.get("/sparql", params={   # (Virtuoso has system graphs too)
        "query": 'SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "https://policykg.org/")) }'}))}
    assert len(named) == 3 and SHARED_GRAPH in named     # two documents and the shared graph
    counts = []
    for g in sorted(named - {SHARED_GRAPH}):
        rows = bindings(client.get("/sparql", params={"query": COUNT_TASKS, "default-graph-uri": g}))
        counts.append(int(rows[0]["n"]["value"]))
    assert sum(counts) == 70 and all(counts)
    agencies = 'SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a org:Organization }'
    rows = bindings(client.get("/sparql", params={"query": agencies, "default-graph-uri": SHARED_GRAPH}))
    assert int(rows[0]["n"]["value"]) > 20          # the agencies the two plans name, described there


def test_missing_or_empty_query(client):
    assert "query" in assert_error(client.get("/sparql"), 400, "bad_request")
    assert_error(client.get("/sparql", params={"query": "   "}), 400, "bad_request")
    assert_error(client.get("/sparql", params=[("query", COUNT_TASKS), ("query", COUNT_TASKS)]), 400, "bad_request")
    assert_error(client.post("/sparql", content=b"x", headers={"Content-Type": "text/plain"}),
                 415, "unsupported_media_type")


# -- read-only and refusals ----------------------------------------------------------------------------
@pytest.mark.parametrize("update", [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE WHERE { ?s ?p ?o }",
    "PREFIX x: <urn:x#>\nDELETE { ?s ?p ?o } INSERT { ?s x:p 1 } WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
    "CLEAR ALL", "DROP GRAPH <urn:g>", "CREATE GRAPH <urn:g>",
    "ADD DEFAULT TO <urn:g>", "MOVE <urn:a> TO <urn:b>", "COPY <urn:a> TO <urn:b>",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o } ; drop all",
])
def test_updates_are_refused(client, update):
    message = assert_error(client.get("/sparql", params={"query": update}), 403, "read_only")
    assert "read-only" in message
    assert_error(client.post("/sparql", data={"query": update}), 403, "read_only")


def test_update_operations_are_refused(client):
    assert_error(client.post("/sparql", data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}),
                 403, "read_only")
    assert_error(client.get("/sparql", params={"update": "CLEAR ALL"}), 403, "read_only")
    assert_error(client.post("/sparql", content=b"CLEAR ALL",
                             headers={"Content-Type": "application/sparql-update"}), 403, "read_only")
    # and nothing changed
    assert bindings(client.get("/sparql", params={"query": COUNT_TASKS}))[0]["n"]["value"] == "70"


def test_service_is_refused(client):
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    assert "SERVICE" in assert_error(client.get("/sparql", params={"query": query}), 400, "service_not_allowed")
    lower = "SELECT * WHERE { ?s ?p ?o . service silent <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    assert_error(client.post("/sparql", data={"query": lower}), 400, "service_not_allowed")


def test_keywords_in_strings_iris_comments_and_names_are_not_refused(client):
    query = """# DROP, SERVICE and INSERT in a comment
        SELECT ?t WHERE { ?t a pkg:Task ; pkg:text ?text .
          FILTER(!CONTAINS(?text, "SERVICE") && ?t != <urn:x:DELETE> && !CONTAINS(?text, 'drop all'))
          OPTIONAL { ?t pkg:load ?service }
        }"""
    assert len(bindings(client.get("/sparql", params={"query": query}))) == 70


def test_read_only_checks_unit():
    assert keywords('SELECT ?x { ?x ex:copy "ADD" } # MOVE') == {"SELECT"}
    with pytest.raises(Exception) as err:
        check_read_only("sElEcT * { ?s ?p ?o .SERVICE <urn:x> { ?s ?p ?o } }")
    assert err.value.status == 400
    with pytest.raises(Exception) as err:
        check_read_only('PREFIX : <urn:x#> INSERT DATA { :a :b "SELECT" }')
    assert err.value.status == 403
    check_read_only('SELECT * { ?s <urn:SERVICE> """SERVICE\n{ }""" }')


def test_syntax_error(client):
    message = assert_error(client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"}), 400, "syntax_error")
    assert "syntax" in message.lower() and "1:" in message
    assert_error(client.post("/sparql", content=b"SELEC ?x", headers={"Content-Type": "application/sparql-query"}),
                 400, "syntax_error")


def test_not_acceptable(client):
    assert_error(client.get("/sparql", params={"query": COUNT_TASKS}, headers={"Accept": "image/png"}),
                 406, "not_acceptable")
    assert_error(client.get("/sparql", params={"query": COUNT_TASKS}, headers={"Accept": "text/turtle"}),
                 406, "not_acceptable")
    assert_error(client.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": "text/csv"}),
                 406, "not_acceptable")
    assert_error(client.get("/sparql", params={"query": COUNT_TASKS, "format": "pdf"}), 406, "not_acceptable")


def test_negotiate_unit():
    assert negotiate("application/json", None) == ("json", "jsonld")
    assert negotiate("text/*", None) == ("csv", "turtle")
    assert negotiate("application/sparql-results+json;q=0, */*", None) == ("xml", "turtle")
    assert negotiate(None, "text/tab-separated-values") == ("tsv", None)


# -- canned example queries ------------------------------------------------------------------------------
def test_examples_are_listed(client):
    response = client.get("/sparql/examples")
    assert response.status_code == 200
    examples = {e["id"]: e for e in response.json()}
    assert {"tasks-by-agency", "cascade-of-resolution", "tasks-due-in-quarter",
            "documents-citing-decision"} <= set(examples)
    for example in examples.values():
        assert example["title"] and example["description"] and example["query"].startswith("# title:")
        assert all({"name", "type", "default"} == set(p) for p in example["params"])
        assert all(f"${p['name']}" in example["query"] for p in example["params"])
    assert examples["tasks-by-agency"]["params"] == [{"name": "agency", "type": "string", "default": "so-noi-vu"}]
    assert examples["cascade-of-resolution"]["params"][0]["default"] == "45-NQ/TW"
    assert [p["default"] for p in examples["tasks-due-in-quarter"]["params"]] == ["2024-10-01", "2024-12-31"]
    assert examples["documents-citing-decision"]["params"][0]["default"] == "899/QĐ-TTg"


def test_example_tasks_by_agency(client):
    rows = bindings(client.get("/sparql/examples/tasks-by-agency"))
    assert len(rows) == 9
    assert {r["agency"]["value"] for r in rows} == {"https://policykg.org/id/agency/bac-giang/so-noi-vu"}
    for agency in ("Sở Nội vụ tỉnh Bắc Giang", "SỞ NỘI VỤ", "Department of Home Affairs",
                   "https://policykg.org/id/agency/bac-giang/so-noi-vu"):
        assert len(bindings(client.get("/sparql/examples/tasks-by-agency", params={"agency": agency}))) == 9
    response = client.get("/sparql/examples/tasks-by-agency", params={"format": "csv"})
    assert response.headers["content-type"].startswith("text/csv") and len(response.text.splitlines()) == 10


def test_example_cascade_of_resolution(client):
    rows = bindings(client.get("/sparql/examples/cascade-of-resolution"))
    assert {r["document"]["value"] for r in rows} == {BAC_GIANG_PLAN, YEN_DUNG_PLAN, KH_123}
    levels = {r["document"]["value"]: r["level"]["value"] for r in rows}
    assert levels == {BAC_GIANG_PLAN: "province", KH_123: "province", YEN_DUNG_PLAN: "district"}
    assert all(r.get("issuerLabel") for r in rows)
    rows = bindings(client.get("/sparql/examples/cascade-of-resolution", params={"number": "123-KH/TU"}))
    assert {r["document"]["value"] for r in rows} == {BAC_GIANG_PLAN, YEN_DUNG_PLAN}


def test_example_documents_citing_decision(client):
    rows = bindings(client.get("/sparql/examples/documents-citing-decision"))
    assert [r["document"]["value"] for r in rows] == [BAC_GIANG_PLAN]
    assert "Bắc Giang" in rows[0]["issuer"]["value"]


def test_example_tasks_due_in_quarter(client):
    rows = bindings(client.get("/sparql/examples/tasks-due-in-quarter"))
    assert len(rows) == 8
    assert {r["due"]["value"] for r in rows} == {"2024-12-31"}
    rows = bindings(client.get("/sparql/examples/tasks-due-in-quarter",
                               params={"start": "2025-01-01", "end": "2025-12-31"}))
    assert len(rows) == 5


def test_example_parameters_are_checked_and_escaped(client):
    assert_error(client.get("/sparql/examples/nope"), 404, "not_found")
    assert_error(client.get("/sparql/examples/tasks-due-in-quarter", params={"start": "Q4"}),
                 422, "invalid_parameter")
    assert_error(client.get("/sparql/examples/tasks-by-agency", params={"agencyy": "x"}), 422, "invalid_parameter")
    for evil in ('x" ) } ; DROP ALL #', "x\\u0022 }", "a\nb\"c\\"):
        assert bindings(client.get("/sparql/examples/tasks-by-agency", params={"agency": evil})) == []
        assert bindings(client.get("/sparql/examples/documents-citing-decision", params={"number": evil})) == []


# -- timeout and result cap -----------------------------------------------------------------------------------
def test_timeout_stops_the_query_and_the_endpoint_recovers(corpus_store):
    with TestClient(create_app(Settings(store=corpus_store, sparql_timeout_s=1.0))) as c:
        assert bindings(c.get("/sparql", params={"query": COUNT_TASKS}))[0]["n"]["value"] == "70"  # warm
        started = time.monotonic()
        response = c.get("/sparql", params={"query": EXPLODING})
        elapsed = time.monotonic() - started
        message = assert_too_costly(response)
        assert ("1 s" in message or "refused" in message) and elapsed < 6, elapsed
        pool = c.app.state.sparql_pool
        assert all(p.is_alive() for p in pool.processes)
        # right after, a normal query answers (on a fresh worker)
        assert bindings(c.get("/sparql", params={"query": COUNT_TASKS}))[0]["n"]["value"] == "70"
        # the same through a canned query and a POST
        assert len(bindings(c.get("/sparql/examples/tasks-by-agency"))) == 9
        assert_too_costly(c.post("/sparql", data={"query": EXPLODING}))
    assert c.app.state.sparql_pool is None          # shutdown stopped the workers
    assert not any(p.is_alive() for p in pool.processes)


def test_result_cap(corpus_store):
    with TestClient(create_app(Settings(store=corpus_store, sparql_max_rows=5))) as c:
        for fmt, lines in (("json", None), ("csv", 6), ("tsv", 6), ("xml", None)):
            response = c.get("/sparql", params={"query": TASKS, "format": fmt})
            assert response.status_code == 200
            assert response.headers["x-result-truncated"] == "true"
            rows = list(Result.parse(io.BytesIO(response.content), format=fmt))
            assert len(rows) == 5
            if lines:
                assert len(response.text.splitlines()) == lines
        response = c.get("/sparql", params={"query": COUNT_TASKS})
        assert "x-result-truncated" not in response.headers
        assert bindings(response)[0]["n"]["value"] == "70"
        response = c.get("/sparql", params={"query": "SELECT ?t WHERE { ?t a pkg:Task } LIMIT 5"})
        assert "x-result-truncated" not in response.headers and len(bindings(response)) == 5
        response = c.get("/sparql", params={"query": CONSTRUCT}, headers={"Accept": "application/n-triples"})
        assert response.headers["x-result-truncated"] == "true"
        assert len(rdflib.Graph().parse(data=response.text, format="nt")) == 5


# -- a real server and real clients -------------------------------------------------------------------------------
@contextmanager
def serve(settings: Settings):
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)
        sock.close()
        assert not thread.is_alive(), "uvicorn did not stop"


@pytest.fixture(scope="module")
def server_url(corpus_store):
    with serve(Settings(store=corpus_store, sparql_timeout_s=5.0)) as url:
        yield url


def test_sparqlwrapper_get_and_post(server_url):
    from SPARQLWrapper import GET, JSON, POST, POSTDIRECTLY, SPARQLWrapper

    for method, request_method in ((GET, None), (POST, None), (POST, POSTDIRECTLY)):
        sw = SPARQLWrapper(f"{server_url}/sparql")
        sw.setQuery(COUNT_TASKS)
        sw.setReturnFormat(JSON)
        sw.setMethod(method)
        if request_method:
            sw.setRequestMethod(request_method)
        result = sw.queryAndConvert()
        assert result["results"]["bindings"][0]["n"]["value"] == "70", (method, request_method)
    sw = SPARQLWrapper(f"{server_url}/sparql")
    sw.setQuery("PREFIX pkg: <https://policykg.org/ns#>\n"
                "SELECT ?t WHERE { ?t a pkg:Task ; pkg:owner ?a . ?a pkg:gazetteerId 'so-noi-vu' }")
    sw.setReturnFormat(JSON)
    assert len(sw.queryAndConvert()["results"]["bindings"]) == 9
    sw.setQuery("ASK { ?t a pkg:Task }")
    assert sw.queryAndConvert()["boolean"] is True


def test_sparqlwrapper_sees_refusals(server_url):
    from SPARQLWrapper import JSON, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    sw = SPARQLWrapper(f"{server_url}/sparql")
    sw.setReturnFormat(JSON)
    sw.setQuery("SELECT * WHERE { ?s ?p }")
    with pytest.raises(QueryBadFormed):
        sw.queryAndConvert()
    sw.setQuery("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    with pytest.raises(QueryBadFormed):
        sw.queryAndConvert()
    update = SPARQLWrapper(f"{server_url}/sparql")
    update.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    update.setMethod("POST")
    with pytest.raises(urllib.error.HTTPError) as err:     # SPARQLWrapper has no exception for 403
        update.query()
    assert err.value.code == 403
    assert json.loads(err.value.read())["error"]["code"] == "read_only"


def test_rdflib_sparqlstore(server_url):
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = rdflib.Graph(SPARQLStore(f"{server_url}/sparql"))
    rows = list(graph.query(f"SELECT (COUNT(?t) AS ?n) WHERE {{ ?t a <{PKG}Task> }}"))
    assert int(rows[0][0]) == 70
    rows = list(graph.query(f"SELECT ?t ?a WHERE {{ ?t a <{PKG}Task> ; <{PKG}owner> ?a . "
                            f"?a <{PKG}gazetteerId> \"so-noi-vu\" }}"))
    assert len(rows) == 9 and all(isinstance(r[0], rdflib.URIRef) for r in rows)
    json_store = rdflib.Graph(SPARQLStore(f"{server_url}/sparql", returnFormat="json", method="POST"))
    assert int(list(json_store.query(COUNT_TASKS))[0][0]) == 70


def test_server_stays_responsive_during_a_long_query(server_url):
    outcome = {}

    def long_query():
        started = time.monotonic()
        outcome["response"] = httpx.get(f"{server_url}/sparql", params={"query": EXPLODING}, timeout=30)
        outcome["elapsed"] = time.monotonic() - started
        outcome["finished"] = time.monotonic()

    thread = threading.Thread(target=long_query)
    thread.start()
    time.sleep(0.5)
    started = time.monotonic()
    health = httpx.get(f"{server_url}/health", timeout=10)
    assert health.status_code == 200 and time.monotonic() - started < 1.5
    other = httpx.get(f"{server_url}/sparql", params={"query": COUNT_TASKS}, timeout=30)
    assert other.status_code == 200 and json.loads(other.text)["results"]["bindings"][0]["n"]["value"] == "70"
    other_finished = time.monotonic()
    thread.join(30)
    if assert_too_costly(outcome["response"]) and outcome["response"].json()["error"]["code"] == "timeout":
        assert other_finished < outcome["finished"]     # answered while the long query was still running
    assert outcome["elapsed"] < 10
    again = httpx.get(f"{server_url}/sparql", params={"query": COUNT_TASKS}, timeout=30)
    assert again.status_code == 200


def test_a_worker_killed_mid_query_is_reported_with_its_signal(embedded_store):
    import os
    import signal

    from api.sparql_worker import Job, WorkerFailed, WorkerPool
    from ingest.store import PREFIXES

    pool = WorkerPool(str(embedded_store / "graph"), PREFIXES, size=1)
    try:
        assert pool.run(Job(query=COUNT_TASKS), 30).status == 200        # the worker is up
        worker_pid = pool.processes[0].pid
        threading.Timer(1.0, os.kill, (worker_pid, signal.SIGKILL)).start()   # as the OOM killer would
        with pytest.raises(WorkerFailed, match="killed by signal 9"):
            pool.run(Job(query=EXPLODING), 30)
        assert pool.run(Job(query=COUNT_TASKS), 30).status == 200        # a fresh worker answers
    finally:
        pool.close()
