"""The `policykg` command line on the seed corpus (session fixture corpus_store)."""

from __future__ import annotations

import csv
import gc
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.namespace import RDF
from typer.testing import CliRunner

from api.cli import app
from ontology.namespaces import SHARED_GRAPH

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CORPUS = ROOT / "corpus"
BAC_GIANG = next(CORPUS.glob("bac-giang_*.txt"))
YEN_DUNG = next(CORPUS.glob("yen-dung_*.txt"))
PKG_TASK = URIRef("https://policykg.org/ns#Task")
DOC_KEYS = {"iri", "type", "number", "title", "issuer", "date", "level", "signer", "source", "implements", "cites"}
TASK_KEYS = {"iri", "text", "section", "owners", "cooperating", "deadline", "document", "source"}
TARGET_KEYS = {"iri", "text", "quantity", "unit", "comparator", "upper", "baseline", "target", "year",
               "document", "source"}


@dataclass
class Run:
    exit_code: int
    stdout: str
    stdout_bytes: bytes
    stderr: str
    exception: BaseException | None


def cli(*args: str | Path) -> Run:
    result = CliRunner().invoke(app, [str(a) for a in args])
    run = Run(result.exit_code, result.stdout, result.stdout_bytes, result.stderr,
              None if isinstance(result.exception, SystemExit) else result.exception)
    del result
    gc.collect()
    return run


def ok(*args: str | Path) -> Run:
    run = cli(*args)
    assert run.exception is None, run.exception
    assert run.exit_code == 0, run.stderr
    return run


def json_of(*args: str | Path):
    return json.loads(ok(*args).stdout)


# -------------------------------------------------------------- documents


def test_documents_json(corpus_store: Path) -> None:
    docs = json_of("documents", "--store", corpus_store, "-f", "json")
    assert len(docs) == 2
    for doc in docs:
        assert set(doc) == DOC_KEYS
        assert doc["type"] == "Kế hoạch"
        assert doc["level"] in ("central", "province", "district")
        assert set(doc["source"]) == {"path", "line"} and isinstance(doc["source"]["line"], int)
        assert set(doc["issuer"]) == {"iri", "label"}
        assert "45-NQ/TW" in doc["implements"] and "45-NQ/TW" in doc["cites"]
    by_file = {Path(d["source"]["path"]).name: d for d in docs}
    assert set(by_file) == {BAC_GIANG.name, YEN_DUNG.name}
    assert by_file[BAC_GIANG.name]["level"] == "province"
    assert by_file[YEN_DUNG.name]["level"] == "district"
    assert by_file[BAC_GIANG.name]["number"] is None  # "Số: /KH-UBND" gives no number


def test_documents_cited(corpus_store: Path) -> None:
    docs = json_of("documents", "--cited", "--store", corpus_store, "-f", "json")
    assert len(docs) > 2
    assert all(set(d) == DOC_KEYS for d in docs)
    [nq45] = [d for d in docs if d["number"] == "45-NQ/TW"]
    assert nq45["level"] == "central"
    assert nq45["source"] is None  # known only from citations
    assert nq45["type"] == "Nghị quyết"
    assert nq45["date"] == "2023-11-24"
    assert sum(d["source"] is not None for d in docs) == 2


def test_documents_table(corpus_store: Path) -> None:
    run = ok("documents", "--store", corpus_store)
    assert run.stdout.count("\n") > 3 and "┏" in run.stdout  # a rich table (columns fold at 80 chars)
    assert run.stderr.strip() == "2 rows"


# ------------------------------------------------------------------ tasks


def test_tasks_csv_bom_header_and_rows(corpus_store: Path) -> None:
    run = ok("tasks", "--store", corpus_store, "-f", "csv")
    assert run.stdout_bytes.startswith(b"\xef\xbb\xbf")
    text = run.stdout_bytes.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header, data = rows[0], rows[1:]
    assert header == ["section", "text", "owners", "cooperating", "deadline", "document", "source", "iri"]
    assert len(data) == 70
    assert all(len(r) == len(header) for r in data)
    assert len({r[-1] for r in data}) == 70  # one row per task IRI
    assert any("Sở Nội vụ tỉnh Bắc Giang" in r[2] for r in data)
    assert any(r[4] == "Quý IV/2024" for r in data)
    assert all(re.search(r"\.txt:\d+$", r[6]) for r in data)


def test_tasks_json_shape(corpus_store: Path) -> None:
    tasks = json_of("tasks", "--store", corpus_store, "-f", "json")
    assert len(tasks) == 70
    for t in tasks:
        assert set(t) == TASK_KEYS
        assert t["owners"], t["iri"]
        assert all(set(o) == {"iri", "label"} for o in t["owners"] + t["cooperating"])
        assert t["deadline"] is None or set(t["deadline"]) == {"raw", "start", "end", "recurrence"}
        assert set(t["document"]) == {"iri", "number", "title"}


