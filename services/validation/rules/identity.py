"""The rules about which LAO a submission is: its type and eligibility, its name, province, district and DLA
code, and its match in DLA's LAO registry (when one has been imported)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from services.validation.lao_types import canonical_lao_type, type_en, type_in_name
from services.validation.matching import (
    CODE_NAME_THRESHOLD,
    Candidate,
    RegistryLao,
    RegistryLookup,
    RegistryMatch,
    match_lao,
)
from services.validation.rules.case import Case, text_of
from services.validation.rules.catalogue import finding
from shared import geo, thai
from shared.campaign import Campaign
from shared.events import Issue


def match_registry(case: Case, lookup: RegistryLookup) -> RegistryMatch:
    """The registry LAO the case names, by its code or its name within its province and district."""
    lao = case.submission.lao
    return match_lao(name=text_of(getattr(lao, "name", None)), lao_type=case.lao_type, code=getattr(lao, "code", None),
                     province_code=case.province.code if case.province else None,
                     district_code=case.district.code if case.district else None, lookup=lookup)


def identified(match: RegistryMatch | None) -> bool:
    """Matched, and not by a code whose registry name is another LAO's."""
    if match is None or match.status != "matched" or match.lao is None:
        return False
    # A name left blank (name_similarity None) does not contradict the code.
    return not (match.method == "code" and match.name_similarity is not None
                and match.name_similarity < CODE_NAME_THRESHOLD)


def _eligible(campaign: Campaign) -> tuple[list[str], str, str]:
    types = [canonical_lao_type(t) or t for t in campaign.eligible_lao_types]
    return types, " / ".join(types), ", ".join(f"{t} ({type_en(t)})" for t in types)


# --- (a) eligibility -------------------------------------------------------------------------------------


def _registry_type(case: Case) -> str | None:
    """The type DLA's registry gives the LAO this submission was identified as; it outranks the form's."""
    match = case.registry
    return match.lao.type if identified(match) and match is not None and match.lao is not None else None


def check_lao_type(case: Case) -> Iterator[Issue]:
    eligible, eligible_th, eligible_en = _eligible(case.campaign)
    given = text_of(case.submission.lao.type)
    if not given:
        yield finding("LAO_TYPE_MISSING", eligible_th=eligible_th, eligible_en=eligible_en)
    elif case.lao_type not in eligible and _registry_type(case) not in eligible:
        # A registry that lists the LAO as a municipality outranks a wrong tick (LAO_REGISTRY_TYPE_MISMATCH).
        yield finding("LAO_TYPE_NOT_ELIGIBLE", value=given,
                      value_en=type_en(case.lao_type) if case.lao_type else "not a known LAO type",
                      eligible_th=eligible_th, eligible_en=eligible_en)


def check_name_matches_type(case: Case) -> Iterator[Issue]:
    name = text_of(case.submission.lao.name)
    named = type_in_name(name)
    if named and case.lao_type and named != case.lao_type:
        yield finding("LAO_NAME_TYPE_MISMATCH", name=name, name_type_th=named, name_type_en=type_en(named),
                      type_th=case.lao_type, type_en=type_en(case.lao_type))


# --- (c) the LAO's name ----------------------------------------------------------------------------------


def check_lao_name(case: Case) -> Iterator[Issue]:
    if text_of(case.submission.lao.name):
        return
    match = case.registry
    if match is not None and match.status == "matched" and match.method == "code" and match.lao is not None:
        yield finding("LAO_NAME_FROM_REGISTRY", lao_code=match.lao.code, registry_name=match.lao.name)
    else:
        yield finding("LAO_NAME_MISSING")


# --- (d) province and district ---------------------------------------------------------------------------


def check_province(case: Case) -> Iterator[Issue]:
    given = text_of(case.submission.lao.province)
    located = _located_by_code(case)
    if not given and located is not None:
        province = geo.resolve_province(located.province_code)
        yield finding("PROVINCE_FROM_REGISTRY", lao_code=located.code,
                      province_th=province.name_th if province else located.province_code,
                      province_en=province.name_en if province else located.province_code)
    elif not given:
        yield finding("PROVINCE_MISSING")
    elif case.province is None:
        yield finding("PROVINCE_UNKNOWN", value=given)


def check_district(case: Case) -> Iterator[Issue]:
    given = text_of(case.submission.lao.district)
    if not given or case.district is not None:
        return
    anywhere = geo.find_districts(given)
    if not anywhere:
        yield finding("DISTRICT_UNKNOWN", value=given)
    elif case.province is not None:
        # Without a known province, PROVINCE_UNKNOWN already says what to fix.
        provinces = sorted({d.province_code for d in anywhere})
        found = [geo.resolve_province(code) for code in provinces[:3]]
        more_th = f" และอีก {len(provinces) - 3} จังหวัด" if len(provinces) > 3 else ""
        more_en = f" and {len(provinces) - 3} more" if len(provinces) > 3 else ""
        yield finding("DISTRICT_NOT_IN_PROVINCE", value=given,
                      province_th=case.province.name_th, province_en=case.province.name_en,
                      found_th="จังหวัด" + ", ".join(p.name_th for p in found if p) + more_th,
                      found_en=", ".join(p.name_en for p in found if p) + more_en)


# --- (e) the LAO code ------------------------------------------------------------------------------------


