"""Document metadata: issuer and jurisdiction, number, date, level, and the
documents it implements or cites (with what each citation says of them)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .agencies import Agency, AgencyMatcher, Jurisdiction, Mention, resolve
from .gazetteer import Province
from .normalize import fold
from .references import (ISSUER_CODES, TYPE_CODES, Reference, canonical_number, date_after, find_references,
                         issuer_span_after, type_before)
from .structure import Outline

_DISTRICT = re.compile(r"\b(?:huyện|thị xã|quận|HUYỆN|THỊ XÃ|QUẬN)[ ]+((?:[^\W\d_]+[ ]?){1,3})")
_ISSUES = re.compile(r"\bban hành\b", re.IGNORECASE)
_NESTED = re.compile(r"(thuc hien|trien khai|thi hanh)\s*$|(ve|ve viec|huong dan|de)\s+(thuc hien|trien khai)")
_ALIAS_OPEN = re.compile(r"\((?:\s*)(viết tắt|sau đây gọi|gọi tắt)[^)]*$", re.IGNORECASE)
_SIGN_CAPACITY = re.compile(r"(TM|T/M|KT|K/T|TL|T/L)[.\s]*")


@dataclass
class CitedDocument:
    number: str
    type_name: str | None = None
    date: str | None = None
    issuer: Agency | None = None

    @property
    def level(self) -> str | None:
        return self.issuer.jurisdiction.level if self.issuer else None


@dataclass
class DocumentInfo:
    doc_type: str
    number: str | None
    number_text: str | None
    title: str
    date: str | None
    place: str | None
    issuer: Agency | None
    jurisdiction: Jurisdiction
    signer: str | None
    signature: list[str]
    recipients: list[str]
    cited: dict[str, CitedDocument] = field(default_factory=dict)
    implements: list[str] = field(default_factory=list)
    based_on: list[str] = field(default_factory=list)
    cites: list[str] = field(default_factory=list)
    cited_implements: list[tuple[str, str]] = field(default_factory=list)  # (lower, higher) among cited

    @property
    def level(self) -> str:
        return self.jurisdiction.level


class DocumentAnalyser:
    def __init__(self, matcher: AgencyMatcher):
        self.matcher = matcher

    def analyse(self, outline: Outline, full_text: str) -> DocumentInfo:
        header = outline.header
        preamble = " ".join(p.text for p in outline.preamble)
        issuer_mention = self._issuer_mention(outline, preamble)
        context = self._jurisdiction(outline, issuer_mention, full_text)
        issuer = resolve(issuer_mention, context) if issuer_mention else None
        number = None
        if header.number_text and re.search(r"\d", header.number_text):
            number = canonical_number(header.number_text)
        doc_type = header.doc_type or _type_from_number(header.number_text) or "Văn bản"
        info = DocumentInfo(
            doc_type=doc_type, number=number, number_text=header.number_text,
            title=(header.subject or preamble[:200]).strip(), date=header.date, place=header.place,
            issuer=issuer, jurisdiction=context, signer=outline.signer, signature=outline.signature,
            recipients=outline.recipients,
        )
        self._relations(info, header.subject, preamble)
        for ref in find_references(full_text):
            self.note_citation(info, full_text, ref)
        return info

    # -- issuer and jurisdiction ----------------------------------------------
    def _issuer_mention(self, outline: Outline, preamble: str) -> Mention | None:
        header = outline.header
        if header.issuer_lines:
            mentions = self.matcher.find(" ".join(header.issuer_lines))
            if mentions:
                return max(mentions, key=lambda m: (m.province is not None, m.end - m.start))
        for m in _ISSUES.finditer(preamble):
            before = [x for x in self.matcher.find(preamble[max(0, m.start() - 120): m.start()])]
            if before:
                return before[-1]
        for line in outline.signature:
            mentions = self.matcher.find(_SIGN_CAPACITY.sub("", line, count=1))
            if mentions:
                return mentions[0]
        code = (header.number_text or "").split("-")[-1].split("/")[-1]
        if code in ISSUER_CODES:
            mentions = self.matcher.find(ISSUER_CODES[code])
            return mentions[0] if mentions else None
        return None

    def _jurisdiction(self, outline: Outline, issuer: Mention | None, text: str) -> Jurisdiction:
        level = "province"
        if issuer:
            entry = issuer.candidates[0]
            if issuer.level_word:
                level = issuer.level_word
            elif len({c.level for c in issuer.candidates}) == 1 and entry.level in ("central", "district", "province"):
                level = entry.level
        province = issuer.province if issuer else None
        district = issuer.district if issuer else None
        place = outline.header.place
        if province is None and place:
            province = self._province_named(place)
        if province is None:
            province = self._most_mentioned_province(text)
        if level in ("district", "commune"):
            level = "district"
            if not district and place and self._province_named(place) is None:
                district = place.strip()
            if not district:
                header = " ".join(outline.header.issuer_lines)
                district = _most_common_district(header) or _most_common_district(text)
        if level == "central":
            return Jurisdiction("central")
        return Jurisdiction(level, province, district)

    def _province_named(self, name: str) -> Province | None:
        places = _find_provinces(self.matcher, name)
        return places[0] if places else None

    def _most_mentioned_province(self, text: str) -> Province | None:
        counts = Counter(p.id for p in _find_provinces(self.matcher, text))
        if not counts:
            return None
        best = counts.most_common(1)[0][0]
        return self.matcher.gazetteer.province(best)

    # -- relations --------------------------------------------------------------
    def _relations(self, info: DocumentInfo, subject: str, preamble: str) -> None:
        subject_refs = [r for r in find_references(subject) if r.number != info.number]
        if subject_refs and re.match(r"^\s*(thực hiện|triển khai|thi hành)", subject, re.IGNORECASE):
            _add(info.implements, subject_refs[0].number)
        mode = None
        for chunk in preamble.split(";"):
            key = fold(chunk).strip()
            if key.startswith("can cu"):
                mode = "based_on"
            elif key.startswith(("thuc hien", "trien khai", "thi hanh")):
                mode = "implements"
            head: Reference | None = None
            last_end = 0
            for ref in find_references(chunk):
                if ref.number == info.number or _ALIAS_OPEN.search(chunk[:ref.start]):
                    last_end = ref.end
                    continue
                window = fold(chunk[last_end:ref.start])
                before_type = re.sub(r"(nghi quyet|quyet dinh|ke hoach|chi thi|ket luan|chuong trinh|so|\s)+$", "",
                                     window).rstrip()
                if head is not None and _NESTED.search(before_type):
                    _add_pair(info.cited_implements, (head.number, ref.number))
                else:
                    head = ref
                    if mode == "implements":
                        _add(info.implements, ref.number)
                    elif mode == "based_on":
                        _add(info.based_on, ref.number)
                last_end = ref.end

    def note_citation(self, info: DocumentInfo, text: str, ref: Reference) -> None:
        """Record a reference in ``text`` as a citation with its type, date and issuer."""
        if ref.number == info.number:
            return
        _add(info.cites, ref.number)
        cited = info.cited.setdefault(ref.number, CitedDocument(ref.number))
        cited.type_name = cited.type_name or type_before(text, ref) or TYPE_CODES.get(ref.type_code)
        cited.date = cited.date or date_after(text, ref)
        if cited.issuer is None or cited.issuer.entry is None:
            cited.issuer = self._cited_issuer(info, text, ref) or cited.issuer

    def _cited_issuer(self, info: DocumentInfo, text: str, ref: Reference) -> Agency | None:
        start = issuer_span_after(text, ref)
        if start is not None:
            mention = self.matcher.starts_with_agency(text[start:start + 160])
            if mention:
                shifted = Mention(mention.start + start, mention.end + start, mention.text, mention.candidates,
                                  mention.province, mention.district, mention.level_word)
                return resolve(shifted, info.jurisdiction)
        code = "QH" if ref.issuer_code.startswith("QH") else ref.issuer_code
        name = ISSUER_CODES.get(code) or ("Quốc hội" if code == "QH" else None)
        if name:
            mentions = self.matcher.find(name)
            if mentions:
                return resolve(mentions[0], info.jurisdiction)
        return None


def _find_provinces(matcher: AgencyMatcher, text: str) -> list[Province]:
    from .agencies import tokenize
    from spacy.tokens import Doc

    toks = tokenize(fold(text))
    if not toks:
        return []
    doc = Doc(matcher.nlp.vocab, words=[t for t, _, _ in toks])
    found = []
    for match_id, start, end in matcher.place_matcher(doc):
        province = matcher._province_keys.get(matcher.nlp.vocab.strings[match_id])
        if province:
            found.append(province)
    return found


def _most_common_district(text: str) -> str | None:
    """The district named most often as "huyện <Name>" (capitalised words only)."""
    names: Counter[str] = Counter()
    for m in _DISTRICT.finditer(text):
        words = []
        for word in m.group(1).split():
            if not word[:1].isupper():
                break
            words.append(word.capitalize() if word.isupper() else word)
        if words:
            names[" ".join(words)] += 1
    return names.most_common(1)[0][0] if names else None


def _type_from_number(number_text: str | None) -> str | None:
    if not number_text:
        return None
    m = re.search(r"([A-ZĐ][A-Za-zĐđ]*)\s*[-/]", number_text)
    return TYPE_CODES.get(m.group(1)) if m else None


def _add(items: list[str], value: str) -> None:
    if value not in items:
        items.append(value)


def _add_pair(items: list[tuple[str, str]], pair: tuple[str, str]) -> None:
    if pair not in items and pair[0] != pair[1]:
        items.append(pair)
