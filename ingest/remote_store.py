"""A remote SPARQL 1.1 server as policykg's store, reached only through the standard protocols.

Reads use the SPARQL 1.1 Protocol (form POST: it works everywhere, and a direct
``application/sparql-query`` POST hangs on Virtuoso 7.2); answers are parsed
as they stream in by pyoxigraph's own parsers, so callers get the same result
objects as from the embedded store. Writes use the Graph Store HTTP Protocol
(PUT replaces a document's named graph; POST adds to the shared graph; DELETE
drops a graph) or, when no graph store URL is configured, SPARQL 1.1 Update
(DROP SILENT GRAPH + INSERT DATA).

The server must show the union of its named graphs as the default graph
(Oxigraph: ``--union-default-graph``; Virtuoso: its default; Fuseki:
``unionDefaultGraph``), because policykg's queries read the default graph.

A store spec looks like::

    sparql+http://127.0.0.1:7878/query?update=/update&graph-store=/store
    sparql+https://host/sparql?graph-store=/sparql-graph-crud-auth&user=dba&auth=digest&index=/var/policykg

The password comes from $POLICYKG_STORE_PASSWORD, never from the spec. ``index``
is the local folder for the search index (default ``data-<host>-<port>``).
"""

from __future__ import annotations

import io
import os
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from ontology.namespaces import SHARED_GRAPH

from .sparql_text import query_form

PASSWORD_ENV = "POLICYKG_STORE_PASSWORD"
SCHEMES = ("sparql+http://", "sparql+https://")
GRAPH_PREFIX = "https://policykg.org/graph/"
_RESULTS = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
            "application/sparql-results+xml": ox.QueryResultsFormat.XML,
            "text/tab-separated-values": ox.QueryResultsFormat.TSV}
_GRAPHS = {"application/n-triples": ox.RdfFormat.N_TRIPLES, "text/plain": ox.RdfFormat.N_TRIPLES,
           "text/turtle": ox.RdfFormat.TURTLE, "application/rdf+xml": ox.RdfFormat.RDF_XML,
           "application/ld+json": ox.RdfFormat.JSON_LD}
# XML results first: every server writes them the same way (Virtuoso's JSON has "typed-literal").
# A CONSTRUCT must not ask for results formats: Virtuoso then answers with s/p/o bindings.
_ACCEPT_RESULTS = "application/sparql-results+xml, application/sparql-results+json;q=0.9"
_ACCEPT_GRAPH = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_PARTIAL = "x-sql-state"   # Virtuoso: S1TAT when it cut a query at its time limit and sent what it had
_PARALLEL_PUTS = 4
_FORM = "application/x-www-form-urlencoded"


class RemoteStoreError(OSError):
    """The server refused a request or could not be reached (message names the URL);
    ``upstream_status`` is the server's HTTP status when it answered."""

    def __init__(self, message: str, upstream_status: int | None = None):
        super().__init__(message)
        self.upstream_status = upstream_status


def is_remote(spec: str | os.PathLike | None) -> bool:
    return isinstance(spec, str) and spec.startswith(SCHEMES)


