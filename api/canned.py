r"""Canned example SPARQL queries (``ontology/queries/*.rq``) with named parameters.

Each file starts with comment lines::

    # title: Tasks led by an agency
    # description: ... (may repeat; the lines are joined)
    # param: agency = so-noi-vu
    # param: start (date) = 2024-10-01

and uses each parameter in the query as ``$name``. A parameter's type is
``string`` unless given in parentheses (``string``, ``date``, ``integer``,
``iri``) or its default is a YYYY-MM-DD date. Values are never pasted as
text: each becomes one SPARQL term (an escaped string literal, an
``xsd:date``/``xsd:integer`` literal after validation, or a checked IRI), so a
value cannot change the query's structure.

>>> print(sparql_string('Sở "Nội" vụ\\n'))
"Sở \"Nội\" vụ\\n"
>>> example = CannedQuery.parse("demo", "# title: Demo\n# param: n = 45-NQ/TW\nASK { ?d eli:id_local $n }")
>>> print(example.render({"n": 'x" } ; DROP ALL #'}).splitlines()[-1])
ASK { ?d eli:id_local "x\" } ; DROP ALL #" }
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import pyoxigraph as ox

QUERIES_DIR = Path(__file__).resolve().parent.parent / "ontology" / "queries"
MAX_VALUE_CHARS = 500
TYPES = ("string", "date", "integer", "iri")

_HEADER = re.compile(r"#\s*(title|description|param)\s*:\s*(.*?)\s*$", re.I)
_PARAM = re.compile(r"([A-Za-z_]\w*)\s*(?:\(\s*(\w+)\s*\))?\s*=\s*(.*)$")
_PLACEHOLDER = re.compile(r"\$([A-Za-z_]\w*)")
_BAD_IRI = re.compile(r'[\x00-\x20<>"{}|\\^`]')
_XSD = "http://www.w3.org/2001/XMLSchema#"


class CannedError(ValueError):
    """A bad parameter value, an unknown parameter or a malformed query file."""


def sparql_string(value: str) -> str:
    """``value`` as a SPARQL string literal: quotes, backslashes and line breaks escaped."""
    if "\x00" in value:
        raise CannedError("a parameter value may not contain NUL characters")
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
               .replace("\r", "\\r").replace("\t", "\\t").replace("\b", "\\b").replace("\f", "\\f"))
    return f'"{escaped}"'


def sparql_term(value: str, kind: str, name: str = "value") -> str:
    """One SPARQL term for a parameter value of type ``kind``; CannedError if it does not fit."""
    if len(value) > MAX_VALUE_CHARS:
        raise CannedError(f"parameter {name!r} is longer than {MAX_VALUE_CHARS} characters")
    if kind == "string":
        return sparql_string(value)
    if kind == "date":
        try:
            day = dt.date.fromisoformat(value.strip())
        except ValueError:
            raise CannedError(f"parameter {name!r} must be a date YYYY-MM-DD, not {value!r}") from None
        return f'"{day.isoformat()}"^^<{_XSD}date>'
    if kind == "integer":
        text = value.strip()
        if not re.fullmatch(r"[+-]?\d{1,18}", text):
            raise CannedError(f"parameter {name!r} must be an integer, not {value!r}")
        return f'"{int(text)}"^^<{_XSD}integer>'
    if kind == "iri":
        text = value.strip()
        if not text or _BAD_IRI.search(text) or ":" not in text:
            raise CannedError(f"parameter {name!r} must be an absolute IRI, not {value!r}")
        try:
            return f"<{ox.NamedNode(text).value}>"
        except ValueError as err:
            raise CannedError(f"parameter {name!r} must be an absolute IRI: {err}") from None
    raise CannedError(f"unknown parameter type {kind!r}")


@dataclass(frozen=True)
class Param:
    name: str
    default: str
    type: str = "string"

    def as_dict(self) -> dict:
        return {"name": self.name, "type": self.type, "default": self.default}


@dataclass(frozen=True)
class CannedQuery:
    id: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str            # the file as written, with $name placeholders

    @classmethod
    def parse(cls, ident: str, text: str) -> "CannedQuery":
        title, description, params = "", [], []
        for line in text.splitlines():
            stripped = line.strip()
            if not stripped:
                continue
            if not stripped.startswith("#"):
                break
            match = _HEADER.match(stripped)
            if not match:
                continue
            key, value = match.group(1).lower(), match.group(2)
            if key == "title":
                title = value
            elif key == "description":
                description.append(value)
            else:
                p = _PARAM.match(value)
                if not p:
                    raise CannedError(f"{ident}: bad param line {stripped!r} (want: # param: name = default)")
                name, kind, default = p.group(1), (p.group(2) or "").lower(), p.group(3).strip()
                if not kind:
                    kind = "date" if re.fullmatch(r"\d{4}-\d{2}-\d{2}", default) else "string"
                if kind not in TYPES:
                    raise CannedError(f"{ident}: parameter {name!r} has unknown type {kind!r}")
                params.append(Param(name, default, kind))
        names = [p.name for p in params]
        if len(set(names)) != len(names):
            raise CannedError(f"{ident}: a parameter is declared twice")
        body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
        missing = [n for n in names if f"${n}" not in body]
        if missing:
            raise CannedError(f"{ident}: parameter(s) {', '.join(missing)} not used in the query")
        return cls(ident, title or ident, " ".join(description), tuple(params), text)

    def values(self, given: Mapping[str, str] | None = None) -> dict[str, str]:
        """The parameter values: ``given`` over the defaults; unknown names refused."""
        given = dict(given or {})
        unknown = sorted(set(given) - {p.name for p in self.params})
        if unknown:
            known = ", ".join(p.name for p in self.params) or "none"
            raise CannedError(f"unknown parameter(s) {', '.join(unknown)} for {self.id!r} (parameters: {known})")
        return {p.name: given.get(p.name, p.default) for p in self.params}

    def render(self, given: Mapping[str, str] | None = None) -> str:
        """The query with each ``$name`` replaced by the value as one SPARQL term."""
        values = self.values(given)
        terms = {p.name: sparql_term(values[p.name], p.type, p.name) for p in self.params}
        lines = []
        for line in self.text.splitlines():
            if line.lstrip().startswith("#"):
                lines.append(line)
            else:
                lines.append(_PLACEHOLDER.sub(lambda m: terms.get(m.group(1), m.group(0)), line))
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "description": self.description,
                "params": [p.as_dict() for p in self.params], "query": self.text,
                "url": f"/sparql/examples/{self.id}"}


def load_examples(directory: str | Path = QUERIES_DIR) -> dict[str, CannedQuery]:
    """id (file stem) -> query, sorted by id."""
    directory = Path(directory)
    if not directory.is_dir():
        return {}
    return {path.stem: CannedQuery.parse(path.stem, path.read_text(encoding="utf-8"))
            for path in sorted(directory.glob("*.rq"))}


__all__ = ["CannedError", "CannedQuery", "Param", "load_examples", "sparql_string", "sparql_term"]
