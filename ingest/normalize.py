"""Text normalisation applied before any matching.

Three forms of a text exist side by side:
- raw: exactly as read, kept for display and provenance;
- canonical (:func:`canonical`): NFC, one tone-mark placement (``hoà`` ->
  ``hòa``), spelling variants unified (``hàng năm`` -> ``hằng năm``);
- folded (:func:`fold`): canonical, lower-cased, diacritics removed
  (``Sở Nội vụ`` -> ``so noi vu``), the form used for matching, so input
  without diacritics matches too.

``fold`` keeps the length of an NFC string, so offsets found in the folded
form point at the same characters of the NFC text.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import lru_cache
from pathlib import Path

ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"

_TONES = "\u0300\u0301\u0303\u0309\u0323"
# New-style placement puts the tone on the second vowel of an open oa/oe/uy
# syllable (hoà, thuỷ, khoẻ); we use the first (hòa, thủy, khỏe). "qu" is a
# consonant, so quý keeps its mark.
_NEW_STYLE_TONE = re.compile(
    rf"(?<![qQ])([oOuU])([aAeEyY])([{_TONES}])(?![\w])"
)


@lru_cache(maxsize=1)
def _variants() -> dict[str, str]:
    with open(ONTOLOGY_DIR / "abbreviations.toml", "rb") as fh:
        data = tomllib.load(fh)
    return {unicodedata.normalize("NFC", k): unicodedata.normalize("NFC", v)
            for k, v in data.get("variants", {}).items()}


@lru_cache(maxsize=1)
def abbreviations() -> dict[str, str]:
    """Abbreviation -> full form (from ontology/abbreviations.toml)."""
    with open(ONTOLOGY_DIR / "abbreviations.toml", "rb") as fh:
        data = tomllib.load(fh)
    return {unicodedata.normalize("NFC", k): unicodedata.normalize("NFC", v)
            for k, v in data["abbreviations"].items()}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def unify_tone_marks(text: str) -> str:
    """Move tones of open oa/oe/uy syllables to the first vowel: hoà -> hòa."""
    decomposed = unicodedata.normalize("NFD", text)
    moved = _NEW_STYLE_TONE.sub(r"\1\3\2", decomposed)
    return unicodedata.normalize("NFC", moved)


def _apply_variants(text: str) -> str:
    for variant, preferred in _variants().items():
        if variant in text:
            text = text.replace(variant, preferred)
        cap_variant, cap_preferred = variant.capitalize(), preferred.capitalize()
        if cap_variant in text:
            text = text.replace(cap_variant, cap_preferred)
    return text


def canonical(text: str) -> str:
    """NFC + one tone placement + spelling variants; length may change."""
    return _apply_variants(unify_tone_marks(nfc(text)))


def _fold_table() -> dict[int, str]:
    """Every Latin letter with diacritics (U+00C0–U+024F, U+1E00–U+1EFF) -> its base letter."""
    table = {ord("đ"): "d", ord("Đ"): "D"}
    for code in list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)):
        ch = chr(code)
        base = unicodedata.normalize("NFD", ch)[0]
        if base != ch and base.isascii():
            table[code] = base
    return table


_FOLD_TABLE = _fold_table()


def fold(text: str) -> str:
    """Lower-case, diacritics removed, one character per NFC character."""
    text = unicodedata.normalize("NFC", text)
    if text.isascii():
        return text.lower()
    return text.translate(_FOLD_TABLE).lower()


_SPACES = re.compile(r"\s+")


def squash_spaces(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def match_key(text: str) -> str:
    """The key two surface forms share when they name the same thing."""
    return squash_spaces(fold(canonical(text)))
