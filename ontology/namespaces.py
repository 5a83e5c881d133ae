"""Typed namespaces: our own vocabulary (PKG) and the reused ones.

Each is an rdflib ``DefinedNamespace``: a misspelt term raises at import time
of the calling module instead of minting a wrong IRI. ``tests/test_ontology.py``
checks that every PKG term is declared in ``policykg.ttl`` and vice versa.
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD, DefinedNamespace, ORG

BASE = "https://policykg.org/"
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")
# The named graph of what many documents say of the same nodes (agencies, places, concepts, cited
# documents), stated once: each document's own graph names them, this one describes them.
SHARED_GRAPH = BASE + "graph/shared"


class PKG(DefinedNamespace):
    """policykg's own terms: tasks, targets, deadlines and provenance spans."""

    _NS = Namespace(BASE + "ns#")
    _fail = True

    Task: URIRef            # a task (nhiệm vụ) assigned by a document
    Target: URIRef          # a quantified objective (chỉ tiêu)
    Measure: URIRef         # a measure (giải pháp) stated without an assigned agency
    Alignment: URIRef       # a scored link between a lower and a higher task, with its evidence
    takesUp: URIRef         # lower task/measure -> the higher task it takes up (asserted links only)
    restates: URIRef        # annex row -> the body item of the same document it restates
    lowerItem: URIRef
    higherItem: URIRef
    score: URIRef
    evidence: URIRef
    asserted: URIRef
    Deadline: URIRef        # a task's deadline: an OWL-Time interval, a recurrence, or both
    SourceSpan: URIRef      # the lines of a source file a fact was read from
    SourceFile: URIRef      # an ingested file
    AdministrativeUnit: URIRef  # a province, district or the nation
    LevelScheme: URIRef
    RecurrenceScheme: URIRef
    DocumentTypeScheme: URIRef
    AgencyKindScheme: URIRef
    inDocument: URIRef
    inSection: URIRef
    sectionNumber: URIRef
    text: URIRef
    owner: URIRef           # cơ quan chủ trì
    cooperatingAgency: URIRef  # cơ quan phối hợp
    deadline: URIRef
    rawText: URIRef
    recurrence: URIRef
    refersTo: URIRef
    plansAmendmentOf: URIRef
    plansReplacementOf: URIRef
    plansRepealOf: URIRef
    level: URIRef
    jurisdiction: URIRef
    gazetteerId: URIRef
    unlisted: URIRef
    signer: URIRef
    signerCapacity: URIRef
    recipient: URIRef
    quantity: URIRef
    upperQuantity: URIRef
    unit: URIRef
    comparator: URIRef
    baseline: URIRef
    targetYear: URIRef
    sourceFile: URIRef
    firstLine: URIRef
    lastLine: URIRef
    path: URIRef
    sha256: URIRef
    order: URIRef
    changeKind: URIRef      # kind of an org:ChangeEvent (ingest/succession.py)
    ChangeKindScheme: URIRef


class ELI(DefinedNamespace):
    """The European Legislation Identifier ontology (terms we use)."""

    _NS = Namespace("http://data.europa.eu/eli/ontology#")
    _fail = True

    LegalResource: URIRef
    LegalResourceSubdivision: URIRef
    type_document: URIRef
    id_local: URIRef
    title: URIRef
    date_document: URIRef
    passed_by: URIRef
    applies: URIRef
    cites: URIRef
    based_on: URIRef
    amends: URIRef
    repeals: URIRef
    is_part_of: URIRef
    has_part: URIRef
    language: URIRef


__all__ = ["BASE", "DCTERMS", "ELI", "GRAPH", "ID", "ORG", "OWL", "PKG", "PROV", "RDF", "RDFS", "SHARED_GRAPH", "SKOS", "TIME", "XSD"]
