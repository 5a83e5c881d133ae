"""IRI dereferencing: ``GET /id/{path}`` answers for ``https://policykg.org/id/{path}``.

Content negotiation on ``Accept`` (or ``?format=ttl|jsonld|nt``):

- ``text/turtle``, ``application/ld+json``, ``application/n-triples``: the
  triples of ``PolicyService.describe`` (the resource and its own parts);
  ``*/*`` alone (curl's default) gets Turtle;
- ``text/html`` (browsers): 303 to the UI page showing the resource (agency
  page, document page, a task/section/target as an #anchor of its document,
  a source file as its lines); a resource without a page of its own (a place)
  is shown as a table of its triples.

An unknown IRI is a 404: the JSON error shape, or a friendly page for browsers.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from ingest.store import PREFIXES

from . import pages
from .service import QueryError

router = APIRouter(tags=["IRIs"])

FORMATS: dict[str, tuple[str, ox.RdfFormat]] = {      # media type -> (Content-Type, format)
    "text/turtle": ("text/turtle; charset=utf-8", ox.RdfFormat.TURTLE),
    "application/ld+json": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "application/n-triples": ("application/n-triples; charset=utf-8", ox.RdfFormat.N_TRIPLES),
}
ALIASES = {"ttl": "text/turtle", "turtle": "text/turtle", "jsonld": "application/ld+json",
           "json-ld": "application/ld+json", "json": "application/ld+json", "nt": "application/n-triples",
           "ntriples": "application/n-triples", "html": "text/html",
           "application/json": "application/ld+json", "application/xhtml+xml": "text/html"}
HTML = "text/html"


def negotiate(accept: str | None) -> str | None:
    """The media type to answer with (text/html or one of FORMATS), or None if none is acceptable.

    >>> negotiate("text/html,application/xhtml+xml,*/*;q=0.8")
    'text/html'
    >>> negotiate("application/ld+json"), negotiate("*/*"), negotiate(None)
    ('application/ld+json', 'text/turtle', 'text/turtle')
    >>> negotiate("text/turtle;q=0.5, application/n-triples") , negotiate("image/png")
    ('application/n-triples', None)
    """
    if not accept or not accept.strip():
        return "text/turtle"
    offers: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept.split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        media = ALIASES.get(media.lower(), media.lower())
        q = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    q = float(param[2:])
                except ValueError:
                    q = 0.0
        if q <= 0:
            continue
        if media in ("*/*", "text/*", "application/*"):
            media = "text/turtle" if media != "application/*" else "application/ld+json"
            q -= 0.0001                         # an explicit type beats a wildcard of the same q
        if media == HTML or media in FORMATS:
            offers.append((q, -position, media))
    return max(offers)[2] if offers else None


@router.get("/id/{path:path}")
def dereference(request: Request, path: str, format: str | None = None) -> Response:  # noqa: A002
    iri = pages.ID_BASE + path
    wanted = ALIASES.get(format.lower(), format.lower()) if format else negotiate(request.headers.get("accept"))
    if wanted is None or (wanted != HTML and wanted not in FORMATS):
        raise HTTPException(406, "acceptable: text/html, " + ", ".join(FORMATS))
    try:
        triples = list(pages._service(request).describe(iri))
    except QueryError:
        triples = []
    if not triples:
        if wanted == HTML:
            return pages.not_found(request, iri)
        raise HTTPException(404, f"no resource {iri}")
    headers = {"Vary": "Accept", "Link": f'<{iri}>; rel="canonical"'}
    if wanted == HTML:
        target = pages.ui_path(iri) or _source_page(iri, triples)
        if target is None:
            return pages.render_resource(request, iri, triples)
        return RedirectResponse(target, status_code=303, headers=headers)
    content_type, fmt = FORMATS[wanted]
    body = ox.serialize(triples, format=fmt, prefixes=PREFIXES)
    return Response(body, media_type=content_type, headers=headers)


def _source_page(iri: str, triples: list) -> str | None:
    """A pkg:SourceFile IRI -> its /source page (the path is one of its own triples)."""
    path = next((t.object.value for t in triples
                 if t.subject.value == iri and t.predicate.value == PREFIXES["pkg"] + "path"), None)
    return f"/source?{urlencode({'path': path, 'line': 1})}" if path else None
