"""Validation with DLA's LAO registry: what a matched LAO carries on (code, size class, verified), what an
applicant is told when the LAO cannot be matched, and the format and sanity rules beside them."""

from __future__ import annotations

import copy

import pytest

from services.intake.submission import Submission
from services.validation.lao_types import canonical_lao_type, type_en
from services.validation.matching import RegistryLookup
from services.validation.rules import Verdict, validate
from services.validation.rules.contact import is_web_url
from tests.unit.test_matching import lookup
from tests.unit.test_validation_rules import CHAIYAPHUM_TOWN, FY2568, RECEIVED, codes, only, submission


def with_registry(sub: Submission, code: str | None = None, province: str = "36") -> Verdict:
    return validate(sub, FY2568, RECEIVED, registry=lookup(code, province))


def test_registry_match_by_name_fills_code_size_class_and_verified() -> None:
    verdict = with_registry(submission(**{"lao.code": None, "lao.name": "ทม. ชัยภูมิ", "lao.type": "ทม."}))
    assert verdict.outcome == "validated" and verdict.issues == []
    assert (verdict.lao.code, verdict.lao.name, verdict.lao.registry_verified) == (
        "4360101", "เทศบาลเมืองชัยภูมิ", True)


def test_registry_size_class_reaches_the_summary_for_scoring() -> None:
    registry = lookup("4360101", "36")
    sized = tuple(lao.__class__(**{**lao.__dict__, "size_class": "medium"}) for lao in registry.in_province)
    verdict = validate(submission(), FY2568, RECEIVED,
                       registry=RegistryLookup(loaded=True, by_code=sized[0], in_province=sized))
    assert (verdict.lao.size_class, verdict.lao.registry_verified) == ("medium", True)


def test_without_registry_argument_the_registry_is_not_consulted() -> None:
    verdict = validate(submission(), FY2568, RECEIVED)
    assert verdict.lao.registry_verified is None and verdict.issues == []


def test_no_registry_imported_is_only_a_warning_and_not_verified() -> None:
    verdict = validate(submission(), FY2568, RECEIVED, registry=RegistryLookup.empty())
    issue = only(verdict, "LAO_NOT_VERIFIED")
    assert (verdict.outcome, issue.field, verdict.lao.registry_verified) == ("validated", "lao", False)
    assert "ยังไม่ได้นำเข้าทะเบียน" in issue.message_th and "no registry has been imported" in issue.message_en


def test_province_missing_from_a_partial_registry_is_only_a_warning() -> None:
    sub = submission(**{"lao.name": "เทศบาลนครอุดรธานี", "lao.type": "เทศบาลนคร", "lao.province": "อุดรธานี",
                        "lao.district": "เมืองอุดรธานี", "lao.code": None})
    verdict = with_registry(sub, province="41")
    assert verdict.outcome == "validated"
    assert "อุดรธานี" in only(verdict, "LAO_NOT_VERIFIED").message_th


def test_unknown_lao_is_returned_naming_the_closest_names_with_codes_and_districts() -> None:
    verdict = with_registry(submission(**{"lao.name": "เทศบาลตำบลโนนสำราญใต้", "lao.type": "เทศบาลตำบล",
                                          "lao.code": None}))
    issue = only(verdict, "LAO_NOT_IN_REGISTRY")
    assert (verdict.outcome, issue.field) == ("returned", "lao.name")
    assert "อำเภอเมืองชัยภูมิ จังหวัดชัยภูมิ" in issue.message_th
    assert "เทศบาลตำบลโนนสำราญ (รหัส 5360116, อ.เมืองชัยภูมิ)" in issue.message_th
    assert "code 5360116, Mueang Chaiyaphum district" in issue.message_en


def test_ambiguous_name_is_returned_asking_for_the_type_or_code() -> None:
    verdict = with_registry(submission(**{"lao.name": "เทศบาลเมืองบ้านเขว้า", "lao.district": "บ้านเขว้า",
                                          "lao.code": None}))
    issue = only(verdict, "LAO_MATCH_AMBIGUOUS")
    assert "เทศบาลตำบลบ้านเขว้า" in issue.message_th and "องค์การบริหารส่วนตำบลบ้านเขว้า" in issue.message_th
    assert verdict.lao.registry_verified is False


