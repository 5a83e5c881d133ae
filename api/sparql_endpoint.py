"""The SPARQL 1.1 Protocol endpoint (``/sparql``) and canned example queries (``/sparql/examples``).

- ``GET /sparql?query=…``, ``POST /sparql`` with a form (``query=…``) or a
  direct ``application/sparql-query`` body; ``default-graph-uri`` and
  ``named-graph-uri`` choose the dataset (default: the union of all document
  graphs). The store's prefixes (pkg, eli, org, skos, time, prov, dcterms, xsd,
  rdf, rdfs) are predefined.
- Content negotiation by ``Accept`` or a ``format`` parameter: SELECT/ASK as
  SPARQL JSON (default), XML, CSV or TSV; CONSTRUCT/DESCRIBE as Turtle
  (default), N-Triples, JSON-LD or RDF/XML; anything else is 406.
- Read-only: SPARQL Update is 403, ``SERVICE`` (federated query) is 400.
- Each query runs in a worker process (``api.sparql_worker``) and is stopped
  after ``Settings.sparql_timeout_s`` (503 ``timeout``); SELECT results (and
  CONSTRUCT triples) are cut to ``Settings.sparql_max_rows``, with the header
  ``X-Result-Truncated: true``.

Errors have the app's one shape ``{"error": {"code": …, "message": …}}``.
"""

from __future__ import annotations

import atexit
import os
import threading
import weakref
from contextlib import asynccontextmanager
from functools import lru_cache
from urllib.parse import parse_qsl

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from ingest.sparql_text import UPDATE_KEYWORDS, keywords
from ingest.store import PREFIXES

from .app import error
from .canned import CannedError, load_examples
from .sparql_worker import GRAPH_FORMATS, RESULT_FORMATS, Job, PoolBusy, QueryTimeout, WorkerFailed, WorkerPool

MAX_QUERY_BYTES = 1_000_000
DEFAULT_WORKERS = 2
ENV_WORKERS = "POLICYKG_SPARQL_WORKERS"

# -- content negotiation -----------------------------------------------------------------
# media type -> (format for SELECT/ASK, format for CONSTRUCT/DESCRIBE); None: not for that kind
MEDIA_TYPES: dict[str, tuple[str | None, str | None]] = {
    "application/sparql-results+json": ("json", None),
    "application/sparql-results+xml": ("xml", None),
    "text/csv": ("csv", None),
    "text/tab-separated-values": ("tsv", None),
    "application/json": ("json", "jsonld"),
    "text/turtle": (None, "turtle"),
    "application/x-turtle": (None, "turtle"),
    "application/n-triples": (None, "nt"),
    "application/ld+json": (None, "jsonld"),
    "application/rdf+xml": (None, "rdfxml"),
}
# ``format`` parameter values (media types are accepted too)
FORMAT_NAMES: dict[str, tuple[str | None, str | None]] = {
    "json": ("json", "jsonld"), "srj": ("json", None), "xml": ("xml", "rdfxml"), "srx": ("xml", None),
    "csv": ("csv", None), "tsv": ("tsv", None),
    "turtle": (None, "turtle"), "ttl": (None, "turtle"), "n3": (None, "turtle"),
    "nt": (None, "nt"), "ntriples": (None, "nt"), "n-triples": (None, "nt"),
    "jsonld": (None, "jsonld"), "json-ld": (None, "jsonld"),
    "rdf": (None, "rdfxml"), "rdfxml": (None, "rdfxml"), "rdf+xml": (None, "rdfxml"),
}
_RESULT_ORDER = list(RESULT_FORMATS)     # json first: the default
_GRAPH_ORDER = list(GRAPH_FORMATS)       # turtle first: the default


class EndpointError(Exception):
    def __init__(self, status: int, code: str, message: str, headers: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}

    def response(self) -> JSONResponse:
        resp = error(self.status, self.code, self.message)
        resp.headers.update(self.headers)
        return resp