class SparqlClient:
    """The protocol client; ``query`` has the signature of ``pyoxigraph.Store.query``."""

    def __init__(self, spec: str, timeout_s: float = 600.0):
        if not is_remote(spec):
            raise ValueError(f"not a SPARQL store spec (sparql+http://…): {spec!r}")
        parts = urlsplit(spec.split("+", 1)[1])
        params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.spec = spec
        self.query_url = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        self.update_url = urljoin(self.query_url, params["update"]) if "update" in params else self.query_url
        self.graph_store_url = urljoin(self.query_url, params["graph-store"]) if "graph-store" in params else None
        self.index_dir = Path(params.get("index") or f"data-{parts.hostname}-{parts.port or parts.scheme}")
        auth = None
        if params.get("user"):
            password = os.environ.get(PASSWORD_ENV, "")
            auth = (httpx.DigestAuth if params.get("auth", "basic") == "digest" else httpx.BasicAuth)(
                params["user"], password)
        self.http = httpx.Client(auth=auth, timeout=httpx.Timeout(timeout_s, connect=10.0),
                                 headers={"User-Agent": "policykg"})

    # -- SPARQL Query ----------------------------------------------------------------------
    def query(self, sparql: str, prefixes: dict[str, str] | None = None, use_default_graph_as_union: bool = True,
              default_graph=None, named_graphs=None):
        """QuerySolutions, QueryBoolean or an iterator of Triple, streamed from the server."""
        prologue = "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in (prefixes or {}).items())
        form: list[tuple[str, str]] = [("query", prologue + sparql)]
        form += [("default-graph-uri", _iri_value(g)) for g in default_graph or []]
        form += [("named-graph-uri", _iri_value(g)) for g in named_graphs or []]
        accept = _ACCEPT_GRAPH if query_form(sparql) in ("CONSTRUCT", "DESCRIBE") else _ACCEPT_RESULTS
        response = self._send("POST", self.query_url, content=urlencode(form).encode("ascii"), stream=True,
                              headers={"Accept": accept, "Content-Type": _FORM}, refusal=SyntaxError)
        if response.headers.get(_PARTIAL, "").upper() == "S1TAT":
            response.close()
            raise RemoteStoreError(f"{self.query_url} stopped the query at its own time limit (partial answer refused)",
                                   503)
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        body = _ResponseReader(response)
        if media_type in _RESULTS:
            return ox.parse_query_results(body, format=_RESULTS[media_type])
        if media_type in _GRAPHS:
            return ox.parse(body, format=_GRAPHS[media_type])
        response.close()
        raise RemoteStoreError(f"{self.query_url}: unexpected answer of type {media_type or 'none'}")

    # -- writes ------------------------------------------------------------------------------
    def put_graph(self, graph_name: str, ntriples: bytes) -> None:
        """Replace one named graph (Graph Store PUT; N-Triples sent as Turtle, which every server reads)."""
        if self.graph_store_url is None:
            name = ox.NamedNode(graph_name)
            self.update(f"DROP SILENT GRAPH {name} ;\nINSERT DATA {{ GRAPH {name} {{\n"
                        f"{ntriples.decode('utf-8')}\n}} }}")
            return
        self._send("PUT", self.graph_store_url, params={"graph": graph_name}, content=ntriples,
                   headers={"Content-Type": "text/turtle; charset=utf-8"}).close()

    def add_to_graph(self, graph_name: str, ntriples: bytes) -> None:
        """Add triples to a named graph (Graph Store POST, or SPARQL Update INSERT DATA)."""
        if self.graph_store_url is None:
            self.update(f"INSERT DATA {{ GRAPH {ox.NamedNode(graph_name)} {{\n{ntriples.decode('utf-8')}\n}} }}")
            return
        self._send("POST", self.graph_store_url, params={"graph": graph_name}, content=ntriples,
                   headers={"Content-Type": "text/turtle; charset=utf-8"}).close()

    def delete_graph(self, graph_name: str) -> None:
        if self.graph_store_url is None:
            self.update(f"DROP SILENT GRAPH {ox.NamedNode(graph_name)}")
            return
        self._send("DELETE", self.graph_store_url, params={"graph": graph_name}, allow=(404,)).close()

    def get_graph(self, graph_name: str) -> bytes:
        """The named graph as N-Triples (empty if there is no such graph)."""
        if self.graph_store_url is None:
            return ox.serialize(self.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {ox.NamedNode(graph_name)} "
                                           f"{{ ?s ?p ?o }} }}"), format=ox.RdfFormat.N_TRIPLES)
        response = self._send("GET", self.graph_store_url, params={"graph": graph_name}, allow=(404,),
                              headers={"Accept": "application/n-triples, text/turtle;q=0.9"})
        if response.status_code == 404:
            return b""
        media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
        return ox.serialize(ox.parse(response.content, format=_GRAPHS.get(media_type, ox.RdfFormat.TURTLE)),
                            format=ox.RdfFormat.N_TRIPLES)

    def update(self, sparql_update: str) -> None:
        self._send("POST", self.update_url, content=urlencode({"update": sparql_update}).encode("ascii"),
                   headers={"Content-Type": _FORM}).close()

    # -- transport -----------------------------------------------------------------------------
    def _send(self, method: str, url: str, allow: tuple[int, ...] = (), stream: bool = False,
              refusal: type[Exception] | None = None, **kwargs):
        """The response; HTTP errors raise RemoteStoreError (400 raises ``refusal`` when given)."""
        try:
            request = self.http.build_request(method, url, **kwargs)
            response = self.http.send(request, stream=stream)
        except httpx.HTTPError as err:
            raise RemoteStoreError(f"{method} {url}: {type(err).__name__}: {err}") from err
        if response.status_code >= 400 and response.status_code not in allow:
            message = _short(response.read().decode("utf-8", "replace"))
            response.close()
            if response.status_code == 400 and refusal is not None:
                raise refusal(f"{url} refused the query: {message}")
            raise RemoteStoreError(f"{method} {url}: HTTP {response.status_code}: {message}", response.status_code)
        return response

    def close(self) -> None:
        self.http.close()


