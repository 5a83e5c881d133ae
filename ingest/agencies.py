"""Find agency mentions in text and resolve them to agencies of a jurisdiction.

Matching runs spaCy's PhraseMatcher over syllable tokens of the *folded* text
(lower case, no diacritics), so "So Noi vu", "SỞ NỘI VỤ" and "Sở Nội vụ" all
match, as do abbreviated forms generated from ``ontology/abbreviations.toml``
("UBND tỉnh", "Liên hiệp các hội KH&KT tỉnh"). A name without a place is
scoped to the issuing document's jurisdiction: "Sở Nội vụ" in a Bắc Giang
plan is Sở Nội vụ tỉnh Bắc Giang.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from .gazetteer import AgencyEntry, Gazetteer, Province, default_gazetteer
from .normalize import abbreviations, fold, nfc

TOKEN = re.compile(r"\w+|[^\w\s]")
LEVEL_SUFFIXES = {
    ("tinh",): "province", ("huyen",): "district", ("xa",): "commune",
    ("thanh", "pho"): "district", ("thi", "xa"): "district", ("quan",): "district",
    ("cap", "tinh"): "province", ("cap", "huyen"): "district",
}
# Words that, at the start of a name we do not know, make it an organisation.
ORG_HEADS = (
    "so", "phong", "ban", "uy ban", "ubnd", "hoi", "lien hiep", "trung tam", "bao", "dai", "van phong",
    "truong", "benh vien", "cong an", "bo", "cuc", "chi cuc", "tong cuc", "vien", "doan", "thanh tra",
    "kho bac", "ngan hang", "quy", "cong ty", "tinh doan", "huyen doan", "cac", "dang uy", "chi bo",
    "mat tran", "lien doan", "hoi dong", "thuong truc", "tinh uy", "huyen uy", "thanh uy",
)


def tokenize(folded: str) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in TOKEN.finditer(folded)]


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    candidates: tuple[AgencyEntry, ...]
    province: Province | None = None
    district: str | None = None
    level_word: str | None = None


@dataclass(frozen=True)
class Jurisdiction:
    level: str                      # central | province | district
    province: Province | None = None
    district: str | None = None

    @property
    def path(self) -> str:
        """IRI path: vn, a province (bac-giang), a district (bac-giang/yen-dung), or a district whose
        province the text never names (vn/duc-hoa): districts of one name in two provinces then share it."""
        if self.level == "central":
            return "vn"
        if self.level == "district" and self.district:
            return f"{self.province.id if self.province else 'vn'}/{slugify(self.district)}"
        return self.province.id if self.province else "vn"

    @property
    def placed(self) -> bool:
        """Whether this is a place at all: not a local level whose place the text never names."""
        return self.path != "vn" or self.level == "central"

    @property
    def label(self) -> str:
        if not self.placed or self.level == "central":
            return "Việt Nam"
        if self.level == "district" and self.district:
            return f"huyện {self.district}" + (f", {self.province.kind} {self.province.name}" if self.province else "")
        return f"{self.province.kind} {self.province.name}"


@dataclass(frozen=True)
class Agency:
    """An agency of one jurisdiction, e.g. Sở Nội vụ tỉnh Bắc Giang."""

    key: str                        # IRI path below /id/agency/
    label_vi: str
    label_en: str | None
    entry: AgencyEntry | None       # None when the name is not in the gazetteer
    jurisdiction: Jurisdiction
    surface: str                    # as written in the source

    @property
    def kind(self) -> str:
        return self.entry.kind if self.entry else "other"


_PLACE_SUFFIX = re.compile(r"(tỉnh|huyện|thành phố|Tỉnh ủy|Huyện ủy|Thành ủy|cấp tỉnh|cấp huyện)$", re.I)
_LEVEL_WORD = re.compile(r"\s(tỉnh|huyện|xã|cấp tỉnh|cấp huyện)$", re.I)


def _surface_variants(form: str) -> set[str]:
    """The form plus every abbreviated variant of it (UBND for Ủy ban nhân dân, …)."""
    variants = {form, form.replace(" và ", " & ")}
    for abbr, full in abbreviations().items():
        for v in list(variants):
            if full.lower() in v.lower():
                idx = v.lower().index(full.lower())
                variants.add(v[:idx] + abbr + v[idx + len(full):])
    return variants


class AgencyMatcher:
    """Phrase matching of gazetteer names; one instance serves every document."""

    def __init__(self, gazetteer: Gazetteer | None = None):
        self.gazetteer = gazetteer or default_gazetteer()
        self.nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
        self._keys: dict[str, list[AgencyEntry]] = {}
        self._en_keys: dict[str, list[AgencyEntry]] = {}
        self._province_keys: dict[str, Province] = {}
        self.matcher = PhraseMatcher(self.nlp.vocab)
        self.place_matcher = PhraseMatcher(self.nlp.vocab)
        self._build()

    # -- construction -------------------------------------------------------
    def _add(self, table: dict, matcher: PhraseMatcher, form: str, value) -> None:
        tokens = [t for t, _, _ in tokenize(fold(form))]
        if not tokens:
            return
        key = " ".join(tokens)
        bucket = table.setdefault(key, [])
        if value not in bucket:
            bucket.append(value)
            if len(bucket) == 1:
                matcher.add(key, [Doc(self.nlp.vocab, words=tokens)])

    def _build(self) -> None:
        provinces = self.gazetteer.provinces
        for p in provinces:
            for name in (p.name, *p.aliases):
                self._add(self._province_keys, self.place_matcher, name, p)
        self._province_keys = {k: v[0] for k, v in self._province_keys.items()}  # type: ignore[index]
        for entry in self.gazetteer.agencies:
            forms: set[str] = set()
            for form in (entry.vi, *entry.aliases):
                if "{province}" in form:
                    for p in provinces:
                        forms.add(form.replace("{province}", p.name))
                    continue
                forms.add(form)
                stem = _LEVEL_WORD.sub("", form).strip()
                if stem and stem != form and len(stem.split()) >= 2 and not stem.lower().endswith(" các"):
                    forms.add(stem)  # "Ủy ban nhân dân" alone: level chosen by context
            for form in forms:
                for variant in _surface_variants(form):
                    self._add(self._keys, self.matcher, variant, entry)
            for form in (entry.en, *entry.en_aliases):
                self._add(self._en_keys, self.matcher, form, entry)

    # -- matching -------------------------------------------------------------
    def find(self, text: str) -> list[Mention]:
        """Longest non-overlapping agency mentions in ``text`` (NFC)."""
        return self._find_cached(nfc(text))

    @lru_cache(maxsize=4096)
    def _find_cached(self, text: str) -> list[Mention]:
        folded = fold(text)
        toks = tokenize(folded)
        if not toks:
            return []
        doc = Doc(self.nlp.vocab, words=[t for t, _, _ in toks])
        spans = []
        for match_id, start, end in self.matcher(doc):
            key = self.nlp.vocab.strings[match_id]
            entries = self._keys.get(key) or self._en_keys.get(key)
            if entries:
                spans.append((start, end, tuple(entries)))
        spans.sort(key=lambda s: (-(s[1] - s[0]), s[0]))
        taken: list[tuple[int, int, tuple]] = []
        for span in spans:
            if all(span[1] <= t[0] or span[0] >= t[1] for t in taken):
                taken.append(span)
        taken.sort()
        places = {start: (end, self._province_keys[self.nlp.vocab.strings[mid]])
                  for mid, start, end in self.place_matcher(doc)}
        out = []
        for start, end, entries in taken:
            end, province, district, level_word = self._place_after(text, toks, end, places)
            cstart, cend = toks[start][1], toks[end - 1][2]
            out.append(Mention(cstart, cend, text[cstart:cend], entries, province, district, level_word))
        return out

    def _place_after(self, text: str, toks: list, end: int, places: dict):
        """Extend a match over a following level word and place name."""
        province = district = level_word = None
        words = [t for t, _, _ in toks]
        for suffix, level in sorted(LEVEL_SUFFIXES.items(), key=lambda kv: -len(kv[0])):
            if tuple(words[end:end + len(suffix)]) == suffix:
                level_word = level
                end += len(suffix)
                break
        if end in places:
            end, province = places[end]
        elif level_word == "district" and end < len(toks):
            name = _capitalised_run(text, toks, end)
            if name:
                district, end = name
        return end, province, district, level_word

    def starts_with_agency(self, text: str) -> Mention | None:
        mentions = self.find(text[:300])
        return mentions[0] if mentions and mentions[0].start <= 1 else None

    def lookup(self, name: str) -> list[AgencyEntry]:
        """Gazetteer entries a user-typed name (vi, folded or en) refers to."""
        mentions = self.find(name)
        if mentions:
            longest = max(mentions, key=lambda m: m.end - m.start)
            return list(longest.candidates)
        return []


def _capitalised_run(text: str, toks: list, index: int) -> tuple[str, int] | None:
    words = []
    i = index
    while i < len(toks) and len(words) < 4:
        _, s, e = toks[i]
        word = text[s:e]
        if not word[:1].isupper() or not word.isalpha():
            break
        words.append(word)
        i += 1
    if not words:
        return None
    return " ".join(words), i


def resolve(mention: Mention, context: Jurisdiction, gazetteer: Gazetteer | None = None) -> Agency:
    """The agency a mention names, scoped to the document's jurisdiction."""
    entry = _choose_entry(mention, context)
    level = entry.level
    province = mention.province or context.province
    if level == "central":
        jurisdiction = Jurisdiction("central")
    elif level == "district" or (level in ("any", "commune") and context.level == "district"):
        district = mention.district or (context.district if context.level == "district" else None)
        jurisdiction = Jurisdiction("district" if district else "province", province, district)
    elif level == "any" and context.level == "central":
        jurisdiction = Jurisdiction("central")
    else:
        jurisdiction = Jurisdiction("province", province)
    return Agency(
        key=f"{jurisdiction.path}/{entry.id}",
        label_vi=_scoped_label(entry.vi, entry, jurisdiction),
        label_en=_scoped_label_en(entry.en, jurisdiction),
        entry=entry,
        jurisdiction=jurisdiction,
        surface=mention.text,
    )


