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


def _graph_filter(graphs: list[str] | None) -> str:
    if not graphs:
        return ""
    return "VALUES ?g { " + " ".join(f"<{g}>" for g in graphs) + " }"


def _docs(store: GraphStore, filter_: str) -> dict[str, dict]:
    rows = store.select(f"""
        SELECT ?doc (SAMPLE(?n) AS ?number) (SAMPLE(?t) AS ?title) (SAMPLE(?lv) AS ?level) WHERE {{
          {filter_} GRAPH ?g {{ ?doc a eli:LegalResource ; prov:wasDerivedFrom ?s .
            OPTIONAL {{ ?doc eli:id_local ?n }} OPTIONAL {{ ?doc eli:title ?t }} OPTIONAL {{ ?doc pkg:level ?lv }} }}
        }} GROUP BY ?doc""")
    return {r["doc"]: {"iri": r["doc"], "number": r["number"], "title": r["title"],
                       "level": (r["level"] or "")[len(_LEVEL):] or None} for r in rows}


def _agencies(store: GraphStore, filter_: str) -> dict[tuple[str, str], list[dict]]:
    rows = store.select(f"""
        SELECT DISTINCT ?task ?role ?a ?vi ?en ?gid WHERE {{
          {filter_} GRAPH ?g {{
            {{ ?task pkg:owner ?a BIND("owner" AS ?role) }} UNION {{ ?task pkg:cooperatingAgency ?a BIND("coop" AS ?role) }} }}
          ?a skos:prefLabel ?vi FILTER(lang(?vi) = "vi")      # agencies are described in the shared graph
          OPTIONAL {{ ?a skos:prefLabel ?en FILTER(lang(?en) = "en") }}
          OPTIONAL {{ ?a pkg:gazetteerId ?gid }}
        }}""")
    out: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        bucket = out.setdefault((r["task"], r["role"]), [])
        if all(a["iri"] != r["a"] for a in bucket):
            bucket.append({"iri": r["a"], "label": r["vi"], "label_en": r["en"], "gazetteer_id": r["gid"]})
    return out


def read_units(store: GraphStore, graphs: list[str] | None = None, window_words: int = 200) -> list[Unit]:
    """All units of the given named graphs (all graphs when None), in document order."""
    filter_ = _graph_filter(graphs)
    docs = _docs(store, filter_)
    agencies = _agencies(store, filter_)
    units: list[Unit] = []
    rows = store.select(f"""
        SELECT ?g ?x ?kind ?text ?section ?doc ?order ?path ?line ?raw ?start ?end ?rec WHERE {{
          {filter_} GRAPH ?g {{
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
        f"SELECT DISTINCT ?s WHERE {{ {filter_} GRAPH ?g {{ ?t pkg:inSection ?s }} }}")}
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