def _parse_accept(header: str) -> list[tuple[str, float]]:
    ranges = []
    for part in header.split(","):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        if not media:
            continue
        q = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        ranges.append((media, q))
    return ranges


def _best(ranges: list[tuple[str, float]], order: list[str], canonical: dict[str, str],
          slot: int) -> str | None:
    """The format (from ``order``) the Accept ranges like best; ties go to ``order``."""
    best, best_q = None, 0.0
    for fmt in order:
        exact = [q for media, q in ranges if MEDIA_TYPES.get(media, (None, None))[slot] == fmt]
        major = canonical[fmt].split("/")[0]
        if exact:
            q = max(exact)
        else:
            wild = [q for media, q in ranges if media == f"{major}/*"] or \
                   [q for media, q in ranges if media == "*/*"]
            q = max(wild) if wild else 0.0
        if q > best_q:
            best, best_q = fmt, q
    return best


def negotiate(accept: str | None, fmt: str | None) -> tuple[str | None, str | None]:
    """(format for SELECT/ASK, format for CONSTRUCT/DESCRIBE) from a ``format`` value or Accept.

    >>> negotiate(None, None)
    ('json', 'turtle')
    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", None)
    ('xml', None)
    >>> negotiate("text/turtle", None)
    (None, 'turtle')
    >>> negotiate("image/png", "csv")
    ('csv', None)
    """
    if fmt:
        key = fmt.strip().lower()
        choice = FORMAT_NAMES.get(key) or MEDIA_TYPES.get(key.split(";")[0].strip())
        if choice is None:
            raise EndpointError(406, "not_acceptable",
                                f"unknown format {fmt!r}; one of {', '.join(sorted(FORMAT_NAMES))} or a media type")
        return choice
    if not accept or not accept.strip():
        return _RESULT_ORDER[0], _GRAPH_ORDER[0]
    ranges = _parse_accept(accept)
    return (_best(ranges, _RESULT_ORDER, RESULT_FORMATS, 0), _best(ranges, _GRAPH_ORDER, GRAPH_FORMATS, 1))


def _pick_format(values: list[str]) -> str | None:
    """SPARQLWrapper sends ``format`` twice (``tsv`` and the media type): take the first known one."""
    for value in values:
        key = value.strip().lower()
        if key and (key in FORMAT_NAMES or key.split(";")[0].strip() in MEDIA_TYPES):
            return value
    return next((v for v in values if v.strip()), None)


# -- read-only checks -----------------------------------------------------------------------
def check_read_only(query: str) -> None:
    """403 for SPARQL Update, 400 for SERVICE (federated query)."""
    words = keywords(query)
    update = sorted(words & UPDATE_KEYWORDS)
    if update:
        raise EndpointError(403, "read_only",
                            f"this endpoint is read-only: SPARQL Update ({', '.join(update)}) is not allowed")
    if "SERVICE" in words:
        raise EndpointError(400, "service_not_allowed",
                            "federated queries (SERVICE) are not allowed on this endpoint")


# -- the worker pool, one per app -------------------------------------------------------------
_POOL_LOCK = threading.Lock()
_POOLS: "weakref.WeakSet[WorkerPool]" = weakref.WeakSet()


def pool_of(app) -> WorkerPool:
    """The app's worker pool, created on first use."""
    pool = getattr(app.state, "sparql_pool", None)
    if pool is None:
        with _POOL_LOCK:
            pool = getattr(app.state, "sparql_pool", None)
            if pool is None:
                size = int(os.environ.get(ENV_WORKERS) or DEFAULT_WORKERS)
                pool = WorkerPool(str(app.state.service.store.location), PREFIXES, size=size)
                app.state.sparql_pool = pool
                _POOLS.add(pool)
    return pool


def close_pool(app) -> None:
    """Stop the app's SPARQL workers (on shutdown; a later query starts new ones)."""
    with _POOL_LOCK:
        pool = getattr(app.state, "sparql_pool", None)
        app.state.sparql_pool = None
    if pool is not None:
        pool.close()


