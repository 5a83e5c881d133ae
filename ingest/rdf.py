"""A parsed document -> the RDF graph of its document, sections, tasks,
targets, agencies and citations, each fact linked to its source lines.

IRIs are readable and depend only on the content (never on run order):
``/id/doc/{scope}/{số hiệu}``, ``…/task/{section}``, ``/id/agency/{place}/{gazetteer id}``.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, URIRef

from ontology.namespaces import DCTERMS, ELI, GRAPH, ID, ORG, PKG, PROV, RDF, SKOS, TIME, XSD

from .agencies import Agency, Jurisdiction, slugify
from .analyse import ParsedDocument
from .docinfo import CitedDocument
from .references import TYPE_CODES, find_references
from .structure import Node, walk

NS = "https://policykg.org/ns/"


# Graphs are built from pyoxigraph terms: 10x cheaper than rdflib's Graph.add
# (measured in docs/BENCHMARKS.md); rdflib sees them only for SHACL and tests.
@lru_cache(maxsize=100_000)
def _node(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


_XSD_TYPES = {bool: XSD.boolean, int: XSD.integer}


def Literal(value, lang: str | None = None, datatype=None) -> ox.Literal:  # noqa: N802
    if lang:
        return ox.Literal(str(value), language=lang)
    if datatype is None:
        datatype = next((t for py, t in _XSD_TYPES.items() if type(value) is py), None)
        if isinstance(value, datetime):
            datatype = XSD.dateTime
            value = value.isoformat()
    if isinstance(value, bool):
        value = "true" if value else "false"
    return ox.Literal(str(value), datatype=_node(datatype)) if datatype else ox.Literal(str(value))


class DocumentGraph:
    """The triples of one document: its own (the document and its parts, for its named graph) and
    the shared ones (agencies, places, concepts, cited documents: for the shared graph, where each
    is stated once however many documents name the node; ARCHITECTURE.md)."""

    def __init__(self) -> None:
        self.triples: list[ox.Triple] = []
        self.shared: list[ox.Triple] = []
        self._seen: set[ox.Triple] = set()

    def add(self, triple: ox.Triple) -> None:
        if triple not in self._seen:
            self._seen.add(triple)
            self.triples.append(triple)

    def add_shared(self, triple: ox.Triple) -> None:
        if triple not in self._seen:
            self._seen.add(triple)
            self.shared.append(triple)

    def __len__(self) -> int:
        return len(self.triples) + len(self.shared)

    def ntriples(self) -> bytes:
        """The document's own triples."""
        return ox.serialize(self.triples, format=ox.RdfFormat.N_TRIPLES)

    def shared_ntriples(self) -> bytes:
        return ox.serialize(self.shared, format=ox.RdfFormat.N_TRIPLES)

    def to_rdflib(self) -> Graph:
        """Both parts: what SHACL validates."""
        graph = Graph()
        graph.parse(data=ox.serialize(self.triples + self.shared, format=ox.RdfFormat.N_TRIPLES), format="nt")
        return graph


_TYPE_SLUGS = {name: slugify(code) for code, name in TYPE_CODES.items()}
_PLANNED = (("plansReplacementOf", re.compile(r"thay thế[^.;]{0,80}$", re.I)),
            ("plansRepealOf", re.compile(r"bãi bỏ[^.;]{0,80}$", re.I)),
            ("plansAmendmentOf", re.compile(r"sửa đổi[^.;]{0,40}$", re.I)))


def level_iri(level: str) -> URIRef:
    return URIRef(f"{NS}level/{level}")


def doc_type_iri(name: str) -> URIRef:
    return URIRef(f"{NS}doctype/{slugify(name)}")


def kind_iri(kind: str) -> URIRef:
    return URIRef(f"{NS}agency-kind/{kind}")


def recurrence_iri(name: str) -> URIRef:
    return URIRef(f"{NS}recurrence/{name}")


def graph_iri(filename: str) -> URIRef:
    return GRAPH[slugify(filename) or "unnamed"]


def agency_iri(agency: Agency) -> URIRef:
    return ID[f"agency/{agency.key}"]


def place_iri(j: Jurisdiction) -> URIRef:
    return ID[f"place/{j.path}"]


def document_iri(number: str | None, scope: str, doc_type: str, date: str | None, title: str) -> URIRef:
    if number:
        return ID[f"doc/{scope}/{slugify(number)}"]
    digest = hashlib.sha1(title.encode()).hexdigest()[:8]
    code = _TYPE_SLUGS.get(doc_type, slugify(doc_type))
    return ID[f"doc/{scope}/{code}-{date or 'undated'}-{digest}"]


def date_literal(value: str) -> Literal:
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return Literal(value, datatype=XSD.date)
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return Literal(value, datatype=XSD.gYearMonth)
    return Literal(value, datatype=XSD.gYear)


