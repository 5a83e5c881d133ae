"""SPARQL queries in worker processes, so a runaway query can be stopped.

Python threads cannot be killed and oxigraph evaluates a query without ever
returning to Python, so each query runs in a worker *process* (start method
"spawn") that opens the store with ``pyoxigraph.Store.read_only``. A small
pool of such workers is created lazily and reused; a query that outlives its
time budget gets its worker terminated and replaced by a fresh one, while the
other workers (and the web server) carry on.

A read-only handle is a snapshot. Each job carries the store generation the
server's service is at (api/service.py, live reload); a worker that opened at
another generation reopens its snapshot before running the job, so the
endpoint follows ingests without restarting. A query that finds a table file
removed under it by the writer's compaction is run once more on a fresh handle.

Workers answer with serialized bytes: SELECT results are written here, cut to
``max_rows`` rows (``truncated`` says so), in SPARQL JSON, XML, CSV or TSV;
CONSTRUCT/DESCRIBE triples (cut the same way) in Turtle, N-Triples, JSON-LD or
RDF/XML; ASK booleans by oxigraph's own serializers.

This module imports nothing but pyoxigraph at the top so a worker starts fast.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import sys
import threading
import time
from collections import OrderedDict, deque
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from xml.sax.saxutils import escape as _xml_escape, quoteattr as _xml_attr

import pyoxigraph as ox

# -- formats -------------------------------------------------------------------------
# name -> media type; the same names are used by the endpoint's content negotiation.
RESULT_FORMATS = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_FORMATS = {
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}
_RDF_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
                "jsonld": ox.RdfFormat.JSON_LD, "rdfxml": ox.RdfFormat.RDF_XML}
_BOOLEAN_FORMATS = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                    "csv": ox.QueryResultsFormat.CSV, "tsv": ox.QueryResultsFormat.TSV}
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_RDF_DIR_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString"


@dataclass
class Job:
    """One query for a worker. ``result_format``/``graph_format`` are the negotiated
    format names for solutions/booleans and for triples; None means "not acceptable"."""
    query: str
    result_format: str | None = "json"
    graph_format: str | None = "turtle"
    max_rows: int = 10_000
    default_graph: list[str] | None = None   # protocol default-graph-uri (else: union of all graphs)
    named_graphs: list[str] | None = None    # protocol named-graph-uri
    generation: int | None = None            # the store generation to answer at (None: whatever is open)


@dataclass
class Answer:
    status: int
    media_type: str = ""
    body: bytes = b""
    truncated: bool = False
    code: str = ""          # error code when status >= 400
    message: str = ""
    kind: str = ""          # "solutions", "boolean" or "triples"
    rows: int = 0           # rows or triples in the body


# -- serialisation of (capped) solutions -----------------------------------------------------
def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
            direction = getattr(term, "direction", None)
            if direction is not None:
                out["its:dir"] = str(direction).rsplit(".", 1)[-1].lower()
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                            "predicate": _json_term(term.predicate),
                                            "object": _json_term(term.object)}}
    return {"type": "literal", "value": str(term)}


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{_xml_escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{_xml_escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            attr = f" xml:lang={_xml_attr(term.language)}"
        elif term.datatype.value != _XSD_STRING:
            attr = f" datatype={_xml_attr(term.datatype.value)}"
        else:
            attr = ""
        return f"<literal{attr}>{_xml_escape(term.value)}</literal>"
    if isinstance(term, ox.Triple):
        return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>{_xml_term(term.predicate)}"
                f"</predicate><object>{_xml_term(term.object)}</object></triple>")
    return f"<literal>{_xml_escape(str(term))}</literal>"


def _csv_value(term) -> str:
    if term is None:
        return ""
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        text = term.value
    elif isinstance(term, ox.BlankNode):
        text = f"_:{term.value}"
    else:
        text = str(term)
    if any(c in text for c in ',"\r\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def serialize_solutions(variables: list[str], rows: list, fmt: str) -> bytes:
    """SPARQL 1.1 results (JSON, XML, CSV or TSV) for ``rows`` (pyoxigraph QuerySolution)."""
    if fmt == "json":
        bindings = []
        for row in rows:
            binding = {}
            for name in variables:
                term = row[name]
                if term is not None:
                    binding[name] = _json_term(term)
            bindings.append(binding)
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False).encode("utf-8")
    if fmt == "xml":
        parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
        parts.extend(f"<variable name={_xml_attr(name)}/>" for name in variables)
        parts.append("</head>\n<results>\n")
        for row in rows:
            parts.append("<result>")
            for name in variables:
                term = row[name]
                if term is not None:
                    parts.append(f"<binding name={_xml_attr(name)}>{_xml_term(term)}</binding>")
            parts.append("</result>\n")
        parts.append("</results>\n</sparql>\n")
        return "".join(parts).encode("utf-8")
    if fmt == "csv":
        lines = [",".join(_csv_value(ox.Literal(name)) for name in variables)]
        lines.extend(",".join(_csv_value(row[name]) for name in variables) for row in rows)
        return ("\r\n".join(lines) + "\r\n").encode("utf-8")
    if fmt == "tsv":
        # terms in N-Triples syntax: oxigraph's str() escapes tabs and newlines in literals
        lines = ["\t".join(f"?{name}" for name in variables)]
        lines.extend("\t".join("" if row[name] is None else str(row[name]) for name in variables)
                     for row in rows)
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(f"unknown results format {fmt!r}")


def run_query(store: ox.Store, job: Job, prefixes: dict[str, str]) -> Answer:
    """Evaluate ``job`` on ``store``; every failure becomes an error Answer."""
    kwargs: dict = {"prefixes": prefixes}
    try:
        if job.default_graph is not None or job.named_graphs is not None:
            if job.default_graph is not None:
                kwargs["default_graph"] = [ox.NamedNode(g) for g in job.default_graph]
            else:
                kwargs["use_default_graph_as_union"] = True
            if job.named_graphs is not None:
                kwargs["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
        else:
            kwargs["use_default_graph_as_union"] = True
    except ValueError as err:
        return Answer(400, code="bad_request", message=f"not a valid graph IRI: {err}")
    try:
        result = store.query(job.query, **kwargs)
    except SyntaxError as err:
        return Answer(400, code="syntax_error", message=f"SPARQL syntax error: {err}")
    except Exception as err:  # noqa: BLE001 - evaluation errors reported to the client
        return _evaluation_error(err)
    try:
        if isinstance(result, ox.QueryBoolean):
            if job.result_format is None:
                return _not_acceptable("ASK results")
            body = result.serialize(format=_BOOLEAN_FORMATS[job.result_format])
            return Answer(200, RESULT_FORMATS[job.result_format], body, kind="boolean")
        if isinstance(result, ox.QuerySolutions):
            if job.result_format is None:
                return _not_acceptable("SELECT results")
            variables = [v.value for v in result.variables]
            rows = list(islice(result, job.max_rows + 1))
            truncated = len(rows) > job.max_rows
            rows = rows[:job.max_rows]
            body = serialize_solutions(variables, rows, job.result_format)
            return Answer(200, RESULT_FORMATS[job.result_format], body, truncated, kind="solutions",
                          rows=len(rows))
        if job.graph_format is None:
            return _not_acceptable("CONSTRUCT/DESCRIBE results")
        triples = list(islice(result, job.max_rows + 1))
        truncated = len(triples) > job.max_rows
        triples = triples[:job.max_rows]
        rdf_format = _RDF_FORMATS[job.graph_format]
        if rdf_format is ox.RdfFormat.TURTLE:
            body = ox.serialize(triples, format=rdf_format, prefixes=prefixes)
        else:
            body = ox.serialize(triples, format=rdf_format)
        return Answer(200, GRAPH_FORMATS[job.graph_format], body, truncated, kind="triples", rows=len(triples))
    except Exception as err:  # noqa: BLE001 - a remote answer can fail while it streams in
        return _evaluation_error(err)


def _evaluation_error(err: Exception) -> Answer:
    """A remote store's server error (it refused or stopped a query too costly for it, e.g. Virtuoso's
    estimate limit) is a 503 like our own timeout; anything else is a 500."""
    status = getattr(err, "upstream_status", None)
    if status is not None and status >= 500:
        return Answer(503, code="upstream_refused", message=f"the SPARQL server refused the query: {err}")
    return Answer(500, code="query_error", message=f"{type(err).__name__}: {err}")


def _not_acceptable(what: str) -> Answer:
    return Answer(406, code="not_acceptable",
                  message=f"none of the requested media types is available for {what}; "
                          f"SELECT/ASK: {', '.join(RESULT_FORMATS.values())}; "
                          f"CONSTRUCT/DESCRIBE: {', '.join(GRAPH_FORMATS.values())}")


# -- the worker process -------------------------------------------------------------------
def open_for_queries(location: str):
    """The embedded store read-only, or the protocol client of a ``sparql+http://…`` server."""
    if location.startswith("sparql+"):
        from ingest.remote_store import SparqlClient
        return SparqlClient(location)
    return ox.Store.read_only(location)


