"""The graph store: pyoxigraph on disk, one named graph per source document.

Replacing a document's graph is one SPARQL update (drop + insert), which
oxigraph applies as a single transaction: readers see the old graph or the
new one, never a mix, and a failure leaves the old one in place.
"""

from __future__ import annotations

import os
import tomllib
import time
from pathlib import Path
from typing import Iterable

import pyoxigraph as ox
from ontology.namespaces import PKG, SHARED_GRAPH

from .remote_store import RemoteStore, is_remote

DEFAULT_STORE = "data"
ENV_STORE = "POLICYKG_STORE"
GENERATION_FILE = "generation"   # <store>/generation: a counter every committed write bumps
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
    """--store, else $POLICYKG_STORE, else ./data: a folder, a ``sparql+http://…`` server spec,
    or a TOML file whose ``[store] location`` is either."""
    location = str(option or os.environ.get(ENV_STORE) or DEFAULT_STORE)
    if location.endswith(".toml") and Path(location).is_file():
        try:
            location = tomllib.loads(Path(location).read_text(encoding="utf-8"))["store"]["location"]
        except (tomllib.TOMLDecodeError, KeyError, TypeError) as err:
            raise ValueError(f"{location}: expected a [store] table with location = \"…\" ({err})") from err
    return location if is_remote(location) else Path(location)


def open_store(option: str | Path | None = None, read_only: bool = False) -> "GraphStore | RemoteStore":
    """The embedded store in a folder, or a remote SPARQL server (ingest/remote_store.py)."""
    location = store_location(option)
    if isinstance(location, str):
        remote = RemoteStore(location, read_only=read_only)
        remote.ping()            # fail now, with the server's address, rather than mid-command
        return remote
    return GraphStore(location, read_only=read_only)


def read_generation(directory: str | Path) -> int:
    """The store folder's write generation (0 before the first write by this version)."""
    try:
        return int((Path(directory) / GENERATION_FILE).read_text(encoding="ascii").strip() or 0)
    except (OSError, ValueError):
        return 0


def bump_generation(directory: str | Path) -> int:
    """Tell readers that something was committed: the counter + 1, written whole (os.replace).

    Readers (api/service.py, the SPARQL workers) compare it to the one they opened at and
    reopen their read-only snapshot when it moved. One writer at a time holds the store's lock."""
    directory = Path(directory)
    value = read_generation(directory) + 1
    temporary = directory / f".{GENERATION_FILE}.{os.getpid()}"
    try:
        temporary.write_text(str(value), encoding="ascii")
        os.replace(temporary, directory / GENERATION_FILE)
    except OSError:
        return value - 1         # no marker, no live reload: the data itself is committed
    return value


