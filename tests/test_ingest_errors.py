"""Bad input through ingest.pipeline.ingest_paths and the `policykg ingest` command.

A batch mixes the two real seed plans with broken files; each broken file must
fail with a clear message (and line), the good files must still be ingested,
and a failing re-ingest must never damage what the store already holds.
"""

from __future__ import annotations

from tests.helpers import to_cp1258

import gc
import random
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from api.cli import app
from api.service import PolicyService
from ingest.pipeline import FileResult, ingest_paths
from ingest.store import GraphStore

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
BAC_GIANG = next(CORPUS.glob("bac-giang_*.txt"))
YEN_DUNG = next(CORPUS.glob("yen-dung_*.txt"))
LEAD_COLUMN = "Cơ quan chủ trì thực hiện"

# file name -> (key words the message must contain (regex, case-insensitive), line or None)
BAD_FILES = {
    "empty.txt": (r"\bempty\b", None),
    "random-bytes.txt": (r"\bbinary\b", "computed"),
    "legacy-cp1258.txt": (r"UTF-8 at line 3\b", 3),
    "scan.pdf": (r"text layer", None),
    "huge.txt": (r"11\.\d MB.*limit.*5\.0 MB", None),
    "no-lead-column.txt": (r"lead-agency.*chủ trì", "header"),
}


# ----------------------------------------------------------------- helpers


def first_control_line(data: bytes) -> int:
    """1-based line of the first NUL/control byte (tab, LF, VT, FF, CR are text)."""
    m = re.search(rb"[\x00-\x08\x0e-\x1f\x7f]", data)
    assert m, "random data without a control byte"
    head = data[: m.start()].replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return head.count(b"\n") + 1


def header_line_number() -> int:
    lines = BAC_GIANG.read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, 1) if LEAD_COLUMN in line.split("\t"))


def seed_without_lead_column() -> str:
    """The Bắc Giang seed with the lead-agency column removed from the table header line only."""
    lines = BAC_GIANG.read_text(encoding="utf-8").split("\n")
    n = header_line_number() - 1
    cells = lines[n].split("\t")
    cells.remove(LEAD_COLUMN)
    assert cells[:3] == ["TT", "Nội dung nhiệm vụ", "Cơ quan phối hợp thực hiện"]
    assert cells[3].startswith("Thời gian")
    lines[n] = "\t".join(cells)
    return "\n".join(lines)


def write_no_text_pdf(path: Path) -> None:
    fpdf = pytest.importorskip("fpdf", reason="fpdf2 not installed (pip install '.[test]')")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 120, 80, style="F")  # a "scan": ink, no text
    pdf.output(str(path))


