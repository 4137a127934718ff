"""The places reports are about, by DOPA code: whether a code names a province or a district, their Thai and
English names, and the key under which an area's figures are kept."""

from __future__ import annotations

import re

import geothai

from services.reporting.projection import UNKNOWN_PROVINCE

_PROVINCE_CODE = re.compile(r"^[0-9]{2}$")
_DISTRICT_CODE = re.compile(r"^[0-9]{4}$")


def province_names(key: str) -> tuple[str, str]:
    """Thai and English names of a province key ("36" or "unknown")."""
    if key == UNKNOWN_PROVINCE:
        return "ไม่ทราบจังหวัด", "Unknown province"
    province = geothai.province(key)
    if province is None:
        return key, key
    return province.name_th, province.name_en


def district_names(code: str) -> tuple[str, str]:
    district = geothai.district(code)
    if district is None:
        return code, code
    return district.name_th, district.name_en


def is_province(code: str) -> bool:
    """A 2-digit code of a province geothai knows."""
    return bool(_PROVINCE_CODE.match(code) and geothai.province(code) is not None)


def is_province_key(code: str) -> bool:
    """A province, or `unknown` (the submissions not placed yet)."""
    return code == UNKNOWN_PROVINCE or is_province(code)


def is_district(code: str) -> bool:
    return bool(_DISTRICT_CODE.match(code) and geothai.district(code) is not None)


def area_id(campaign: str, key: str) -> str:
    """The `_id` of an area's figures: `<campaign>/<province key or district code>`."""
    return f"{campaign}/{key}"