def test_tasks_due_before(corpus_store: Path) -> None:
    every = json_of("tasks", "--store", corpus_store, "-f", "json")
    due = json_of("tasks", "--due-before", "2024-12-31", "--store", corpus_store, "-f", "json")
    assert due
    assert all(t["deadline"] and t["deadline"]["end"] and t["deadline"]["end"] <= "2024-12-31" for t in due)
    expected = [t["iri"] for t in every if t["deadline"] and t["deadline"]["end"]
                and t["deadline"]["end"] <= "2024-12-31"]
    assert [t["iri"] for t in due] == expected
    annex_q4 = [t for t in due if t["section"].startswith("annex") and t["deadline"]["raw"] == "Quý IV/2024"]
    assert annex_q4
    assert all(t["deadline"]["start"] == "2024-10-01" and t["deadline"]["end"] == "2024-12-31" for t in annex_q4)
    # deadlines in 2025 or recurring ones are left out
    assert not any(t["deadline"]["raw"] in ("2025", "Hàng năm") for t in due)


def test_tasks_by_document_file_name(corpus_store: Path) -> None:
    tasks = json_of("tasks", "--document", YEN_DUNG.name, "--store", corpus_store, "-f", "json")
    assert len(tasks) == 14
    assert {Path(t["source"]["path"]).name for t in tasks} == {YEN_DUNG.name}
    lines = [t["source"]["line"] for t in tasks]
    assert lines == sorted(lines)  # document order


def test_tasks_by_agency(corpus_store: Path) -> None:
    vi = json_of("tasks", "--agency", "Sở Nội vụ", "--store", corpus_store, "-f", "json")
    folded = json_of("tasks", "--agency", "so noi vu", "--store", corpus_store, "-f", "json")
    en = json_of("tasks", "--agency", "Department of Home Affairs", "--store", corpus_store, "-f", "json")
    assert len(vi) == 9
    assert vi == folded == en


def test_tasks_unknown_agency_exits_2(corpus_store: Path) -> None:
    run = cli("tasks", "--agency", "no such agency xyz", "--store", corpus_store)
    assert run.exit_code == 2 and run.exception is None
    assert "no agency matches" in run.stderr and "no such agency xyz" in run.stderr
    assert run.stdout == ""


def test_tasks_bad_date_exits_2(corpus_store: Path) -> None:
    run = cli("tasks", "--due-before", "notadate", "--store", corpus_store)
    assert run.exit_code == 2 and run.exception is None
    assert "not a date" in run.stderr and "notadate" in run.stderr


def test_tasks_unknown_document_exits_2(corpus_store: Path) -> None:
    run = cli("tasks", "--document", "no-such-plan.txt", "--store", corpus_store)
    assert run.exit_code == 2 and "no document" in run.stderr


def test_missing_store_exits_2(tmp_path: Path) -> None:
    run = cli("tasks", "--store", tmp_path / "nothing-here")
    assert run.exit_code == 2 and run.exception is None
    assert "policykg ingest" in run.stderr


# ---------------------------------------------------------------- targets


def test_targets_json(corpus_store: Path) -> None:
    targets = json_of("targets", "--store", corpus_store, "-f", "json")
    assert len(targets) == 13
    assert all(set(t) == TARGET_KEYS for t in targets)
    by_doc = json_of("targets", "--document", YEN_DUNG.name, "--store", corpus_store, "-f", "json")
    assert 0 < len(by_doc) < 13
    assert {t["iri"] for t in by_doc} < {t["iri"] for t in targets}


# ----------------------------------------------------------------- sparql


def test_sparql_count_tasks_json(corpus_store: Path) -> None:
    result = json_of("sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?t a pkg:Task }", "--store", corpus_store,
                     "-f", "json")
    assert result["head"]["vars"] == ["n"]
    [row] = result["results"]["bindings"]
    assert int(row["n"]["value"]) == 70


def test_sparql_from_file_csv(corpus_store: Path, tmp_path: Path) -> None:
    query = tmp_path / "q.rq"
    query.write_text("SELECT ?n WHERE { ?d a eli:LegalResource ; eli:id_local ?n } ORDER BY ?n", encoding="utf-8")
    run = ok("sparql", f"@{query}", "--store", corpus_store)
    rows = list(csv.reader(io.StringIO(run.stdout_bytes.decode("utf-8"))))
    assert rows[0] == ["n"]
    assert ["45-NQ/TW"] in rows[1:]


def test_sparql_ask(corpus_store: Path) -> None:
    run = ok("sparql", "ASK { ?t a pkg:Task }", "--store", corpus_store)
    assert run.stdout.strip() == "true"


