"""The agency gazetteer and province list (data files in ``ontology/``)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .normalize import ONTOLOGY_DIR, nfc

LEVELS = ("central", "province", "district", "commune", "any")


@dataclass(frozen=True)
class AgencyEntry:
    id: str
    level: str
    kind: str
    vi: str
    en: str
    aliases: tuple[str, ...] = ()
    en_aliases: tuple[str, ...] = ()
    counterpart: str | None = None   # the corresponding agency one level down (Sở Nội vụ -> Phòng Nội vụ)
    members: str | None = None       # for a group: what each member is (UBND các huyện -> ubnd-huyen)


@dataclass(frozen=True)
class Province:
    id: str
    name: str
    kind: str
    en: str
    aliases: tuple[str, ...] = ()
    valid_from: str | None = None
    valid_until: str | None = None
    merged_into: str | None = None


@dataclass(frozen=True)
class Gazetteer:
    agencies: tuple[AgencyEntry, ...]
    provinces: tuple[Province, ...]
    _agencies_by_id: dict = field(init=False, repr=False, compare=False)
    _provinces_by_id: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_agencies_by_id", {a.id: a for a in self.agencies})
        object.__setattr__(self, "_provinces_by_id", {p.id: p for p in self.provinces})

    def agency(self, agency_id: str) -> AgencyEntry:
        return self._agencies_by_id[agency_id]

    def province(self, province_id: str) -> Province:
        return self._provinces_by_id[province_id]


def _load_toml(path: Path) -> dict:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


def load_gazetteer(directory: Path = ONTOLOGY_DIR) -> Gazetteer:
    agencies = tuple(
        AgencyEntry(
            id=row["id"], level=row["level"], kind=row["kind"], vi=nfc(row["vi"]), en=row["en"],
            aliases=tuple(nfc(a) for a in row.get("aliases", [])),
            en_aliases=tuple(row.get("en_aliases", [])),
            counterpart=row.get("counterpart"), members=row.get("members"),
        )
        for row in _load_toml(directory / "agencies.toml")["agency"]
    )
    provinces = tuple(
        Province(
            id=row["id"], name=nfc(row["name"]), kind=row.get("kind", "tỉnh"), en=row.get("en", row["name"]),
            aliases=tuple(nfc(a) for a in row.get("aliases", [])),
            valid_from=row.get("valid_from"), valid_until=row.get("valid_until"),
            merged_into=row.get("merged_into"),
        )
        for row in _load_toml(directory / "places.toml")["province"]
    )
    return Gazetteer(agencies, provinces)


@lru_cache(maxsize=1)
def default_gazetteer() -> Gazetteer:
    return load_gazetteer()
