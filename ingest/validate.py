"""SHACL validation of a graph against ontology/shapes.ttl."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pyshacl import validate as shacl_validate
from rdflib import Graph

from .normalize import ONTOLOGY_DIR


@lru_cache(maxsize=1)
def shapes() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "shapes.ttl", format="turtle")


@dataclass
class Report:
    conforms: bool
    violations: int
    text: str


def validate_graph(graph) -> Report:
    """Validate an rdflib Graph, or anything with ``to_rdflib()`` (a DocumentGraph)."""
    if hasattr(graph, "to_rdflib"):
        graph = graph.to_rdflib()
    conforms, results, text = shacl_validate(graph, shacl_graph=shapes(), inference="none", advanced=False)
    violations = text.count("Constraint Violation")
    return Report(bool(conforms), violations, text)
