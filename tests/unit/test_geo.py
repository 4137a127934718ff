"""Provinces and districts are read the way municipalities write them, and resolved to DOPA codes."""

from __future__ import annotations

import pytest

from services.intake.submission import Lao
from shared.geo import find_districts, lao_summary, resolve_district, resolve_province


@pytest.mark.parametrize(
    "text",
    ["ชัยภูมิ", "จ.ชัยภูมิ", "จ. ชัยภูมิ", "จังหวัดชัยภูมิ", "จังหวัด ชัยภูมิ", "Chaiyaphum", "chaiyaphum province",
     "36", "๓๖", " 36 "],
)
def test_province_resolves_from_name_prefix_english_or_code(text: str) -> None:
    province = resolve_province(text)
    assert province is not None
    assert (province.code, province.name_th) == ("36", "ชัยภูมิ")


@pytest.mark.parametrize("text", ["กรุงเทพมหานคร", "กรุงเทพฯ", "กทม.", "Bangkok", "10"])
def test_bangkok_resolves_from_its_usual_names(text: str) -> None:
    province = resolve_province(text)
    assert province is not None and province.code == "10"


@pytest.mark.parametrize("text", [None, "", "   ", "ชัยภูมี", "99", "3", "360", "จังหวัด", "เทศบาลเมืองชัยภูมิ"])
def test_unknown_province_resolves_to_none(text: str | None) -> None:
    assert resolve_province(text) is None


@pytest.mark.parametrize(
    "text", ["เมืองชัยภูมิ", "อ.เมืองชัยภูมิ", "อำเภอเมืองชัยภูมิ", "Mueang Chaiyaphum", "3601", "๓๖๐๑"]
)
def test_district_resolves_from_name_prefix_english_or_code(text: str) -> None:
    district = resolve_district(text, "36")
    assert district is not None
    assert (district.code, district.name_th, district.province_code) == ("3601", "เมืองชัยภูมิ", "36")


@pytest.mark.parametrize("text", ["เมือง", "อ.เมือง", "อำเภอเมือง", "Mueang"])
def test_mueang_means_the_capital_district_of_the_province(text: str) -> None:
    chaiyaphum = resolve_district(text, "36")
    chon_buri = resolve_district(text, "20")
    assert chaiyaphum is not None and chaiyaphum.code == "3601"
    assert chon_buri is not None and chon_buri.code == "2001"


def test_mueang_without_a_province_is_ambiguous() -> None:
    assert resolve_district("อ.เมือง", None) is None
    assert len(find_districts("อ.เมือง")) >= 76


def test_bangkok_khet_resolves_with_or_without_its_prefix() -> None:
    for text in ("เขตบางรัก", "บางรัก", "Bang Rak", "1004"):
        district = resolve_district(text, "10")
        assert district is not None and district.code == "1004", text


def test_bangkok_has_no_capital_district() -> None:
    assert resolve_district("เมือง", "10") is None


def test_district_name_unique_in_the_country_resolves_without_a_province() -> None:
    district = resolve_district("อำเภอบ้านเขว้า", None)
    assert district is not None and district.code == "3602"


def test_district_code_of_another_province_does_not_resolve_within_the_given_province() -> None:
    assert resolve_district("3601", "20") is None
    assert [d.code for d in find_districts("3601")] == ["3601"]


def test_district_name_of_another_province_does_not_resolve_within_the_given_province() -> None:
    assert resolve_district("บ้านเขว้า", "40") is None


@pytest.mark.parametrize("text", [None, "", "อำเภอที่ไม่มีจริง", "9999", "36", "อำเภอ"])
def test_unknown_district_resolves_to_none(text: str | None) -> None:
    assert resolve_district(text, "36") is None


def test_lao_summary_fills_codes_and_thai_names() -> None:
    lao = Lao.model_validate({"name": "ทม.ชัยภูมิ", "code": "๔๓๖๐๑๐๑", "type": "เทศบาลเมือง",
                              "province": "จ.ชัยภูมิ", "district": "อ.เมือง"})
    summary = lao_summary(lao)
    assert summary.model_dump(exclude={"size_class", "registry_verified"}) == {
        "name": "ทม.ชัยภูมิ", "code": "4360101", "type": "เทศบาลเมือง",
        "province_code": "36", "province_name": "ชัยภูมิ",
        "district_code": "3601", "district_name": "เมืองชัยภูมิ",
    }


def test_lao_summary_leaves_unresolved_parts_empty() -> None:
    lao = Lao.model_validate({"name": "เทศบาลตำบลบ้านเขว้า", "province": "ชัยภูมี", "district": "บ้านเขว้า"})
    summary = lao_summary(lao)
    # The district is only placed within a resolved province, never guessed across the country.
    assert (summary.province_code, summary.province_name) == (None, None)
    assert (summary.district_code, summary.district_name) == (None, None)


def test_lao_summary_without_district() -> None:
    summary = lao_summary(Lao.model_validate({"name": "เทศบาลนครขอนแก่น", "province": "ขอนแก่น"}))
    assert (summary.province_code, summary.district_code) == ("40", None)