def make_batch(folder: Path) -> dict[str, bytes]:
    """Two good seeds plus six bad files in ``folder``; returns name -> bytes written."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(BAC_GIANG, folder / BAC_GIANG.name)
    shutil.copy(YEN_DUNG, folder / YEN_DUNG.name)
    data = {
        "empty.txt": b"",
        "random-bytes.txt": random.Random(20240601).randbytes(8192),
        # two ASCII lines, then Vietnamese: the first non-UTF-8 byte is on line 3
        "legacy-cp1258.txt": to_cp1258(
            "UBND TINH BAC GIANG\nSo: 12/KH-UBND\n"
            "KẾ HOẠCH thực hiện Nghị quyết số 45-NQ/TW\nSở Nội vụ chủ trì, phối hợp với Sở Tài chính.\n"
        ),
        "huge.txt": ("Thực hiện Nghị quyết số 45-NQ/TW.\n" * 400_000).encode("utf-8")[:11_000_000],
        "no-lead-column.txt": seed_without_lead_column().encode("utf-8"),
    }
    assert len(data["huge.txt"]) == 11_000_000
    for name, raw in data.items():
        (folder / name).write_bytes(raw)
    write_no_text_pdf(folder / "scan.pdf")
    data["scan.pdf"] = (folder / "scan.pdf").read_bytes()
    return data


def expected_line(name: str, data: dict[str, bytes]) -> int | None:
    line = BAD_FILES[name][1]
    if line == "computed":
        return first_control_line(data[name])
    if line == "header":
        return header_line_number()
    return line


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None


def cli(*args: str) -> Run:
    """Invoke `policykg`; drop the result so its traceback does not keep the store locked."""
    result = CliRunner().invoke(app, list(args))
    run = Run(result.exit_code, result.stdout, result.stderr,
              None if isinstance(result.exception, SystemExit) else result.exception)
    del result
    gc.collect()
    return run


def squash(text: str) -> str:
    """Text without any whitespace (the console may wrap long lines)."""
    return re.sub(r"\s+", "", text)


def by_name(results: list[FileResult]) -> dict[str, FileResult]:
    return {Path(r.path).name: r for r in results}


def task_iris(svc: PolicyService, document: str) -> list[str]:
    return [t["iri"] for t in svc.tasks(document=document)]


def owner_view(tasks: list[dict]) -> list[tuple]:
    return [(t["iri"], t["section"], tuple(sorted(o["iri"] for o in t["owners"])),
             tuple(sorted(c["iri"] for c in t["cooperating"])), t["text"]) for t in tasks]


# ------------------------------------------------------------- the batch


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    folder = tmp_path_factory.mktemp("batch")
    return folder, make_batch(folder)


@pytest.fixture(scope="module")
def batch_results(batch, tmp_path_factory) -> tuple[dict[str, FileResult], Path]:
    folder, _ = batch
    directory = tmp_path_factory.mktemp("store")
    store = GraphStore(directory)
    results = ingest_paths([folder], store)
    del store
    gc.collect()
    return by_name(results), directory


def test_batch_good_files_added(batch_results) -> None:
    results, directory = batch_results
    assert len(results) == 8
    assert results[BAC_GIANG.name].status == "added", results[BAC_GIANG.name].message
    assert results[YEN_DUNG.name].status == "added", results[YEN_DUNG.name].message
    assert results[BAC_GIANG.name].tasks == 56 and results[YEN_DUNG.name].tasks == 14
    svc = PolicyService.open(directory)
    assert len(svc.document_versions()) == 2  # no graph for any failed file
    assert len(svc.tasks()) == 70
    assert {Path(d["source"]["path"]).name for d in svc.documents()} == {BAC_GIANG.name, YEN_DUNG.name}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_batch_bad_file_fails_with_reason(batch, batch_results, name: str) -> None:
    _, data = batch
    results, _ = batch_results
    result = results[name]
    assert result.status == "failed"
    assert re.search(BAD_FILES[name][0], result.message, re.IGNORECASE | re.DOTALL), result.message
    assert result.line == expected_line(name, data), result.message
    assert result.tasks == 0 and result.triples == 0
    assert "internal error" not in result.message


def test_batch_messages_are_specific(batch_results) -> None:
    results, _ = batch_results
    assert results["empty.txt"].message == "file is empty"
    assert f"first NUL/control byte at line {results['random-bytes.txt'].line}" in results["random-bytes.txt"].message
    legacy = results["legacy-cp1258.txt"].message
    assert "line 3, column" in legacy and "convert the file to UTF-8" in legacy
    assert "OCR" in results["scan.pdf"].message
    assert "--max-bytes" in results["huge.txt"].message
    no_lead = results["no-lead-column.txt"].message
    assert "Cơ quan chủ trì" in no_lead
    # the message lists the columns the header does have
    assert "TT, Nội dung nhiệm vụ, Cơ quan phối hợp thực hiện, Thời gian" in no_lead


def test_max_bytes_limit_applies_to_good_files(tmp_path: Path) -> None:
    size = YEN_DUNG.stat().st_size
    run = cli("ingest", str(YEN_DUNG), "--store", str(tmp_path / "store"), "--max-bytes", str(size - 1))
    assert run.exit_code == 1
    assert squash(f"failed {YEN_DUNG}: file is") in squash(run.stderr)
    assert squash(f"over the limit of {(size - 1) / 1e6:.1f} MB ({size - 1} bytes)") in squash(run.stderr)
    run = cli("ingest", str(YEN_DUNG), "--store", str(tmp_path / "store"), "--max-bytes", str(size))
    assert run.exit_code == 0, run.stderr
    assert "1 added, 0 replaced, 0 unchanged, 0 failed" in run.stderr


@pytest.fixture(scope="module")
def cli_batch(batch, tmp_path_factory) -> Run:
    folder, _ = batch
    return cli("ingest", str(folder), "--store", str(tmp_path_factory.mktemp("clistore")))


def test_cli_batch_exit_code_and_summary(batch, cli_batch: Run) -> None:
    folder, _ = batch
    assert cli_batch.exception is None, cli_batch.exception
    assert cli_batch.exit_code == 1
    assert "2 added, 0 replaced, 0 unchanged, 6 failed" in cli_batch.stderr
    assert squash(f"added {folder / BAC_GIANG.name} (56 tasks)") in squash(cli_batch.stderr)
    assert squash(f"added {folder / YEN_DUNG.name} (14 tasks)") in squash(cli_batch.stderr)


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_cli_batch_reports_file_line_reason(batch, batch_results, cli_batch: Run, name: str) -> None:
    folder, data = batch
    results, _ = batch_results
    line = expected_line(name, data)
    where = f"{folder / name}:{line}" if line else str(folder / name)
    expected = f"{where}: {results[name].message}"
    # whitespace-insensitive: see test_cli_failure_lines_are_not_wrapped for the wrapping itself
    assert squash(expected) in squash(cli_batch.stderr), cli_batch.stderr


def test_cli_failure_lines_are_not_wrapped(batch, batch_results, cli_batch: Run) -> None:
    folder, data = batch
    results, _ = batch_results
    lines = cli_batch.stderr.splitlines()
    for name in BAD_FILES:
        line = expected_line(name, data)
        where = f"{folder / name}:{line}" if line else str(folder / name)
        assert f"failed {where}: {results[name].message}" in lines, name


def test_cli_no_supported_files(tmp_path: Path) -> None:
    (tmp_path / "notes.xyz").write_text("x", encoding="utf-8")
    run = cli("ingest", str(tmp_path), "--store", str(tmp_path / "store"))
    assert run.exit_code == 2
    assert "no supported files" in run.stderr


# ------------------------------------------- a broken file never damages the store


def test_broken_same_name_keeps_previous_graph(tmp_path: Path) -> None:
    good = tmp_path / "good"
    broken = tmp_path / "broken"
    good.mkdir()
    broken.mkdir()
    shutil.copy(BAC_GIANG, good / BAC_GIANG.name)
    (broken / BAC_GIANG.name).write_bytes(random.Random(7).randbytes(4096) + b"\x00")

    store = GraphStore(tmp_path / "store")
    svc = PolicyService(store)
    [first] = ingest_paths([good / BAC_GIANG.name], store)
    assert first.status == "added"
    before_tasks = svc.tasks()
    before_graphs = store.graphs()
    before_quads = sorted(map(str, store.triples()))
    assert len(before_tasks) == 56

    [bad] = ingest_paths([broken / BAC_GIANG.name], store)
    assert bad.status == "failed" and "binary" in bad.message
    assert bad.graph == first.graph  # same file name -> same named graph
    assert store.graphs() == before_graphs
    assert svc.tasks() == before_tasks
    assert sorted(map(str, store.triples())) == before_quads
    # the stored provenance still points at the good file
    assert {t["source"]["path"] for t in svc.tasks()} == {str(good / BAC_GIANG.name)}

    [again] = ingest_paths([good / BAC_GIANG.name], store)
    assert again.status == "unchanged"
    [forced] = ingest_paths([good / BAC_GIANG.name], store, force=True)
    assert forced.status == "replaced" and forced.tasks == 56
    assert svc.tasks() == before_tasks
    assert store.graphs() == before_graphs


def test_broken_same_name_keeps_previous_graph_cli(tmp_path: Path) -> None:
    good = tmp_path / "good"
    broken = tmp_path / "broken"
    good.mkdir()
    broken.mkdir()
    shutil.copy(BAC_GIANG, good / BAC_GIANG.name)
    (broken / BAC_GIANG.name).write_bytes(b"\x89PNG\r\n\x1a\n" + random.Random(8).randbytes(2048))
    store = str(tmp_path / "store")

    run = cli("ingest", str(good), "--store", store)
    assert run.exit_code == 0, (run.stderr, run.exception)
    assert "1 added, 0 replaced, 0 unchanged, 0 failed" in run.stderr
    before = PolicyService.open(store).tasks()
    assert len(before) == 56
    gc.collect()

    run = cli("ingest", str(broken), "--store", store)
    assert run.exit_code == 1 and run.exception is None, run.exception
    assert "0 added, 0 replaced, 0 unchanged, 1 failed" in run.stderr
    assert squash(f"failed {broken / BAC_GIANG.name}:2: binary content") in squash(run.stderr)
    assert PolicyService.open(store).tasks() == before
    gc.collect()

    run = cli("ingest", str(good), "--store", store)
    assert run.exit_code == 0, (run.stderr, run.exception)
    assert "0 added, 0 replaced, 1 unchanged, 0 failed" in run.stderr
    assert squash(f"unchanged {good / BAC_GIANG.name}") in squash(run.stderr)

    run = cli("ingest", str(good), "--store", store, "--force")
    assert run.exit_code == 0, (run.stderr, run.exception)
    assert "0 added, 1 replaced, 0 unchanged, 0 failed" in run.stderr
    assert squash(f"replaced {good / BAC_GIANG.name} (56 tasks)") in squash(run.stderr)
    assert PolicyService.open(store).tasks() == before


def test_changed_line_replaces_only_that_graph(tmp_path: Path) -> None:
    folder = tmp_path / "plans"
    folder.mkdir()
    shutil.copy(BAC_GIANG, folder / BAC_GIANG.name)
    shutil.copy(YEN_DUNG, folder / YEN_DUNG.name)
    store = GraphStore(tmp_path / "store")
    svc = PolicyService(store)
    assert [r.status for r in ingest_paths([folder], store)] == ["added", "added"]

    graphs = store.graphs()
    yd_before = owner_view(svc.tasks(document=YEN_DUNG.name))
    bg_before = svc.tasks(document=BAC_GIANG.name)
    foreign_sections = sorted(t["section"] for t in svc.tasks(agency="Sở Ngoại vụ"))
    assert foreign_sections, "the seed gives Sở Ngoại vụ tasks"
    assert svc.tasks(agency="Sở Tư pháp") == []

    text = (folder / BAC_GIANG.name).read_text(encoding="utf-8")
    assert "Sở Ngoại vụ" in text and "Sở Tư pháp" not in text
    (folder / BAC_GIANG.name).write_text(text.replace("Sở Ngoại vụ", "Sở Tư pháp"), encoding="utf-8")

    statuses = {Path(r.path).name: r.status for r in ingest_paths([folder], store)}
    assert statuses == {BAC_GIANG.name: "replaced", YEN_DUNG.name: "unchanged"}

    assert store.graphs() == graphs
    assert owner_view(svc.tasks(document=YEN_DUNG.name)) == yd_before
    bg_after = svc.tasks(document=BAC_GIANG.name)
    assert len(bg_after) == len(bg_before) == 56
    assert len(svc.tasks()) == 70
    justice = svc.tasks(agency="Sở Tư pháp")
    assert justice, "tasks --agency 'Sở Tư pháp' now returns tasks"
    assert sorted(t["section"] for t in justice) == foreign_sections
    assert all(t["document"]["iri"] == bg_after[0]["document"]["iri"] for t in justice)
    assert all(any(o["iri"].endswith("/bac-giang/so-tu-phap") for o in t["owners"]) for t in justice)
    # the old owner is gone from the replaced graph (no stale triples)
    assert svc.tasks(agency="Sở Ngoại vụ") == []
    # exactly one source file per named graph, with the new hash
    hashes = store.select("SELECT ?g ?h WHERE { GRAPH ?g { ?f a pkg:SourceFile ; pkg:sha256 ?h } }")
    assert len(hashes) == 2 and len({r["g"] for r in hashes}) == 2


def test_changed_line_via_cli(tmp_path: Path) -> None:
    folder = tmp_path / "plans"
    folder.mkdir()
    shutil.copy(BAC_GIANG, folder / BAC_GIANG.name)
    shutil.copy(YEN_DUNG, folder / YEN_DUNG.name)
    store = str(tmp_path / "store")
    assert cli("ingest", str(folder), "--store", store).exit_code == 0
    svc = PolicyService.open(store)
    graphs = svc.store.graphs()
    yd_iris = task_iris(svc, YEN_DUNG.name)
    del svc
    gc.collect()
    before = cli("tasks", "--agency", "Sở Tư pháp", "--store", store, "-f", "json")
    assert before.exit_code == 0 and before.stdout.strip() == "[]"

    path = folder / BAC_GIANG.name
    path.write_text(path.read_text(encoding="utf-8").replace("Sở Ngoại vụ", "Sở Tư pháp"), encoding="utf-8")
    run = cli("ingest", str(folder), "--store", store)
    assert run.exit_code == 0, run.stderr
    assert "0 added, 1 replaced, 1 unchanged, 0 failed" in run.stderr

    after = cli("tasks", "--agency", "Sở Tư pháp", "--store", store, "-f", "json")
    assert after.exit_code == 0
    assert '"Sở Tư pháp tỉnh Bắc Giang"' in after.stdout
    svc = PolicyService.open(store)
    assert svc.store.graphs() == graphs
    assert task_iris(svc, YEN_DUNG.name) == yd_iris


def test_cli_reports_bracketed_file_name_verbatim(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ke-hoach[b].txt").write_bytes(b"")
    run = cli("ingest", str(folder), "--store", str(tmp_path / "store"))
    assert run.exit_code == 1
    assert squash(f"failed {folder / 'ke-hoach[b].txt'}: file is empty") in squash(run.stderr), run.stderr