class GraphStore:
    """Named graphs of documents in an on-disk oxigraph store."""

    def __init__(self, directory: str | Path | None = None, read_only: bool = False):
        self.directory = store_dir(directory)
        path = self.directory / "graph"
        self.location = path         # what SPARQL worker processes open
        self.read_only = read_only
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

    def replace_graph(self, graph_name: str, ntriples: bytes, shared: bytes = b"") -> None:
        """Put the N-Triples ``ntriples`` in place of the named graph and add ``shared`` to the shared
        graph, in one transaction."""
        name = ox.NamedNode(graph_name)
        if not self.store.contains_named_graph(name):
            self.store.extend([*_quads(ntriples, name), *_quads(shared, ox.NamedNode(SHARED_GRAPH))])
        else:
            insert_shared = f"GRAPH <{SHARED_GRAPH}> {{\n{shared.decode('utf-8')}\n}}" if shared else ""
            self.store.update(f"DROP SILENT GRAPH {name} ;\nINSERT DATA {{ GRAPH {name} {{\n"
                              f"{ntriples.decode('utf-8')}\n}} {insert_shared} }}")
        bump_generation(self.directory)

    def bulk_add_graphs(self, graphs: list[tuple[str, bytes]], shared: bytes = b"") -> None:
        """Add new named graphs (name, N-Triples), and ``shared`` (the batch's shared triples, each
        once) to the shared graph, with oxigraph's bulk loader.

        About twice as fast as ``replace_graph`` (docs/BENCHMARKS.md) but not one
        transaction: meant for first loads of many files (``ingest --bulk``)."""
        if not graphs:
            return
        data = b"".join(_as_nquads(ntriples, name) for name, ntriples in graphs)
        data += _as_nquads(shared, SHARED_GRAPH)
        self.store.bulk_load(data, format=ox.RdfFormat.N_QUADS)
        bump_generation(self.directory)

    def remove_graph(self, graph_name: str) -> None:
        self.store.remove_graph(ox.NamedNode(graph_name))
        bump_generation(self.directory)

    def query(self, sparql: str):
        return self.store.query(sparql, prefixes=PREFIXES, use_default_graph_as_union=True)

    def select(self, sparql: str) -> list[dict[str, str | None]]:
        """SELECT rows as dicts of plain values (IRIs and lexical forms)."""
        try:
            return self._select(sparql)
        except (OSError, RuntimeError) as err:
            if not (self.read_only and vanished_file(err)):
                raise
            # A writer's compaction deleted a table file this read-only snapshot had not opened
            # yet (oxigraph: reading while another process writes is not isolated): read again
            # from a fresh snapshot.
            self.store = _open_read_only(self.location)
            return self._select(sparql)

    def _select(self, sparql: str) -> list[dict[str, str | None]]:
        result = self.query(sparql)
        names = [v.value for v in result.variables]
        return [{n: _plain(row[n]) for n in names} for row in result]

    def triples(self) -> Iterable[ox.Quad]:
        return self.store.quads_for_pattern(None, None, None, None)

    def dump(self, format: ox.RdfFormat) -> bytes:
        return self.store.dump(format=format)

    def flush(self) -> None:
        self.store.flush()

    def optimize(self) -> None:
        """Compact the on-disk store (after bulk loads, which leave it in many unmerged files)."""
        self.store.optimize()


def graph_versions(store) -> dict[str, str]:
    """Document graph -> the SHA-256 of the source file it was made from (``pkg:sha256`` of its
    ``pkg:SourceFile``): what the search index records it was built from. Any store backend."""
    rows = store.select("SELECT ?g ?h WHERE { GRAPH ?g { ?f a pkg:SourceFile ; pkg:sha256 ?h } }")
    return {r["g"]: r["h"] for r in rows}


def vanished_file(err: BaseException) -> bool:
    """RocksDB's error for a file a writer removed (compaction, WAL recycling) under a reader."""
    text = str(err)
    return "No such file or directory" in text or "IO error" in text


OPEN_ATTEMPTS = 5


def _open_read_only(path: Path) -> ox.Store:
    """A read-only handle; a store whose very first creation was interrupted (killed before all
    its column families existed) is completed by one read-write open, which adds nothing.
    An open that races a writer (a file listed in the manifest or WAL list removed before it is
    read) is tried again."""
    path = Path(path)
    for attempt in range(OPEN_ATTEMPTS):
        try:
            return ox.Store.read_only(str(path))
        except (OSError, RuntimeError) as err:
            if "Column family not found" in str(err) or not (path / "CURRENT").exists():
                break
            if not vanished_file(err) or attempt == OPEN_ATTEMPTS - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    ox.Store(str(path)).flush()
    return ox.Store.read_only(str(path))


def _quads(ntriples: bytes, graph: ox.NamedNode) -> Iterable[ox.Quad]:
    return (ox.Quad(t.subject, t.predicate, t.object, graph) for t in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))


def _as_nquads(ntriples: bytes, graph_name: str) -> bytes:
    graph = f" <{graph_name}> .\n".encode()
    return b"".join(line[:-2].rstrip() + graph for line in ntriples.splitlines() if line.strip())


def _plain(term) -> str | None:
    if term is None:
        return None
    return term.value


__all__ = ["GraphStore", "PKG", "PREFIXES", "RemoteStore", "bump_generation", "graph_versions", "open_store",
           "read_generation", "store_dir", "store_location"]