def test_sparql_syntax_error_exits_2(corpus_store: Path) -> None:
    run = cli("sparql", "SELECT ?x WHERE { ?x a pkg:Task ", "--store", corpus_store)
    assert run.exit_code == 2 and run.exception is None, run.exception
    assert "SPARQL syntax error" in run.stderr


# ----------------------------------------------------------------- export


def test_export_turtle_to_file(corpus_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.ttl"
    run = ok("export", "-f", "turtle", "-o", out, "--store", corpus_store)
    assert run.stdout == ""
    assert "wrote" in run.stderr
    graph = Graph()
    graph.parse(out, format="turtle")
    assert len(set(graph.subjects(RDF.type, PKG_TASK))) == 70
    assert out.read_text(encoding="utf-8").startswith("@prefix")


@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")  # rdflib's parser
def test_export_nquads_one_graph_per_document(corpus_store: Path) -> None:
    run = ok("export", "-f", "nquads", "--store", corpus_store)
    ds = Dataset()
    ds.parse(data=run.stdout_bytes.decode("utf-8"), format="nquads")
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    names.discard(str(ds.default_graph.identifier))
    assert names == {
        "https://policykg.org/graph/bac-giang-ubnd-tinh-ke-hoach-nq45-doi-ngu-tri-thuc-2024-06-txt",
        "https://policykg.org/graph/yen-dung-huyen-uy-ke-hoach-nq45-doi-ngu-tri-thuc-2024-txt",
        SHARED_GRAPH,
    }
    tasks = {n: len(set(ds.graph(URIRef(n)).subjects(RDF.type, PKG_TASK))) for n in names}
    assert sorted(tasks.values()) == [0, 14, 56]
    # agencies are described once, in the shared graph; the documents' graphs only name them
    org = URIRef("http://www.w3.org/ns/org#Organization")
    assert len(set(ds.graph(URIRef(SHARED_GRAPH)).subjects(RDF.type, org))) > 20
    assert all(not set(ds.graph(URIRef(n)).subjects(RDF.type, org)) for n in names - {SHARED_GRAPH})


def test_export_jsonld_is_json(corpus_store: Path) -> None:
    run = ok("export", "-f", "jsonld", "--store", corpus_store)
    data = json.loads(run.stdout_bytes)
    assert data
    assert "https://policykg.org/ns#Task" in run.stdout


# ------------------------------------------------------ help <-> README


def _help(*command: str) -> str:
    run = ok(*command, "--help")
    return run.stdout


def _commands() -> list[str]:
    text = _help()
    box = text[text.index("Commands"):]
    return re.findall(r"^│ ([a-z][a-z-]*)\s{2,}", box, re.MULTILINE)


def _options(command: str) -> set[str]:
    found = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", _help(command)))
    found.discard("--help")
    # a boolean flag is one option spelled --x / --no-x: keep the positive name
    return {o for o in found if not (o.startswith("--no-") and "--" + o[5:] in found)}


def _in_readme(option: str) -> bool:
    spellings = [option]
    if option.startswith("--") and not option.startswith("--no-"):
        spellings.append("--no-" + option[2:])
    return any(re.search(re.escape(s) + r"(?![\w-])", README) for s in spellings)


COMMANDS = ["ingest", "index", "search", "eval", "documents", "tasks", "targets", "sparql", "export", "cascade", "serve"]


def test_help_lists_the_commands_and_readme_names_them() -> None:
    assert _commands() == COMMANDS
    for command in COMMANDS:
        assert f"policykg {command}" in README, command


@pytest.mark.parametrize("command", COMMANDS)
def test_every_option_in_help_is_in_readme(command: str) -> None:
    options = _options(command)
    assert "--store" in options
    missing = sorted(o for o in options if not _in_readme(o))
    assert not missing, f"{command}: {missing}"


@pytest.mark.parametrize("command", [["documents"], ["ingest", str(Path(__file__).parent.parent / "corpus")]])
def test_unreachable_sparql_server_is_a_clear_error(command) -> None:
    import socket

    with socket.socket() as sock:          # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    run = cli(*command, "--store", f"sparql+http://127.0.0.1:{port}/query?update=/update")
    assert run.exit_code == 2 and run.exception is None, run.exception
    assert "cannot open the store" in run.stderr and f"127.0.0.1:{port}/query" in run.stderr


def test_store_from_a_config_file(corpus_store, tmp_path: Path) -> None:
    config = tmp_path / "policykg.toml"
    config.write_text(f'[store]\nlocation = "{corpus_store}"\n', encoding="utf-8")
    assert len(json_of("documents", "--store", config, "-f", "json")) == 2
    config.write_text("[other]\n", encoding="utf-8")
    run = cli("documents", "--store", config)
    assert run.exit_code == 2 and "[store]" in run.stderr
