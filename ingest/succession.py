"""Agency succession: which agency an agency named in an older plan is today.

Plans name agencies as they were when the plan was written. Since then, provincial departments were merged
(2025-03-01: Sở Kế hoạch và Đầu tư into Sở Tài chính, …), provinces were merged (2025-07-01: Bắc Giang into
Bắc Ninh, …) and the district level of government ended (2025-07-01). ``current_agency`` follows an agency IRI
through those changes; ``registry_graph`` states them in RDF with W3C ORG change events.

Where the changes come from:

- agency mergers and level abolitions: ``ontology/succession.toml`` (editable data; see its header);
- province mergers: ``ontology/places.toml`` (``merged_into``; in force the day after ``valid_until``).

Rules, applied in date order up to the chosen day (same day: agency mergers, then abolitions, then province
mergers; an agency that has ended takes no further change):

- a ``[[merger]]`` replaces the gazetteer id (``from`` -> ``into``) within the same jurisdiction, for agencies
  whose jurisdiction is at the merger's ``level``;
- an ``[[abolition]]`` ends every agency whose jurisdiction is at that level (a district's agencies, including
  its groups and unlisted names) or whose gazetteer entry is of that level (e.g. "UBND các huyện, thị xã, thành
  phố" of a province): no successor (``current`` is None);
- a province merger moves the jurisdiction to the absorbing province, for province agencies and for the province
  part of district agencies; unlisted agencies (``x-…``) and groups keep their id.

In RDF (``registry_graph``) each change is an ``org:ChangeEvent``
``/id/change/{date}/{agency path before the change}`` with ``org:originalOrganization``,
``org:resultingOrganization`` (when there is one), ``dcterms:date`` (xsd:date), ``skos:prefLabel`` (vi, en),
``pkg:changeKind`` and ``skos:note`` (legal basis); the agency before gets ``org:changedBy``, the one after
``org:resultedFrom``. Validity is OWL-Time: ``agency time:hasTime <agency>/validity``, a ``time:ProperInterval``
whose ``time:hasEnd`` instant is the change date (the first day the agency no longer exists: the interval is
half-open) and, for an agency founded by a merger (``established = true``), whose ``time:hasBeginning`` is the
date it was founded.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tomllib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Mapping

from ontology.namespaces import DCTERMS, ID, ORG, PKG, RDF, SKOS, TIME, XSD

from .agencies import Agency, Jurisdiction, _scoped_label, _scoped_label_en, slugify
from .gazetteer import LEVELS, AgencyEntry, Gazetteer, Province, default_gazetteer
from .normalize import ONTOLOGY_DIR, nfc

SUCCESSION_FILE = ONTOLOGY_DIR / "succession.toml"
AGENCY_PREFIX = str(ID) + "agency/"
REGISTRY_GRAPH = "https://policykg.org/graph/registry/succession"
CHANGE_KIND = "https://policykg.org/ns/change-kind/"
KINDS = ("merger", "abolition", "province_merger")        # same-day order
_LEVEL_VI = {"central": "Trung ương", "province": "cấp tỉnh", "district": "cấp huyện", "commune": "cấp xã"}
_LEVEL_EN = {"central": "central", "province": "provincial", "district": "district", "commune": "commune"}


class SuccessionError(ValueError):
    """Bad data in succession.toml (or places.toml), or an IRI that is not an agency's."""


# ---------------------------------------------------------------- the events
@dataclass(frozen=True)
class Merger:
    date: dt.date
    level: str
    sources: tuple[str, ...]
    into: str
    established: bool = False
    basis: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Abolition:
    date: dt.date
    level: str
    basis: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class ProvinceMerger:
    date: dt.date
    source: Province
    into: Province
    basis: str | None = None


@dataclass(frozen=True)
class Registry:
    """The change events, in the order they apply."""

    events: tuple[Merger | Abolition | ProvinceMerger, ...]
    gazetteer: Gazetteer
    path: Path


def _kind(event) -> str:
    return {Merger: "merger", Abolition: "abolition", ProvinceMerger: "province_merger"}[type(event)]


