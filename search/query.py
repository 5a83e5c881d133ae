"""Query understanding: agency names and số hiệu in a query become graph filters or boosts.

"Sở Nội vụ chủ trì những nhiệm vụ nào?" names an agency and the lead role, so
tasks that Sở Nội vụ leads rank first; "phối hợp" asks for the cooperating role;
"45-NQ/TW" favours units of or about that document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.agencies import default_matcher
from ingest.normalize import fold
from ingest.references import find_references

MAX_QUERY_CHARS = 2000
_COOPERATE = re.compile(r"\b(phoi hop|cooperat\w*|support\w*|assist\w*)\b")


class QueryError(ValueError):
    """A query that cannot be searched (empty, only punctuation)."""


@dataclass
class UnderstoodQuery:
    text: str                                   # the query as searched (trimmed, capped)
    agency_ids: tuple[str, ...] = ()            # gazetteer ids named in the query
    role: str = "owner"                         # owner | cooperating
    numbers: tuple[str, ...] = ()               # số hiệu named in the query
    notes: list[str] = field(default_factory=list)


def understand(query: str) -> UnderstoodQuery:
    text = (query or "").strip()
    if not text:
        raise QueryError("empty query: type some words, e.g. 'Sở Nội vụ chủ trì những nhiệm vụ nào'")
    if not re.search(r"\w", text):
        raise QueryError("the query has no letters or digits to search for")
    notes = []
    if len(text) > MAX_QUERY_CHARS:
        text = text[:MAX_QUERY_CHARS]
        notes.append(f"query cut to its first {MAX_QUERY_CHARS} characters")
    mentions = default_matcher().find(text)
    ids: list[str] = []
    for mention in mentions:
        if mention.candidates[0].kind == "collective":
            continue
        for entry in mention.candidates:
            if entry.id not in ids:
                ids.append(entry.id)
    key = fold(text)
    return UnderstoodQuery(
        text=text, agency_ids=tuple(ids),
        role="cooperating" if _COOPERATE.search(key) else "owner",
        numbers=tuple(r.number for r in find_references(text)),
        notes=notes,
    )
