"""Smoke test of the real SPARQL servers in tests/servers.py (Oxigraph and Virtuoso).

A missing server binary fails the test: CI installs both (.ci/run, the test extra).
"""

from __future__ import annotations

import gzip
import socket
import unicodedata

import httpx
import pytest

from tests.servers import (SparqlServer, available, free_port, start_oxigraph,
                           start_virtuoso)

EX = "http://example.org/"
XSD = "http://www.w3.org/2001/XMLSchema#"
G1 = EX + "graph/v%C4%83n-b%E1%BA%A3n-1"  # per-document graphs; IRIs with escapes and letters
G2 = EX + "graph/Điều-2"
G3 = EX + "graph/update"
TITLE = unicodedata.normalize("NFC", "Sở Nội vụ chủ trì")

TURTLE_1 = f"""\
@prefix ex: <{EX}> .
@prefix xsd: <{XSD}> .
ex:doc1 ex:title "{TITLE}" ;
  ex:name "Quyết định về việc ban hành Quy chế"@vi ;
  ex:issued "2024-03-15"^^xsd:date ;
  ex:articles "42"^^xsd:integer ;
  ex:amount "1234.5"^^xsd:decimal ;
  ex:source <{EX}v%C4%83n-b%E1%BA%A3n/1> ;
  ex:seeAlso <{EX}văn-bản/Điều_1> .
"""
TURTLE_2 = f'<{EX}doc2> <{EX}title> "Ủy ban nhân dân tỉnh Hà Giang" .\n'

# (predicate, value, datatype, language) exactly as PUT; literal datatype None = xsd:string
EXPECTED_1 = {
    ("title", TITLE, XSD + "string", None),
    ("name", "Quyết định về việc ban hành Quy chế", None, "vi"),
    ("issued", "2024-03-15", XSD + "date", None),
    ("articles", "42", XSD + "integer", None),
    ("amount", "1234.5", XSD + "decimal", None),
    ("source", EX + "v%C4%83n-b%E1%BA%A3n/1", "uri", None),
    ("seeAlso", EX + "văn-bản/Điều_1", "uri", None),
}

STARTERS = {"oxigraph": start_oxigraph, "virtuoso": start_virtuoso}


def select(server: SparqlServer, query: str) -> list[dict]:
    """SELECT by form POST (Virtuoso 7.2 hangs on a direct application/sparql-query POST)."""
    r = httpx.post(server.query_url, data={"query": query}, timeout=30,
                   headers={"Accept": "application/sparql-results+json"})
    r.raise_for_status()
    return r.json()["results"]["bindings"]


def term(binding: dict) -> tuple:
    # Virtuoso answers "typed-literal" (the 2008 JSON form) and leaves out xsd:string
    if binding["type"] == "uri":
        return binding["value"], "uri", None
    lang = binding.get("xml:lang")
    return binding["value"], binding.get("datatype", None if lang else XSD + "string"), lang


def put(server: SparqlServer, graph: str, turtle: str) -> None:
    r = httpx.put(server.graph_store_url, params={"graph": graph}, content=turtle.encode(),
                  headers={"Content-Type": "text/turtle; charset=utf-8"}, auth=server.auth())
    assert r.status_code in (200, 201, 204), r.text


