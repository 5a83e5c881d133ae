"""The web UI: server-rendered pages over ``PolicyService`` (Jinja2, one CSS file).

Every page has a JSON twin under /api and shows a link to it. Vietnamese
first; ``?lang=en`` switches the interface to English and a cookie remembers
the choice. Data is shown as written. Every fact links to its source lines
through ``/source?path=…&line=N``.

Nothing here queries the store: routes call the service and these helpers only
reshape what it returns (highlighting, anchors, links, the annex split).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from ingest.normalize import fold
from ontology.namespaces import ID

from . import routes_api
from .i18n import COOKIE, LANGUAGES, pick_language, translator
from .service import PolicyService, QueryError, is_overdue

router = APIRouter(include_in_schema=False)
TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"))

ID_BASE = str(ID)                         # https://policykg.org/id/
_PART = re.compile(r"^doc/(?P<doc>.+?)/(?P<kind>task|section|target)/(?P<slug>[^/]+)")
_DOC_SOURCE = re.compile(r"^doc/(?P<doc>.+?)/source$")
# a measure (giải pháp) has no row of its own on the document page: it lands on its section
_MEASURE = re.compile(r"^doc/(?P<doc>.+?)/measure/(?P<section>[^/]+?)(?:-b\d+(?:-\d+)?)?$")
SOURCE_CONTEXT = 15                       # lines shown either side of the cited line
SEARCH_LIMIT = 20
PAGE = 200          # rows per page of the agency and document lists
MAX_QUERY_WORDS = 24
# words not worth a highlight of their own (still highlighted inside a run of marked words)
_STOP = {"va", "cua", "cac", "nhung", "nao", "la", "co", "cho", "voi", "trong", "ve", "the", "of", "and",
         "a", "an", "to", "in", "on", "for", "what", "which", "tasks", "task"}


# -- links ---------------------------------------------------------------------------
def ui_path(iri: str | None) -> str | None:
    """The UI page (with #anchor) that shows an IRI, or None when no page shows it.

    >>> ui_path("https://policykg.org/id/agency/bac-giang/so-noi-vu")
    '/agencies/bac-giang/so-noi-vu'
    >>> ui_path("https://policykg.org/id/doc/bac-giang/kh-1/task/iii-1-1/deadline")
    '/documents/bac-giang/kh-1#task-iii-1-1'
    >>> ui_path("https://policykg.org/id/doc/bac-giang/yen-dung/kh-1/measure/iii-1-b2")
    '/documents/bac-giang/yen-dung/kh-1#section-iii-1'
    >>> ui_path("https://policykg.org/id/place/bac-giang") is None
    True
    """
    if not iri or not iri.startswith(ID_BASE):
        return None
    rest = iri[len(ID_BASE):]
    if rest.startswith("agency/"):
        return "/agencies/" + rest[len("agency/"):]
    if not rest.startswith("doc/"):
        return None
    if m := _PART.match(rest):
        return f"/documents/{m['doc']}#{m['kind']}-{m['slug']}"
    if m := _MEASURE.match(rest):
        return f"/documents/{m['doc']}#section-{m['section']}"
    if m := _DOC_SOURCE.match(rest):
        return f"/documents/{m['doc']}"
    return "/documents/" + rest[len("doc/"):]


def anchor(iri: str | None) -> str:
    """The element id a document page gives a section, task or target IRI ('' otherwise)."""
    m = _PART.match(iri[len(ID_BASE):]) if iri and iri.startswith(ID_BASE) else None
    return f"{m['kind']}-{m['slug']}" if m else ""


def local_id(iri: str, kind: str) -> str:
    """``https://policykg.org/id/agency/bac-giang/so-noi-vu`` -> ``bac-giang/so-noi-vu`` (kind 'agency')."""
    prefix = f"{ID_BASE}{kind}/"
    return iri[len(prefix):] if iri.startswith(prefix) else iri


def source_url(source: dict | None) -> str | None:
    if not source or not source.get("path"):
        return None
    line = int(source.get("line") or 1)
    return f"/source?{urlencode({'path': source['path'], 'line': line})}#L{line}"


def source_label(source: dict | None) -> str:
    if not source or not source.get("path"):
        return ""
    return f"{Path(source['path']).name}:{source.get('line') or 1}"


# -- highlighting ----------------------------------------------------------------------
def query_terms(*queries: str | None) -> list[str]:
    """Folded phrases of the query (and of the query as searched) worth highlighting.

    Runs of two or more query words are highlighted wherever they occur; a
    word alone only if it is long enough to mean something (syllables like
    "vụ" alone would light up every "nhiệm vụ").

    >>> query_terms("Sở Nội vụ chủ trì?")[:4]
    ['so noi vu chu tri', 'so noi vu chu', 'noi vu chu tri', 'so noi vu']
    >>> query_terms("nhiệm vụ 2025")
    ['nhiem vu 2025', 'nhiem vu', 'vu 2025', 'nhiem', '2025']
    """
    out: list[str] = []
    for q in queries:
        words = re.findall(r"\w+", fold(unicodedata.normalize("NFC", q or "")))[:MAX_QUERY_WORDS]
        grams = [" ".join(words[i:i + n]) for n in range(len(words), 1, -1) for i in range(len(words) - n + 1)]
        singles = [w for w in words if (len(w) >= 4 or w.isdigit()) and w not in _STOP]
        out += [g for g in grams + singles if g not in out]
    return out


def highlight(text: str | None, terms: list[str]) -> Markup:
    """``text`` escaped, with each whole-word match of a folded term in <mark> (diacritic-insensitive).

    ``fold`` keeps one character per NFC character, so offsets found in the folded
    text are offsets in the NFC text. Marks separated only by spaces are merged.

    >>> str(highlight("Sở  Nội vụ tỉnh <Bắc Giang>", ["so noi vu"]))
    '<mark>Sở  Nội vụ</mark> tỉnh &lt;Bắc Giang&gt;'
    """
    text = unicodedata.normalize("NFC", text or "")
    folded = fold(text)
    if not terms or len(folded) != len(text):
        return escape(text)
    spans = sorted((m.start(), m.end()) for term in terms
                   for m in re.finditer(r"(?<!\w)" + r"\s+".join(map(re.escape, term.split())) + r"(?!\w)", folded))
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and (start <= merged[-1][1] or not text[merged[-1][1]:start].strip()):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out, pos = [], 0
    for start, end in merged:
        out += [escape(text[pos:start]), Markup("<mark>"), escape(text[start:end]), Markup("</mark>")]
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


# -- rendering -------------------------------------------------------------------------
def language(request: Request) -> str:
    return pick_language(request.query_params.get("lang"), request.cookies.get(COOKIE))


def url_with(request: Request, **changes) -> str:
    """The current URL with some query parameters replaced (None removes one)."""
    params = dict(request.query_params)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return request.url.path + (f"?{urlencode(params)}" if params else "")


def render(request: Request, template: str, status: int = 200, **context) -> HTMLResponse:
    lang = language(request)
    other = "en" if lang == "vi" else "vi"
    response = TEMPLATES.TemplateResponse(request, template, status_code=status, context={
        "lang": lang, "t": translator(lang), "switch_url": url_with(request, lang=other),
        "ui_path": ui_path, "anchor": anchor, "source_url": source_url, "source_label": source_label,
        "is_overdue": is_overdue, "local_id": local_id, "highlight": highlight, **context})
    chosen = request.query_params.get("lang")
    if chosen in LANGUAGES and request.cookies.get(COOKIE) != chosen:
        response.set_cookie(COOKIE, chosen, max_age=365 * 24 * 3600, samesite="lax")
    return response


def not_found(request: Request, message: str = "") -> HTMLResponse:
    return render(request, "not_found.html", status=404, message=message)


def _service(request: Request) -> PolicyService:
    return request.app.state.service


# -- pages -----------------------------------------------------------------------------
def _blank(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


@router.get("/", response_class=HTMLResponse)
def search_page(request: Request, q: str = "", kind: str = "", agency: str = "", level: str = "",
                due_before: str = "") -> HTMLResponse:
    service = _service(request)
    form = {"q": q, "kind": kind, "agency": agency, "level": level, "due_before": due_before}
    result, error = None, None
    if q.strip():
        try:
            result = service.search(q[:2000], limit=SEARCH_LIMIT, kind=_blank(kind) if kind in ("task", "target", "passage") else None,
                                    agency=_blank(agency), level=level if level in ("central", "province", "district") else None,
                                    due_before=_blank(due_before))
        except QueryError as err:
            error = str(err)
    terms = query_terms(q, result["query"] if result else None)
    agencies = service.owner_labels()
    api = "/api/search?" + urlencode({k: v for k, v in form.items() if v}) if q.strip() else None
    return render(request, "search.html", status=422 if error else 200, form=form, result=result,
                  error=error, terms=terms, agency_names=agencies, api_url=api)


def paged(request: Request, rows: list, offset: int) -> tuple[list, dict]:
    """One page of ``rows`` (fetched as PAGE + 1) and its previous/next links."""
    more = len(rows) > PAGE
    rows = rows[:PAGE]
    page = {"first": offset + 1 if rows else 0, "last": offset + len(rows),
            "previous": url_with(request, offset=max(0, offset - PAGE)) if offset else None,
            "next": url_with(request, offset=offset + PAGE) if more else None}
    return rows, page


@router.get("/agencies", response_class=HTMLResponse)
def agencies_page(request: Request, offset: routes_api.Offset = 0) -> HTMLResponse:
    rows, page = paged(request, _service(request).agencies(limit=PAGE + 1, offset=offset), offset)
    return render(request, "agencies.html", agencies=rows, page=page, api_url="/api/agencies")


@router.get("/agencies/{ident:path}", response_class=HTMLResponse)
def agency_page(request: Request, ident: str) -> HTMLResponse:
    try:
        agency = routes_api.agency(request, ident, limit=PAGE)
    except HTTPException:
        return not_found(request, ident)
    return render(request, "agency.html", agency=agency, api_url=f"/api/agencies/{ident}",
                  rdf_url=f"/id/agency/{local_id(agency['iri'], 'agency')}?format=ttl")


@router.get("/documents", response_class=HTMLResponse)
def documents_page(request: Request, cited: bool = False, offset: routes_api.Offset = 0) -> HTMLResponse:
    rows, page = paged(request, _service(request).documents(include_cited=cited, limit=PAGE + 1, offset=offset),
                       offset)
    return render(request, "documents.html", documents=rows, page=page,
                  cited=cited, api_url="/api/documents" + ("?cited=true" if cited else ""))


def split_annex(tasks: list[dict]) -> tuple[list[dict], list[dict]]:
    """(tasks of the body, tasks of the annex table): annex rows have sections 'annex …'."""
    body = [t for t in tasks if not (t.get("section") or "").startswith("annex")]
    return body, [t for t in tasks if (t.get("section") or "").startswith("annex")]


@router.get("/documents/{ident:path}", response_class=HTMLResponse)
def document_page(request: Request, ident: str) -> HTMLResponse:
    try:
        document = routes_api.document(request, ident)
    except HTTPException:
        return not_found(request, ident)
    body, annex = split_annex(document["tasks"])
    return render(request, "document.html", doc=document, body_tasks=body, annex_tasks=annex,
                  api_url=f"/api/documents/{local_id(document['iri'], 'doc')}",
                  rdf_url=f"/id/doc/{local_id(document['iri'], 'doc')}?format=ttl")


@router.get("/sparql/ui", response_class=HTMLResponse)
def sparql_page(request: Request) -> HTMLResponse:
    return render(request, "sparql.html", query=request.query_params.get("query", ""))


# -- source lines ----------------------------------------------------------------------


def locate(path: str, service: PolicyService) -> Path | None:
    """A recorded (possibly relative) path -> the file on disk: as is, from the cwd, or beside the store."""
    candidate = Path(path)
    tries = [candidate] if candidate.is_absolute() else [Path.cwd() / candidate,
                                                         service.store.directory.resolve().parent / candidate]
    return next((p for p in tries if p.is_file()), None)


@router.get("/source", response_class=HTMLResponse)
def source_page(request: Request, path: str = "", line: int = 1, context: int = SOURCE_CONTEXT,
                all: bool = False) -> HTMLResponse:  # noqa: A002
    from ingest.errors import IngestError
    from ingest.readers import read_source

    service = _service(request)
    if not service.is_source_file(path):
        return not_found(request, path)
    found = locate(path, service)
    if found is None:
        return not_found(request, path)
    try:
        lines = read_source(found).lines
    except IngestError as err:
        return render(request, "not_found.html", status=404, message=str(err))
    context = max(0, min(context, 5000))
    shown = [{"number": ln.number, "text": unicodedata.normalize("NFC", ln.text)}   # NFC: marks render in place
             for ln in lines if all or abs(ln.number - line) <= context]
    return render(request, "source.html", path=path, name=Path(path).name, line=line, lines=shown,
                  whole_url=url_with(request, all="1") + f"#L{line}", whole=all)


# -- a resource with no page of its own (places, source files, ingest runs) ------------
def render_resource(request: Request, iri: str, triples: list) -> HTMLResponse:
    """Triples about ``iri`` as a table (objects linked to their pages where there is one)."""
    rows = [{"subject": t.subject.value, "predicate": t.predicate.value, "object": t.object.value,
             "is_iri": type(t.object).__name__ == "NamedNode"} for t in triples]
    rows.sort(key=lambda r: (r["subject"] != iri, r["subject"], r["predicate"]))
    return render(request, "resource.html", iri=iri, rows=rows, rdf_url=f"/id/{iri[len(ID_BASE):]}?format=ttl")


# -- cascade audit ---------------------------------------------------------------------
STYLESHEET = Path(__file__).resolve().parent / "static" / "style.css"


def _documents_in(tree: list[dict]) -> dict[str, dict]:
    """IRI -> document of every node of the report's tree."""
    out: dict[str, dict] = {}
    for node in tree:
        out[node["document"]["iri"]] = node["document"]
        out.update(_documents_in(node["children"]))
    return out


def cascade_view(report: dict) -> dict:
    """The cascade report reshaped for the template (nothing recomputed).

    ``groups``: one coverage matrix per higher plan, a row per higher task and a
    cell per lower plan listing the lower items that take the task up (with the
    alignment score); ``docs``: IRI -> document of the tree; ``items``: IRI -> item.
    """
    docs = _documents_in(report["tree"])
    items: dict[str, dict] = {}
    for link in report["alignments"] + report["restatements"]:
        items.setdefault(link["lower"]["iri"], link["lower"])
        items.setdefault(link["higher"]["iri"], link["higher"])
    for entry in report["coverage"]:
        items.setdefault(entry["task"]["iri"], entry["task"])
    for item in report["local_initiatives"] + report["gaps"]:
        items.setdefault(item["iri"], item)
    restates = {link["lower"]["iri"]: link["higher"] for link in report["restatements"]}   # annex row -> body

    def canonical(iri: str) -> str:
        return restates[iri]["iri"] if iri in restates else iri

    asserted = [a for a in report["alignments"] if a["asserted"]]

    def score(lower: str, higher: str) -> float | None:
        link = next((a for a in asserted if a["lower"]["iri"] == lower and a["higher"]["iri"] == higher), None) \
            or next((a for a in asserted if a["lower"]["iri"] == lower
                     and canonical(a["higher"]["iri"]) == canonical(higher)), None)
        return link["score"] if link else None

    groups: dict[str, dict] = {}
    covered = empty = 0
    for entry in report["coverage"]:
        task = entry["task"]
        lowers = list(entry["taken_up_by"])
        group = groups.setdefault(task["document"], {
            "higher": docs.get(task["document"], {"iri": task["document"]}),
            "lowers": [docs.get(low, {"iri": low}) for low in lowers], "rows": []})
        cells = []
        for low in lowers:
            taken = [{"item": items.get(iri, {"iri": iri}), "score": score(iri, task["iri"])}
                     for iri in entry["taken_up_by"][low]]
            cells.append({"lower": low, "items": taken})
            covered, empty = covered + bool(taken), empty + (not taken)
        group["rows"].append({"task": task, "cells": cells, "gap": not any(c["items"] for c in cells),
                              "restates": restates.get(task["iri"])})
    return {"docs": docs, "items": items, "groups": list(groups.values()), "asserted": asserted,
            "candidates": [a for a in report["alignments"] if not a["asserted"]],
            "covered_cells": covered, "gap_cells": empty,
            "plans_with_text": sum(d.get("text_in_corpus", False) for d in docs.values())}


def _translate_or(t):
    """``t_or(key, default)``: the UI string, or ``default`` (data as written) when there is none."""
    return lambda key, default: default if t(key) == key else t(key)


def render_cascade_html(report: dict, lang: str = "vi") -> str:
    """The cascade page as one standalone HTML document (CSS inlined, links to IRIs, no server needed).

    Used by ``policykg cascade --format html``; the same template as ``/cascade/…``.
    """
    lang = lang if lang in LANGUAGES else "vi"
    t = translator(lang)

    def iri_link(iri: str | None) -> str | None:
        return iri if iri and iri.startswith(ID_BASE) else None

    template = TEMPLATES.env.get_template("cascade.html")
    return template.render(
        standalone=True, inline_css=Markup(STYLESHEET.read_text(encoding="utf-8")), lang=lang, t=t,
        t_or=_translate_or(t), switch_url="", ui_path=iri_link, agency_href=iri_link, anchor=anchor,
        source_url=lambda source: None, source_label=source_label, is_overdue=is_overdue, local_id=local_id,
        highlight=highlight, report=report, view=cascade_view(report), on=report.get("as_of"),
        api_url=None, rdf_url=None)


def _cascade_report(request: Request, ident: str, on: dt.date | None) -> dict | None:
    """The report, or None when ``ident`` names no known document (the API would build an empty tree)."""
    service = _service(request)
    try:
        report = routes_api.cascade(request, ident, on)
    except HTTPException:
        return None
    return report if service.documents(include_cited=True, only=report["document"]["iri"]) else None


def _report_agencies(report) -> set[str]:
    """Every agency IRI anywhere in a cascade report."""
    if isinstance(report, dict):
        return set().union(*map(_report_agencies, report.values())) if report else set()
    if isinstance(report, list):
        return set().union(*map(_report_agencies, report)) if report else set()
    return {report} if isinstance(report, str) and report.startswith(ID + "agency/") else set()


@router.get("/cascade", response_class=HTMLResponse)
def cascade_index(request: Request) -> HTMLResponse:
    """Documents that other documents implement: where a cascade audit has something to show."""
    service = _service(request)
    roots = [d for d in service.documents(include_cited=True, only=service.implemented_documents()) if d["number"]]
    roots.sort(key=lambda d: ({"central": 0, "province": 1, "district": 2}.get(d.get("level") or "", 9),
                              d["number"] or ""))
    return render(request, "cascade_index.html", documents=roots)


@router.get("/cascade/{ident:path}", response_class=HTMLResponse)
def cascade_page(request: Request, ident: str, on: str = "") -> HTMLResponse:
    on = on.strip()
    try:
        day = dt.date.fromisoformat(on) if on else None
    except ValueError:
        return render(request, "not_found.html", status=422, heading="error",
                      message=f"on={on!r}: YYYY-MM-DD")
    report = _cascade_report(request, ident, day)
    if report is None:
        return render(request, "not_found.html", status=404, heading="document_not_found",
                      text="document_not_found_text", message=ident, documents_link=True)
    service = _service(request)
    known_agencies = service.known_agencies(_report_agencies(report))
    t = translator(language(request))
    api_url = f"/api/cascade/{ident}" + (f"?{urlencode({'on': on})}" if on else "")
    return render(request, "cascade.html", standalone=False, report=report, view=cascade_view(report),
                  ident=ident, on=on or report["as_of"], t_or=_translate_or(t), api_url=api_url,
                  agency_href=lambda iri: ui_path(iri) if iri in known_agencies else None)
