"""A short fuzz run in every test run (bench/fuzz.py runs 10,000; docs/RELIABILITY.md has the figures):
mutated and random documents in every supported format either ingest or fail with a clear
IngestError naming the file, and none takes longer than the per-file limit."""

from __future__ import annotations

from bench.fuzz import run


def test_fuzzed_documents_never_crash_or_hang():
    result = run(count=150, seed=20261122, time_limit=20)
    outcomes = result["outcomes"]
    print(f"\nfuzz: {dict(outcomes)}; slowest {result['slowest'][0]:.2f} s")
    assert outcomes["crash"] == 0 and outcomes["hang"] == 0, result["findings"][:5]
    assert not result["findings"], result["findings"][:5]
    assert outcomes["ingested"] > 0 and outcomes["clear error"] > 0
