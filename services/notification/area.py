"""An office's area and its progress: which municipalities have submitted, which were returned and not yet
fixed, and, where DLA's LAO registry is loaded, which have not submitted at all (no I/O).

Notification builds this from the events it consumes (its own copy of the registry per province, and one
progress entry per submission), never from another service's database.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import geothai

from shared.thai import expand_lao_name

BANGKOK = "10"
# Status of a submission's newest revision, and which later event of the same revision may replace which.
STATUS_RANK = {"received": 0, "returned": 1, "validated": 1, "rejected": 1, "scored": 2}
SUBMITTED_STATUSES = ("received", "returned", "validated", "scored", "rejected")


def name_key(name: str) -> str:
    """`ทม.ชัยภูมิ` and `เทศบาลเมือง ชัยภูมิ` meet as `เทศบาลเมืองชัยภูมิ`: matches a submission to the registry when
    the submission carries no LAO code."""
    return expand_lao_name(name).replace(" ", "")


def covers(areas: Sequence[str], province_code: str | None, district_code: str | None) -> bool:
    """Whether an office of `areas` (2-digit province or 4-digit district codes; none = the whole country)
    covers this place."""
    if not areas:
        return True
    return any(
        (len(area) == 2 and area == province_code) or (len(area) == 4 and area == district_code) for area in areas
    )


def provinces_of(areas: Sequence[str]) -> list[str]:
    if not areas:
        return [p.code for p in geothai.provinces()]
    return sorted({area[:2] for area in areas})


def province_name(code: str) -> tuple[str, str]:
    province = geothai.province(code)
    if province is None:
        return f"จังหวัดรหัส {code}", f"province {code}"
    if code == BANGKOK:
        return province.name_th, province.name_en
    return f"จังหวัด{province.name_th}", f"{province.name_en} province"


def district_name(code: str) -> tuple[str, str]:
    district = geothai.district(code)
    if district is None:
        return f"อำเภอรหัส {code}", f"district {code}"
    province = geothai.province(district.province_code)
    # Bangkok's districts are เขต, and geothai already names them so.
    word_th = "" if district.name_th.startswith("เขต") else ("เขต" if district.province_code == BANGKOK else "อำเภอ")
    word_en = "" if district.name_en.lower().startswith("khet") else "district"
    in_province = f" {province_name(district.province_code)[0]}" if province else ""
    return (f"{word_th}{district.name_th}{in_province}",
            f"{district.name_en} {word_en}".strip() + (f", {province.name_en}" if province else ""))


def area_name(areas: Sequence[str]) -> tuple[str, str]:
    """`อำเภอเมืองชัยภูมิ จังหวัดชัยภูมิ` / `Mueang Chaiyaphum district, Chaiyaphum`; none = the whole country."""
    if not areas:
        return "ทั้งประเทศ", "the whole country"
    names = [province_name(a) if len(a) == 2 else district_name(a) for a in areas]
    return ", ".join(n[0] for n in names), "; ".join(n[1] for n in names)


@dataclass(frozen=True)
class LaoRow:
    name: str
    status: str
    code: str | None = None
    province_code: str | None = None
    district_code: str | None = None
    district_name: str | None = None
    submission_id: str | None = None
    revision: int | None = None

    def as_data(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "code": self.code, "province_code": self.province_code,
                "district_code": self.district_code, "submission_id": self.submission_id,
                "revision": self.revision}


@dataclass(frozen=True)
class Part:
    """One district of a province, or one province of the country, in a digest."""

    code: str
    name_th: str
    name_en: str
    expected: int | None
    submitted: int
    returned: int
    not_submitted: int | None


@dataclass(frozen=True)
class AreaReport:
    areas: tuple[str, ...]
    area_th: str
    area_en: str
    registry_loaded: bool
    expected: int | None
    submitted: int
    counts: dict[str, int]
    not_submitted: list[LaoRow]
    returned: list[LaoRow]
    parts: list[Part] = field(default_factory=list)

    @property
    def chase(self) -> list[LaoRow]:
        """Who an office still has to chase: not submitted, or returned and not yet fixed."""
        return sorted([*self.not_submitted, *self.returned],
                      key=lambda row: (row.district_code or "", row.name))

    def as_data(self) -> dict[str, Any]:
        return {
            "areas": list(self.areas), "area_th": self.area_th, "area_en": self.area_en,
            "registry_loaded": self.registry_loaded, "expected": self.expected, "submitted": self.submitted,
            "counts": self.counts, "not_submitted": [r.as_data() for r in self.not_submitted],
            "returned": [r.as_data() for r in self.returned],
            "parts": [vars(p) for p in self.parts],
        }


def _eligible(lao: Mapping[str, Any], eligible_types: Iterable[str]) -> bool:
    kind = lao.get("type")
    return kind is None or kind in set(eligible_types)


def build_report(areas: Sequence[str], registry: Sequence[Mapping[str, Any]], progress: Sequence[Mapping[str, Any]],
                 eligible_types: Sequence[str], *, with_parts: bool = False) -> AreaReport:
    """The area's report from the registry copies of its provinces (`{_id: province code, laos: [...]}`) and the
    progress entries of the campaign (`{lao: {...}, status, ...}`)."""
    areas = tuple(areas)
    provinces = provinces_of(areas)
    loaded = {doc["_id"]: doc for doc in registry if doc["_id"] in provinces}
    entries = [p for p in progress
               if covers(areas, p["lao"].get("province_code"), p["lao"].get("district_code"))]
    codes = {p["lao"]["code"] for p in entries if p["lao"].get("code")}
    names = {(p["lao"].get("province_code"), p["lao"].get("name_key")) for p in entries}

    registered: list[LaoRow] = []
    not_submitted: list[LaoRow] = []
    for province_code, doc in loaded.items():
        for lao in doc.get("laos", []):
            if not _eligible(lao, eligible_types) or not covers(areas, province_code, lao.get("district_code")):
                continue
            row = LaoRow(name=lao["name"], status="not_submitted", code=lao.get("code"), province_code=province_code,
                         district_code=lao.get("district_code"), district_name=lao.get("district_name"))
            registered.append(row)
            if row.code not in codes and (province_code, name_key(row.name)) not in names:
                not_submitted.append(row)

    returned = [LaoRow(name=p["lao"]["name"], status="returned", code=p["lao"].get("code"),
                       province_code=p["lao"].get("province_code"), district_code=p["lao"].get("district_code"),
                       district_name=p["lao"].get("district_name"), submission_id=p["submission_id"],
                       revision=p.get("revision"))
                for p in entries if p["status"] == "returned"]
    counts = Counter(p["status"] for p in entries)
    registry_loaded = bool(provinces) and all(code in loaded for code in provinces)
    area_th, area_en = area_name(areas)
    parts = _parts(areas, provinces, loaded, registered, not_submitted, entries) if with_parts else []
    return AreaReport(
        areas=areas, area_th=area_th, area_en=area_en, registry_loaded=registry_loaded,
        expected=len(registered) if registry_loaded else None, submitted=len(entries),
        counts={status: counts.get(status, 0) for status in SUBMITTED_STATUSES},
        not_submitted=sorted(not_submitted, key=lambda r: (r.district_code or "", r.name)),
        returned=sorted(returned, key=lambda r: (r.district_code or "", r.name)), parts=parts,
    )


def _parts(areas: Sequence[str], provinces: list[str], loaded: Mapping[str, Any], registered: list[LaoRow],
           not_submitted: list[LaoRow], entries: list[Mapping[str, Any]]) -> list[Part]:
    """Per province for the whole country; per district for a province; nothing below a district."""
    if areas and all(len(a) == 4 for a in areas):
        return []
    by_province = not areas
    units: list[tuple[str, tuple[str, str]]]
    if by_province:
        units = [(code, province_name(code)) for code in provinces]
    else:
        units = [(d.code, district_name(d.code)) for code in provinces for d in geothai.districts(code)]

    def unit_of(province_code: str | None, district_code: str | None) -> str | None:
        return province_code if by_province else district_code

    expected = Counter(unit_of(r.province_code, r.district_code) for r in registered)
    missing = Counter(unit_of(r.province_code, r.district_code) for r in not_submitted)
    submitted = Counter(unit_of(p["lao"].get("province_code"), p["lao"].get("district_code")) for p in entries)
    returned = Counter(unit_of(p["lao"].get("province_code"), p["lao"].get("district_code"))
                       for p in entries if p["status"] == "returned")
    parts = []
    for code, (name_th, name_en) in units:
        province_loaded = code[:2] in loaded
        if not (expected[code] or submitted[code]):
            continue  # a district without municipalities or submissions says nothing
        parts.append(Part(code=code, name_th=name_th, name_en=name_en,
                          expected=expected[code] if province_loaded else None, submitted=submitted[code],
                          returned=returned[code], not_submitted=missing[code] if province_loaded else None))
    return parts