def _triple(s, p, o) -> ox.Triple:
    return ox.Triple(_node(s), _node(p), o if isinstance(o, ox.Literal) else _node(o))


class GraphBuilder:
    def __init__(self, parsed: ParsedDocument, source_path: str):
        self.parsed = parsed
        self.g = DocumentGraph()
        self.source_path = source_path
        self.info = parsed.info
        self.doc_iri = self._own_iri()
        self.file_iri = ID[f"source/{parsed.source.sha256[:16]}"]
        self._seen_agencies: set[str] = set()
        self._cited_iris: dict[str, URIRef] = {}
        self._done: set[URIRef] = set()   # shared nodes (places, concepts) already described
        self._minted: set[str] = set()
        self._section_iris: dict[str, URIRef] = {}

    def _unique(self, iri: str) -> URIRef:
        """The IRI, or IRI-2, IRI-3… when numbering repeats inside one document."""
        candidate, n = iri, 1
        while candidate in self._minted:
            n += 1
            candidate = f"{iri}-{n}"
        self._minted.add(candidate)
        return URIRef(candidate)

    def _own_iri(self) -> URIRef:
        info = self.info
        place = info.issuer.jurisdiction if info.issuer else info.jurisdiction
        scope = place.path
        if not place.placed:   # a local document of a place the text never names: its number is not
            # unique nationally, so the source file's name keeps it apart from others of that number
            scope += "/file-" + hashlib.sha1(Path(self.source_path).name.encode()).hexdigest()[:8]
        return document_iri(info.number, scope, info.doc_type, info.date, info.title)

    def add(self, s, p, o) -> None:
        self.g.add(_triple(s, p, o))

    def add_shared(self, s, p, o) -> None:
        """A triple about a node many documents name (agency, place, concept, cited document)."""
        self.g.add_shared(_triple(s, p, o))

    # -- pieces ------------------------------------------------------------------
    def span(self, subject: URIRef, first: int, last: int) -> None:
        node = URIRef(f"{subject}/source")
        self.add(node, RDF.type, PKG.SourceSpan)
        self.add(node, PKG.sourceFile, self.file_iri)
        self.add(node, PKG.firstLine, Literal(first))
        self.add(node, PKG.lastLine, Literal(max(first, last)))
        self.add(subject, PROV.wasDerivedFrom, node)

    def agency(self, agency: Agency) -> URIRef:
        iri = agency_iri(agency)
        if agency.key in self._seen_agencies:
            return iri
        self._seen_agencies.add(agency.key)
        self.add_shared(iri, RDF.type, ORG.Organization)
        self.add_shared(iri, SKOS.prefLabel, Literal(agency.label_vi, lang="vi"))
        if agency.label_en:
            self.add_shared(iri, SKOS.prefLabel, Literal(agency.label_en, lang="en"))
        if agency.entry:
            self.add_shared(iri, PKG.gazetteerId, Literal(agency.entry.id))
            self.add_shared(iri, SKOS.altLabel, Literal(agency.entry.vi, lang="vi"))
            self.add_shared(iri, SKOS.altLabel, Literal(agency.entry.en, lang="en"))
        else:
            self.add_shared(iri, PKG.unlisted, Literal(True))
        kind = kind_iri(agency.kind)
        self.add_shared(iri, ORG.classification, kind)
        if kind not in self._done:
            self._done.add(kind)
            self.add_shared(kind, RDF.type, SKOS.Concept)
            self.add_shared(kind, SKOS.inScheme, PKG.AgencyKindScheme)
            self.add_shared(kind, SKOS.notation, Literal(agency.kind))
        self.add_shared(iri, PKG.jurisdiction, self.place(agency.jurisdiction))
        return iri

    def place(self, j: Jurisdiction) -> URIRef:
        iri = place_iri(j)
        if iri in self._done:
            return iri
        self._done.add(iri)
        self.add_shared(iri, RDF.type, PKG.AdministrativeUnit)
        self.add_shared(iri, SKOS.prefLabel, Literal(j.label, lang="vi"))
        self.add_shared(iri, PKG.level, level_iri(j.level if j.placed else "central"))
        if j.level == "district" and j.province is not None:
            self.add_shared(iri, DCTERMS.isPartOf, place_iri(Jurisdiction("province", j.province)))
            self.place(Jurisdiction("province", j.province))
        return iri

    def doc_type(self, name: str) -> URIRef:
        iri = doc_type_iri(name)
        if iri in self._done:
            return iri
        self._done.add(iri)
        self.add_shared(iri, RDF.type, SKOS.Concept)
        self.add_shared(iri, SKOS.inScheme, PKG.DocumentTypeScheme)
        self.add_shared(iri, SKOS.prefLabel, Literal(name, lang="vi"))
        return iri

    def cited(self, number: str) -> URIRef:
        if number in self._cited_iris:
            return self._cited_iris[number]
        cited = self.info.cited.get(number) or CitedDocument(number)
        scope = cited.issuer.jurisdiction.path if cited.issuer else self.info.jurisdiction.path
        iri = document_iri(number, scope, cited.type_name or "Văn bản", cited.date, number)
        self._cited_iris[number] = iri
        self.add_shared(iri, RDF.type, ELI.LegalResource)
        self.add_shared(iri, ELI.id_local, Literal(number))
        self.add_shared(iri, ELI.type_document, self.doc_type(cited.type_name or "Văn bản"))
        if cited.date:
            self.add_shared(iri, ELI.date_document, date_literal(cited.date))
        if cited.issuer:
            self.add_shared(iri, ELI.passed_by, self.agency(cited.issuer))
            self.add_shared(iri, PKG.level, level_iri(cited.issuer.jurisdiction.level))
            self.add_shared(iri, PKG.jurisdiction, self.place(cited.issuer.jurisdiction))
        return iri

    # -- the document ----------------------------------------------------------------
    def build(self) -> DocumentGraph:
        info, doc, parsed = self.info, self.doc_iri, self.parsed
        header = parsed.outline.header
        self.add(doc, RDF.type, ELI.LegalResource)
        self.add(doc, ELI.type_document, self.doc_type(info.doc_type))
        self.add(doc, ELI.title, Literal(f"{info.doc_type} {info.title}".strip(), lang="vi"))
        self.add(doc, ELI.language, URIRef("http://publications.europa.eu/resource/authority/language/VIE"))
        if info.number:
            self.add(doc, ELI.id_local, Literal(info.number))
        if info.date:
            self.add(doc, ELI.date_document, date_literal(info.date))
        if info.issuer:
            self.add(doc, ELI.passed_by, self.agency(info.issuer))
        self.add(doc, PKG.level, level_iri(info.level))
        self.add(doc, PKG.jurisdiction, self.place(info.jurisdiction))
        if info.signer:
            self.add(doc, PKG.signer, Literal(info.signer))
        if info.signature:
            self.add(doc, PKG.signerCapacity, Literal(" / ".join(info.signature)))
        for recipient in info.recipients:
            self.add(doc, PKG.recipient, Literal(recipient.strip(" ;,.")))
        self._provenance()
        self.span(doc, header.type_line or 1, parsed.source.lines[-1].number if parsed.source.lines else 1)
        for number in info.implements:
            self.add(doc, ELI.applies, self.cited(number))
        for number in info.based_on:
            self.add(doc, ELI.based_on, self.cited(number))
        for number in info.cites:
            self.add(doc, ELI.cites, self.cited(number))
        for lower, higher in info.cited_implements:   # what this text says of two other documents
            self.add_shared(self.cited(lower), ELI.applies, self.cited(higher))
        self._sections()
        self._tasks()
        self._measures()
        self._targets()
        return self.g

    def _provenance(self) -> None:
        source = self.parsed.source
        self.add(self.file_iri, RDF.type, PKG.SourceFile)
        self.add(self.file_iri, PKG.path, Literal(self.source_path))
        self.add(self.file_iri, PKG.sha256, Literal(source.sha256))
        self.add(self.file_iri, DCTERMS.format, Literal(source.media_type))
        activity = ID[f"ingest/{source.sha256[:16]}"]
        self.add(activity, RDF.type, PROV.Activity)
        self.add(activity, PROV.used, self.file_iri)
        self.add(activity, PROV.endedAtTime, Literal(datetime.now(timezone.utc).replace(microsecond=0)))
        self.add(self.doc_iri, PROV.wasGeneratedBy, activity)

    def _sections(self) -> None:
        order = 0
        for part in self.parsed.outline.parts:
            for node in walk([part]):
                if node.kind not in ("part", "item", "letter") or not node.path:
                    continue
                order += 1
                iri = self._unique(f"{self.doc_iri}/section/{slugify(node.path)}")
                self._section_iris.setdefault(node.path, iri)
                self.add(iri, RDF.type, ELI.LegalResourceSubdivision)
                self.add(iri, ELI.is_part_of, self.doc_iri)
                self.add(iri, PKG.inDocument, self.doc_iri)
                self.add(iri, PKG.sectionNumber, Literal(node.path))
                self.add(iri, PKG.order, Literal(order))
                if node.text:
                    self.add(iri, ELI.title, Literal(node.text, lang="vi"))
                body = _section_text(node)
                if body:
                    self.add(iri, PKG.text, Literal(body, lang="vi"))
                self.span(iri, node.first_line, _last_line(node))

    def _item(self, kind: str, cls: URIRef, order: int, draft) -> URIRef:
        """What a task and a measure share: IRI, document, section, text, order, references, source."""
        local = slugify(draft.section) + (f"-{draft.ordinal}" if draft.ordinal else "")
        iri = self._unique(f"{self.doc_iri}/{kind}/{local}")
        self.add(iri, RDF.type, cls)
        self.add(iri, PKG.inDocument, self.doc_iri)
        self.add(iri, PKG.sectionNumber, Literal(draft.section))
        self.add(iri, PKG.text, Literal(draft.text, lang="vi"))
        self.add(iri, PKG.order, Literal(order))
        if draft.section in self._section_iris:
            self.add(iri, PKG.inSection, self._section_iris[draft.section])
        self._task_references(iri, draft.text)
        self.span(iri, draft.first_line, draft.last_line)
        return iri

    def _tasks(self) -> None:
        for order, task in enumerate(self.parsed.tasks, start=1):
            iri = self._item("task", PKG.Task, order, task)
            for owner in task.owners:
                self.add(iri, PKG.owner, self.agency(owner))
            for agency in task.cooperating:
                self.add(iri, PKG.cooperatingAgency, self.agency(agency))
            if task.deadline:
                self._deadline(iri, task.deadline)

    def _measures(self) -> None:
        for order, measure in enumerate(self.parsed.measures, start=1):
            self._item("measure", PKG.Measure, order, measure)

    def _deadline(self, task: URIRef, deadline) -> None:
        node = URIRef(f"{task}/deadline")
        self.add(task, PKG.deadline, node)
        self.add(node, RDF.type, PKG.Deadline)
        self.add(node, PKG.rawText, Literal(deadline.raw, lang="vi"))
        for prop, value, suffix in ((TIME.hasBeginning, deadline.start, "start"), (TIME.hasEnd, deadline.end, "end")):
            if value:
                instant = URIRef(f"{node}/{suffix}")
                self.add(node, prop, instant)
                self.add(instant, RDF.type, TIME.Instant)
                self.add(instant, TIME.inXSDDate, Literal(value, datatype=XSD.date))
        if deadline.recurrence:
            self.add(node, PKG.recurrence, recurrence_iri(deadline.recurrence))
            self.add_shared(recurrence_iri(deadline.recurrence), RDF.type, SKOS.Concept)

    def _task_references(self, task: URIRef, text: str) -> None:
        for ref in find_references(text):
            if ref.number == self.info.number:
                continue
            target = self.cited(ref.number)
            self.add(task, PKG.refersTo, target)
            before = text[:ref.start]
            for prop, pattern in _PLANNED:
                if pattern.search(before):
                    self.add(task, getattr(PKG, prop), target)
                    break

    def _targets(self) -> None:
        for n, draft in enumerate(self.parsed.targets, start=1):
            t = draft.target
            iri = URIRef(f"{self.doc_iri}/target/{n}")
            self.add(iri, RDF.type, PKG.Target)
            self.add(iri, PKG.inDocument, self.doc_iri)
            self.add(iri, PKG.text, Literal(draft.text, lang="vi"))
            self.add(iri, PKG.sectionNumber, Literal(draft.section))
            self.add(iri, PKG.order, Literal(n))
            self.add(iri, PKG.quantity, Literal(t.quantity, datatype=XSD.decimal))
            if t.upper is not None:
                self.add(iri, PKG.upperQuantity, Literal(t.upper, datatype=XSD.decimal))
            if t.unit:
                self.add(iri, PKG.unit, Literal(t.unit, lang="vi" if t.unit != "%" else None))
            self.add(iri, PKG.comparator, Literal(t.comparator))
            if t.baseline is not None:
                self.add(iri, PKG.baseline, Literal(t.baseline, datatype=XSD.decimal))
            if draft.year:
                self.add(iri, PKG.targetYear, Literal(draft.year))
            self.span(iri, draft.first_line, draft.last_line)


def _section_text(node: Node) -> str:
    """Heading plus the text directly under it (not that of numbered sub-items)."""
    parts = [node.text]
    for child in node.children:
        if child.kind in ("bullet", "para"):
            parts.extend(c.text for c in walk([child]))
    return " ".join(p for p in parts if p).strip()


def _last_line(node: Node) -> int:
    return max((n.last_line for n in walk([node])), default=node.last_line)


class AgencyWriter(GraphBuilder):
    """GraphBuilder's agency and place triples without a document (used by ingest.succession)."""

    def __init__(self) -> None:  # no super().__init__(): there is no parsed document
        self.g = DocumentGraph()
        self._seen_agencies: set[str] = set()
        self._done: set[URIRef] = set()

    def add_shared(self, s, p, o) -> None:   # a registry graph holds them all
        self.add(s, p, o)


def build_graph(parsed: ParsedDocument, source_path: str) -> DocumentGraph:
    return GraphBuilder(parsed, source_path).build()


__all__ = ["AgencyWriter", "DocumentGraph", "agency_iri", "build_graph", "document_iri", "graph_iri"]