def _vanished_file(message: str) -> bool:
    """RocksDB's error for a file the writer removed under a read-only handle (ingest/store.py)."""
    return "No such file or directory" in message or "IO error" in message


def _reopen(store_path: str, store, attempts: int = 5):
    """A fresh read-only snapshot, or the old handle if the store cannot be opened just now."""
    for attempt in range(attempts):
        try:
            return open_for_queries(store_path), True
        except Exception:  # noqa: BLE001 - e.g. a WAL file recycled while being listed
            time.sleep(0.05 * (attempt + 1))
    return store, False


def _worker_main(conn, store_path: str, prefixes: dict[str, str],
                 generation: int | None = None) -> None:  # pragma: no cover - child process
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the server's to handle; it stops us
    try:
        store = open_for_queries(store_path)
    except Exception as err:  # noqa: BLE001
        conn.send(("failed", f"cannot open the store {store_path}: {type(err).__name__}: {err}"))
        return
    embedded = not store_path.startswith("sparql+")
    conn.send(("ready", None))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        if job is None:
            return
        if embedded and job.generation is not None and job.generation != generation:
            store, fresh = _reopen(store_path, store)
            if fresh:
                generation = job.generation
        answer = run_query(store, job, prefixes)
        if embedded and answer.status == 500 and _vanished_file(answer.message):
            store, _ = _reopen(store_path, store)
            answer = run_query(store, job, prefixes)
        conn.send(answer)


