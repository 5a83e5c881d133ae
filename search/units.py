"""Search units: every task, target and section passage of the graph, with what a hit shows.

Units are read from the store per named graph, so re-ingesting one document
re-reads (and re-embeds) only that document's units.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from ingest.store import GraphStore

from .text import window

_REC = "https://policykg.org/ns/recurrence/"
_LEVEL = "https://policykg.org/ns/level/"
MIN_PASSAGE_WORDS = 12


@dataclass
class Unit:
    id: str                      # IRI, plus "#wN" for the N-th window of a long passage
    iri: str
    kind: str                    # task | target | passage
    text: str
    graph: str
    document: dict               # {iri, number, title}
    level: str | None = None
    owners: list[dict] = field(default_factory=list)        # [{iri, label, label_en, gazetteer_id}]
    cooperating: list[dict] = field(default_factory=list)
    deadline: dict | None = None
    source: dict | None = None   # {path, line}
    section: str | None = None

    def passage_text(self) -> str:
        """What the dense model embeds: owners first, as a reader would say it."""
        return self.text

    def lexical_text(self) -> str:
        """What BM25 indexes: the text, owners in Vietnamese and English, cooperating agencies."""
        names = [o["label"] for o in self.owners] + [o.get("label_en") or "" for o in self.owners]
        names += [o["label"] for o in self.cooperating]
        return " ".join([self.text, *names])

    def as_dict(self) -> dict:
        return asdict(self)


def _docs(store: GraphStore, graph: str) -> dict[str, dict]:
    rows = store.select(f"""
        SELECT ?doc (SAMPLE(?n) AS ?number) (SAMPLE(?t) AS ?title) (SAMPLE(?lv) AS ?level) WHERE {{
          GRAPH {graph} {{ ?doc a eli:LegalResource ; prov:wasDerivedFrom ?s .
            OPTIONAL {{ ?doc eli:id_local ?n }} OPTIONAL {{ ?doc eli:title ?t }} OPTIONAL {{ ?doc pkg:level ?lv }} }}
        }} GROUP BY ?doc""")
    return {r["doc"]: {"iri": r["doc"], "number": r["number"], "title": r["title"],
                       "level": (r["level"] or "")[len(_LEVEL):] or None} for r in rows}


def _agencies(store: GraphStore, graph: str) -> dict[tuple[str, str], list[dict]]:
    """(task, "owner"/"coop") -> agencies: the links in the graph(s), then the names of the agencies
    they name (in the shared graph; for one graph, of just those agencies: joined in one query,
    oxigraph read every agency's names, 1 s against 4 ms at 10M triples)."""
    links = store.select(f"""
        SELECT DISTINCT ?task ?role ?a WHERE {{ GRAPH {graph} {{
          {{ ?task pkg:owner ?a BIND("owner" AS ?role) }} UNION {{ ?task pkg:cooperatingAgency ?a BIND("coop" AS ?role) }} }} }}""")
    if not links:
        return {}
    values = "" if graph == "?g" else "VALUES ?a { " + " ".join(sorted({f"<{r['a']}>" for r in links})) + " }"
    names: dict[str, dict] = {}
    for r in store.select(f"""
            SELECT ?a ?vi ?en ?gid WHERE {{ {values} ?a skos:prefLabel ?vi FILTER(lang(?vi) = "vi")
              OPTIONAL {{ ?a skos:prefLabel ?en FILTER(lang(?en) = "en") }} OPTIONAL {{ ?a pkg:gazetteerId ?gid }} }}"""):
        names.setdefault(r["a"], {"iri": r["a"], "label": r["vi"], "label_en": r["en"], "gazetteer_id": r["gid"]})
    out: dict[tuple[str, str], list[dict]] = {}
    for r in links:
        bucket = out.setdefault((r["task"], r["role"]), [])
        if r["a"] in names and all(a["iri"] != r["a"] for a in bucket):
            bucket.append(names[r["a"]])
    return out


def read_units(store: GraphStore, graphs: list[str] | None = None, window_words: int = 200) -> list[Unit]:
    """All units of the given named graphs (all graphs when None), in document order."""
    if graphs is None:
        return _read_units(store, "?g", window_words)
    # one graph at a time, named in the query: with ``VALUES ?g`` oxigraph read every graph's
    # units and then kept one graph's (67 s for one plan at 10M triples, 4 ms named)
    return [unit for graph in graphs for unit in _read_units(store, f"<{graph}>", window_words)]


def _read_units(store: GraphStore, graph: str, window_words: int) -> list[Unit]:
    """Units of the named graph ``graph`` (``<iri>``), or of every graph (``?g``)."""
    bind = "" if graph == "?g" else f"BIND({graph} AS ?g)"
    docs = _docs(store, graph)
    agencies = _agencies(store, graph)
    units: list[Unit] = []
    rows = store.select(f"""
        SELECT ?g ?x ?kind ?text ?section ?doc ?order ?path ?line ?raw ?start ?end ?rec WHERE {{
          {bind} GRAPH {graph} {{
            {{ ?x a pkg:Task BIND("task" AS ?kind) }} UNION {{ ?x a pkg:Target BIND("target" AS ?kind) }}
            UNION {{ ?x a eli:LegalResourceSubdivision BIND("passage" AS ?kind) }}
            ?x pkg:text ?text ; pkg:inDocument ?doc ; pkg:order ?order .
            OPTIONAL {{ ?x pkg:sectionNumber ?section }}
            OPTIONAL {{ ?x prov:wasDerivedFrom ?span . ?span pkg:firstLine ?line ; pkg:sourceFile/pkg:path ?path }}
            OPTIONAL {{ ?x pkg:deadline ?d . ?d pkg:rawText ?raw
              OPTIONAL {{ ?d time:hasBeginning/time:inXSDDate ?start }} OPTIONAL {{ ?d time:hasEnd/time:inXSDDate ?end }}
              OPTIONAL {{ ?d pkg:recurrence ?rec }} }}
          }}
        }} ORDER BY ?path ?kind ?order""")
    with_tasks = {r["s"] for r in store.select(
        f"SELECT DISTINCT ?s WHERE {{ GRAPH {graph} {{ ?t pkg:inSection ?s }} }}")}
    for r in rows:
        if r["kind"] == "passage" and (r["x"] in with_tasks or len(r["text"].split()) < MIN_PASSAGE_WORDS):
            continue  # the tasks themselves are units; a bare heading says too little
        doc = docs.get(r["doc"], {"iri": r["doc"], "number": None, "title": None, "level": None})
        deadline = None
        if r["raw"]:
            deadline = {"raw": r["raw"], "start": r["start"], "end": r["end"],
                        "recurrence": r["rec"][len(_REC):] if r["rec"] else None}
        base = dict(iri=r["x"], kind=r["kind"], graph=r["g"],
                    document={"iri": doc["iri"], "number": doc["number"], "title": doc["title"]},
                    level=doc["level"], owners=agencies.get((r["x"], "owner"), []),
                    cooperating=agencies.get((r["x"], "coop"), []), deadline=deadline,
                    source={"path": r["path"], "line": int(r["line"])} if r["path"] else None,
                    section=r["section"])
        words = r["text"].split()
        if r["kind"] == "passage" and len(words) > window_words:
            for n, piece in enumerate(window(words, window_words)):
                units.append(Unit(id=f"{r['x']}#w{n + 1}", text=piece, **base))
        else:
            units.append(Unit(id=r["x"], text=r["text"], **base))
    return units
