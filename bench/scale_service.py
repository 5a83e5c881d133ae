"""Time the query service (PolicyService, no HTTP) on an existing embedded store: the routes'
queries at their final form, for docs/BENCHMARKS.md ("after the final query fixes").

    python bench/scale_service.py STORE_DIR        # e.g. a store bulk-loaded from bench/scale.py's corpus.nq

Prints one line per call: median ms of 3 runs (1 when a run takes over 20 s).
"""
import statistics
import sys
import time

from api.service import PolicyService
svc = PolicyService.open(sys.argv[1] if len(sys.argv) > 1 else "data")
def t(name, fn, reps=3):
    times = []
    for _ in range(reps):
        s = time.perf_counter(); out = fn(); times.append(time.perf_counter() - s)
        if times[-1] > 20: break
    n = len(out) if hasattr(out, "__len__") else out
    print(f"{name}: {statistics.median(times)*1000:.0f} ms (runs {[round(x,2) for x in times]}) n={n}", flush=True)
t("health graphs", lambda: svc.store.graphs())
t("tasks agency so-noi-vu page", lambda: svc.tasks(agency="Sở Nội vụ", limit=101))
# not timed: svc.tasks(limit=101) with no filter sorts all tasks (minutes at 10M; see docs/BENCHMARKS.md)
docs = svc.documents(limit=101)
t("documents page", lambda: svc.documents(limit=101))
t("documents page offset 5000", lambda: svc.documents(limit=101, offset=5000))
t("documents cited page", lambda: svc.documents(include_cited=True, limit=101))
t("document one", lambda: svc.document(docs[0]["iri"]))
t("document 45-NQ/TW", lambda: svc.document("https://policykg.org/id/doc/vn/45-nq-tw"), reps=1)
t("agencies page", lambda: svc.agencies(limit=101))
ag = svc.agencies(limit=101)
t("agency one", lambda: svc.agency(ag[50]["iri"]))
t("targets doc", lambda: svc.targets(document=docs[0]["iri"]))
t("owner labels", lambda: svc.owner_labels(), reps=1)
t("resolve doc by number", lambda: svc.resolve_document("45-NQ/TW"))