def test_misspelt_name_is_validated_with_its_confidence_for_officials() -> None:
    verdict = with_registry(submission(**{"lao.name": "เทศบาลตำบลคอนสวรรค", "lao.type": "เทศบาลตำบล",
                                          "lao.district": "คอนสวรรค์", "lao.code": None}))
    issue = only(verdict, "LAO_NAME_MATCHED_APPROXIMATELY")
    assert verdict.outcome == "validated" and "94%" in issue.message_en and "5360301" in issue.message_th
    assert verdict.lao.code == "5360301"
    record = verdict.registry_record
    assert record is not None and (record["status"], record["method"], record["code"]) == ("matched", "name", "5360301")
    assert 0.9 < record["confidence"] < 1.0


def test_registry_district_other_than_the_one_given_is_returned() -> None:
    verdict = with_registry(submission(**{"lao.name": "เทศบาลตำบลคอนสวรรค์", "lao.type": "เทศบาลตำบล",
                                          "lao.code": None}))
    issue = only(verdict, "LAO_REGISTRY_LOCATION_MISMATCH")
    assert (verdict.outcome, issue.field) == ("returned", "lao.district")
    assert "อำเภอคอนสวรรค์" in issue.message_th and "Khon Sawan district, not Mueang Chaiyaphum" in issue.message_en


def test_code_of_another_lao_is_returned_and_the_lao_left_unverified() -> None:
    verdict = with_registry(submission(**{"lao.name": "เทศบาลตำบลโนนสำราญ", "lao.type": "เทศบาลตำบล"}), "4360101")
    issue = only(verdict, "LAO_CODE_NAME_MISMATCH")
    assert "เทศบาลเมืองชัยภูมิ" in issue.message_th and verdict.lao.registry_verified is False
    assert verdict.lao.name == "เทศบาลตำบลโนนสำราญ"


def test_registry_knowing_the_code_silences_the_district_digit_warning() -> None:
    # 6360113 was registered as an อบต. of district 01 and kept its digits when upgraded.
    sub = submission(**{"lao.name": "เทศบาลตำบลท่าหินโงม", "lao.type": "เทศบาลตำบล", "lao.code": "6360113"})
    verdict = with_registry(sub, "6360113")
    assert verdict.issues == [] and verdict.lao.type == "เทศบาลตำบล"


@pytest.mark.parametrize("ticked", ["เทศบาลตำบล", "ทม.", "เทศบาลนคร"])
def test_an_lao_the_registry_lists_as_an_sao_is_rejected_whatever_type_was_ticked(ticked: str) -> None:
    verdict = with_registry(submission(**{"lao.name": "เทศบาลตำบลนาฝาย", "lao.type": ticked,
                                          "lao.code": "6360104"}), "6360104")
    issue = only(verdict, "LAO_REGISTRY_TYPE_NOT_ELIGIBLE")
    assert (verdict.outcome, issue.severity, issue.field) == ("rejected", "reject", "lao.type")
    assert "องค์การบริหารส่วนตำบล" in issue.message_th and "Subdistrict Administrative Organisation" in issue.message_en
    assert "6360104" in issue.message_th and "Provincial Local Administration Office" in issue.message_en
    # The tick that differs from the registry is named too, both types in Thai and English.
    mismatch = only(verdict, "LAO_REGISTRY_TYPE_MISMATCH")
    declared = canonical_lao_type(ticked)
    assert declared is not None and mismatch.severity == "warning"
    assert "องค์การบริหารส่วนตำบล" in mismatch.message_th and declared in mismatch.message_th
    assert "Subdistrict Administrative Organisation" in mismatch.message_en and type_en(declared) in mismatch.message_en
    assert verdict.lao.type == "องค์การบริหารส่วนตำบล"