def _choose_entry(mention: Mention, context: Jurisdiction) -> AgencyEntry:
    candidates = mention.candidates
    if len(candidates) == 1:
        return candidates[0]
    wanted = mention.level_word or context.level
    for level in (wanted, "province", "any"):
        for entry in candidates:
            if entry.level == level:
                return entry
    return candidates[0]


def _scoped_label(label: str, entry: AgencyEntry, j: Jurisdiction) -> str:
    """'Sở Nội vụ' -> 'Sở Nội vụ tỉnh Bắc Giang'; groups and unplaced names get '(…)'."""
    if j.level == "central" or j.province is None:
        return label
    placed = j.level == entry.level or entry.level == "any" or (entry.level == "commune" and j.level == "district")
    named = next((a for a in entry.aliases if "{province}" in a), None)
    if named and placed:
        return named.replace("{province}", j.province.name)   # "Báo {province}" -> "Báo Bắc Giang"
    if entry.kind == "collective" or not placed:
        return f"{label} ({j.label})"
    if _PLACE_SUFFIX.search(label):
        return f"{label} {j.district if j.level == 'district' else j.province.name}"
    if j.level == "district":
        return f"{label} huyện {j.district}"
    return f"{label} {j.province.kind} {j.province.name}"


def _scoped_label_en(label: str, j: Jurisdiction) -> str:
    if j.level == "central" or j.province is None:
        return label
    if j.level == "district" and j.district:
        return f"{label}, {j.district} District, {j.province.en}"
    return f"{label}, {j.province.en}"


def unknown_agency(name: str, context: Jurisdiction) -> Agency:
    """An organisation named in an owner slot that the gazetteer lacks."""
    name = nfc(name).strip(" ,;:.")
    return Agency(
        key=f"{context.path}/x-{slugify(name)}", label_vi=name, label_en=None, entry=None,
        jurisdiction=context, surface=name,
    )


def looks_like_organisation(name: str) -> bool:
    key = fold(name).strip()
    return any(key == head or key.startswith(head + " ") for head in ORG_HEADS) and len(key.split()) <= 14


@lru_cache(maxsize=1)
def default_matcher() -> AgencyMatcher:
    return AgencyMatcher()


__all__ = [
    "Agency", "AgencyMatcher", "Jurisdiction", "Mention", "default_matcher", "looks_like_organisation",
    "resolve", "slugify", "unknown_agency",
]