def port_free(port: int) -> bool:
    """Nobody listens on the port (it may still have connections in TIME_WAIT)."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
        return False
    except ConnectionRefusedError:
        return True


@pytest.fixture(params=["oxigraph", "virtuoso"])
def server(request, tmp_path):
    reason = available(request.param)
    assert reason is None, reason  # fail, not skip: CI installs the servers
    srv = STARTERS[request.param](tmp_path / request.param)
    yield srv
    srv.stop()


def test_round_trip_union_delete_and_stop(server):
    put(server, G1, TURTLE_1)
    put(server, G2, TURTLE_2)

    rows = select(server, f"SELECT ?p ?o WHERE {{ GRAPH <{G1}> {{ <{EX}doc1> ?p ?o }} }}")
    got = {(b["p"]["value"].removeprefix(EX), *term(b["o"])) for b in rows}
    assert got == EXPECTED_1

    # a query's default graph is the union of all named graphs
    rows = select(server, f"SELECT ?s ?t WHERE {{ ?s <{EX}title> ?t }}")
    assert {(b["s"]["value"], b["t"]["value"]) for b in rows} == {
        (EX + "doc1", TITLE), (EX + "doc2", "Ủy ban nhân dân tỉnh Hà Giang")}

    # SPARQL Update through the (authenticated) update endpoint, with a Vietnamese literal
    update = f'INSERT DATA {{ GRAPH <{G3}> {{ <{EX}doc3> <{EX}title> "Điều 5. Hiệu lực"@vi }} }}'
    r = httpx.post(server.update_url, data={"update": update}, auth=server.auth(), timeout=30)
    assert r.status_code in (200, 204), r.text
    rows = select(server, f"SELECT ?t WHERE {{ GRAPH <{G3}> {{ ?s ?p ?t }} }}")
    assert [term(b["t"]) for b in rows] == [("Điều 5. Hiệu lực", None, "vi")]

    # Graph Store GET, then DELETE: the graph is gone, the others stay
    r = httpx.get(server.graph_store_url, params={"graph": G2}, auth=server.auth(),
                  headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and "doc2" in r.text
    r = httpx.delete(server.graph_store_url, params={"graph": G1}, auth=server.auth())
    assert r.status_code in (200, 204), r.text
    assert httpx.get(server.graph_store_url, params={"graph": G1},
                     auth=server.auth()).status_code == 404
    assert select(server, f"SELECT * WHERE {{ GRAPH <{G1}> {{ ?s ?p ?o }} }}") == []
    assert len(select(server, f"SELECT * WHERE {{ GRAPH <{G2}> {{ ?s ?p ?o }} }}")) == 1

    # stop: the process is gone and its ports are free; stop() again is harmless
    ports = server.ports
    server.stop()
    server.stop()
    assert server.process.poll() is not None
    assert all(port_free(p) for p in ports), ports


def test_restart_keeps_data_and_bulk_load(server, tmp_path):
    put(server, G2, TURTLE_2)
    nquads = tmp_path / "load.nq.gz"
    with gzip.open(nquads, "wt", encoding="utf-8") as f:
        f.write(f'<{EX}a> <{EX}title> "{TITLE}" <{G1}> .\n'
                f'<{EX}b> <{EX}issued> "2024-03-15"^^<{XSD}date> <{EX}graph/bulk-Đ> .\n')
    server.bulk_load_nquads(nquads)
    server.stop()

    again = STARTERS[server.kind](server.directory)
    try:
        rows = select(again, f"SELECT ?g ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
                             f"FILTER(STRSTARTS(STR(?g), '{EX}graph/')) }}")
        assert {(b["g"]["value"], b["s"]["value"]) for b in rows} == {
            (G2, EX + "doc2"), (G1, EX + "a"), (EX + "graph/bulk-Đ", EX + "b")}
    finally:
        again.stop()


def test_start_failure_reports_the_log(tmp_path):
    with socket.socket() as busy:  # the port is taken: oxigraph exits at once
        busy.bind(("127.0.0.1", free_port()))
        with pytest.raises(RuntimeError, match="oxigraph server exited"):
            start_oxigraph(tmp_path, busy.getsockname()[1])


def test_store_spec_and_env(tmp_path):
    ox = SparqlServer("oxigraph", "http://127.0.0.1:7878/query", "http://127.0.0.1:7878/update",
                      "http://127.0.0.1:7878/store", tmp_path)
    assert ox.store_spec() == "sparql+http://127.0.0.1:7878/query?update=/update&graph-store=/store"
    assert ox.env() == {}
    base = "http://127.0.0.1:8890"
    vt = SparqlServer("virtuoso", f"{base}/sparql", f"{base}/sparql-auth",
                      f"{base}/sparql-graph-crud-auth", tmp_path,
                      user="dba", password="dba", isql_port=1111)
    assert vt.store_spec() == ("sparql+http://127.0.0.1:8890/sparql?update=/sparql-auth"
                               "&graph-store=/sparql-graph-crud-auth&user=dba&auth=digest")
    assert vt.env() == {"POLICYKG_STORE_PASSWORD": "dba"}
