"""The web UI and IRI dereferencing (api/pages.py, api/resolver.py), through FastAPI's TestClient."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import pytest
import rdflib
from fastapi.testclient import TestClient

from api.app import Settings, create_app
from api.i18n import STRINGS

ID = "https://policykg.org/id/"
BG_PLAN = "bac-giang/kh-2024-06-feb36721"
SO_NOI_VU = "bac-giang/so-noi-vu"
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


@pytest.fixture(scope="module")
def app(indexed_store):
    return create_app(Settings(store=indexed_store))


@pytest.fixture
def client(app):
    """A fresh client per test (no language cookie carried over)."""
    with TestClient(app) as c:
        yield c


def rows(html: str, table_class: str) -> list[str]:
    """The <tr> of the tbody of the table with that class."""
    m = re.search(rf'<table class="[^"]*\b{table_class}\b[^"]*">.*?<tbody>(.*?)</tbody>', html, re.S)
    assert m, f"no table .{table_class}"
    return re.findall(r"<tr\b.*?</tr>", m.group(1), re.S)


# -- pages -----------------------------------------------------------------------------
def test_search_page_form(client):
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert '<html lang="vi">' in r.text
    for name in ('name="q"', 'name="kind"', 'name="agency"', 'name="level"', 'name="due_before"'):
        assert name in r.text
    assert "/static/style.css" in r.text


def test_search_highlights_query_words(client):
    r = client.get("/", params={"q": "Sở Nội vụ"})
    assert r.status_code == 200
    assert "<mark>Sở Nội vụ</mark>" in r.text                      # in the owner labels at least
    assert f'href="/agencies/{SO_NOI_VU}"' in r.text                 # owners link to agency pages
    assert f'href="/documents/{BG_PLAN}#task-' in r.text             # hits link to their document anchor
    assert re.search(r'href="/source\?path=[^"]+&amp;line=\d+#L\d+"', r.text)   # and to source lines
    assert re.search(r">[\w.-]+\.txt:\d+</a>", r.text)               # shown as file:line
    assert '<a href="/api/search?q=' in r.text                      # the JSON twin


def test_search_highlight_is_diacritic_insensitive(client):
    r = client.get("/", params={"q": "so noi vu", "kind": "task"})
    assert r.status_code == 200
    assert "<mark>Sở Nội vụ</mark>" in r.text
    assert 'class="hit kind-task' in r.text and "kind-passage" not in r.text


def test_search_filters_and_bad_input(client):
    r = client.get("/", params={"q": "tuyên truyền", "level": "district"})
    assert r.status_code == 200 and "Yên Dũng" in r.text and "tỉnh Bắc Giang</a>" not in r.text
    r = client.get("/", params={"q": "nhiệm vụ", "due_before": "2024-12-31"})
    assert r.status_code == 200 and "<mark>" in r.text
    r = client.get("/", params={"q": "nhiệm vụ", "due_before": "31/12/2024"})
    assert r.status_code == 422 and 'class="error"' in r.text       # shown in the page, not a JSON error
    r = client.get("/", params={"q": "nhiệm vụ", "agency": "Bộ Không Tồn Tại"})
    assert r.status_code == 422 and 'class="error"' in r.text


def test_agency_page_lists_owned_tasks(client):
    r = client.get(f"/agencies/{SO_NOI_VU}")
    assert r.status_code == 200
    assert "Sở Nội vụ tỉnh Bắc Giang" in r.text
    owned = rows(r.text, "owned")
    assert len(owned) == 9
    assert all(f'/documents/{BG_PLAN}#task-' in row for row in owned)
    assert all("/source?path=" in row for row in owned)
    assert sum('class="overdue"' in row for row in owned) >= 1       # one-off deadlines in 2024 have passed
    assert len(rows(r.text, "cooperating")) == 2
    assert f'href="/api/agencies/{SO_NOI_VU}"' in r.text


def test_agencies_list(client):
    r = client.get("/agencies")
    assert r.status_code == 200
    assert f'href="/agencies/{SO_NOI_VU}"' in r.text
    assert len(rows(r.text, "list")) == len(client.get("/api/agencies", params={"limit": 1000}).json())


def test_lists_are_paged(client, monkeypatch):
    from api import pages

    monkeypatch.setattr(pages, "PAGE", 10)
    every = [a["iri"] for a in client.get("/api/agencies", params={"limit": 1000}).json()]
    first = client.get("/agencies").text
    assert len(rows(first, "list")) == 10 and 'rel="next"' in first and 'rel="prev"' not in first
    second = client.get("/agencies?offset=10").text
    assert 'rel="prev"' in second and f'href="{pages.ui_path(every[10])}"' in second
    last = client.get(f"/agencies?offset={len(every) - 1}").text
    assert len(rows(last, "list")) == 1 and 'rel="next"' not in last


def test_document_page(client):
    r = client.get(f"/documents/{BG_PLAN}")
    assert r.status_code == 200
    page = r.text
    assert "Kế hoạch" in page and "Mai Sơn" in page and "Ủy ban nhân dân tỉnh Bắc Giang" in page
    assert len(rows(page, "annex-tasks")) == 21
    api = client.get(f"/api/documents/{BG_PLAN}").json()
    assert len(rows(page, "body-tasks")) + 21 == len(api["tasks"])
    assert len(rows(page, "targets")) == len(api["targets"])
    assert 'id="task-annex-iii-1"' in page and 'id="section-iii-2-1"' in page and 'id="target-1"' in page
    assert 'href="/documents/vn/45-nq-tw"' in page                  # citations out, linked
    assert 'href="/agencies/bac-giang/ubnd-tinh"' in page            # issuer, linked


def test_cited_document_page_shows_citations_in(client):
    r = client.get("/documents/vn/45-nq-tw")
    assert r.status_code == 200
    assert f'href="/documents/{BG_PLAN}"' in r.text
    assert STRINGS["vi"]["known_from_citations"] in r.text


def test_documents_list(client):
    r = client.get("/documents")
    assert r.status_code == 200 and len(rows(r.text, "list")) == 2
    assert len(rows(client.get("/documents?cited=true").text, "list")) > 2


def test_sparql_page(client):
    r = client.get("/sparql/ui")
    assert r.status_code == 200
    assert "<textarea" in r.text and 'id="example"' in r.text and "/static/sparql.js" in r.text
    js = client.get("/static/sparql.js")
    assert js.status_code == 200 and "/sparql/examples" in js.text and "application/sparql-results+json" in js.text


def test_unknown_pages_are_404(client):
    for url in ("/agencies/bac-giang/khong-co", "/documents/bac-giang/khong-co", "/documents/99/QĐ-XYZ"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert r.headers["content-type"].startswith("text/html")


# -- language --------------------------------------------------------------------------
def test_english_switch_is_remembered(client):
    vi = client.get("/agencies")
    assert STRINGS["vi"]["owned_count"] in vi.text and 'hreflang="en"' in vi.text
    en = client.get("/agencies", params={"lang": "en"})
    assert '<html lang="en">' in en.text and STRINGS["en"]["owned_count"] in en.text
    assert STRINGS["vi"]["owned_count"] not in en.text
    assert "Sở Nội vụ tỉnh Bắc Giang" in en.text                    # data stays as written
    assert en.cookies.get("lang") == "en" or client.cookies.get("lang") == "en"
    again = client.get(f"/agencies/{SO_NOI_VU}")                    # no ?lang: the cookie decides
    assert STRINGS["en"]["owned_tasks"] in again.text
    back = client.get("/", params={"lang": "vi"})
    assert '<html lang="vi">' in back.text


def test_both_languages_have_the_same_keys():
    assert set(STRINGS["vi"]) == set(STRINGS["en"])


def test_templates_use_only_known_strings():
    from pathlib import Path

    used = set()
    for path in (Path(__file__).resolve().parent.parent / "api" / "templates").glob("*.html"):
        used |= set(re.findall(r"""\bt\(["'](\w+)["']\)""", path.read_text(encoding="utf-8")))
    assert used and used <= set(STRINGS["vi"]), used - set(STRINGS["vi"])


# -- IRIs ------------------------------------------------------------------------------
def test_iri_turtle(client):
    iri = f"{ID}agency/{SO_NOI_VU}"
    r = client.get(f"/id/agency/{SO_NOI_VU}", headers={"Accept": "text/turtle"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=r.text, format="turtle")
    assert (rdflib.URIRef(iri), None, None) in graph
    assert graph.value(rdflib.URIRef(iri), rdflib.SKOS.prefLabel) is not None


def test_iri_jsonld_and_ntriples(client):
    path = f"doc/{BG_PLAN}/task/annex-iii-1"
    r = client.get(f"/id/{path}", headers={"Accept": "application/ld+json"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/ld+json")
    data = json.loads(r.text)
    assert any(node.get("@id") == ID + path for node in data)
    graph = rdflib.Graph().parse(data=r.text, format="json-ld")
    assert (rdflib.URIRef(ID + path), None, None) in graph
    nt = client.get(f"/id/{path}", headers={"Accept": "application/n-triples"})
    assert nt.status_code == 200
    assert len(rdflib.Graph().parse(data=nt.text, format="nt")) == len(graph)
    assert client.get(f"/id/{path}?format=ttl").headers["content-type"].startswith("text/turtle")


@pytest.mark.parametrize("path, page", [
    (f"agency/{SO_NOI_VU}", f"/agencies/{SO_NOI_VU}"),
    (f"doc/{BG_PLAN}", f"/documents/{BG_PLAN}"),
    (f"doc/{BG_PLAN}/task/iii-1-1", f"/documents/{BG_PLAN}#task-iii-1-1"),
    (f"doc/{BG_PLAN}/task/iii-1-1/deadline", None),   # no such part: 404 below
    (f"doc/{BG_PLAN}/section/iii-2-1", f"/documents/{BG_PLAN}#section-iii-2-1"),
    (f"doc/{BG_PLAN}/target/1", f"/documents/{BG_PLAN}#target-1"),
    ("doc/vn/45-nq-tw", "/documents/vn/45-nq-tw"),
])
def test_iri_html_redirects_to_page(client, path, page):
    r = client.get(f"/id/{path}", headers=HTML, follow_redirects=False)
    if page is None:
        assert r.status_code == 404
        return
    assert r.status_code == 303 and r.headers["location"] == page
    target = client.get(page.split("#")[0])
    assert target.status_code == 200
    if "#" in page:
        assert f'id="{page.split("#")[1]}"' in target.text


def test_iri_of_a_source_file_redirects_to_its_lines(client):
    files = client.get("/id/doc/" + BG_PLAN, headers={"Accept": "application/n-triples"}).text
    source_iri = re.search(r"<(https://policykg.org/id/source/[0-9a-f]+)>", files).group(1)
    r = client.get("/id/" + source_iri[len(ID):], headers=HTML, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/source?path=")
    assert client.get(r.headers["location"]).status_code == 200


def test_iri_without_a_page_shows_its_triples(client):
    r = client.get("/id/place/bac-giang", headers=HTML)
    assert r.status_code == 200 and "Bắc Giang" in r.text


def test_unknown_iri_is_404(client):
    r = client.get("/id/agency/khong-co/gi-ca", headers={"Accept": "text/turtle"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = client.get("/id/agency/khong-co/gi-ca", headers=HTML)
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert STRINGS["vi"]["not_found"] in r.text


def test_unacceptable_media_type_is_406(client):
    r = client.get(f"/id/agency/{SO_NOI_VU}", headers={"Accept": "image/png"})
    assert r.status_code == 406 and r.json()["error"]["code"] == "not_acceptable"


# -- source lines ----------------------------------------------------------------------
def test_source_page_highlights_the_line(client):
    task = client.get("/api/tasks", params={"agency": "Sở Nội vụ"}).json()[0]
    src = task["source"]
    r = client.get("/source", params={"path": src["path"], "line": src["line"]})
    assert r.status_code == 200
    assert f'<tr id="L{src["line"]}" class="current">' in r.text
    assert task["text"][:30] in r.text.replace("\t", " ")
    assert f'id="L{src["line"] - 3}"' in r.text and 'id="L1"' not in r.text   # only lines around it


@pytest.mark.parametrize("path", ["/etc/passwd", "../../etc/passwd", "pyproject.toml", ""])
def test_source_refuses_paths_not_in_the_store(client, path):
    r = client.get("/source?path=" + quote(path) + "&line=1")
    assert r.status_code == 404
    assert "root:" not in r.text


# -- cascade audit ---------------------------------------------------------------------
CASCADE_ROOT = "45-NQ/TW"
YEN_DUNG_PLAN = "bac-giang/yen-dung/kh-undated-1dade0b3"


@pytest.fixture(scope="module")
def cascade_pages(app):
    """The cascade page (vi and en) and its JSON twin, fetched once: a report takes seconds."""
    with TestClient(app) as c:
        return {"vi": c.get(f"/cascade/{CASCADE_ROOT}"), "en": c.get(f"/cascade/{CASCADE_ROOT}?lang=en"),
                "api": c.get(f"/api/cascade/{CASCADE_ROOT}")}


def _matrix_cells(html: str) -> list[str]:
    return re.findall(r'<td class="cell (?:gap|covered)">.*?</td>', html, re.S)


def test_cascade_page(cascade_pages):
    r, report = cascade_pages["vi"], cascade_pages["api"].json()
    assert r.status_code == 200 and '<html lang="vi">' in r.text
    page = r.text
    for text in ("45-NQ/TW", "123-KH/TU", "Ban Chấp hành Trung ương", "Ban Thường vụ Tỉnh ủy Bắc Giang",
                 "Ủy ban nhân dân tỉnh Bắc Giang", "Ban Thường vụ Huyện ủy Yên Dũng"):
        assert text in page, text
    assert f'href="/api/cascade/{CASCADE_ROOT}"' in page                       # the JSON twin
    # the tree: 45-NQ/TW > 123-KH/TU > the two plans; the first two known only from citations
    tree = re.search(r'<ul class="tree">(.*?)</section>', page, re.S).group(1)
    assert tree.index("45-NQ/TW") < tree.index("123-KH/TU") < tree.index(f"/documents/{BG_PLAN}")
    assert f'href="/documents/{YEN_DUNG_PLAN}"' in tree
    assert tree.count(STRINGS["vi"]["cited_only"]) == 2
    # the matrix: one cell per higher task and lower plan, empty ones marked as gaps
    cells = _matrix_cells(page)
    assert len(cells) == sum(len(row["taken_up_by"]) for row in report["coverage"])
    gaps = [c for c in cells if 'class="cell gap"' in c]
    assert len(gaps) == sum(not taken for row in report["coverage"] for taken in row["taken_up_by"].values())
    assert gaps and len(gaps) < len(cells)
    covered = [c for c in cells if 'class="cell covered"' in c]
    assert all(f'href="/documents/{YEN_DUNG_PLAN}#' in c and "/source?path=" in c for c in covered)
    assert any(f'/documents/{YEN_DUNG_PLAN}#task-' in c for c in covered)
    assert any(f'/documents/{YEN_DUNG_PLAN}#section-' in c for c in covered)     # measures land on their section
    # owners that changed: original -> current, with the change events
    assert "Sở Tài chính tỉnh Bắc Giang" in page and "Sở Tài chính tỉnh Bắc Ninh" in page
    assert "Nghị quyết 202/2025/QH15" in page
    assert len(rows(page, "defunct")) == len(report["defunct_owners"])
    assert len(rows(page, "succeeded")) == len(report["succeeded_owners"])
    # alignments with score and evidence, annex rows <-> body items, local initiatives
    assert len(rows(page, "asserted")) == sum(a["asserted"] for a in report["alignments"])
    assert len(rows(page, "restatements")) == len(report["restatements"])
    assert len(rows(page, "initiatives")) == len(report["local_initiatives"])
    assert "semantic similarity" in page


def test_cascade_page_english(cascade_pages):
    en = cascade_pages["en"]
    assert en.status_code == 200 and '<html lang="en">' in en.text
    assert STRINGS["en"]["coverage"] in en.text and STRINGS["vi"]["coverage"] not in en.text
    assert STRINGS["en"]["not_taken_up"] in en.text
    assert "Sở Tài chính tỉnh Bắc Ninh" in en.text                              # data as written
    assert "Bac Giang Province merged into Bac Ninh Province" in en.text       # the English event text


def test_cascade_unknown_document_is_404(client):
    for url in ("/cascade/khong/co", "/cascade/99-XX/YY", "/cascade/" + quote("99/QĐ-XYZ")):
        r = client.get(url)
        assert r.status_code == 404, url
        assert r.headers["content-type"].startswith("text/html")
        assert STRINGS["vi"]["document_not_found"] in r.text and 'href="/documents?cited=true"' in r.text
    r = client.get(f"/cascade/{CASCADE_ROOT}", params={"on": "31/12/2025"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")


def test_cascade_index_and_links(client):
    r = client.get("/cascade")
    assert r.status_code == 200 and 'href="/cascade/vn/45-nq-tw"' in r.text
    doc = client.get("/documents/vn/45-nq-tw")
    assert 'href="/cascade/vn/45-nq-tw"' in doc.text and STRINGS["vi"]["cascade_link"] in doc.text
    assert 'href="/cascade"' in doc.text                                      # the nav entry
    assert f'href="/cascade/{BG_PLAN}"' in client.get(f"/documents/{BG_PLAN}").text


def test_render_cascade_html_is_standalone(cascade_pages):
    import lxml.html

    from api.pages import render_cascade_html

    report = cascade_pages["api"].json()
    for lang in ("vi", "en"):
        html = render_cascade_html(report, lang=lang)
        assert html.lstrip().lower().startswith("<!doctype html>")
        tree = lxml.html.document_fromstring(html)
        assert tree.get("lang") == lang
        assert not [link for link in tree.iter("link") if "stylesheet" in (link.get("rel") or "")]
        assert not re.search(r"""<(link|script)\b[^>]*(href|src)=["']?https?:""", html)
        assert "/static/" not in html and "/source?" not in html
        style = "".join(s.text_content() for s in tree.iter("style"))
        assert "td.gap" in style and ":root" in style                          # api/static/style.css inlined
        assert tree.xpath('//td[contains(@class, "gap")]')
        assert "45-NQ/TW" in html and "123-KH/TU" in html and "Sở Tài chính tỉnh Bắc Ninh" in html
        assert STRINGS[lang]["coverage"] in html
    # and the same cells as the page
    assert len(_matrix_cells(render_cascade_html(report))) == len(_matrix_cells(cascade_pages["vi"].text))
