"""The vocabulary, the typed namespace and the shapes agree, and the corpus validates."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import RDFS, Graph, URIRef
from rdflib.namespace import OWL, RDF, SKOS

from ingest.normalize import ONTOLOGY_DIR
from ingest.store import open_store
from ingest.validate import validate_graph
from ontology.namespaces import PKG

VOCAB = Graph().parse(ONTOLOGY_DIR / "policykg.ttl", format="turtle")
NS = str(PKG._NS)


def declared_terms() -> set[str]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.ConceptScheme)
    return {str(s)[len(NS):] for k in kinds for s in VOCAB.subjects(RDF.type, k) if str(s).startswith(NS)}


def test_namespace_and_vocabulary_list_the_same_terms():
    assert set(PKG.__annotations__) == declared_terms()


def test_every_own_class_and_property_has_a_label():
    for term in declared_terms():
        labels = list(VOCAB.objects(URIRef(NS + term), RDFS.label))
        assert labels or term.endswith("Scheme"), term


def test_whole_corpus_graph_validates_with_zero_violations(corpus_store):
    store = open_store(corpus_store, read_only=True)
    triples = store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    union = Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
    report = validate_graph(union)
    print(f"\nSHACL over the union of all document graphs: {len(union)} triples, violations={report.violations}")
    assert report.conforms, report.text[:3000]
    assert report.violations == 0


def test_a_broken_graph_is_caught():
    graph = Graph()
    task = URIRef("https://policykg.org/id/doc/x/task/1")
    graph.add((task, RDF.type, PKG.Task))   # no document, text, owner or source
    report = validate_graph(graph)
    assert not report.conforms and report.violations >= 4