@atexit.register
def _close_all() -> None:  # pragma: no cover - interpreter exit
    for pool in list(_POOLS):
        pool.close()


@asynccontextmanager
async def _lifespan(app: FastAPI):
    yield
    close_pool(app)


router = APIRouter(lifespan=_lifespan)


# -- running a query ----------------------------------------------------------------------------
def _execute(request: Request, query: str, params: dict[str, list[str]]) -> Response:
    """Checks, negotiation, the worker run and the response (blocking: call in a thread)."""
    settings = request.app.state.settings
    if len(query.encode("utf-8")) > MAX_QUERY_BYTES:
        raise EndpointError(413, "too_large", f"the query is longer than {MAX_QUERY_BYTES} bytes")
    if not query.strip():
        raise EndpointError(400, "bad_request", "the query is empty")
    check_read_only(query)
    result_fmt, graph_fmt = negotiate(request.headers.get("accept"), _pick_format(params.get("format", [])))
    if result_fmt is None and graph_fmt is None:
        raise EndpointError(406, "not_acceptable",
                            f"cannot answer in {request.headers.get('accept')!r}; "
                            f"SELECT/ASK: {', '.join(RESULT_FORMATS.values())}; "
                            f"CONSTRUCT/DESCRIBE: {', '.join(GRAPH_FORMATS.values())}")
    job = Job(query=query, result_format=result_fmt, graph_format=graph_fmt,
              max_rows=max(0, int(settings.sparql_max_rows)),
              default_graph=params.get("default-graph-uri") or None,
              named_graphs=params.get("named-graph-uri") or None,
              generation=request.app.state.service.generation)   # workers follow the service's snapshot
    pool = pool_of(request.app)
    timeout = float(settings.sparql_timeout_s)
    try:
        answer = pool.run(job, timeout)
    except QueryTimeout as err:
        raise EndpointError(503, "timeout", f"{err} (limit: POLICYKG_SPARQL_TIMEOUT)",
                            {"Retry-After": "1"}) from err
    except PoolBusy as err:
        raise EndpointError(503, "busy", f"{err}; try again", {"Retry-After": "1"}) from err
    except WorkerFailed as err:
        raise EndpointError(500, "internal_error", str(err)) from err
    if answer.status >= 400:
        raise EndpointError(answer.status, answer.code, answer.message)
    headers = {"Vary": "Accept"}
    if answer.truncated:
        headers["X-Result-Truncated"] = "true"
        headers["X-Result-Limit"] = str(job.max_rows)
    media = answer.media_type
    if media.startswith("text/") or media == "application/n-triples":
        media += "; charset=utf-8"
    return Response(content=answer.body, headers=headers, media_type=media)


async def _respond(request: Request, query: str | None, params: dict[str, list[str]]) -> Response:
    try:
        if params.get("update"):
            raise EndpointError(403, "read_only", "this endpoint is read-only: SPARQL Update is not allowed")
        if query is None:
            queries = params.get("query", [])
            if not queries:
                raise EndpointError(400, "bad_request", "missing the 'query' parameter (a SPARQL query)")
            if len(queries) > 1:
                raise EndpointError(400, "bad_request", "give exactly one 'query' parameter")
            query = queries[0]
        return await run_in_threadpool(_execute, request, query, params)
    except EndpointError as err:
        return err.response()


def _params(pairs) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return out


_QUERY_DOC = ("A SPARQL query (read-only). Prefixes pkg, eli, org, skos, time, prov, dcterms, xsd, rdf, rdfs "
              "are predefined; the default graph is the union of all documents.")


@router.get("/sparql", tags=["sparql"], summary="SPARQL query (GET)",
            responses={200: {"content": {m: {} for m in [*RESULT_FORMATS.values(), *GRAPH_FORMATS.values()]}}})
