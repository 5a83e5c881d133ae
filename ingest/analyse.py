"""One file -> everything extracted from it (no RDF yet)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .agencies import AgencyMatcher, default_matcher
from .docinfo import DocumentAnalyser, DocumentInfo
from .errors import IngestError
from .layout import MARKER, Paragraph, to_paragraphs
from .objectives import TargetDraft, extract_targets
from .readers import read_source
from .source import SourceText
from .structure import Outline, parse_outline
from .tasks import MeasureDraft, TaskDraft, TaskExtractor

WRAPPED_MEDIA = {"text/plain", "text/markdown", "application/pdf"}


@dataclass
class ParsedDocument:
    source: SourceText
    outline: Outline
    info: DocumentInfo
    tasks: list[TaskDraft]
    targets: list[TargetDraft]
    measures: list[MeasureDraft]


def analyse_file(path: Path, matcher: AgencyMatcher | None = None, max_bytes: int = 5_000_000) -> ParsedDocument:
    return analyse_source(read_source(Path(path), max_bytes=max_bytes), matcher)


def analyse_source(source: SourceText, matcher: AgencyMatcher | None = None) -> ParsedDocument:
    matcher = matcher or default_matcher()
    path = str(source.path)
    paragraphs = to_paragraphs(source.lines, _sentence_test(matcher), wrapped=_is_wrapped(source))
    if not paragraphs:
        raise IngestError(path, "no text found")
    outline = parse_outline(paragraphs, path)
    if outline.header.doc_type is None and not outline.parts:
        raise IngestError(path, "not a policy document: no type heading (KẾ HOẠCH, NGHỊ QUYẾT, QUYẾT ĐỊNH, …) "
                          "and no numbered parts (I., II., …) found", 1)
    flat_text = "\n".join(p.text for p in paragraphs)   # wraps joined, one paragraph a line
    info = DocumentAnalyser(matcher).analyse(outline, flat_text)
    extractor = TaskExtractor(matcher, info.jurisdiction, path)
    tasks = extractor.extract(outline)
    return ParsedDocument(source, outline, info, tasks, extract_targets(outline), extractor.measures)


def _is_wrapped(source: SourceText) -> bool:
    """Text whose paragraphs are separated by blank lines has wrapped lines inside them."""
    if source.media_type not in WRAPPED_MEDIA:
        return False
    if source.media_type == "application/pdf":
        return True
    blank = sum(1 for line in source.lines if not line.text.strip())
    return blank >= 0.25 * max(1, len(source.lines) - blank)


def _sentence_test(matcher: AgencyMatcher):
    """Whether an unterminated paragraph is a sentence cut by a page break (not a heading)."""

    def continues(para: Paragraph) -> bool:
        m = MARKER.match(para.text)
        if m is None:  # a long plain paragraph with clause punctuation; titles have none
            return len(para.text.split()) > 12 and ("," in para.text or ";" in para.text)
        if m.group("bullet"):
            return True
        if m.group("roman"):
            return False
        rest = para.text[m.end():]
        mention = matcher.starts_with_agency(rest)
        return mention is not None and len(rest[mention.end:].split()) >= 2

    return continues
