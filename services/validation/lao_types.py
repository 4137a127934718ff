"""LAO types and names as people and DLA's files write them: `ทม.`, `เทศบาล เมือง`, `Town Municipality`,
`อบต. นาฝาย`. The type names and abbreviations are `shared.thai`'s; validation adds the other ways its
inputs write a type (romanised names, `พัทยา`, `SAO`)."""

from __future__ import annotations

import re

from shared import thai
from shared.thai import LAO_TYPE_ABBREVIATIONS, LAO_TYPES

_TYPE_ALIASES = {
    **LAO_TYPE_ABBREVIATIONS,
    "พัทยา": "เมืองพัทยา", "กรุงเทพ": "กรุงเทพมหานคร",
    **{english.replace(" ", "").lower(): thai_name for thai_name, english in LAO_TYPES.items()},
    "thesabannakhon": "เทศบาลนคร", "thesabanmueang": "เทศบาลเมือง", "thesabantambon": "เทศบาลตำบล",
    "sao": "องค์การบริหารส่วนตำบล", "pao": "องค์การบริหารส่วนจังหวัด", "bma": "กรุงเทพมหานคร",
}
_TYPE_MARKS = re.compile(r"[\s.ฯ]")
_NAME_ABBREVIATION = re.compile(r"^(" + "|".join(LAO_TYPE_ABBREVIATIONS) + r")\s*\.")
# Longest first: no type name is a prefix of another today, but that should not be luck.
_LONGEST_FIRST = sorted(LAO_TYPES, key=len, reverse=True)


def canonical_lao_type(text: str | None) -> str | None:
    """`ทม.`, `เทศบาล เมือง`, `Town Municipality`, `เทศบาลเมืองชัยภูมิ` → `เทศบาลเมือง`; None when not a type."""
    if not isinstance(text, str):
        return None
    key = _TYPE_MARKS.sub("", thai.clean_text(text)).lower()
    if key in _TYPE_ALIASES:
        return _TYPE_ALIASES[key]
    return next((name for name in _LONGEST_FIRST if key.startswith(name)), None)


def type_in_name(name: str) -> str | None:
    """The type an LAO's name starts with: `เทศบาลเมืองชัยภูมิ`, `ทม.ชัยภูมิ`, `อบต. นาฝาย`."""
    text = thai.clean_text(name)
    abbreviation = _NAME_ABBREVIATION.match(text)
    if abbreviation:
        return LAO_TYPE_ABBREVIATIONS[abbreviation[1]]
    compact = text.replace(" ", "")
    return next((t for t in _LONGEST_FIRST if compact.startswith(t)), None)


def type_en(type_th: str) -> str:
    return LAO_TYPES.get(type_th, type_th)


_ABBREVIATED_PREFIX = re.compile(r"^(?:" + "|".join(LAO_TYPE_ABBREVIATIONS) + r")(?:\s*\.\s*|\s+)")
_NAME_NOISE = re.compile(r"[\s.,\-–()\"'“”‘’/]")


def core_name(name: str) -> str:
    """The part of an LAO's name that tells it apart, without its type and punctuation:
    `เทศบาลตำบล บ้านเขว้า`, `ทต.บ้านเขว้า`, `อบต. บ้านเขว้า` → `บ้านเขว้า`; `ทน.นครราชสีมา` → `นครราชสีมา`."""
    text = thai.to_arabic_digits(thai.clean_text(name))
    text = _ABBREVIATED_PREFIX.sub("", text, count=1)
    compact = _NAME_NOISE.sub("", text).casefold()
    for type_name in _LONGEST_FIRST:
        if compact.startswith(type_name) and len(compact) > len(type_name):
            return compact.removeprefix(type_name)
    if compact.startswith("เทศบาล") and len(compact) > len("เทศบาล"):
        return compact.removeprefix("เทศบาล")
    return compact