def check_lao_code(case: Case) -> Iterator[Issue]:
    raw = case.submission.lao.code
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return
    code = thai.to_arabic_digits(str(raw)).strip()
    if not re.fullmatch(r"[0-9]{7}", code):
        yield finding("LAO_CODE_INVALID", value=raw)
        return
    # The first digit tells the type at registration, but an upgraded อบต. may keep its 6: never read the
    # type from it, only refuse digits no municipality can have.
    if code[0] not in "3456":
        yield finding("LAO_CODE_TYPE_DIGIT_INVALID", value=code, digit=code[0])
    province, district = case.province, case.district
    if province is not None and code[1:3] != province.code:
        yield finding("LAO_CODE_PROVINCE_MISMATCH", value=code, code_province=code[1:3],
                      province_th=province.name_th, province_en=province.name_en, province_code=province.code)
    elif district is not None and code[3:5] != district.code[2:4] and not _matched_by_code(case):
        # Digits 4–5 are the district at registration; a registry that knows the code knows better.
        yield finding("LAO_CODE_DISTRICT_MISMATCH", value=code, code_district=code[3:5],
                      district_th=district.name_th, district_en=district.name_en, district_code=district.code)


def _located_by_code(case: Case) -> RegistryLao | None:
    """The registry's LAO when the code decided the match: its place stands in for a province left blank."""
    match = case.registry
    if match is not None and match.status == "matched" and match.method == "code" and identified(match):
        return match.lao
    return None


def _matched_by_code(case: Case) -> bool:
    return case.registry is not None and case.registry.status == "matched" and case.registry.method == "code"


# --- (e2) DLA's LAO registry -----------------------------------------------------------------------------


def _district_en(code: str | None) -> str:
    found = geo.find_districts(code) if code else []
    return found[0].name_en if found else (code or "?")


def _listed(candidates: tuple[Candidate, ...]) -> tuple[str, str]:
    th = ", ".join(f"{c.lao.name} (รหัส {c.lao.code}, อ.{c.lao.district_name or '?'})" for c in candidates)
    en = ", ".join(f"{c.lao.name} (code {c.lao.code}, {_district_en(c.lao.district_code)} district)"
                   for c in candidates)
    return th, en


def _closest(candidates: tuple[Candidate, ...]) -> dict[str, str]:
    if not candidates:
        return {"closest_th": "", "closest_en": ""}
    th, en = _listed(candidates)
    return {"closest_th": f" อปท. ที่ชื่อใกล้เคียงที่สุด: {th}", "closest_en": f"; the closest names are: {en}"}


def check_registry(case: Case) -> Iterator[Issue]:
    match = case.registry
    if match is None:
        return
    name = text_of(case.submission.lao.name)
    province = case.province
    if match.status == "no_registry":
        yield finding("LAO_NOT_VERIFIED", name=name, reason_th="ระบบยังไม่ได้นำเข้าทะเบียน อปท.",
                      reason_en="no registry has been imported")
    elif province is None and _located_by_code(case) is not None and match.lao is not None:
        yield from _check_matched(case, match, name)  # the code placed it: PROVINCE_FROM_REGISTRY says so
    elif province is None:
        return  # PROVINCE_MISSING / PROVINCE_UNKNOWN already say what to fix; the registry is per province
    elif match.status == "not_covered":
        yield finding("LAO_NOT_VERIFIED", name=name,
                      reason_th=f"ทะเบียนที่นำเข้าไม่มี อปท. ในจังหวัด{province.name_th}",
                      reason_en=f"the registry imported has no LAOs in {province.name_en} province")
    elif match.status == "code_not_found":
        yield finding("LAO_CODE_NOT_IN_REGISTRY", value=thai.to_arabic_digits(str(case.submission.lao.code)),
                      **_closest(match.candidates))
    elif match.status == "not_found":
        district = case.district
        area_th = (f"อำเภอ{district.name_th} จังหวัด{province.name_th}" if district
                   else f"จังหวัด{province.name_th}")
        area_en = (f"{district.name_en} district, {province.name_en} province" if district
                   else f"{province.name_en} province")
        yield finding("LAO_NOT_IN_REGISTRY", name=name, area_th=area_th, area_en=area_en, **_closest(match.candidates))
    elif match.status == "ambiguous":
        listed_th, listed_en = _listed(match.candidates)
        yield finding("LAO_MATCH_AMBIGUOUS", name=name, candidates_th=listed_th, candidates_en=listed_en)
    elif match.lao is not None:
        yield from _check_matched(case, match, name)


def _check_matched(case: Case, match: RegistryMatch, name: str) -> Iterator[Issue]:
    lao = match.lao
    assert lao is not None
    about = {"registry_name": lao.name, "lao_code": lao.code, "name": name}
    if not identified(match):
        yield finding("LAO_CODE_NAME_MISMATCH", **about)
        return
    if match.method == "name" and match.confidence < 1.0:
        yield finding("LAO_NAME_MATCHED_APPROXIMATELY", **about, confidence=round(match.confidence * 100))
    district = case.district
    if (district is not None and lao.district_code is not None and lao.district_code != district.code
            and case.province is not None and lao.province_code == case.province.code):
        yield finding("LAO_REGISTRY_LOCATION_MISMATCH", **about,
                      registry_district_th=lao.district_name or lao.district_code,
                      registry_district_en=_district_en(lao.district_code),
                      district_th=district.name_th, district_en=district.name_en)
    declared = case.lao_type
    if lao.type:
        eligible, eligible_th, eligible_en = _eligible(case.campaign)
        typed = {"registry_type_th": lao.type, "registry_type_en": type_en(lao.type),
                 "type_th": declared, "type_en": type_en(declared) if declared else None}
        # The registry decides eligibility whatever was ticked; a tick that agrees with it is already judged
        # by LAO_TYPE_NOT_ELIGIBLE.
        if lao.type not in eligible and lao.type != declared:
            yield finding("LAO_REGISTRY_TYPE_NOT_ELIGIBLE", **about, **typed, eligible_th=eligible_th,
                          eligible_en=eligible_en)
        if declared and lao.type != declared:
            yield finding("LAO_REGISTRY_TYPE_MISMATCH", **about, **typed)