class RemoteStore:
    """The store interface of :class:`ingest.store.GraphStore`, over a :class:`SparqlClient`."""

    def __init__(self, spec: str, read_only: bool = False):
        self.client = SparqlClient(spec)
        self.spec = spec
        self.read_only = read_only
        self.directory = self.client.index_dir
        self.location = spec

    def ping(self) -> None:
        """Raise RemoteStoreError unless the server answers a trivial query."""
        try:
            bool(self.client.query("ASK {}"))
        except SyntaxError as err:
            raise RemoteStoreError(f"{self.client.query_url} is not a SPARQL endpoint: {err}") from err

    def graphs(self) -> list[str]:
        rows = self.select(f"""SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s a ?type }}
                               FILTER(STRSTARTS(STR(?g), "{GRAPH_PREFIX}")) }}""")
        return sorted(r["g"] for r in rows)

    def source_hash(self, graph_name: str) -> str | None:
        rows = self.select(f"SELECT ?h WHERE {{ GRAPH {ox.NamedNode(graph_name)} {{ ?f a pkg:SourceFile ; pkg:sha256 ?h }} }}")
        return rows[0]["h"] if rows else None

    def replace_graph(self, graph_name: str, ntriples: bytes, shared: bytes = b"") -> None:
        """The shared triples first (adding them is harmless if the PUT then fails), then the PUT."""
        self._writable()
        if shared:
            self.client.add_to_graph(SHARED_GRAPH, shared)
        self.client.put_graph(graph_name, ntriples)

    def bulk_add_graphs(self, graphs: list[tuple[str, bytes]], shared: bytes = b"") -> None:
        """New graphs, a few PUTs at a time (each PUT is whole on its own), after one POST of the
        batch's shared triples."""
        self._writable()
        if shared:
            self.client.add_to_graph(SHARED_GRAPH, shared)
        with ThreadPoolExecutor(_PARALLEL_PUTS) as pool:
            list(pool.map(lambda item: self.client.put_graph(*item), graphs))

    def remove_graph(self, graph_name: str) -> None:
        self._writable()
        self.client.delete_graph(graph_name)

    def query(self, sparql: str):
        from .store import PREFIXES
        return self.client.query(sparql, prefixes=PREFIXES)

    def select(self, sparql: str) -> list[dict[str, str | None]]:
        result = self.query(sparql)
        names = [v.value for v in result.variables]
        return [{n: (row[n].value if row[n] is not None else None) for n in names} for row in result]

    def triples(self):
        for name in self.graphs():
            graph = ox.NamedNode(name)
            for t in ox.parse(self.client.get_graph(name), format=ox.RdfFormat.N_TRIPLES):
                yield ox.Quad(t.subject, t.predicate, t.object, graph)

    def dump(self, format: ox.RdfFormat) -> bytes:
        return ox.serialize(self.triples(), format=format)

    def flush(self) -> None:
        """Nothing to do: every write was acknowledged by the server."""

    def optimize(self) -> None:
        """Nothing to do: the server manages its own storage."""

    def _writable(self) -> None:
        if self.read_only:
            raise RemoteStoreError(f"{self.spec} was opened read-only")


class _ResponseReader(io.RawIOBase):
    """A streaming HTTP body as a binary file for pyoxigraph's parsers; closes the response at the end."""

    def __init__(self, response: httpx.Response):
        self.response = response
        self.chunks = response.iter_bytes()
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        while not self.pending:
            try:
                self.pending = next(self.chunks)
            except StopIteration:
                self.response.close()
                return 0
            except httpx.HTTPError as err:
                self.response.close()
                raise RemoteStoreError(f"reading the answer of {self.response.url}: {err}") from err
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size

    def close(self) -> None:
        self.response.close()
        super().close()


def _iri_value(graph) -> str:
    return graph.value if isinstance(graph, ox.NamedNode) else str(graph)


def _short(text: str, limit: int = 500) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= limit else text[:limit] + "…"


__all__ = ["RemoteStore", "RemoteStoreError", "SparqlClient", "is_remote", "PASSWORD_ENV"]
