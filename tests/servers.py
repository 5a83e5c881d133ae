"""Real SPARQL servers on 127.0.0.1 for tests, benchmarks and manual use.

    server = start_oxigraph(tmp_path)        # or start_virtuoso(tmp_path)
    ... policykg --store server.store_spec() (with server.env() in the environment) ...
    server.stop()

Oxigraph: the `oxigraph` PyPI package (test extra), started with --union-default-graph
so that a query without FROM/GRAPH sees the union of all named graphs (policykg keeps
one named graph per document). Virtuoso 7.2 (Debian's virtuoso-opensource): our own
virtuoso.ini in the directory; its default graph is the union already. A fresh Virtuoso
database has the account dba/dba; updates and the Graph Store protocol go through the
digest-authenticated endpoints /sparql-auth and /sparql-graph-crud-auth. Queries go to
the public /sparql as GET or form POST: a direct POST of application/sparql-query hangs
on 7.2.5 (application/sparql-update on /sparql-auth works).

Seen on both servers: numeric literals come back canonical ("042"^^xsd:integer -> "42",
"1234.50"^^xsd:decimal -> "1234.5") and language tags lower-cased ("en-US" -> "en-us").
Virtuoso only: "true"^^xsd:boolean -> "1", an invalid "abc"^^xsd:integer -> "0", and
"1.5E2"^^xsd:double -> "150.0"; its JSON results say "typed-literal" and leave out
xsd:string; its union default graph also holds three built-in graphs (virtrdf#, ldp#,
http://localuriqaserver/sparql, ~2500 triples). Vietnamese text (NFC and NFD), long
literals, and IRIs with %-escapes or Vietnamese letters come back byte for byte on both.

CLI: python -m tests.servers oxigraph|virtuoso --dir DIR [--port N]
"""

from __future__ import annotations

import argparse
import atexit
import ctypes
import gzip
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

VIRTUOSO_USER = VIRTUOSO_PASSWORD = "dba"  # a fresh Virtuoso database's account
BULK_FALLBACK_GRAPH = "http://fallback/graph"  # Virtuoso's graph for triples without one
START_TIMEOUT = 60.0
STOP_TIMEOUT = 30.0

_running: list[SparqlServer] = []
try:
    _libc = ctypes.CDLL("libc.so.6", use_errno=True)
except OSError:  # not glibc Linux: rely on atexit alone
    _libc = None


def _die_with_parent() -> None:
    # runs in the child before exec: SIGTERM the server if we die without atexit (SIGKILL);
    # Linux ties this to the starting *thread*, so start servers from a long-lived thread
    if _libc is not None:
        _libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _binary(name: str) -> str | None:
    # the venv's bin first (oxigraph comes from pip), then PATH, then Debian's /usr/bin
    venv = Path(sys.executable).parent / name
    if venv.is_file() and os.access(venv, os.X_OK):
        return str(venv)
    return shutil.which(name) or shutil.which(name, path="/usr/bin:/usr/local/bin")


def available(kind: str) -> str | None:
    """None if the server binaries for `kind` are installed, else why not."""
    if kind == "oxigraph":
        return None if _binary("oxigraph") else (
            "oxigraph binary not found: .venv/bin/pip install oxigraph==0.5.13 (the test extra)")
    if kind == "virtuoso":
        missing = [b for b in ("virtuoso-t", "isql-vt") if not _binary(b)]
        return None if not missing else (
            f"{', '.join(missing)} not found: apt-get install virtuoso-opensource")
    return f"unknown server kind {kind!r}"


