"""Matching a submitted LAO to DLA's registry: by code, else by normalised name within the province and
district, with a confidence; ambiguity and failure name the closest candidates."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.validation.lao_types import core_name
from services.validation.matching import RegistryLao, RegistryLookup, RegistryMatch, match_lao, similarity
from services.validation.registry.dataset import LaoDraft, parse_size_class, read_dataset

SAMPLE = Path(__file__).resolve().parents[2] / "services" / "validation" / "data" / "sample-dlads_05_01.csv"


def _entry(draft: LaoDraft) -> RegistryLao:
    return RegistryLao(code=draft.code, name=draft.name, type=draft.type, province_code=draft.province_code,
                       district_code=draft.district_code, province_name=draft.province_name,
                       district_name=draft.district_name, size_class=draft.size_class,
                       subdistricts=tuple(draft.subdistricts))


def _registry() -> tuple[RegistryLao, ...]:
    with SAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        return tuple(_entry(draft) for draft in read_dataset(handle).laos.values())


REGISTRY = _registry()


def lookup(code: str | None, province_code: str | None) -> RegistryLookup:
    """What the repository would fetch: the LAO with the code, and the LAOs of the province."""
    return RegistryLookup(loaded=True, by_code=next((lao for lao in REGISTRY if lao.code == code), None),
                          in_province=tuple(lao for lao in REGISTRY if lao.province_code == province_code))


def match(name: str, lao_type: str | None, *, province: str, district: str | None, code: str | None = None,
          registry: RegistryLookup | None = None) -> RegistryMatch:
    return match_lao(name=name, lao_type=lao_type, code=code, province_code=province, district_code=district,
                     lookup=registry or lookup(code, province))


@pytest.mark.parametrize(
    ("written", "core"),
    [("เทศบาลเมืองชัยภูมิ", "ชัยภูมิ"), ("ทม.ชัยภูมิ", "ชัยภูมิ"), ("ทม. ชัยภูมิ", "ชัยภูมิ"),
     ("  เทศบาลตำบล บ้านเขว้า ", "บ้านเขว้า"), ("ทต.บ้านเขว้า", "บ้านเขว้า"), ("อบต. บ้านเขว้า", "บ้านเขว้า"),
     ("องค์การบริหารส่วนตำบลบ้านเขว้า", "บ้านเขว้า"), ("ทน.นครราชสีมา", "นครราชสีมา"),
     ("เทศบาลนครนครราชสีมา", "นครราชสีมา"), ("เทศบาล เมืองแม่โจ้", "แม่โจ้")],
)
def test_names_are_compared_without_their_type_and_punctuation(written: str, core: str) -> None:
    assert core_name(written) == core


@pytest.mark.parametrize(("written", "size"), [("ขนาดใหญ่", "large"), ("ขนาด กลาง", "medium"), ("เล็ก", "small"),
                                               ("Large", "large"), ("ไม่ทราบ", None), ("", None)])
def test_size_classes_are_read_in_thai_and_english(written: str, size: str | None) -> None:
    assert parse_size_class(written) == size


def test_exact_name_in_its_district_matches_with_full_confidence() -> None:
    found = match("เทศบาลเมืองชัยภูมิ", "เทศบาลเมือง", province="36", district="3601")
    assert (found.status, found.method, found.confidence) == ("matched", "name", 1.0)
    assert found.lao is not None and (found.lao.code, found.lao.size_class) == ("4360101", None)


def test_abbreviated_name_matches_the_registry_name() -> None:
    found = match("ทม.ชัยภูมิ", "ทม.", province="36", district="3601")
    assert found.status == "matched" and found.lao is not None and found.lao.code == "4360101"


def test_misspelt_name_matches_with_a_confidence_below_one() -> None:
    found = match("เทศบาลตำบลคอนสวรรค", "เทศบาลตำบล", province="36", district="3603")  # the ์ forgotten
    assert found.status == "matched" and found.lao is not None and found.lao.code == "5360301"
    assert 0.85 <= found.confidence < 1.0


def test_declared_type_tells_the_municipality_from_the_sao_of_the_same_name() -> None:
    municipality = match("บ้านเขว้า", "เทศบาลตำบล", province="36", district="3602")
    sao = match("บ้านเขว้า", "อบต.", province="36", district="3602")
    assert municipality.lao is not None and municipality.lao.code == "5360201"
    assert sao.lao is not None and sao.lao.code == "6360202"


def test_same_name_of_two_types_without_the_right_type_is_ambiguous_and_names_both() -> None:
    found = match("เทศบาลเมืองบ้านเขว้า", "เทศบาลเมือง", province="36", district="3602")
    assert found.status == "ambiguous" and found.lao is None
    assert {c.lao.code for c in found.candidates} == {"5360201", "6360202"}


def test_unknown_name_is_not_found_and_names_the_closest_candidates() -> None:
    found = match("เทศบาลตำบลโนนสำราญใต้", "เทศบาลตำบล", province="36", district="3601")
    assert found.status == "not_found"
    assert found.candidates and found.candidates[0].lao.code == "5360116"


def test_name_found_only_in_another_district_of_the_province_still_matches() -> None:
    found = match("เทศบาลตำบลคอนสวรรค์", "เทศบาลตำบล", province="36", district="3601")
    assert found.status == "matched" and found.lao is not None and found.lao.district_code == "3603"


def test_name_is_looked_up_in_the_whole_province_when_the_district_is_unknown() -> None:
    found = match("เทศบาลเมืองแม่โจ้", "เทศบาลเมือง", province="50", district=None)
    assert found.lao is not None and (found.lao.code, found.lao.district_code) == ("4501408", "5014")


def test_code_in_the_registry_decides_and_reports_how_well_the_name_agrees() -> None:
    found = match("เทศบาลตำบลโนนสำราญ", "เทศบาลตำบล", province="36", district="3601", code="4360101")
    assert (found.status, found.method, found.confidence) == ("matched", "code", 1.0)
    assert found.lao is not None and found.lao.name == "เทศบาลเมืองชัยภูมิ"
    assert found.name_similarity is not None and found.name_similarity < 0.6


def test_code_in_thai_digits_is_looked_up() -> None:
    registry = lookup("4360101", "36")
    found = match("เทศบาลเมืองชัยภูมิ", None, province="36", district="3601", code="๔๓๖๐๑๐๑", registry=registry)
    assert found.method == "code" and found.name_similarity == 1.0


def test_code_not_in_the_registry_suggests_the_laos_named_alike() -> None:
    found = match("เทศบาลเมืองชัยภูมิ", "เทศบาลเมือง", province="36", district="3601", code="4369999")
    assert found.status == "code_not_found"
    assert found.candidates[0].lao.code == "4360101"


def test_province_absent_from_a_partial_registry_is_not_covered() -> None:
    found = match("เทศบาลนครอุดรธานี", "เทศบาลนคร", province="41", district="4101")
    assert found.status == "not_covered"


def test_without_any_registry_nothing_is_matched() -> None:
    found = match_lao(name="เทศบาลเมืองชัยภูมิ", lao_type="เทศบาลเมือง", code="4360101", province_code="36",
                      district_code="3601", lookup=RegistryLookup.empty())
    assert found.status == "no_registry" and found.lao is None


def test_similarity_is_symmetric_and_one_for_the_same_lao_written_differently() -> None:
    assert similarity("ทต.บ้านเขว้า", "เทศบาลตำบลบ้านเขว้า") == 1.0
    assert similarity("ชัยภูมิ", "ชัยภุมิ") == similarity("ชัยภุมิ", "ชัยภูมิ") < 1.0
    assert similarity("", "ชัยภูมิ") == 0.0
