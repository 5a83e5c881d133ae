"""Agency succession: mergers of departments (2025-03-01), of provinces and the end of districts (2025-07-01)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib import namespace as ns
from rdflib.namespace import DCTERMS, ORG, RDF, SKOS

from ingest.store import GraphStore, open_store
from ingest.succession import (
    REGISTRY_GRAPH, SUCCESSION_FILE, SuccessionError, current_agency, load_registry, parse_agency_iri,
    registry_graph, store_agencies, write_registry,
)
from ingest.validate import validate_graph
from ontology.namespaces import PKG

A = "https://policykg.org/id/agency/"
AFTER = dt.date(2025, 8, 1)
BEFORE = dt.date(2025, 2, 1)


def test_a_task_owner_sở_kh_đt_bắc_giang_is_now_sở_tài_chính_bắc_ninh(corpus_store):
    store = open_store(corpus_store, read_only=True)
    owners = {r["o"] for r in store.select(
        "SELECT DISTINCT ?o WHERE { ?t a pkg:Task ; pkg:owner ?o . ?o pkg:gazetteerId 'so-ke-hoach-va-dau-tu' }")}
    assert owners == {A + "bac-giang/so-ke-hoach-va-dau-tu"}
    s = current_agency(owners.pop(), AFTER)
    assert s.original == A + "bac-giang/so-ke-hoach-va-dau-tu"
    assert s.current == A + "bac-ninh/so-tai-chinh"
    assert s.current_label_vi == "Sở Tài chính tỉnh Bắc Ninh"
    assert s.current_label_en == "Department of Finance, Bac Ninh Province"
    assert not s.exists_now
    assert [(e["date"], e["kind"]) for e in s.events] == [("2025-03-01", "merger"), ("2025-07-01", "province_merger")]
    first, second = s.events
    assert first["resulting"] == A + "bac-giang/so-tai-chinh" == second["original"]
    assert first["iri"] == "https://policykg.org/id/change/2025-03-01/bac-giang/so-ke-hoach-va-dau-tu"
    assert "Sở Kế hoạch và Đầu tư tỉnh Bắc Giang" in first["description_vi"] and "sáp nhập" in first["description_vi"]
    assert "Department of Planning and Investment" in first["description_en"]
    assert "Bắc Ninh" in second["description_vi"] and "Bac Ninh" in second["description_en"]


def test_nothing_changed_before_march_2025():
    s = current_agency(A + "bac-giang/so-ke-hoach-va-dau-tu", BEFORE)
    assert s.current == s.original and s.exists_now and s.events == []
    assert s.current_label_vi == "Sở Kế hoạch và Đầu tư tỉnh Bắc Giang"


def test_between_the_two_dates_only_the_department_merger_applies():
    s = current_agency(A + "bac-giang/so-ke-hoach-va-dau-tu", dt.date(2025, 5, 1))
    assert s.current == A + "bac-giang/so-tai-chinh" and s.current_label_vi == "Sở Tài chính tỉnh Bắc Giang"
    assert s.current == current_agency(A + "bac-giang/so-ke-hoach-va-dau-tu", dt.date(2025, 3, 1)).current
    assert current_agency(A + "bac-giang/so-ke-hoach-va-dau-tu", dt.date(2025, 2, 28)).exists_now


def test_sở_tt_tt_becomes_sở_kh_cn_bắc_ninh():
    s = current_agency(A + "bac-giang/so-thong-tin-va-truyen-thong", AFTER)
    assert s.current == A + "bac-ninh/so-khoa-hoc-va-cong-nghe"
    assert s.current_label_vi == "Sở Khoa học và Công nghệ tỉnh Bắc Ninh"
    assert [e["kind"] for e in s.events] == ["merger", "province_merger"]


def test_sở_nội_vụ_only_moves_with_its_province():
    s = current_agency(A + "bac-giang/so-noi-vu", AFTER)
    assert s.current == A + "bac-ninh/so-noi-vu" and s.current_label_vi == "Sở Nội vụ tỉnh Bắc Ninh"
    assert [e["kind"] for e in s.events] == ["province_merger"] and not s.exists_now


def test_other_2025_department_mergers():
    nnmt = current_agency(A + "quang-ninh/so-tai-nguyen-va-moi-truong", AFTER)
    assert nnmt.current == A + "quang-ninh/so-nong-nghiep-va-moi-truong"
    assert nnmt.current_label_vi == "Sở Nông nghiệp và Môi trường tỉnh Quảng Ninh"
    assert current_agency(A + "quang-ninh/so-nong-nghiep-va-ptnt", AFTER).current == nnmt.current
    assert current_agency(A + "quang-ninh/so-lao-dong-tbxh", AFTER).current == A + "quang-ninh/so-noi-vu"
    assert current_agency(A + "quang-ninh/so-giao-thong-van-tai", AFTER).current == A + "quang-ninh/so-xay-dung"


def test_an_unchanged_province_agency_stays():
    s = current_agency(A + "quang-ninh/so-noi-vu", AFTER)
    assert s.current == s.original and s.exists_now and s.events == []
    assert s.current_label_vi == "Sở Nội vụ tỉnh Quảng Ninh"
    central = current_agency(A + "vn/thu-tuong-chinh-phu", AFTER)
    assert central.exists_now and central.current_label_vi == "Thủ tướng Chính phủ"


@pytest.mark.parametrize("agency_id", ["ubnd-huyen", "ban-to-chuc-huyen-uy", "cac-co-quan-don-vi"])
def test_a_district_agency_ends_on_2025_07_01(corpus_store, agency_id):
    iri = A + f"bac-giang/yen-dung/{agency_id}"
    assert iri in store_agencies(open_store(corpus_store, read_only=True))   # an agency the corpus produces
    before = current_agency(iri, dt.date(2025, 6, 30))
    assert before.exists_now and before.current == iri
    after = current_agency(iri, AFTER)
    assert after.current is None and after.current_label_vi is None and not after.exists_now
    assert [(e["date"], e["kind"], e["resulting"]) for e in after.events] == [("2025-07-01", "abolition", None)]


def test_a_stored_label_gives_the_district_its_spelling():
    label = "Ủy ban nhân dân huyện Yên Dũng"
    assert parse_agency_iri(A + "bac-giang/yen-dung/ubnd-huyen", label).label_vi == label
    s = current_agency(A + "bac-giang/yen-dung/ubnd-huyen", dt.date(2025, 1, 1), label_vi=label)
    assert s.current_label_vi == label


def test_groups_and_unlisted_agencies_keep_their_id_and_move():
    group = current_agency(A + "bac-giang/cac-so-ban-nganh", AFTER)
    assert group.current == A + "bac-ninh/cac-so-ban-nganh"
    assert group.current_label_vi == "Các sở, ban, ngành (tỉnh Bắc Ninh)"
    unlisted = current_agency(A + "bac-giang/x-trung-tam-abc", AFTER, label_vi="Trung tâm ABC")
    assert unlisted.current == A + "bac-ninh/x-trung-tam-abc"
    assert unlisted.current_label_vi == "Trung tâm ABC (tỉnh Bắc Ninh)"
    # "UBND các huyện, thị xã, thành phố" of a province: the district level it groups has ended
    assert current_agency(A + "bac-giang/ubnd-cap-huyen", AFTER).current is None


def test_default_day_is_today():
    s = current_agency(A + "bac-giang/so-ke-hoach-va-dau-tu")
    assert (s.current == A + "bac-ninh/so-tai-chinh") == (dt.date.today() >= dt.date(2025, 7, 1))


def test_editing_the_data_changes_the_result(tmp_path: Path):
    edited = tmp_path / "succession.toml"
    edited.write_text(
        SUCCESSION_FILE.read_text(encoding="utf-8").replace('into = "so-tai-chinh"', 'into = "so-cong-thuong"'),
        encoding="utf-8")
    registry = load_registry(edited)
    s = current_agency(A + "bac-giang/so-ke-hoach-va-dau-tu", AFTER, registry=registry)
    assert s.current == A + "bac-ninh/so-cong-thuong" and s.current_label_vi == "Sở Công Thương tỉnh Bắc Ninh"

    only_abolition = tmp_path / "only.toml"
    only_abolition.write_text('[[abolition]]\ndate = "2025-07-01"\nlevel = "district"\n', encoding="utf-8")
    registry = load_registry(only_abolition)
    s = current_agency(A + "bac-giang/so-ke-hoach-va-dau-tu", AFTER, registry=registry)
    assert s.current == A + "bac-ninh/so-ke-hoach-va-dau-tu" and [e["kind"] for e in s.events] == ["province_merger"]


@pytest.mark.parametrize("body, message", [
    ('[[merger]]\ndate = "2025-03-01"\nlevel = "province"\nfrom = ["so-khong-co"]\ninto = "so-tai-chinh"\n',
     "unknown agency id 'so-khong-co' in from"),
    ('[[merger]]\ndate = "2025-03-01"\nlevel = "province"\nfrom = ["so-ke-hoach-va-dau-tu"]\ninto = "so-tai-chin"\n',
     "unknown agency id 'so-tai-chin' in into"),
    ('[[merger]]\ndate = "2025-13-01"\nlevel = "province"\nfrom = ["so-ke-hoach-va-dau-tu"]\ninto = "so-tai-chinh"\n',
     "date '2025-13-01' is not a date"),
    ('[[merger]]\ndate = "2025-03-01"\nlevel = "province"\nfrom = ["ubnd-huyen"]\ninto = "so-tai-chinh"\n',
     "is a district-level agency"),
    ('[[abolition]]\ndate = "2025-07-01"\nlevel = "huyen"\n', "level 'huyen' is not one of"),
    ('[[abolition]]\nlevel = "district"\n', "missing 'date'"),
    ('[[merge]]\ndate = "2025-07-01"\n', "unknown table"),
])
def test_bad_data_gives_a_clear_error(tmp_path: Path, body: str, message: str):
    bad = tmp_path / "succession.toml"
    bad.write_text(body, encoding="utf-8")
    with pytest.raises(SuccessionError) as info:
        load_registry(bad)
    assert message in str(info.value) and str(bad) in str(info.value)
    assert "#1" in str(info.value) or "table" in str(info.value)


def test_a_non_agency_iri_is_refused():
    with pytest.raises(SuccessionError, match="not an agency IRI"):
        current_agency("https://policykg.org/id/doc/vn/45-nq-tw")
    with pytest.raises(SuccessionError, match="unknown province 'atlantis'"):
        current_agency(A + "atlantis/so-noi-vu")


def test_registry_graph_of_the_corpus_agencies_validates(corpus_store):
    agencies = store_agencies(open_store(corpus_store, read_only=True))
    data = registry_graph(agencies, AFTER, labels=agencies)
    graph = Graph().parse(data=data, format="nt")
    report = validate_graph(graph)
    assert report.conforms and report.violations == 0, report.text[:3000]

    event = URIRef("https://policykg.org/id/change/2025-03-01/bac-giang/so-ke-hoach-va-dau-tu")
    original, middle = URIRef(A + "bac-giang/so-ke-hoach-va-dau-tu"), URIRef(A + "bac-giang/so-tai-chinh")
    assert (event, RDF.type, ORG.ChangeEvent) in graph
    assert (event, ORG.originalOrganization, original) in graph
    assert (event, ORG.resultingOrganization, middle) in graph
    assert (event, DCTERMS.date, Literal("2025-03-01", datatype=ns.XSD.date)) in graph
    assert (original, ORG.changedBy, event) in graph and (middle, ORG.resultedFrom, event) in graph
    assert (event, PKG.changeKind, URIRef("https://policykg.org/ns/change-kind/merger")) in graph
    final = URIRef(A + "bac-ninh/so-tai-chinh")
    assert (final, SKOS.prefLabel, Literal("Sở Tài chính tỉnh Bắc Ninh", lang="vi")) in graph
    assert (final, PKG.gazetteerId, Literal("so-tai-chinh")) in graph
    assert (final, ORG.classification, URIRef("https://policykg.org/ns/agency-kind/department")) in graph
    # validity: the original's interval ends on the day of the change
    end = graph.value(graph.value(original, ns.TIME.hasTime), ns.TIME.hasEnd)
    assert graph.value(end, ns.TIME.inXSDDate) == Literal("2025-03-01", datatype=ns.XSD.date)
    # the district's agencies end with no successor, spelled as the corpus spells them
    ended = URIRef("https://policykg.org/id/change/2025-07-01/bac-giang/yen-dung/ubnd-huyen")
    assert graph.value(ended, ORG.resultingOrganization) is None
    assert "Yên Dũng" in str(graph.value(ended, SKOS.prefLabel))
    # an agency without change is not described
    assert (URIRef(A + "vn/thu-tuong-chinh-phu"), None, None) not in graph


def test_registry_graph_before_the_changes_is_empty():
    assert registry_graph([A + "bac-giang/so-ke-hoach-va-dau-tu"], BEFORE) == b""


def test_write_registry_into_a_store(tmp_path: Path, corpus_store):
    source = open_store(corpus_store, read_only=True)
    store = GraphStore(tmp_path / "store")
    for name in source.graphs():
        triples = source.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{name}> {{ ?s ?p ?o }} }}")
        store.replace_graph(name, ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
    count = write_registry(store, AFTER)
    assert count > 0 and REGISTRY_GRAPH in store.graphs()
    assert write_registry(store, AFTER) == count            # idempotent: the registry graph is not read back
    rows = store.select("SELECT ?new WHERE { <%s> org:changedBy/org:resultingOrganization ?new }"
                        % (A + "bac-giang/so-noi-vu"))
    assert rows == [{"new": A + "bac-ninh/so-noi-vu"}]