def _date(value, where: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value                                  # a TOML date literal (date = 2025-03-01)
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise SuccessionError(f"{where}: date {value!r} is not a date (YYYY-MM-DD)") from None


def _agency_entry(gazetteer: Gazetteer, agency_id, level: str, where: str, role: str) -> AgencyEntry:
    if not isinstance(agency_id, str):
        raise SuccessionError(f"{where}: {role} must be a gazetteer id (a string), not {agency_id!r}")
    try:
        entry = gazetteer.agency(agency_id)
    except KeyError:
        raise SuccessionError(f"{where}: unknown agency id {agency_id!r} in {role} "
                              f"(not in ontology/agencies.toml)") from None
    if entry.level not in (level, "any"):
        raise SuccessionError(f"{where}: agency {agency_id!r} in {role} is a {entry.level}-level agency, "
                              f"but the event is at level {level!r}")
    return entry


def _level(row: dict, where: str) -> str:
    level = row.get("level")
    if level not in LEVELS or level == "any":
        raise SuccessionError(f"{where}: level {level!r} is not one of central, province, district, commune")
    return level


_MERGER_KEYS = {"date", "level", "from", "into", "established", "basis", "note"}
_ABOLITION_KEYS = {"date", "level", "basis", "note"}


def load_registry(path: str | Path = SUCCESSION_FILE, gazetteer: Gazetteer | None = None) -> Registry:
    """Read ``succession.toml`` (and the province mergers of the gazetteer's places); checks every id and date."""
    path = Path(path)
    gazetteer = gazetteer or default_gazetteer()
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise SuccessionError(f"{path}: not valid TOML: {exc}") from None
    unknown = set(data) - {"merger", "abolition"}
    if unknown:
        raise SuccessionError(f"{path}: unknown table(s) {sorted(unknown)}; expected [[merger]] and [[abolition]]")
    events: list = []
    for n, row in enumerate(data.get("merger", []), start=1):
        where = f"{path}: [[merger]] #{n} (from = {row.get('from')!r}, into = {row.get('into')!r})"
        extra = set(row) - _MERGER_KEYS
        if extra:
            raise SuccessionError(f"{where}: unknown key(s) {sorted(extra)}")
        for key in ("date", "level", "from", "into"):
            if key not in row:
                raise SuccessionError(f"{where}: missing {key!r}")
        level = _level(row, where)
        sources = row["from"]
        if isinstance(sources, str):
            sources = [sources]
        if not sources:
            raise SuccessionError(f"{where}: 'from' is empty")
        for source in sources:
            _agency_entry(gazetteer, source, level, where, "from")
        _agency_entry(gazetteer, row["into"], level, where, "into")
        events.append(Merger(_date(row["date"], where), level, tuple(sources), row["into"],
                             bool(row.get("established", False)), row.get("basis"), row.get("note")))
    for n, row in enumerate(data.get("abolition", []), start=1):
        where = f"{path}: [[abolition]] #{n} (level = {row.get('level')!r})"
        extra = set(row) - _ABOLITION_KEYS
        if extra:
            raise SuccessionError(f"{where}: unknown key(s) {sorted(extra)}")
        if "date" not in row:
            raise SuccessionError(f"{where}: missing 'date'")
        events.append(Abolition(_date(row["date"], where), _level(row, where), row.get("basis"), row.get("note")))
    for province in gazetteer.provinces:
        if not province.merged_into:
            continue
        where = f"{ONTOLOGY_DIR / 'places.toml'}: province {province.id!r}"
        if not province.valid_until:
            raise SuccessionError(f"{where}: merged_into without valid_until")
        try:
            into = gazetteer.province(province.merged_into)
        except KeyError:
            raise SuccessionError(f"{where}: merged_into {province.merged_into!r} is not a province id") from None
        effective = _date(province.valid_until, where) + dt.timedelta(days=1)
        events.append(ProvinceMerger(effective, province, into, "Nghị quyết 202/2025/QH15"
                                     if effective == dt.date(2025, 7, 1) else None))
    order = {kind: i for i, kind in enumerate(KINDS)}
    events = [e for _, _, e in sorted(((e.date, order[_kind(e)], i), i, e) for i, e in enumerate(events))]
    return Registry(tuple(events), gazetteer, path)


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    return load_registry()


# ---------------------------------------------------------------- following one agency
@dataclass
class Succession:
    original: str                       # the IRI asked about
    current: str | None                 # the IRI of the agency today; None when it ended without successor
    current_label_vi: str | None
    current_label_en: str | None
    exists_now: bool                    # False when anything changed
    events: list[dict] = field(default_factory=list)


def parse_agency_iri(iri: str, label_vi: str | None = None, gazetteer: Gazetteer | None = None) -> Agency:
    """The ingest.agencies.Agency an IRI ``…/id/agency/{place}/{id}`` denotes.

    ``label_vi`` (the label stored with the agency) supplies what the IRI cannot: the name of an unlisted
    agency and the spelling of a district ("Yên Dũng" for ``yen-dung``)."""
    gazetteer = gazetteer or default_gazetteer()
    if not iri.startswith(AGENCY_PREFIX):
        raise SuccessionError(f"{iri!r} is not an agency IRI (expected {AGENCY_PREFIX}…)")
    parts = iri[len(AGENCY_PREFIX):].split("/")
    if len(parts) not in (2, 3) or not all(parts):
        raise SuccessionError(f"{iri!r}: expected {AGENCY_PREFIX}{{province}}[/{{district}}]/{{id}}")
    agency_id = parts[-1]
    if parts[0] == "vn":
        if len(parts) != 2:
            raise SuccessionError(f"{iri!r}: a central agency has no district part")
        jurisdiction = Jurisdiction("central")
    else:
        try:
            province = gazetteer.province(parts[0])
        except KeyError:
            raise SuccessionError(f"{iri!r}: unknown province {parts[0]!r} (not in ontology/places.toml)") from None
        if len(parts) == 3:
            jurisdiction = Jurisdiction("district", province, _district_name(parts[1], label_vi))
        else:
            jurisdiction = Jurisdiction("province", province)
    try:
        entry = gazetteer.agency(agency_id)
    except KeyError:
        entry = None                     # x-… (unlisted), or an id since removed from the gazetteer
    name = nfc(label_vi) if label_vi else agency_id.removeprefix("x-").replace("-", " ").capitalize()
    return _agency(agency_id, jurisdiction, entry, name)


def _district_name(slug: str, label: str | None) -> str:
    """The district's name as the label spells it (a run of words whose slug is ``slug``), else from the slug."""
    if label:
        words = nfc(label).replace(",", " ").replace("(", " ").replace(")", " ").split()
        for size in range(1, 5):
            for i in range(len(words) - size + 1):
                if slugify(" ".join(words[i:i + size])) == slug:
                    return " ".join(words[i:i + size])
    return " ".join(w.capitalize() for w in slug.split("-"))


def _agency(agency_id: str, jurisdiction: Jurisdiction, entry: AgencyEntry | None, name: str) -> Agency:
    if entry is not None:
        label_vi = _scoped_label(entry.vi, entry, jurisdiction)
        label_en = _scoped_label_en(entry.en, jurisdiction)
    else:
        label_vi, label_en = name, None
    return Agency(key=f"{jurisdiction.path}/{agency_id}", label_vi=label_vi, label_en=label_en, entry=entry,
                  jurisdiction=jurisdiction, surface=name)


def _iri(agency: Agency) -> str:
    return AGENCY_PREFIX + agency.key


def _agency_id(agency: Agency) -> str:
    return agency.key.rsplit("/", 1)[1]


@dataclass(frozen=True)
class _Step:
    event: Merger | Abolition | ProvinceMerger
    before: Agency
    after: Agency | None

    @property
    def kind(self) -> str:
        return _kind(self.event)

    @property
    def iri(self) -> str:
        return f"{ID}change/{self.event.date.isoformat()}/{self.before.key}"


def _apply(event, agency: Agency, registry: Registry) -> Agency | None | bool:
    """The agency after ``event``; None when it ends; False when the event does not concern it."""
    j = agency.jurisdiction
    if isinstance(event, Merger):
        agency_id = _agency_id(agency)
        if j.level != event.level or agency_id not in event.sources or agency_id == event.into:
            return False
        return _agency(event.into, j, registry.gazetteer.agency(event.into), agency.surface)
    if isinstance(event, Abolition):
        entry_level = agency.entry.level if agency.entry else None
        return None if event.level in (j.level, entry_level) else False
    if j.province is None or j.province.id != event.source.id:
        return False
    moved = replace(j, province=event.into)
    if agency.entry is None:             # an unlisted name: keep it as written, say where it now belongs
        name = agency.surface.removesuffix(f" ({j.label})")
        return replace(_agency(_agency_id(agency), moved, None, name), label_vi=f"{name} ({moved.label})")
    return _agency(_agency_id(agency), moved, agency.entry, agency.surface)


def _trace(agency: Agency, on: dt.date, registry: Registry) -> tuple[Agency | None, list[_Step]]:
    steps: list[_Step] = []
    current: Agency | None = agency
    for event in registry.events:
        if event.date > on or current is None:
            break
        after = _apply(event, current, registry)
        if after is False:
            continue
        steps.append(_Step(event, current, after))
        current = after
    return current, steps


def _en(agency: Agency) -> str:
    return agency.label_en or agency.label_vi


def _describe(step: _Step) -> tuple[str, str]:
    before, after, event = step.before, step.after, step.event
    if isinstance(event, Merger):
        if event.established:
            return (f"{before.label_vi} hợp nhất thành {after.label_vi}",
                    f"{_en(before)} merged to form {_en(after)}")
        return f"{before.label_vi} sáp nhập vào {after.label_vi}", f"{_en(before)} merged into {_en(after)}"
    if isinstance(event, Abolition):
        return (f"Kết thúc chính quyền {_LEVEL_VI[event.level]}: {before.label_vi} không còn, không có cơ quan kế thừa",
                f"The {_LEVEL_EN[event.level]} level of government ended: {_en(before)} ceased to exist, "
                f"with no successor")
    source, into = event.source, event.into
    return (f"{source.kind.capitalize()} {source.name} sáp nhập vào {into.kind} {into.name}: "
            f"{before.label_vi} trở thành {after.label_vi}",
            f"{source.en} merged into {into.en}: {_en(before)} became {_en(after)}")


def _event_dict(step: _Step) -> dict:
    vi, en = _describe(step)
    return {
        "date": step.event.date.isoformat(), "kind": step.kind, "iri": step.iri,
        "original": _iri(step.before), "resulting": _iri(step.after) if step.after else None,
        "description_vi": vi, "description_en": en, "basis": step.event.basis,
    }


def current_agency(agency_iri: str, on: dt.date | None = None, *, label_vi: str | None = None,
                   registry: Registry | None = None) -> Succession:
    """The agency ``agency_iri`` is on day ``on`` (default today), with the changes that led there.

    >>> s = current_agency("https://policykg.org/id/agency/bac-giang/so-ke-hoach-va-dau-tu", dt.date(2025, 8, 1))
    >>> s.current, s.current_label_vi, [e["kind"] for e in s.events]
    ('https://policykg.org/id/agency/bac-ninh/so-tai-chinh', 'Sở Tài chính tỉnh Bắc Ninh', ['merger', 'province_merger'])
    """
    registry = registry or default_registry()
    agency = parse_agency_iri(agency_iri, label_vi, registry.gazetteer)
    current, steps = _trace(agency, on or dt.date.today(), registry)
    return Succession(
        original=agency_iri,
        current=_iri(current) if current else None,
        current_label_vi=current.label_vi if current else None,
        current_label_en=current.label_en if current else None,
        exists_now=not steps,
        events=[_event_dict(s) for s in steps],
    )


# ---------------------------------------------------------------- RDF
def registry_graph(agency_iris: Iterable[str], on: dt.date | None = None, *,
                   labels: Mapping[str, str] | None = None, registry: Registry | None = None) -> bytes:
    """N-Triples of the change events of ``agency_iris`` up to ``on`` (default today), with every agency
    before and after described as in a document graph (labels, kind, jurisdiction). ``labels``: stored
    Vietnamese labels by IRI (names of unlisted agencies, spelling of districts)."""
    from .rdf import AgencyWriter, Literal          # late: rdf imports the whole analysis chain

    registry = registry or default_registry()
    labels = labels or {}
    on = on or dt.date.today()
    w = AgencyWriter()
    kinds_done: set[str] = set()
    for iri in sorted(set(agency_iris)):
        _, steps = _trace(parse_agency_iri(iri, labels.get(iri), registry.gazetteer), on, registry)
        for step in steps:
            event, date = step.event, Literal(step.event.date.isoformat(), datatype=XSD.date)
            node = step.iri
            before = w.agency(step.before)
            vi, en = _describe(step)
            w.add(node, RDF.type, ORG.ChangeEvent)
            w.add(node, ORG.originalOrganization, before)
            w.add(node, DCTERMS.date, date)
            w.add(node, SKOS.prefLabel, Literal(vi, lang="vi"))
            w.add(node, SKOS.prefLabel, Literal(en, lang="en"))
            kind = CHANGE_KIND + step.kind.replace("_", "-")
            w.add(node, PKG.changeKind, kind)
            if kind not in kinds_done:
                kinds_done.add(kind)
                w.add(kind, RDF.type, SKOS.Concept)
                w.add(kind, SKOS.inScheme, PKG.ChangeKindScheme)
                w.add(kind, SKOS.notation, Literal(step.kind.replace("_", "-")))
            if event.basis:
                w.add(node, SKOS.note, Literal(event.basis, lang="vi"))
            w.add(before, ORG.changedBy, node)
            _validity(w, before, "end", date)
            if step.after is not None:
                after = w.agency(step.after)
                w.add(node, ORG.resultingOrganization, after)
                w.add(after, ORG.resultedFrom, node)
                if isinstance(event, Merger) and event.established:
                    _validity(w, after, "start", date)
    return w.g.ntriples()


def _validity(w, agency, end: str, date) -> None:
    interval = f"{agency}/validity"
    instant = f"{interval}/{end}"
    w.add(agency, TIME.hasTime, interval)
    w.add(interval, RDF.type, TIME.ProperInterval)
    w.add(interval, TIME.hasEnd if end == "end" else TIME.hasBeginning, instant)
    w.add(instant, RDF.type, TIME.Instant)
    w.add(instant, TIME.inXSDDate, date)


def store_agencies(store) -> dict[str, str]:
    """Agencies of a GraphStore's document graphs (the registry graph excluded): IRI -> Vietnamese label."""
    rows = store.select(
        "SELECT ?a (MIN(?l) AS ?label) WHERE { GRAPH ?g { ?a a org:Organization ; skos:prefLabel ?l } "
        f"FILTER(?g != <{REGISTRY_GRAPH}> && lang(?l) = 'vi') }} GROUP BY ?a")
    return {r["a"]: r["label"] for r in rows if r["a"].startswith(AGENCY_PREFIX)}


def write_registry(store, on: dt.date | None = None, registry: Registry | None = None) -> int:
    """Put the registry graph of the store's agencies into the named graph REGISTRY_GRAPH; the triple count."""
    agencies = store_agencies(store)
    data = registry_graph(agencies, on, labels=agencies, registry=registry)
    store.replace_graph(REGISTRY_GRAPH, data)
    return sum(1 for line in data.splitlines() if line.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ingest.succession", description=__doc__.split("\n")[0])
    parser.add_argument("--on", type=dt.date.fromisoformat, help="the day (YYYY-MM-DD; default today)")
    parser.add_argument("--file", type=Path, default=SUCCESSION_FILE, help="succession.toml to use")
    sub = parser.add_subparsers(dest="command", required=True)
    resolve_cmd = sub.add_parser("resolve", help="the current agency of each IRI, as JSON")
    resolve_cmd.add_argument("iris", nargs="+")
    graph_cmd = sub.add_parser("graph", help="the registry graph of a store's agencies (N-Triples on stdout)")
    graph_cmd.add_argument("--store", help="store folder (default $POLICYKG_STORE or ./data)")
    graph_cmd.add_argument("--write", action="store_true", help=f"write it into the store as <{REGISTRY_GRAPH}>")
    args = parser.parse_args(argv)
    try:
        registry = load_registry(args.file)
        if args.command == "resolve":
            out = [current_agency(iri, args.on, registry=registry).__dict__ for iri in args.iris]
            print(json.dumps(out, ensure_ascii=False, indent=2))
            return 0
        from .store import open_store
        store = open_store(args.store, read_only=not args.write)
        if args.write:
            print(f"{write_registry(store, args.on, registry)} triples in <{REGISTRY_GRAPH}>", file=sys.stderr)
        else:
            agencies = store_agencies(store)
            sys.stdout.buffer.write(registry_graph(agencies, args.on, labels=agencies, registry=registry))
    except (SuccessionError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = [
    "REGISTRY_GRAPH", "Registry", "Succession", "SuccessionError", "current_agency", "default_registry",
    "load_registry", "parse_agency_iri", "registry_graph", "store_agencies", "write_registry",
]
