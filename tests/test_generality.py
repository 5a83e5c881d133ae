"""Other provinces' plans: the rules must carry beyond the two seeds.

The synthetic generator (bench/synthetic.py) writes plans of 50+ provinces and
~250 districts with other agencies, numbering (I., I -, II-, I/, markdown
headings that lie), owner styles, deadline forms and tab or pipe tables, and
records what it wrote. The extractor is scored against that record.
"""

from __future__ import annotations

from bench.synthetic_score import run


def test_synthetic_plans_of_other_provinces(tmp_path):
    scores = run(count=60, seed=2024, directory=tmp_path)
    print("\nsynthetic plans:", scores.line())
    for line in (scores.failed_files + scores.misses)[:20]:
        print("  ", line)
    assert not scores.failed_files
    assert scores.recall >= 0.97
    assert scores.precision >= 0.97
    assert scores.owner_accuracy >= 0.97
    assert scores.coop_f1 >= 0.90
    assert scores.deadlines_right >= 0.95 * scores.matched
