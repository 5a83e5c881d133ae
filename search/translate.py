"""English query -> Vietnamese search words through the policy glossary (ontology/glossary.toml)
and the agency gazetteer's English names; longest English phrase first.

>>> g = Glossary({"database": ["cơ sở dữ liệu"], "build": ["xây dựng"]})
>>> g.translate("build a database")
'xây dựng cơ sở dữ liệu'
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache

from ingest.normalize import ONTOLOGY_DIR

_WORD = re.compile(r"[a-z0-9]+(?:['’-][a-z0-9]+)*")
STOP = frozenset("a an the of and or to for in on at by with from into about which what who whose whom how "
                 "is are be been being do does did that this these those its it their there all any some "
                 "tasks task".split())


class Glossary:
    def __init__(self, entries: dict[str, list[str]]):
        self.entries = entries
        self.longest = max((len(k.split()) for k in entries), default=1)

    def english_share(self, query: str) -> float:
        words = _WORD.findall(query.lower())
        if not words:
            return 0.0
        known = sum(1 for w in words if w in STOP or w in self.entries)
        return known / len(words)

    def translate(self, query: str) -> str:
        words = _WORD.findall(query.lower())
        out: list[str] = []
        i = 0
        while i < len(words):
            for n in range(min(self.longest, len(words) - i), 0, -1):
                phrase = " ".join(words[i:i + n])
                if phrase in self.entries:
                    out.extend(self.entries[phrase])
                    i += n
                    break
            else:
                i += 1
        return " ".join(out)


@lru_cache(maxsize=1)
def default_glossary() -> Glossary:
    with open(ONTOLOGY_DIR / "glossary.toml", "rb") as fh:
        data = tomllib.load(fh)
    entries: dict[str, list[str]] = {}
    for term in data.get("term", []):
        for form in term["en"]:
            entries.setdefault(form.lower(), [])
            entries[form.lower()].extend(v for v in term["vi"] if v not in entries[form.lower()])
    return Glossary(entries)