def free_port() -> int:
    """A port nobody listens on now (the OS picks it for a socket bound to port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(eq=False)
class SparqlServer:
    kind: str  # "oxigraph" or "virtuoso"
    query_url: str
    update_url: str
    graph_store_url: str
    directory: Path
    process: subprocess.Popen | None = None
    user: str | None = None  # HTTP digest auth on update / graph store
    password: str | None = None
    isql_port: int | None = None  # Virtuoso's SQL port (bulk loads)

    @property
    def log_path(self) -> Path:
        return self.directory / "server.log"

    @property
    def ports(self) -> list[int]:
        return [urlsplit(self.query_url).port] + ([self.isql_port] if self.isql_port else [])

    def auth(self) -> httpx.DigestAuth | None:
        return httpx.DigestAuth(self.user, self.password) if self.user else None

    def store_spec(self) -> str:
        """policykg's --store value; the password travels in env(), never in the URL."""
        query = urlsplit(self.query_url)
        spec = (f"sparql+http://{query.netloc}{query.path}?update={urlsplit(self.update_url).path}"
                f"&graph-store={urlsplit(self.graph_store_url).path}")
        return spec + (f"&user={self.user}&auth=digest" if self.user else "")

    def env(self) -> dict[str, str]:
        return {"POLICYKG_STORE_PASSWORD": self.password} if self.password else {}

    def stop(self) -> None:
        """Terminate the server's process group; SIGKILL after STOP_TIMEOUT. Idempotent."""
        if self in _running:
            _running.remove(self)
        proc = self.process
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        except ProcessLookupError:
            proc.wait()

    def __enter__(self) -> SparqlServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def bulk_load_nquads(self, path: Path) -> None:
        """Load an N-Quads file (.nq or .nq.gz) with its graph names."""
        path = Path(path)
        if self.kind == "oxigraph":
            self._oxigraph_load(path)
        else:
            self._virtuoso_load(path)

    def _oxigraph_load(self, path: Path) -> None:
        def chunks():
            with (gzip.open if path.suffix == ".gz" else open)(path, "rb") as f:
                while block := f.read(1 << 20):
                    yield block

        # POST to the whole dataset (no ?graph=) keeps the quads' graphs; no_transaction
        # uses oxigraph's bulk loader (~3x faster, not atomic)
        r = httpx.post(self.graph_store_url + "?no_transaction", content=chunks(), timeout=None,
                       headers={"Content-Type": "application/n-quads"})
        if r.status_code >= 300:
            raise RuntimeError(f"oxigraph load of {path}: HTTP {r.status_code} {r.text[:500]}")

    def _virtuoso_load(self, path: Path) -> None:
        # ld_dir only reads under DirsAllowed (the server directory): link or copy the file in
        load_dir = self.directory / f"load-{time.time_ns()}"
        load_dir.mkdir()
        name = "data.nq.gz" if path.suffix == ".gz" else "data.nq"  # the loader goes by suffix
        try:
            try:
                os.link(path, load_dir / name)
            except OSError:
                shutil.copyfile(path, load_dir / name)
            self.isql(f"ld_dir('{load_dir}', '{name}', '{BULK_FALLBACK_GRAPH}');"
                      " rdf_loader_run(); checkpoint;")
            out = self.isql("SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST"
                            f" WHERE ll_file LIKE '{load_dir}/%' AND ll_error IS NOT NULL;")
            if str(load_dir) in out:
                raise RuntimeError(f"virtuoso load of {path} failed:\n{out}")
        finally:
            shutil.rmtree(load_dir, ignore_errors=True)

    def isql(self, sql: str, timeout: float | None = None) -> str:
        """Run SQL through Virtuoso's isql as dba; RuntimeError if it reports an error."""
        if self.isql_port is None:
            raise RuntimeError(f"{self.kind} has no SQL port")
        cmd = [_binary("isql-vt") or "isql-vt", f"127.0.0.1:{self.isql_port}", self.user,
               self.password, "VERBOSE=OFF", "BANNER=OFF", "PROMPT=OFF", f"exec={sql}"]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        out = done.stdout + done.stderr
        if done.returncode or "*** Error" in out:  # isql exits 0 on SQL errors
            raise RuntimeError(f"isql failed: {sql}\n{out}")
        return out


def _start(server: SparqlServer, cmd: list[str]) -> SparqlServer:
    """Run cmd in its own session with output in server.log; wait until ASK answers."""
    server.directory.mkdir(parents=True, exist_ok=True)
    with open(server.log_path, "ab") as log:
        server.process = subprocess.Popen(
            cmd, cwd=server.directory, stdin=subprocess.DEVNULL, stdout=log,
            stderr=subprocess.STDOUT, start_new_session=True, preexec_fn=_die_with_parent)
    _running.append(server)
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline and server.process.poll() is None:
        try:
            r = httpx.get(server.query_url, params={"query": "ASK {}"}, timeout=5)
            if r.status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    code = server.process.poll()
    server.stop()
    tail = "\n".join(server.log_path.read_text(errors="replace").splitlines()[-40:])
    why = f"exited with {code}" if code is not None else f"not ready in {START_TIMEOUT:.0f} s"
    raise RuntimeError(f"{server.kind} server {why}; {server.log_path}:\n{tail}")


