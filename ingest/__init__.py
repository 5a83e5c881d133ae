"""Ingest Vietnamese policy documents into an RDF knowledge graph.

Stages, each a small module: read (``readers``) -> normalise (``normalize``)
-> segment (``structure``) -> extract (``tasks``, ``references``, ``deadlines``,
``targets``) -> resolve agencies (``agencies``) -> build RDF (``rdf``) ->
validate (``validate``) -> store (``store``). ``pipeline`` chains them.
"""
