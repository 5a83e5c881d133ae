"""The words of a SPARQL text, for checks that need no full parser: the read-only guard of
the endpoint and the query form (which media types to ask a remote server for)."""

from __future__ import annotations

import re

_LEXER = re.compile(r'''
    (?P<comment>\#[^\n\r]*)
  | (?P<string>"""(?:[^"\\]|\\.|"(?!""))*(?:"""|$)|\'\'\'(?:[^'\\]|\\.|'(?!''))*(?:\'\'\'|$)
              |"(?:[^"\\\n\r]|\\.)*"|'(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$]\w+)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>(?:[^\W\d][\w.\-]*)?:(?:[\w:%\-]|\\.|\.(?=[\w:%\-]))*)
  | (?P<word>[^\W\d]\w*)
  | (?P<other>.)
''', re.X | re.S)
UPDATE_KEYWORDS = frozenset({"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"})


def keywords(query: str) -> set[str]:
    """The bare words of a SPARQL text, upper-cased: not inside strings, IRIs, comments,
    variables, prefixed names or language tags.

    >>> sorted(keywords('SELECT * { ?s <http://x/DROP> "SERVICE" ; ex:insert ?service } # LOAD'))
    ['SELECT']
    """
    return {m.group("word").upper() for m in _LEXER.finditer(query) if m.lastgroup == "word"}


_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def query_form(query: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE: the first such keyword (sub-selects come later).

    >>> query_form('PREFIX s: <http://x/SELECT> CONSTRUCT { ?s ?p ?o } WHERE { { SELECT * {} } }')
    'CONSTRUCT'
    """
    for match in _LEXER.finditer(query):
        if match.lastgroup == "word" and match.group("word").upper() in _FORMS:
            return match.group("word").upper()
    return None


__all__ = ["UPDATE_KEYWORDS", "keywords", "query_form"]
