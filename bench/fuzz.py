"""Fuzz the readers and the parser: generated and mutated documents must never crash or hang.

Each input is a file (.txt, .md, .html, .docx, .pdf) built from the seed plans and the
synthetic generator, then mutated (garbled Unicode, NFD text, missing headers, broken
tables, enormous lines, random bytes, junk inside .docx/.pdf containers). Every file
must either ingest (analyse + build RDF) or fail with an IngestError that names it,
within a per-file time limit. Findings are printed; the exit code is 1 on any crash or hang.

    python bench/fuzz.py --count 10000 --seed 1
"""

from __future__ import annotations

import argparse
import io
import random
import signal
import sys
import tempfile
import time
import traceback
import unicodedata
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synthetic import generate_plan  # noqa: E402
from ingest.analyse import analyse_file  # noqa: E402
from ingest.errors import IngestError  # noqa: E402
from ingest.rdf import build_graph  # noqa: E402

SEEDS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))]
TIME_LIMIT_S = 10


class Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise Timeout()


def base_text(rng: random.Random, i: int) -> str:
    return rng.choice(SEEDS) if rng.random() < 0.3 else generate_plan(i, seed=rng.randrange(1000)).text


def mutate_text(rng: random.Random, text: str) -> tuple[str, str]:
    kind = rng.choice(["nfd", "garble", "drop_header", "break_table", "huge_line", "shuffle", "truncate",
                       "controls", "none", "mixed"])
    lines = text.split("\n")
    if kind == "nfd":
        text = unicodedata.normalize("NFD", text)
    elif kind == "garble":
        chars = list(text)
        for _ in range(rng.randrange(1, 200)):
            chars[rng.randrange(len(chars))] = chr(rng.choice([rng.randrange(0x20, 0x7f), rng.randrange(0xa0, 0x2fff),
                                                                rng.randrange(0xd7ff, 0xfffd)]))
        text = "".join(chars)
    elif kind == "drop_header":
        text = "\n".join(lines[rng.randrange(1, max(2, len(lines) // 2)):])
    elif kind == "break_table":
        text = "\n".join(l.replace("\t", rng.choice(["", "\t\t\t", " | ", "\t" * 9])) if "\t" in l else l for l in lines)
    elif kind == "huge_line":
        text += "\n" + ("Sở Nội vụ chủ trì, phối hợp với " * rng.randrange(1000, 20000))
    elif kind == "shuffle":
        rng.shuffle(lines)
        text = "\n".join(lines)
    elif kind == "truncate":
        text = text[: rng.randrange(0, len(text) + 1)]
    elif kind == "controls":
        text = "".join(c if rng.random() > 0.01 else chr(rng.randrange(1, 32)) for c in text)
    elif kind == "mixed":
        text = mutate_text(rng, mutate_text(rng, text)[0])[0]
    return text, kind


def make_file(rng: random.Random, i: int, directory: Path) -> tuple[Path, str]:
    text, kind = mutate_text(rng, base_text(rng, i))
    suffix = rng.choice([".txt", ".txt", ".md", ".html", ".docx", ".pdf", ".txt"])
    path = directory / f"fuzz-{i}{suffix}"
    if rng.random() < 0.05:
        path.write_bytes(rng.randbytes(rng.randrange(0, 5000)))
        return path, "random_bytes"
    if suffix in (".txt", ".md"):
        path.write_bytes(text.encode("utf-8", "surrogatepass") if rng.random() > 0.05 else text.encode("utf-16", "surrogatepass"))
    elif suffix == ".html":
        body = "".join(f"<p>{l}</p>" if "\t" not in l else "<table><tr>" + "".join(
            f"<td>{c}</td>" for c in l.split("\t")) + "</tr></table>" for l in text.split("\n"))
        path.write_text(f"<html><body>{body}</body></html>" if rng.random() > 0.1 else body[: len(body) // 2],
                        encoding="utf-8", errors="surrogatepass")
    elif suffix == ".docx":
        path.write_bytes(make_docx(rng, text))
    else:
        path.write_bytes(make_pdf(rng, text))
    return path, kind


def make_docx(rng: random.Random, text: str) -> bytes:
    from docx import Document

    doc = Document()
    for line in text.split("\n")[:400]:
        if "\t" in line:
            cells = line.split("\t")
            table = doc.add_table(rows=1, cols=len(cells))
            for cell, value in zip(table.rows[0].cells, cells):
                cell.text = _xml_safe(value)
        else:
            doc.add_paragraph(_xml_safe(line))
    buffer = io.BytesIO()
    doc.save(buffer)
    data = buffer.getvalue()
    if rng.random() < 0.3:   # junk inside the container
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
            for item in src.infolist():
                payload = src.read(item)
                if item.filename == "word/document.xml":
                    cut = rng.randrange(len(payload))
                    payload = payload[:cut] + rng.randbytes(rng.randrange(0, 50)) + payload[cut:]
                dst.writestr(item, payload)
        data = out.getvalue()
    return data


def make_pdf(rng: random.Random, text: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if font.exists():
        pdf.add_font("dejavu", fname=str(font))
        pdf.set_font("dejavu", size=9)
    else:
        pdf.set_font("helvetica", size=9)
        text = text.encode("latin-1", "replace").decode("latin-1")
    for line in text.split("\n")[:150]:
        try:
            pdf.multi_cell(0, 5, _xml_safe(line)[:2000] or " ")
        except Exception:
            continue
    data = bytes(pdf.output())
    if rng.random() < 0.3:
        cut = rng.randrange(len(data))
        data = data[:cut] + rng.randbytes(rng.randrange(1, 200)) + data[cut + 10:]
    return data


def _xml_safe(text: str) -> str:
    return "".join(c for c in text if c in "\t\n" or (0x20 <= ord(c) < 0xD800) or 0xE000 <= ord(c) <= 0xFFFD)


def run(count: int, seed: int, time_limit: float = TIME_LIMIT_S) -> dict:
    rng = random.Random(seed)
    outcomes: Counter[str] = Counter()
    findings: list[str] = []
    slowest = (0.0, "")
    signal.signal(signal.SIGALRM, _alarm)
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        for i in range(count):
            path, kind = make_file(rng, i, directory)
            start = time.perf_counter()
            signal.setitimer(signal.ITIMER_REAL, time_limit)
            try:
                parsed = analyse_file(path, max_bytes=5_000_000)
                build_graph(parsed, str(path))
                outcomes["ingested"] += 1
            except IngestError as err:
                outcomes["clear error"] += 1
                if path.name not in str(err):
                    findings.append(f"{path.name} ({kind}): error does not name the file: {err}")
            except Timeout:
                outcomes["hang"] += 1
                findings.append(f"{path.name} ({kind}): over {time_limit} s")
            except Exception as err:  # noqa: BLE001 - that is what we are looking for
                outcomes["crash"] += 1
                findings.append(f"{path.name} ({kind}): {type(err).__name__}: {err}\n"
                                + "".join(traceback.format_exc(limit=3)))
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            elapsed = time.perf_counter() - start
            if elapsed > slowest[0]:
                slowest = (elapsed, f"{path.name} ({kind}, {path.stat().st_size} bytes)")
            path.unlink()
    return {"outcomes": outcomes, "findings": findings, "slowest": slowest}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    start = time.perf_counter()
    result = run(args.count, args.seed)
    print(f"{args.count} fuzzed files in {time.perf_counter() - start:.0f} s: {dict(result['outcomes'])}; "
          f"slowest {result['slowest'][0]:.2f} s ({result['slowest'][1]})")
    for finding in result["findings"][:30]:
        print(" -", finding)
    return 1 if result["outcomes"]["crash"] or result["outcomes"]["hang"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
