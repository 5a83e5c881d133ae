"""Small helpers shared by test modules."""

from __future__ import annotations

import unicodedata


def to_cp1258(text: str) -> bytes:
    """Vietnamese in Windows-1258: base letter (+ circumflex/breve/horn) then a combining tone mark."""
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in d[1:] if c in "\u0300\u0301\u0303\u0309\u0323")
            shape = unicodedata.normalize("NFC", "".join(c for c in d if c not in tones))
            out += (shape + tones).encode("cp1258")
    return out
