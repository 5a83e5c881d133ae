"""Cascade audit: the documents below a resolution, how their tasks align across levels,
and the coverage report (gaps, local initiatives, deadline conflicts, owners that no longer exist).

Which plan a lower plan is compared with: the plan it implements when that text is
in the corpus; otherwise a plan of a higher level that implements the same parent
in the same province (the district plan and the provincial plan both implement
123-KH/TU, whose text we do not have).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ingest.succession import current_agency
from search.alignment import Alignment, Item, align, attach_vectors, item_iris, read_items_of, restatements

from .service import NeedsIndex, PolicyService, QueryError

LEVEL_RANK = {"central": 0, "province": 1, "district": 2, "commune": 3}


@dataclass
class Node:
    iri: str
    number: str | None
    title: str | None
    level: str | None
    issuer: dict | None
    has_text: bool
    parents: list[str]


class CascadeService:
    def __init__(self, service: PolicyService):
        self.service = service
        self.store = service.store

    # -- the document tree ---------------------------------------------------------
    def nodes(self, root: str) -> dict[str, Node]:
        rows = self.store.select(f"""
            SELECT DISTINCT ?d ?parent WHERE {{
              {{ ?d eli:applies+ <{root}> }} UNION {{ BIND(<{root}> AS ?d) }}
              OPTIONAL {{ ?d eli:applies ?parent }}
            }}""")
        parents: dict[str, set[str]] = {}
        for r in rows:
            parents.setdefault(r["d"], set())
            if r["parent"]:
                parents[r["d"]].add(r["parent"])
        docs = {d["iri"]: d for d in self.service.documents(include_cited=True, only=sorted(parents))}
        out = {}
        for iri, ups in parents.items():
            d = docs.get(iri, {})
            out[iri] = Node(iri, d.get("number"), d.get("title"), d.get("level"), d.get("issuer"),
                            bool(d.get("source")), sorted(p for p in ups if p in parents))
        return out

    def tree(self, root: str, nodes: dict[str, Node]) -> list[dict]:
        """Each document under its deepest parent: a plan implementing both 45-NQ/TW and
        123-KH/TU (which implements 45-NQ/TW) sits under 123-KH/TU."""
        depth: dict[str, int] = {root: 0}
        for _ in range(len(nodes)):        # until nothing moves: as many passes as the tree is deep
            moved = False
            for iri, node in nodes.items():
                known = [depth[p] for p in node.parents if p in depth]
                if iri != root and known and depth.get(iri) != max(known) + 1:
                    depth[iri], moved = max(known) + 1, True
            if not moved:
                break
        children: dict[str, list[str]] = {}
        for iri, node in nodes.items():
            if iri == root or not node.parents:
                continue
            parent = max((p for p in node.parents if p in depth), key=lambda p: depth[p], default=None)
            if parent:
                children.setdefault(parent, []).append(iri)

        def render(iri: str) -> dict:
            n = nodes[iri]
            return {"document": {"iri": n.iri, "number": n.number, "title": n.title, "level": n.level,
                                 "issuer": n.issuer, "text_in_corpus": n.has_text},
                    "children": [render(c) for c in sorted(children.get(iri, []), key=lambda c: (
                        LEVEL_RANK.get(nodes[c].level or "", 9), nodes[c].number or "", c))]}

        return [render(root)]

    # -- which plan each plan is compared with ------------------------------------------
    def pairs(self, nodes: dict[str, Node]) -> list[tuple[str, str, frozenset[str]]]:
        """(lower plan, higher plan, documents both implement) for plans whose text we have."""
        with_text = [n for n in nodes.values() if n.has_text]
        by_iri = {n.iri: n for n in with_text}
        in_province: dict[str | None, list[Node]] = {}
        for n in with_text:
            in_province.setdefault(self._province(n), []).append(n)
        out = []
        for plans in in_province.values():
            for low in plans:
                direct = [by_iri[p] for p in low.parents if p in by_iri]
                if direct:
                    out.extend((low.iri, h.iri, frozenset(low.parents) - {h.iri}) for h in direct)
                    continue
                out += self._same_province_pairs(low, plans)
        return out

    @staticmethod
    def _same_province_pairs(low: Node, plans: list[Node]) -> list[tuple[str, str, frozenset[str]]]:
        """A plan that implements none of the plans we have, paired with the higher-level plans of
        its province that implement the same document."""
        out = []
        for high in plans:
            shared = set(low.parents) & set(high.parents)
            if high.iri != low.iri and shared \
                    and LEVEL_RANK.get(high.level or "", 9) < LEVEL_RANK.get(low.level or "", 9):
                out.append((low.iri, high.iri, frozenset(set(low.parents) | set(high.parents))))
        return out

    @staticmethod
    def _province(node: Node) -> str | None:
        issuer = (node.issuer or {}).get("iri") or ""
        parts = issuer.split("/id/agency/")[-1].split("/")
        return parts[0] if len(parts) > 1 else None

    # -- the report ------------------------------------------------------------------------
    def report(self, ref: str, on: dt.date | None = None, live_embed_limit: int | None = None) -> dict:
        """The cascade JSON: document, tree, alignments, restatements, coverage, gaps,
        local_initiatives, conflicts, defunct_owners (no successor), succeeded_owners (with the
        current responsible agency), as_of."""
        matches = self.service.resolve_document(ref)
        if len(matches) != 1:
            raise QueryError(f"{ref!r} names {len(matches)} documents; give the IRI")
        root = matches[0]
        nodes = self.nodes(root)
        plans = [iri for iri, n in nodes.items() if n.has_text]
        engine = self._engine()
        index = engine.index if engine else None
        if live_embed_limit is not None:        # before reading the items: refuse in seconds
            known = {u.id for u in index.units} if index is not None else set()
            missing = len(set(item_iris(self.store, plans)) - known)
            if missing > live_embed_limit:
                raise NeedsIndex(
                    f"the cascade of {ref} compares {len(plans)} plans, and the search index lacks the vectors of "
                    f"{missing} of their tasks (more than {live_embed_limit} to embed in one request): build the "
                    f"index (`policykg index`) or run `policykg cascade`")
        items = read_items_of(self.store, plans)
        for plan_items in items.values():
            attach_vectors(plan_items, index, engine.embedder if engine else _embedder())
        alignments: list[Alignment] = []
        pairs = self.pairs(nodes)
        for low, high, parents in pairs:
            numbers = frozenset(filter(None, (nodes[p].number for p in parents if p in nodes)))
            alignments += align(items[low], items[high], numbers | {nodes[high].number or ""})
        restated = [a for plan_items in items.values() for a in restatements(plan_items)]
        return {
            "document": self.tree(root, nodes)[0]["document"],
            "tree": self.tree(root, nodes),
            "alignments": [a.as_dict() for a in alignments],
            "restatements": [a.as_dict() for a in restated if a.asserted],
            **self._coverage(items, pairs, alignments, restated, on or dt.date.today()),
        }

    def _coverage(self, items: dict[str, list[Item]], pairs, alignments: list[Alignment],
                  restated: list[Alignment], on: dt.date) -> dict:
        asserted = [a for a in alignments if a.asserted]
        # an annex row and the body item it restates are one task for coverage
        same_as = {a.lower.iri: a.higher.iri for a in restated if a.asserted}
        canonical = lambda iri: same_as.get(iri, iri)  # noqa: E731
        higher_plans = sorted({h for _, h, _ in pairs})
        coverage, gaps = [], []
        for high in higher_plans:
            lowers = sorted({low for low, h, _ in pairs if h == high})
            for task in (i for i in items[high] if i.kind == "task"):
                taken = {low: [a.lower.iri for a in asserted
                               if a.higher.document == high and a.lower.document == low
                               and canonical(a.higher.iri) == canonical(task.iri)] for low in lowers}
                row = {"task": _side(task), "taken_up_by": {low: taken[low] for low in lowers}}
                coverage.append(row)
                if not any(taken.values()) and canonical(task.iri) == task.iri:
                    gaps.append(_side(task))
        lower_plans = sorted({low for low, _, _ in pairs})
        aligned_lower = {a.lower.iri for a in asserted}
        initiatives = [_side(i) for low in lower_plans for i in items[low]
                       if i.kind == "task" and i.iri not in aligned_lower]
        conflicts = [{"lower": _side(a.lower), "higher": _side(a.higher), "lower_end": a.lower.deadline["end"],
                      "higher_end": a.higher.deadline["end"]}
                     for a in asserted if a.lower.deadline and a.higher.deadline and a.lower.deadline.get("end")
                     and a.higher.deadline.get("end") and a.lower.deadline["end"] > a.higher.deadline["end"]]
        defunct, succeeded = [], []
        seen = set()
        for plan_items in items.values():
            for item in plan_items:
                for owner in item.owners:
                    if owner["iri"] in seen:
                        continue
                    seen.add(owner["iri"])
                    succession = current_agency(owner["iri"], on=on, label_vi=owner["label"])
                    if succession.exists_now:
                        continue
                    entry = {"agency": owner, "current": {"iri": succession.current,
                                                          "label": succession.current_label_vi},
                             "events": succession.events}
                    (succeeded if succession.current else defunct).append(entry)
        return {"coverage": coverage, "gaps": gaps, "local_initiatives": initiatives, "conflicts": conflicts,
                "defunct_owners": defunct, "succeeded_owners": succeeded, "as_of": on.isoformat()}

    def _engine(self):
        try:
            return self.service.search_engine()
        except QueryError:
            return None


def _embedder():
    from search.embedders import get_embedder

    return get_embedder()


def _side(item: Item) -> dict:
    return {"iri": item.iri, "kind": item.kind, "text": item.text, "section": item.section,
            "document": item.document, "owners": item.owners, "deadline": item.deadline, "source": item.source}


def alignment_graph(report: dict) -> bytes:
    """The report's links as RDF (N-Triples): pkg:takesUp / pkg:restates for asserted links, and a
    pkg:Alignment node per link (asserted or candidate) with score, evidence and PROV activity."""
    import hashlib

    import pyoxigraph as ox

    from ontology.namespaces import ID, PKG, PROV, RDF, RDFS, XSD
    from search.alignment import THRESHOLD, W_AGENCY, W_CITATION, W_PHRASE, W_SEMANTIC

    def n(iri) -> ox.NamedNode:
        return ox.NamedNode(str(iri))

    root = report["document"]["iri"]
    activity = n(ID[f"alignment-run/{hashlib.sha1((root + report['as_of']).encode()).hexdigest()[:12]}"])
    triples = [
        ox.Triple(activity, n(RDF.type), n(PROV.Activity)),
        ox.Triple(activity, n(RDFS.comment), ox.Literal(
            f"policykg task alignment under {root}: weights semantic {W_SEMANTIC}, shared phrase {W_PHRASE}, "
            f"agencies {W_AGENCY}, citations {W_CITATION}; threshold {THRESHOLD}", language="en")),
    ]
    for relation, links in ((PKG.takesUp, report["alignments"]), (PKG.restates, report["restatements"])):
        for link in links:
            low, high = n(link["lower"]["iri"]), n(link["higher"]["iri"])
            node = n(ID[f"alignment/{hashlib.sha1((low.value + ' ' + high.value).encode()).hexdigest()[:16]}"])
            triples += [
                ox.Triple(node, n(RDF.type), n(PKG.Alignment)),
                ox.Triple(node, n(PKG.lowerItem), low), ox.Triple(node, n(PKG.higherItem), high),
                ox.Triple(node, n(PKG.score), ox.Literal(f"{link['score']:.3f}", datatype=n(XSD.decimal))),
                ox.Triple(node, n(PKG.asserted), ox.Literal("true" if link["asserted"] else "false",
                                                            datatype=n(XSD.boolean))),
                ox.Triple(node, n(PROV.wasGeneratedBy), activity),
            ]
            triples += [ox.Triple(node, n(PKG.evidence), ox.Literal(e, language="vi")) for e in link["evidence"]]
            if link["asserted"]:
                triples.append(ox.Triple(low, n(relation), high))
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