def start_oxigraph(directory: Path, port: int | None = None) -> SparqlServer:
    if reason := available("oxigraph"):
        raise RuntimeError(reason)
    directory = Path(directory).resolve()
    port = port or free_port()
    base = f"http://127.0.0.1:{port}"
    server = SparqlServer("oxigraph", f"{base}/query", f"{base}/update", f"{base}/store",
                          directory)
    return _start(server, [_binary("oxigraph"), "serve", "--location", str(directory / "db"),
                           "--bind", f"127.0.0.1:{port}", "--union-default-graph"])


def virtuoso_ini(directory: Path, http_port: int, sql_port: int, buffers: int) -> str:
    """Our virtuoso.ini: everything in `directory`, listening on 127.0.0.1 only."""
    d = directory
    return f"""\
[Database]
DatabaseFile       = {d}/virtuoso.db
ErrorLogFile       = {d}/virtuoso.log
LockFile           = {d}/virtuoso.lck
TransactionFile    = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile    = {d}/virtuoso-temp.db
TransactionFile = {d}/virtuoso-temp.trx

[Parameters]
ServerPort         = 127.0.0.1:{sql_port}
DisableUnixSocket  = 1
CheckpointInterval = 60
CaseMode           = 2
; ld_dir() may only read files under these
DirsAllowed        = ., {d}
; 8 KiB pages: 20000 buffers ~ 170 MB
NumberOfBuffers    = {buffers}
MaxDirtyBuffers    = {buffers * 3 // 4}
; ORDER BY ... LIMIT/OFFSET beyond 10000 rows fails by default
MaxSortedTopRows   = 1000000

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {d}/vsp
ServerThreads        = 10
MaxClientConnections = 10
Charset              = UTF-8

[SPARQL]
; the default 10000 truncates results silently
ResultSetMaxRows           = 1000000
; do not refuse queries by their cost estimate
MaxQueryCostEstimationTime = 86400
; past this, results come back partial with header X-SQL-State: S1TAT
MaxQueryExecutionTime      = 600
"""


def start_virtuoso(directory: Path, port: int | None = None, buffers: int = 20000) -> SparqlServer:
    """Virtuoso on 127.0.0.1:port (HTTP) and a free SQL port; first start creates the DB."""
    if reason := available("virtuoso"):
        raise RuntimeError(reason)
    directory = Path(directory).resolve()
    (directory / "vsp").mkdir(parents=True, exist_ok=True)
    port, sql_port = port or free_port(), free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(virtuoso_ini(directory, port, sql_port, buffers))
    base = f"http://127.0.0.1:{port}"
    server = SparqlServer("virtuoso", f"{base}/sparql", f"{base}/sparql-auth",
                          f"{base}/sparql-graph-crud-auth", directory, user=VIRTUOSO_USER,
                          password=VIRTUOSO_PASSWORD, isql_port=sql_port)
    return _start(server, [_binary("virtuoso-t"), "+foreground", "+configfile", str(ini)])


@atexit.register
def _stop_all() -> None:
    for server in list(_running):
        server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.servers",
                                     description=__doc__.split("\n")[0])
    parser.add_argument("kind", choices=["oxigraph", "virtuoso"])
    parser.add_argument("--dir", type=Path, required=True, help="database and log directory")
    parser.add_argument("--port", type=int, help="HTTP port (default: a free one)")
    parser.add_argument("--buffers", type=int, default=20000, help="Virtuoso NumberOfBuffers")
    args = parser.parse_args(argv)
    # Ctrl-C, kill -INT and kill -TERM all stop the server (a shell's `&` ignores SIGINT)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    t0 = time.monotonic()
    if args.kind == "oxigraph":
        server = start_oxigraph(args.dir, args.port)
    else:
        server = start_virtuoso(args.dir, args.port, args.buffers)
    print(f"# {server.kind} ready in {time.monotonic() - t0:.1f} s; log {server.log_path}")
    print(f"--store '{server.store_spec()}'")
    for key, value in server.env().items():
        print(f"export {key}={value}")
    sys.stdout.flush()
    try:
        return server.process.wait()  # until the server dies or Ctrl-C
    except KeyboardInterrupt:
        return 0
    finally:
        server.stop()


if __name__ == "__main__":
    sys.exit(main())