class QueryTimeout(Exception):
    """The query ran longer than its budget; its worker was terminated."""


class PoolBusy(Exception):
    """Every worker stayed busy for the whole wait budget."""


class WorkerFailed(Exception):
    """A worker died or could not start."""


_MAIN_LOCK = threading.Lock()


@contextmanager
def _main_module_hidden():
    """A spawned child re-imports the parent's ``__main__`` unless told nothing about it.

    The workers need nothing from it (their code lives in this module), and
    re-importing it would cost seconds (``policykg serve`` would load the whole
    CLI, spaCy included, into every worker) or re-run an unguarded script.
    """
    with _MAIN_LOCK:
        main = sys.modules.get("__main__")
        saved = {attr: getattr(main, attr) for attr in ("__file__", "__spec__") if hasattr(main, attr)}
        try:
            if "__file__" in saved:
                del main.__file__
            if "__spec__" in saved:
                main.__spec__ = None
            yield
        finally:
            for attr, value in saved.items():
                setattr(main, attr, value)


class _Worker:
    def __init__(self, ctx, store_path: str, prefixes: dict[str, str], generation: int | None = None):
        self.conn, child = ctx.Pipe(duplex=True)
        self.process = ctx.Process(target=_worker_main, args=(child, store_path, prefixes, generation),
                                   name="policykg-sparql-worker", daemon=True)
        with _main_module_hidden():
            self.process.start()
        child.close()
        self.ready = False

    def wait_ready(self, timeout: float) -> None:
        if self.ready:
            return
        if not self.conn.poll(timeout):
            raise WorkerFailed(f"a SPARQL worker did not start within {timeout:.0f} s")
        try:
            status, message = self.conn.recv()
        except (EOFError, OSError) as err:
            raise WorkerFailed(f"a SPARQL worker died while starting: {err}") from err
        if status != "ready":
            raise WorkerFailed(message)
        self.ready = True

    def stop(self, kill: bool = True) -> None:
        if not kill and self.process.is_alive():
            try:
                self.conn.send(None)
            except OSError:
                pass
            self.process.join(1.0)
        if self.process.is_alive():
            self.process.terminate()
            self.process.join(2.0)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(2.0)
        self.conn.close()


YIELD_AFTER_S = 0.5      # a query running this long may yield its worker to a request waiting for one
SUSPECT_TTL_S = 600.0    # a query text that ran out of time is suspect this long
SUSPECTS_KEPT = 1000


