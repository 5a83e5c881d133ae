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
from ontology.namespaces import PKG

from .remote_store import RemoteStore, is_remote

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


def store_location(option: str | Path | None = None) -> str | Path:
    """--store, else $POLICYKG_STORE, else ./data: a folder, or a ``sparql+http://…`` server spec."""
    location = option or os.environ.get(ENV_STORE) or DEFAULT_STORE
    return str(location) if is_remote(str(location)) else Path(location)


def open_store(option: str | Path | None = None, read_only: bool = False) -> "GraphStore | RemoteStore":
    """The embedded store in a folder, or a remote SPARQL server (ingest/remote_store.py)."""
    location = store_location(option)
    if isinstance(location, str):
        return RemoteStore(location, read_only=read_only)
    return GraphStore(location, read_only=read_only)


class GraphStore:
    """Named graphs of documents in an on-disk oxigraph store."""

    def __init__(self, directory: str | Path | None = None, read_only: bool = False):
        self.directory = store_dir(directory)
        path = self.directory / "graph"
        self.location = path         # what SPARQL worker processes open
        if read_only:
            if not path.exists():
                raise FileNotFoundError(f"no store at {self.directory} (run `policykg ingest` first)")
            self.store = _open_read_only(path)
        else:
            path.mkdir(parents=True, exist_ok=True)
            self.store = ox.Store(str(path))

    def graphs(self) -> list[str]:
        return sorted(g.value for g in self.store.named_graphs())

    def source_hash(self, graph_name: str) -> str | None:
        rows = self.select(f"SELECT ?h WHERE {{ GRAPH {ox.NamedNode(graph_name)} {{ ?f a pkg:SourceFile ; pkg:sha256 ?h }} }}")
        return rows[0]["h"] if rows else None

    def replace_graph(self, graph_name: str, ntriples: bytes) -> None:
        """Put the N-Triples ``ntriples`` in place of the named graph, in one transaction."""
        name = ox.NamedNode(graph_name)
        if not self.store.contains_named_graph(name):
            self.store.load(ntriples, format=ox.RdfFormat.N_TRIPLES, to_graph=name)
            return
        self.store.update(f"DROP SILENT GRAPH {name} ;\nINSERT DATA {{ GRAPH {name} {{\n"
                          f"{ntriples.decode('utf-8')}\n}} }}")

    def bulk_add_graphs(self, graphs: list[tuple[str, bytes]]) -> None:
        """Add new named graphs (name, N-Triples) with oxigraph's bulk loader.

        About twice as fast as ``replace_graph`` (docs/BENCHMARKS.md) but not one
        transaction: meant for first loads of many files (``ingest --bulk``)."""
        if not graphs:
            return
        data = b"".join(_as_nquads(ntriples, name) for name, ntriples in graphs)
        self.store.bulk_load(data, format=ox.RdfFormat.N_QUADS)

    def remove_graph(self, graph_name: str) -> None:
        self.store.remove_graph(ox.NamedNode(graph_name))

    def query(self, sparql: str):
        return self.store.query(sparql, prefixes=PREFIXES, use_default_graph_as_union=True)

    def select(self, sparql: str) -> list[dict[str, str | None]]:
        """SELECT rows as dicts of plain values (IRIs and lexical forms)."""
        result = self.query(sparql)
        names = [v.value for v in result.variables]
        return [{n: _plain(row[n]) for n in names} for row in result]

    def triples(self) -> Iterable[ox.Quad]:
        return self.store.quads_for_pattern(None, None, None, None)

    def dump(self, format: ox.RdfFormat) -> bytes:
        return self.store.dump(format=format)

    def flush(self) -> None:
        self.store.flush()


def _open_read_only(path: Path) -> ox.Store:
    """A read-only handle; a store whose very first creation was interrupted (killed before all
    its column families existed) is completed by one read-write open, which adds nothing."""
    try:
        return ox.Store.read_only(str(path))
    except (OSError, RuntimeError) as err:
        if "Column family not found" not in str(err) and (path / "CURRENT").exists():
            raise
        ox.Store(str(path)).flush()
        return ox.Store.read_only(str(path))


def _as_nquads(ntriples: bytes, graph_name: str) -> bytes:
    graph = f" <{graph_name}> .\n".encode()
    return b"".join(line[:-2].rstrip() + graph for line in ntriples.splitlines() if line.strip())


def _plain(term) -> str | None:
    if term is None:
        return None
    return term.value


__all__ = ["GraphStore", "PKG", "PREFIXES", "RemoteStore", "open_store", "store_dir", "store_location"]