def test_an_lao_the_registry_lists_as_a_pao_is_rejected_even_with_its_type_left_blank() -> None:
    sub = submission(**{"lao.name": "เทศบาลนครนครราชสีมา", "lao.type": None, "lao.code": "2300101",
                        "lao.province": "นครราชสีมา", "lao.district": "เมืองนครราชสีมา"})
    verdict = validate(sub, FY2568, RECEIVED, registry=lookup("2300101", "30"))
    issue = only(verdict, "LAO_REGISTRY_TYPE_NOT_ELIGIBLE")
    assert verdict.outcome == "rejected" and "องค์การบริหารส่วนจังหวัด" in issue.message_th
    assert "Provincial Administrative Organisation" in issue.message_en
    assert "LAO_REGISTRY_TYPE_MISMATCH" not in codes(verdict)  # nothing ticked, nothing to contradict


def test_a_tick_that_agrees_with_an_ineligible_registry_type_is_rejected_once() -> None:
    verdict = with_registry(submission(**{"lao.name": "องค์การบริหารส่วนตำบลนาฝาย", "lao.type": "อบต.",
                                          "lao.code": "6360104"}), "6360104")
    assert verdict.outcome == "rejected"
    type_codes = [code for code in codes(verdict) if "TYPE" in code]
    assert type_codes == ["LAO_TYPE_NOT_ELIGIBLE"]


def test_a_municipality_in_the_registry_is_eligible_even_if_sao_was_ticked() -> None:
    # 6360113 was an อบต. and is a เทศบาลตำบล in DLA's registry: the registry's type decides.
    sub = submission(**{"lao.name": "เทศบาลตำบลท่าหินโงม", "lao.type": "อบต.", "lao.code": "6360113"})
    verdict = with_registry(sub, "6360113")
    assert verdict.outcome == "validated" and "LAO_TYPE_NOT_ELIGIBLE" not in codes(verdict)
    mismatch = only(verdict, "LAO_REGISTRY_TYPE_MISMATCH")
    assert "เทศบาลตำบล" in mismatch.message_th and "องค์การบริหารส่วนตำบล" in mismatch.message_th
    assert verdict.lao.type == "เทศบาลตำบล"


def test_an_sao_ticked_without_a_registry_match_is_still_rejected() -> None:
    sub = submission(**{"lao.name": "องค์การบริหารส่วนตำบลนาฝาย", "lao.type": "อบต.", "lao.code": None})
    assert only(validate(sub, FY2568, RECEIVED), "LAO_TYPE_NOT_ELIGIBLE").severity == "reject"


@pytest.mark.parametrize("url", ["https://chaiyaphumcity.go.th/plan.pdf", "http://www.nonsamran.go.th",
                                 "https://drive.google.com/file/d/abc/view?usp=sharing", "https://ชัยภูมิ.go.th/แผน"])
def test_web_addresses_a_reviewer_can_open_pass(url: str) -> None:
    assert is_web_url(url)


@pytest.mark.parametrize("url", ["https://drive/file", "ftp://example.go.th/plan.pdf", "https://example.go.th/a b",
                                 "www.example.go.th", "https://-bad.go.th", "https://example.9"])
def test_malformed_web_addresses_fail(url: str) -> None:
    assert not is_web_url(url)


def test_budget_at_the_campaign_bound_passes_and_above_it_is_returned() -> None:
    projects = copy.deepcopy(CHAIYAPHUM_TOWN["projects"])
    projects[0]["budget_thb"] = "500 ล้านบาท"
    assert "PROJECT_BUDGET_IMPLAUSIBLE" not in codes(validate(submission(projects=projects), FY2568, RECEIVED))
    projects[0]["budget_thb"] = "500,000,000.50"
    issue = only(validate(submission(projects=projects), FY2568, RECEIVED), "PROJECT_BUDGET_IMPLAUSIBLE")
    assert issue.field == "projects[0].budget_thb" and "500,000,000.50" in issue.message_th
    strict = FY2568.model_copy(update={"max_project_budget_thb": 10_000_000})
    projects[0]["budget_thb"] = "12 ล้านบาท"
    assert "PROJECT_BUDGET_IMPLAUSIBLE" in codes(validate(submission(projects=projects), strict, RECEIVED))


def test_zero_budget_is_allowed() -> None:
    projects = copy.deepcopy(CHAIYAPHUM_TOWN["projects"])
    projects[0]["budget_thb"] = 0
    assert validate(submission(projects=projects), FY2568, RECEIVED).issues == []
