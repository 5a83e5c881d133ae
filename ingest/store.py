"""The graph store: pyoxigraph on disk, one named graph per source document.

Replacing a document's graph is one SPARQL update (drop + insert), which
oxigraph applies as a single transaction: readers see the old graph or the
new one, never a mix, and a failure leaves the old one in place.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef

from ontology.namespaces import PKG

DEFAULT_STORE = "data"
ENV_STORE = "POLICYKG_STORE"
PREFIXES = {
    "pkg": "https://policykg.org/ns#", "eli": "http://data.europa.eu/eli/ontology#",
    "org": "http://www.w3.org/ns/org#", "skos": "http://www.w3.org/2004/02/skos/core#",
    "time": "http://www.w3.org/2006/time#", "prov": "http://www.w3.org/ns/prov#",
    "dcterms": "http://purl.org/dc/terms/", "xsd": "http://www.w3.org/2001/XMLSchema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
}


def store_dir(option: str | Path | None = None) -> Path:
    """--store, else $POLICYKG_STORE, else ./data."""
    return Path(option or os.environ.get(ENV_STORE) or DEFAULT_STORE)


def to_ox(term):
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"unsupported term {term!r}")


def to_quads(graph: Graph, graph_name: str) -> list[ox.Quad]:
    g = ox.NamedNode(graph_name)
    return [ox.Quad(to_ox(s), to_ox(p), to_ox(o), g) for s, p, o in graph]


class GraphStore:
    """Named graphs of documents in an on-disk oxigraph store."""

    def __init__(self, directory: str | Path | None = None, read_only: bool = False):
        self.directory = store_dir(directory)
        path = self.directory / "graph"
        if read_only:
            if not path.exists():
                raise FileNotFoundError(f"no store at {self.directory} (run `policykg ingest` first)")
            self.store = ox.Store.read_only(str(path))
        else:
            path.mkdir(parents=True, exist_ok=True)
            self.store = ox.Store(str(path))

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs())

    def source_hash(self, graph_name: str) -> str | None:
        rows = self.select(f"SELECT ?h WHERE {{ GRAPH {ox.NamedNode(graph_name)} {{ ?f a pkg:SourceFile ; pkg:sha256 ?h }} }}")
        return rows[0]["h"] if rows else None

    def replace_graph(self, graph_name: str, graph: Graph) -> None:
        """Put ``graph`` in place of the named graph, atomically."""
        quads = to_quads(graph, graph_name)
        name = ox.NamedNode(graph_name)
        if not self.store.contains_named_graph(name):
            self.store.extend(quads)
            return
        body = "\n".join(f"{q.subject} {q.predicate} {q.object} ." for q in quads)
        self.store.update(f"DROP SILENT GRAPH {name} ;\nINSERT DATA {{ GRAPH {name} {{\n{body}\n}} }}")

    def remove_graph(self, graph_name: str) -> None:
        self.store.remove_graph(ox.NamedNode(graph_name))

    def query(self, sparql: str, substitutions: dict | None = None):
        subs = {ox.Variable(k): v for k, v in (substitutions or {}).items()}
        return self.store.query(sparql, prefixes=PREFIXES, use_default_graph_as_union=True,
                                substitutions=subs or None)

    def select(self, sparql: str, substitutions: dict | None = None) -> list[dict[str, str | None]]:
        """SELECT rows as dicts of plain values (IRIs and lexical forms)."""
        result = self.query(sparql, substitutions)
        names = [v.value for v in result.variables]
        return [{n: _plain(row[n]) for n in names} for row in result]

    def export(self, fmt: ox.RdfFormat) -> bytes:
        return self.store.dump(format=fmt, from_graph=None) if not fmt.supports_datasets else \
            self.store.dump(format=fmt)

    def triples(self) -> Iterable[ox.Quad]:
        return self.store.quads_for_pattern(None, None, None, None)

    def flush(self) -> None:
        self.store.flush()


def _plain(term) -> str | None:
    if term is None:
        return None
    return term.value


__all__ = ["GraphStore", "PKG", "PREFIXES", "store_dir", "to_quads"]