@dataclass(eq=False)
class _Lease:
    """A job running on a worker."""
    worker: "_Worker"
    started: float
    timeout: float
    key: str
    suspect: bool
    done: bool = False       # its answer (or failure) is in; it can no longer be stopped
    stopped: bool = False    # stopped early to free the worker for a waiting request


class _Waiter:
    """A request waiting for a worker."""

    def __init__(self, suspect: bool) -> None:
        self.event = threading.Event()
        self.worker: _Worker | None = None
        self.since = time.monotonic()
        self.suspect = suspect


def _query_key(query: str) -> str:
    return hashlib.blake2b(" ".join(query.split()).encode("utf-8"), digest_size=16).hexdigest()


class WorkerPool:
    """``size`` worker processes over the store at ``store_path``, started on first use.

    ``run(job, timeout)`` is blocking and thread-safe: call it from a thread
    pool, never on the event loop. Waiting for a free worker (at most
    ``timeout`` seconds) and starting one (at most ``startup_timeout``) do not
    count towards the query's own ``timeout``.

    Without more, as many clients as there are workers sending queries that run
    to the timeout keep every other client waiting, until it gets 503 too
    (tests/test_endpoint_abuse.py). So:

    - a query text that ran out of time (timeout, or stopped early) is *suspect*
      for ``SUSPECT_TTL_S``; requests wait first come, first served, but those
      with a suspect text wait behind all others;
    - while a request waits for a worker, the longest-running query is stopped
      early (its client gets 503 ``busy``; its worker is replaced) if it has run
      ``yield_after`` seconds and is suspect, or has used half of its timeout.
      A waiting suspect request only stops suspect queries.

    A query has its whole ``timeout`` whenever nobody is waiting, and a query
    that is not suspect at least half of it in any case.
    """

    def __init__(self, store_path: str, prefixes: dict[str, str], size: int = 2,
                 startup_timeout: float = 60.0, yield_after: float = YIELD_AFTER_S):
        self.store_path = str(store_path)
        self.prefixes = dict(prefixes)
        self.size = max(1, size)
        self.startup_timeout = startup_timeout
        self.yield_after = yield_after
        self._ctx = multiprocessing.get_context("spawn")
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []                 # last released first: its caches are warm
        self._waiters: deque[_Waiter] = deque()
        self._leases: dict[_Worker, _Lease] = {}
        self._workers: set[_Worker] = set()
        self._closed = False
        self._suspects: OrderedDict[str, float] = OrderedDict()   # query key -> when it last ran out of time
        self.stopped_early = 0                         # queries stopped to free a worker (monitoring)

    def _is_suspect(self, key: str, now: float) -> bool:
        seen = self._suspects.get(key)
        return seen is not None and now - seen < SUSPECT_TTL_S

    def _suspect(self, key: str) -> None:
        with self._lock:
            self._suspects[key] = time.monotonic()
            self._suspects.move_to_end(key)
            while len(self._suspects) > SUSPECTS_KEPT:
                self._suspects.popitem(last=False)

    def _spawn(self, generation: int | None = None) -> _Worker:
        """A new worker; it opens the store after this call, so it is at ``generation`` or newer."""
        worker = _Worker(self._ctx, self.store_path, self.prefixes, generation)
        self._workers.add(worker)
        return worker

    def _hand_over(self, worker: _Worker) -> None:
        """Give a free worker to the request that has waited longest, else make it idle (lock held)."""
        if self._waiters:
            waiter = self._waiters.popleft()
            waiter.worker = worker
            waiter.event.set()
        else:
            self._idle.append(worker)

    def _acquire(self, wait: float, generation: int | None = None, suspect: bool = False) -> _Worker:
        with self._lock:
            if self._closed:
                raise WorkerFailed("the SPARQL worker pool is closed")
            if self._idle:
                return self._idle.pop()
            if len(self._workers) < self.size:
                return self._spawn(generation)
            waiter = _Waiter(suspect)
            if suspect:
                self._waiters.append(waiter)
            else:                                   # ahead of every suspect request
                place = next((i for i, w in enumerate(self._waiters) if w.suspect), len(self._waiters))
                self._waiters.insert(place, waiter)
        deadline = waiter.since + wait
        while not waiter.event.wait(max(0.0, min(0.1, deadline - time.monotonic()))):
            if time.monotonic() >= deadline:
                break
            self._stop_one_for(waiter)
        with self._lock:
            if waiter.worker is None and waiter in self._waiters:
                self._waiters.remove(waiter)
        if waiter.worker is None:
            if self._closed:
                raise WorkerFailed("the SPARQL worker pool is closed")
            raise PoolBusy(f"all {self.size} SPARQL workers stayed busy for {wait:g} s")
        return waiter.worker

    def _stop_one_for(self, waiter: _Waiter) -> None:
        """Stop the longest-running query that may yield (see the class), unless as many workers
        are already being freed as there are requests waiting up to and including ``waiter``."""
        now = time.monotonic()
        with self._lock:
            if waiter not in self._waiters:
                return
            being_freed = sum(1 for lease in self._leases.values() if lease.stopped and not lease.done)
            if being_freed > self._waiters.index(waiter):
                return
            running = [lease for lease in self._leases.values()
                       if not lease.done and not lease.stopped and now - lease.started >= self.yield_after
                       and (lease.suspect or (not waiter.suspect and now - lease.started >= lease.timeout / 2))]
            if not running:
                return
            victim = min(running, key=lambda lease: lease.started)
            victim.stopped = True
            self.stopped_early += 1
        victim.worker.process.terminate()   # its run() sees the pipe close, answers 503, replaces it

    def _release(self, worker: _Worker) -> None:
        with self._lock:
            if not self._closed:
                self._hand_over(worker)
                return
            self._workers.discard(worker)
        worker.stop(kill=False)

    def _replace(self, worker: _Worker, generation: int | None = None) -> None:
        """Stop ``worker`` (terminating a running query) and start a fresh one in its place."""
        worker.stop(kill=True)
        with self._lock:
            self._workers.discard(worker)
            if self._closed:
                return
            self._hand_over(self._spawn(generation))

    def run(self, job: Job, timeout: float) -> Answer:
        key = _query_key(job.query)
        with self._lock:
            suspect = self._is_suspect(key, time.monotonic())
        worker = self._acquire(timeout, job.generation, suspect)
        try:
            worker.wait_ready(self.startup_timeout)
        except WorkerFailed:
            worker.stop(kill=True)
            with self._lock:
                self._workers.discard(worker)
            raise
        lease = _Lease(worker, time.monotonic(), timeout, key, suspect)
        with self._lock:
            self._leases[worker] = lease
        try:
            worker.conn.send(job)
            if not worker.conn.poll(timeout):
                raise QueryTimeout(f"the query ran longer than {timeout:g} s and was stopped")
            answer = worker.conn.recv()
        except QueryTimeout:
            self._finish(lease)
            self._suspect(key)
            self._replace(worker, job.generation)
            raise
        except (EOFError, OSError) as err:
            stopped = self._finish(lease)
            worker.process.join(1)
            exit_code = worker.process.exitcode     # e.g. -9: killed (out of memory)
            self._replace(worker, job.generation)
            if stopped:
                self._suspect(key)
                raise PoolBusy(f"the query was stopped after {time.monotonic() - lease.started:.1f} s to let "
                               f"waiting requests run (all {self.size} SPARQL workers were busy)") from None
            how = f"killed by signal {-exit_code}" if exit_code and exit_code < 0 else f"exit code {exit_code}"
            raise WorkerFailed(f"the SPARQL worker died while running the query ({how}"
                               f"{', likely out of memory' if exit_code == -9 else ''}){': ' + str(err) if str(err) else ''}"
                               ) from err
        except BaseException:
            self._finish(lease)
            self._replace(worker, job.generation)
            raise
        if self._finish(lease):            # stopped just as it answered: the process may be gone
            self._replace(worker, job.generation)
        else:
            self._release(worker)
        return answer

    def _finish(self, lease: _Lease) -> bool:
        """Mark the lease done; True if it was stopped early."""
        with self._lock:
            lease.done = True
            self._leases.pop(lease.worker, None)
            return lease.stopped

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
            self._idle.clear()
            waiters = list(self._waiters)
            self._waiters.clear()
        for waiter in waiters:
            waiter.event.set()             # wakes with no worker: "closed"
        for worker in workers:
            worker.stop(kill=False)

    @property
    def processes(self) -> list:
        """The live worker processes (for tests and monitoring)."""
        with self._lock:
            return [w.process for w in self._workers]


__all__ = ["Answer", "GRAPH_FORMATS", "Job", "PoolBusy", "QueryTimeout", "RESULT_FORMATS", "WorkerFailed",
           "WorkerPool", "run_query", "serialize_solutions"]