async def sparql_get(request: Request) -> Response:
    """SPARQL 1.1 Protocol query via GET: `?query=…` (plus optional `format`, `default-graph-uri`,
    `named-graph-uri`). Results by `Accept`: SPARQL JSON (default), XML, CSV, TSV; Turtle (default),
    N-Triples, JSON-LD, RDF/XML for CONSTRUCT/DESCRIBE."""
    return await _respond(request, None, _params(request.query_params.multi_items()))


@router.post("/sparql", tags=["sparql"], summary="SPARQL query (POST)",
             openapi_extra={"requestBody": {"content": {
                 "application/x-www-form-urlencoded": {"schema": {"type": "object", "properties": {
                     "query": {"type": "string", "description": _QUERY_DOC}}}},
                 "application/sparql-query": {"schema": {"type": "string"}}}}})
async def sparql_post(request: Request) -> Response:
    """SPARQL 1.1 Protocol query via POST: a form with `query=…` or a direct
    `application/sparql-query` body. `application/sparql-update` (and a form `update=`) is refused (403)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    url_params = _params(request.query_params.multi_items())
    try:
        if ctype == "application/sparql-update":
            raise EndpointError(403, "read_only", "this endpoint is read-only: SPARQL Update is not allowed")
        if ctype not in ("application/x-www-form-urlencoded", "application/sparql-query"):
            raise EndpointError(415, "unsupported_media_type",
                                f"POST a form (application/x-www-form-urlencoded) with query=… or an "
                                f"application/sparql-query body, not {ctype or 'no Content-Type'!r}")
        body = await _read_body(request)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as err:
            raise EndpointError(400, "bad_request", f"the request body is not UTF-8: {err}") from None
    except EndpointError as err:
        return err.response()
    if ctype == "application/sparql-query":
        if "query" in url_params:
            return EndpointError(400, "bad_request",
                                 "a direct POST carries the query in its body, not in a 'query' parameter").response()
        return await _respond(request, text, url_params)
    form = _params(parse_qsl(text, keep_blank_values=True))
    for key, values in url_params.items():
        if key != "query":
            form.setdefault(key, []).extend(values)
    return await _respond(request, None, form)


async def _read_body(request: Request) -> bytes:
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_QUERY_BYTES * 3 + 1000:      # a url-encoded query grows up to 3 times
            raise EndpointError(413, "too_large", f"the request body is larger than the query limit "
                                                  f"({MAX_QUERY_BYTES} bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


# -- canned examples ----------------------------------------------------------------------------
@lru_cache(maxsize=1)
def examples():
    return load_examples()


@router.get("/sparql/examples", tags=["sparql"], summary="Canned example queries")
def list_examples() -> list[dict]:
    """The canned queries (`ontology/queries/*.rq`): id, title, description, parameters with
    their defaults, and the query text (parameters written `$name`)."""
    return [q.as_dict() for q in examples().values()]


@router.get("/sparql/examples/{ident}", tags=["sparql"], summary="Run a canned query",
            responses={200: {"content": {m: {} for m in RESULT_FORMATS.values()}}})
async def run_example(request: Request, ident: str) -> Response:
    """Run a canned query; its parameters come from the query string (defaults otherwise),
    `format` and `Accept` choose the result format as for `/sparql`."""
    canned = examples().get(ident)
    if canned is None:
        return error(404, "not_found", f"no example query {ident!r}; see /sparql/examples")
    params = _params(request.query_params.multi_items())
    given = {}
    for key, values in params.items():
        if key == "format":
            continue
        if len(values) > 1:
            return error(422, "invalid_parameter", f"parameter {key!r} given {len(values)} times")
        given[key] = values[0]
    try:
        query = canned.render(given)
    except CannedError as err:
        return error(422, "invalid_parameter", str(err))
    return await _respond(request, query, {"format": params.get("format", [])})


__all__ = ["check_read_only", "close_pool", "keywords", "negotiate", "pool_of", "router"]
