"""Each validation rule, the FY2568 deadline to the second, and how findings add up to a verdict."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.intake.submission import Lao, Submission
from services.validation.rules import CATALOGUE, Verdict, validate
from services.validation.rules import verdict as verdict_rules
from shared.campaign import Campaign
from shared.events import Issue
from shared.thai import normalise_phone

# FY2568 as DLA's letter sets it: opens 21 Oct 2568, deadline Tuesday 25 Nov 2568 23:00 Thai time.
FY2568 = Campaign(
    key="fy2568",
    title_th="การคัดเลือก อปท. ที่มีการพัฒนาเมืองน่าอยู่อัจฉริยะ ประจำปีงบประมาณ พ.ศ. ๒๕๖๘",
    title_en="Smart City selection FY2568",
    opens_at=datetime.fromisoformat("2025-10-21T00:00:00+07:00"),
    submission_deadline=datetime.fromisoformat("2025-11-25T23:00:00+07:00"),
    district_deadline=datetime.fromisoformat("2025-11-25T23:59:59+07:00"),
    province_deadline=datetime.fromisoformat("2025-11-28T23:59:59+07:00"),
    eligible_lao_types=("เทศบาลนคร", "เทศบาลเมือง", "เทศบาลตำบล"),
    late_policy="reject",
    rubric_version="fy2568-v1",
)
FY2568_ACCEPTING_LATE = FY2568.model_copy(update={"late_policy": "accept_flagged"})

ON_TIME = datetime.fromisoformat("2025-11-24T03:15:00+00:00")  # 24 Nov 2568 10:15 Thai time
RECEIVED = datetime.fromisoformat("2025-11-24T03:15:02+00:00")

CHAIYAPHUM_TOWN: dict[str, Any] = {
    "campaign": "fy2568",
    "source": "google_form",
    "source_response_id": "2_ABaOnud1",
    "submitted_at": "2025-11-24T10:15:00+07:00",
    "lao": {"name": "เทศบาลเมืองชัยภูมิ", "code": "4360101", "type": "เทศบาลเมือง",
            "province": "ชัยภูมิ", "district": "เมืองชัยภูมิ"},
    "contact": {"name": "สมชาย ใจดี", "position": "ปลัดเทศบาล", "phone": "044-811-234",
                "email": "smartcity@chaiyaphumcity.go.th"},
    "readiness": {"has_plan": "ใช่", "plan_url": "https://chaiyaphumcity.go.th/smartcity-plan.pdf",
                  "depa_mark": "อยู่ระหว่างยื่นขอ", "data_platform": "ใช่"},
    "dimensions": "การบริหารภาครัฐอัจฉริยะ, สิ่งแวดล้อมอัจฉริยะ, การดำรงชีวิตอัจฉริยะ",
    "projects": [
        {"name": "ระบบแจ้งเหตุผ่าน LINE OA", "dimensions": ["governance"],
         "description": "ประชาชนแจ้งเหตุและติดตามสถานะผ่าน LINE", "budget_thb": "450,000",
         "status": "ดำเนินการแล้วเสร็จ", "beneficiaries": "12,000",
         "outcomes": "ลดเวลาตอบสนองเหตุจาก 3 วันเหลือ 6 ชั่วโมง",
         "evidence_urls": ["https://drive.google.com/file/d/abc/view"]},
        {"name": "เซนเซอร์ตรวจวัดฝุ่น PM2.5", "dimensions": ["environment"], "status": "in_progress",
         "evidence_urls": "https://drive.google.com/file/d/def/view"},
    ],
    "partners": "มหาวิทยาลัยราชภัฏชัยภูมิ, สำนักงานส่งเสริมเศรษฐกิจดิจิทัล",
}

BAN_FANG_SUBDISTRICT_MUNICIPALITY: dict[str, Any] = {
    **CHAIYAPHUM_TOWN,
    "source_response_id": "2_ABaOnud2",
    "lao": {"name": "เทศบาลตำบลบ้านฝาง", "type": "ทต.", "province": "จ.ขอนแก่น", "district": "อ.บ้านฝาง"},
}


def submission(base: dict[str, Any] | None = None, /, **changes: Any) -> Submission:
    """The base answers with changes at dotted paths; None leaves the answer out:
    `submission(**{"lao.type": None})`."""
    data = copy.deepcopy(base or CHAIYAPHUM_TOWN)
    for path, value in changes.items():
        *parents, leaf = path.split(".")
        target = data
        for key in parents:
            target = target[key]
        if value is None:
            target.pop(leaf, None)
        else:
            target[leaf] = value
    return Submission.model_validate(data)


def check(sub: Submission, campaign: Campaign = FY2568, received_at: datetime = RECEIVED) -> Verdict:
    return validate(sub, campaign, received_at)


def codes(verdict: Verdict) -> list[str]:
    return [issue.code for issue in verdict.issues]


def only(verdict: Verdict, code: str) -> Issue:
    found = [issue for issue in verdict.issues if issue.code == code]
    assert len(found) == 1, f"expected one {code}, got {codes(verdict)}"
    return found[0]


# --- the whole verdict -----------------------------------------------------------------------------------


def test_complete_town_municipality_is_validated_without_findings() -> None:
    verdict = check(submission())
    assert verdict.outcome == "validated"
    assert verdict.issues == []
    assert not verdict.late


def test_verdict_summarises_the_lao_with_resolved_codes() -> None:
    verdict = check(submission(**{"lao.type": "ทม.", "lao.province": "๓๖", "lao.district": "อ.เมือง"}))
    assert verdict.lao.model_dump(exclude={"size_class", "registry_verified"}) == {
        "name": "เทศบาลเมืองชัยภูมิ", "code": "4360101", "type": "เทศบาลเมือง",
        "province_code": "36", "province_name": "ชัยภูมิ",
        "district_code": "3601", "district_name": "เมืองชัยภูมิ",
    }


def test_subdistrict_municipality_in_another_province_is_validated() -> None:
    verdict = check(submission(BAN_FANG_SUBDISTRICT_MUNICIPALITY))
    assert verdict.outcome == "validated", codes(verdict)
    assert (verdict.lao.type, verdict.lao.province_code, verdict.lao.district_code) == ("เทศบาลตำบล", "40", "4002")


def test_any_reject_outweighs_returns_and_warnings() -> None:
    sub = submission(**{"lao.name": "อบต.นาฝาย", "lao.type": "อบต.", "contact.name": None,
                        "readiness.plan_url": None})
    verdict = check(sub)
    assert verdict.outcome == "rejected"
    assert {i.severity for i in verdict.issues} == {"reject", "return", "warning"}
    assert [i.code for i in verdict.warnings] == ["PLAN_URL_MISSING"]
    assert sorted(i.code for i in verdict.issues if i.severity != "warning") == ["CONTACT_NAME_MISSING",
                                                                             "LAO_TYPE_NOT_ELIGIBLE"]


def test_any_return_without_reject_returns_the_submission() -> None:
    verdict = check(submission(**{"contact.name": None, "readiness.plan_url": None}))
    assert verdict.outcome == "returned"
    assert codes(verdict) == ["CONTACT_NAME_MISSING", "PLAN_URL_MISSING"]


def test_warnings_alone_still_validate_and_are_kept() -> None:
    verdict = check(submission(**{"readiness.plan_url": None}))
    assert verdict.outcome == "validated"
    assert codes(verdict) == ["PLAN_URL_MISSING"]
    assert verdict.warnings == verdict.issues


# --- (a) eligibility -------------------------------------------------------------------------------------


def test_missing_lao_type_returns_the_submission() -> None:
    verdict = check(submission(**{"lao.type": None}))
    assert verdict.outcome == "returned"
    issue = only(verdict, "LAO_TYPE_MISSING")
    assert (issue.field, issue.severity) == ("lao.type", "return")
    assert "เทศบาลนคร / เทศบาลเมือง / เทศบาลตำบล" in issue.message_th


@pytest.mark.parametrize(
    "lao_type",
    ["องค์การบริหารส่วนตำบล", "อบต.", "อบต", "องค์การบริหารส่วนจังหวัด", "อบจ.", "เมืองพัทยา", "กรุงเทพมหานคร"],
)
def test_non_municipal_lao_is_rejected(lao_type: str) -> None:
    verdict = check(submission(**{"lao.name": "องค์การบริหารส่วนตำบลนาฝาย", "lao.type": lao_type}))
    assert verdict.outcome == "rejected"
    issue = only(verdict, "LAO_TYPE_NOT_ELIGIBLE")
    assert (issue.field, issue.severity) == ("lao.type", "reject")
    assert lao_type in issue.message_th and lao_type in issue.message_en


def test_subdistrict_administrative_organisation_is_rejected_and_summarised_by_its_full_type() -> None:
    verdict = check(submission(**{"lao.name": "อบต.นาฝาย", "lao.type": "อบต.", "lao.code": "6360104"}))
    assert verdict.outcome == "rejected"
    assert verdict.lao.type == "องค์การบริหารส่วนตำบล"
    assert "Subdistrict Administrative Organisation" in only(verdict, "LAO_TYPE_NOT_ELIGIBLE").message_en


def test_type_outside_the_known_types_is_rejected() -> None:
    verdict = check(submission(**{"lao.type": "สหกรณ์"}))
    assert codes(verdict) == ["LAO_TYPE_NOT_ELIGIBLE"]
    assert verdict.outcome == "rejected"


@pytest.mark.parametrize(
    ("written", "canonical"),
    [("ทน.", "เทศบาลนคร"), ("ทม.", "เทศบาลเมือง"), ("ทม", "เทศบาลเมือง"), ("ทต.", "เทศบาลตำบล"),
     ("เทศบาล เมือง", "เทศบาลเมือง"), ("Town Municipality", "เทศบาลเมือง")],
)
def test_municipal_type_abbreviations_are_eligible(written: str, canonical: str) -> None:
    name = {"เทศบาลนคร": "เทศบาลนครชัยภูมิ", "เทศบาลเมือง": "เทศบาลเมืองชัยภูมิ", "เทศบาลตำบล": "เทศบาลตำบลโนนสำราญ"}
    verdict = check(submission(**{"lao.type": written, "lao.name": name[canonical]}))
    assert verdict.outcome == "validated", codes(verdict)
    assert verdict.lao.type == canonical


def test_eligibility_follows_the_campaign_not_a_fixed_list() -> None:
    open_to_sao = FY2568.model_copy(
        update={"eligible_lao_types": ("เทศบาลนคร", "เทศบาลเมือง", "เทศบาลตำบล", "องค์การบริหารส่วนตำบล")}
    )
    sub = submission(**{"lao.name": "องค์การบริหารส่วนตำบลนาฝาย", "lao.type": "อบต."})
    assert check(sub, open_to_sao).outcome == "validated"
    municipal_cities_only = FY2568.model_copy(update={"eligible_lao_types": ("เทศบาลนคร",)})
    assert codes(check(submission(), municipal_cities_only)) == ["LAO_TYPE_NOT_ELIGIBLE"]


def test_leading_six_of_an_upgraded_sao_code_does_not_change_the_declared_type() -> None:
    sub = submission(**{"lao.name": "เทศบาลตำบลนาฝาย", "lao.type": "เทศบาลตำบล", "lao.code": "6360105"})
    verdict = check(sub)
    assert verdict.outcome == "validated", codes(verdict)
    assert verdict.lao.type == "เทศบาลตำบล"


def test_name_that_says_another_type_is_only_a_warning() -> None:
    verdict = check(submission(**{"lao.name": "ทต.โนนสำราญ", "lao.type": "เทศบาลเมือง"}))
    assert verdict.outcome == "validated"
    issue = only(verdict, "LAO_NAME_TYPE_MISMATCH")
    assert (issue.field, issue.severity) == ("lao.name", "warning")
    assert "เทศบาลตำบล" in issue.message_th and "Subdistrict Municipality" in issue.message_en


# --- (b) the deadline: 25 Nov 2568 23:00 Thai time = 2025-11-25T16:00:00Z ----------------------------------


@pytest.mark.parametrize(
    ("submitted_at", "campaign", "outcome", "found", "late"),
    [
        ("2025-11-25T15:59:59Z", FY2568, "validated", [], False),
        ("2025-11-25T16:00:00Z", FY2568, "validated", [], False),
        ("2025-11-25T16:00:01Z", FY2568, "rejected", ["SUBMITTED_LATE"], True),
        ("2025-11-25T15:59:59Z", FY2568_ACCEPTING_LATE, "validated", [], False),
        ("2025-11-25T16:00:01Z", FY2568_ACCEPTING_LATE, "validated", ["SUBMITTED_LATE_ACCEPTED"], True),
    ],
    ids=["22:59:59-reject", "23:00:00-reject", "23:00:01-reject", "22:59:59-accept", "23:00:01-accept"],
)
def test_deadline_boundary_under_both_late_policies(
    submitted_at: str, campaign: Campaign, outcome: str, found: list[str], late: bool
) -> None:
    received = datetime.fromisoformat(submitted_at) + timedelta(seconds=2)
    verdict = check(submission(submitted_at=submitted_at), campaign, received)
    assert (verdict.outcome, codes(verdict), verdict.late) == (outcome, found, late)
    assert verdict.judged_at == datetime.fromisoformat(submitted_at)


def test_late_rejection_shows_the_deadline_in_thai_and_english() -> None:
    verdict = check(submission(submitted_at="2025-11-25T16:00:01Z"), FY2568,
                    datetime(2025, 11, 25, 16, 0, 3, tzinfo=UTC))
    issue = only(verdict, "SUBMITTED_LATE")
    assert (issue.field, issue.severity) == ("submitted_at", "reject")
    assert "25 พ.ย. 2568 23:00 น." in issue.message_th
    assert "25 พ.ย. 2568 23:00:01 น." in issue.message_th
    assert "25 Nov 2025 23:00 Thai time" in issue.message_en


def test_late_submission_accepted_by_policy_is_flagged_as_a_warning() -> None:
    verdict = check(submission(submitted_at="2025-11-26T09:30:00+07:00"), FY2568_ACCEPTING_LATE,
                    datetime(2025, 11, 26, 2, 31, tzinfo=UTC))
    issue = only(verdict, "SUBMITTED_LATE_ACCEPTED")
    assert issue.severity == "warning"
    assert "26 พ.ย. 2568 09:30 น." in issue.message_th and "25 พ.ย. 2568 23:00 น." in issue.message_th


def test_form_timestamp_without_offset_is_thai_time() -> None:
    on_time = check(submission(submitted_at="2025-11-25T22:59:59"), FY2568, datetime(2025, 11, 25, 16, 1, tzinfo=UTC))
    late = check(submission(submitted_at="2025-11-25T23:00:01"), FY2568, datetime(2025, 11, 25, 16, 1, tzinfo=UTC))
    assert (on_time.outcome, late.outcome) == ("validated", "rejected")


def test_without_form_timestamp_the_receipt_time_decides() -> None:
    sub = submission(submitted_at=None)
    assert check(sub, FY2568, datetime(2025, 11, 25, 15, 59, 59, tzinfo=UTC)).outcome == "validated"
    verdict = check(sub, FY2568, datetime(2025, 11, 25, 16, 0, 1, tzinfo=UTC))
    assert codes(verdict) == ["SUBMITTED_LATE"]
    assert verdict.judged_at == datetime(2025, 11, 25, 16, 0, 1, tzinfo=UTC)


def test_naive_receipt_time_is_read_as_utc() -> None:
    verdict = check(submission(submitted_at=None), FY2568, datetime(2025, 11, 25, 16, 0, 1))
    assert codes(verdict) == ["SUBMITTED_LATE"]


def test_timestamp_more_than_five_minutes_after_receipt_returns_the_submission() -> None:
    received = datetime(2025, 11, 24, 3, 0, tzinfo=UTC)
    verdict = check(submission(submitted_at="2025-11-24T03:05:01Z"), FY2568, received)
    issue = only(verdict, "SUBMITTED_AT_IN_FUTURE")
    assert (issue.field, issue.severity, verdict.outcome) == ("submitted_at", "return", "returned")
    assert "24 พ.ย. 2568 10:00 น." in issue.message_th


def test_timestamp_within_five_minutes_of_receipt_is_clock_skew() -> None:
    received = datetime(2025, 11, 24, 3, 0, tzinfo=UTC)
    assert check(submission(submitted_at="2025-11-24T03:05:00Z"), FY2568, received).issues == []


def test_impossible_future_timestamp_is_not_used_for_the_deadline() -> None:
    # Received before the deadline, stamped after it: the receipt time is the one that can be trusted.
    received = datetime(2025, 11, 25, 15, 0, tzinfo=UTC)
    verdict = check(submission(submitted_at="2025-11-26T08:00:00+07:00"), FY2568, received)
    assert codes(verdict) == ["SUBMITTED_AT_IN_FUTURE"]
    assert not verdict.late and verdict.judged_at == received


def test_submission_before_the_campaign_opens_is_returned() -> None:
    verdict = check(submission(submitted_at="2025-10-20T23:59:00+07:00"), FY2568,
                    datetime(2025, 10, 20, 17, 0, tzinfo=UTC))
    issue = only(verdict, "SUBMITTED_BEFORE_OPENING")
    assert (issue.severity, verdict.outcome) == ("return", "returned")
    assert "21 ต.ค. 2568 00:00 น." in issue.message_th and "21 Oct 2025 00:00" in issue.message_en


# --- (c) required answers --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "code", "field"),
    [
        ("lao.district", "DISTRICT_MISSING", "lao.district"),
        ("contact.name", "CONTACT_NAME_MISSING", "contact.name"),
        ("readiness.has_plan", "HAS_PLAN_MISSING", "readiness.has_plan"),
        ("readiness.depa_mark", "DEPA_MARK_MISSING", "readiness.depa_mark"),
        ("readiness.data_platform", "DATA_PLATFORM_MISSING", "readiness.data_platform"),
        ("dimensions", "DIMENSIONS_MISSING", "dimensions"),
        ("projects", "PROJECTS_MISSING", "projects"),
    ],
)
def test_each_missing_required_answer_returns_with_its_field(path: str, code: str, field: str) -> None:
    verdict = check(submission(**{path: None}))
    assert verdict.outcome == "returned"
    issue = only(verdict, code)
    assert (issue.field, issue.severity) == (field, "return")
    assert issue.message_th and issue.message_en


def test_blank_answers_count_as_missing() -> None:
    sub = submission(dimensions="", projects=[])
    # The canonical model turns blank text into None; a blank that slips through still counts as missing.
    sub = sub.model_copy(update={"lao": sub.lao.model_copy(update={"district": "  "}),
                                 "contact": sub.contact.model_copy(update={"name": ""})})
    verdict = check(sub)
    assert codes(verdict) == ["DISTRICT_MISSING", "CONTACT_NAME_MISSING", "DIMENSIONS_MISSING", "PROJECTS_MISSING"]


def test_contact_needs_an_email_or_a_phone() -> None:
    verdict = check(submission(**{"contact.email": None, "contact.phone": None}))
    issue = only(verdict, "CONTACT_CHANNEL_MISSING")
    assert (issue.field, issue.severity) == ("contact", "return")
    assert check(submission(**{"contact.email": None})).issues == []
    assert check(submission(**{"contact.phone": None})).issues == []


def test_an_empty_form_gets_every_missing_answer_at_once() -> None:
    sub = Submission.model_validate({
        "campaign": "fy2568", "source": "csv_import", "source_response_id": "row-17",
        "submitted_at": "2025-11-25T22:41:07+07:00",
        "lao": {"name": "เทศบาลตำบลโนนสำราญ", "province": "ชัยภูมิ"},
    })
    verdict = check(sub, FY2568, datetime(2025, 11, 25, 15, 45, tzinfo=UTC))
    assert codes(verdict) == [
        "LAO_TYPE_MISSING", "DISTRICT_MISSING", "CONTACT_NAME_MISSING", "CONTACT_CHANNEL_MISSING",
        "HAS_PLAN_MISSING", "DEPA_MARK_MISSING", "DATA_PLATFORM_MISSING", "DIMENSIONS_MISSING",
        "PROJECTS_MISSING",
    ]
    assert verdict.outcome == "returned"


# --- (d) province and district ---------------------------------------------------------------------------


def test_unknown_province_is_returned() -> None:
    verdict = check(submission(**{"lao.province": "ชัยภูมี", "lao.code": None}))
    issue = only(verdict, "PROVINCE_UNKNOWN")
    assert (issue.field, issue.severity) == ("lao.province", "return")
    assert "ชัยภูมี" in issue.message_th
    # The district cannot be placed without a province; the province is what to fix.
    assert codes(verdict) == ["PROVINCE_UNKNOWN"]
    assert verdict.lao.province_code is None and verdict.lao.district_code is None


def test_province_given_as_thai_digit_code_is_accepted() -> None:
    assert check(submission(**{"lao.province": "๓๖"})).issues == []


def test_unknown_district_is_returned() -> None:
    verdict = check(submission(**{"lao.district": "อำเภอหนองไม่มี"}))
    issue = only(verdict, "DISTRICT_UNKNOWN")
    assert (issue.field, issue.severity, verdict.outcome) == ("lao.district", "return", "returned")


def test_unknown_district_is_returned_even_when_the_province_is_unknown() -> None:
    verdict = check(submission(**{"lao.province": "ชัยภูมี", "lao.district": "อำเภอหนองไม่มี", "lao.code": None}))
    assert codes(verdict) == ["PROVINCE_UNKNOWN", "DISTRICT_UNKNOWN"]


def test_district_of_another_province_is_returned_naming_where_it_is() -> None:
    verdict = check(submission(**{"lao.district": "บ้านเขว้า", "lao.province": "ขอนแก่น", "lao.code": None}))
    issue = only(verdict, "DISTRICT_NOT_IN_PROVINCE")
    assert (issue.field, issue.severity) == ("lao.district", "return")
    assert "ขอนแก่น" in issue.message_th and "ชัยภูมิ" in issue.message_th
    assert "Khon Kaen" in issue.message_en and "Chaiyaphum" in issue.message_en


def test_district_code_must_belong_to_the_province() -> None:
    verdict = check(submission(**{"lao.district": "4001"}))
    assert codes(verdict) == ["DISTRICT_NOT_IN_PROVINCE"]


def test_mueang_is_the_capital_district_of_the_given_province() -> None:
    verdict = check(submission(**{"lao.district": "อ.เมือง"}))
    assert verdict.issues == []
    assert verdict.lao.district_code == "3601"


def test_bangkok_khet_is_checked_against_bangkok() -> None:
    sub = submission(**{"lao.name": "กรุงเทพมหานคร", "lao.type": "กรุงเทพมหานคร", "lao.code": None,
                        "lao.province": "กรุงเทพฯ", "lao.district": "เขตบางรัก"})
    verdict = check(sub)
    assert codes(verdict) == ["LAO_TYPE_NOT_ELIGIBLE"]
    assert (verdict.lao.province_code, verdict.lao.district_code) == ("10", "1004")


# --- (e) the LAO code ------------------------------------------------------------------------------------


def test_lao_code_is_optional() -> None:
    assert check(submission(**{"lao.code": None})).issues == []


def test_lao_code_in_thai_digits_is_read() -> None:
    verdict = check(submission(**{"lao.code": "๔๓๖๐๑๐๑"}))
    assert verdict.issues == [] and verdict.lao.code == "4360101"


def test_lao_code_province_digits_must_match_the_province() -> None:
    verdict = check(submission(**{"lao.code": "4400101"}))
    issue = only(verdict, "LAO_CODE_PROVINCE_MISMATCH")
    assert (issue.field, issue.severity, verdict.outcome) == ("lao.code", "return", "returned")
    assert "(40)" in issue.message_th and "(36)" in issue.message_th


@pytest.mark.parametrize("code", ["1360101", "2360101", "7360101", "0360101"])
def test_lao_code_first_digit_must_be_a_municipal_or_sao_digit(code: str) -> None:
    issue = only(check(submission(**{"lao.code": code})), "LAO_CODE_TYPE_DIGIT_INVALID")
    assert (issue.field, issue.severity) == ("lao.code", "return")
    assert code[0] in issue.message_en


def test_lao_code_district_digits_differing_from_the_district_is_a_warning() -> None:
    verdict = check(submission(**{"lao.code": "4360201"}))
    issue = only(verdict, "LAO_CODE_DISTRICT_MISMATCH")
    assert (issue.field, issue.severity, verdict.outcome) == ("lao.code", "warning", "validated")


def test_malformed_lao_code_is_returned() -> None:
    # The canonical model refuses such codes at intake; validation still guards against them.
    sub = submission()
    sub = sub.model_copy(update={"lao": sub.lao.model_copy(update={"code": "43601"})})
    issue = only(check(sub), "LAO_CODE_INVALID")
    assert (issue.field, issue.severity) == ("lao.code", "return")


# --- (f) contact formats ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "email", ["smartcity@chaiyaphumcity.go.th", "somchai.jaidee+smart@gmail.com", "SARABAN@NONSAMRAN.GO.TH"]
)
def test_valid_email_passes(email: str) -> None:
    assert check(submission(**{"contact.email": email})).issues == []


@pytest.mark.parametrize(
    "email", ["smartcity@", "smartcity.chaiyaphumcity.go.th", "สมชาย@chaiyaphumcity.go.th", "a@b",
              "a..b@example.go.th", "smart city@example.go.th", "a@example.go.th,b@example.go.th"],
)
def test_invalid_email_is_returned(email: str) -> None:
    issue = only(check(submission(**{"contact.email": email})), "CONTACT_EMAIL_INVALID")
    assert (issue.field, issue.severity) == ("contact.email", "return")


@pytest.mark.parametrize(
    "phone",
    ["044-811-234", "044 811234", "(044) 811-234", "02-123-4567", "081-234-5678", "0812345678", "06-1234-5678",
     "+66 81 234 5678", "+66 44 811 234", "+66 (0)81 234 5678", "๐๘๑-๒๓๔-๕๖๗๘", "044-811-234 ต่อ 12",
     "044-811-234, 081-234-5678", "81-234-5678"],
)
def test_thai_landline_and_mobile_numbers_pass(phone: str) -> None:
    assert check(submission(**{"contact.phone": phone})).issues == []


@pytest.mark.parametrize(
    "phone",
    ["08-1234-567", "044-811-23", "0812345678901", "12345", "1669", "+1 415 555 0100", "044-811-234, 12"],
)
def test_invalid_phone_number_is_returned(phone: str) -> None:
    issue = only(check(submission(**{"contact.phone": phone})), "CONTACT_PHONE_INVALID")
    assert (issue.field, issue.severity) == ("contact.phone", "return")
    assert phone in issue.message_th


# How coordinators write their numbers: landlines and mobiles, +66 with or without the plus, the leading zero a
# spreadsheet dropped, Thai digits, extensions, several numbers in one answer, and what is not a Thai number.
PHONES_AS_WRITTEN = [
    "66812345678", "+66 81 234 5678", "081-234-5678", "02 123 4567 ต่อ 12", "044-811-234", "0812345678",
    "812345678", "๐๘๑-๒๓๔-๕๖๗๘", "(02) 123-4567 ext. 9", "044-811-234 / 081-234-5678",
    "044 811 234 หรือ 081 234 5678", "08-1234-567", "044-811-23", "1669", "+1 415 555 0100",
    "โทร 081-234-5678", "044-811-234, 12",
]


def _phone_accepted(phone: str) -> bool:
    return "CONTACT_PHONE_INVALID" not in codes(check(submission(**{"contact.phone": phone})))


def test_validation_accepts_a_phone_number_exactly_when_intake_normalises_it() -> None:
    disagreements = [phone for phone in PHONES_AS_WRITTEN
                     if _phone_accepted(phone) != (normalise_phone(phone) is not None)]
    assert disagreements == []
    for phone in ("66812345678", "+66 81 234 5678", "081-234-5678", "02 123 4567 ต่อ 12"):
        assert _phone_accepted(phone) and normalise_phone(phone) is not None, phone
    # The list holds both kinds, and what intake stores validation takes as it is.
    assert {normalise_phone(phone) is None for phone in PHONES_AS_WRITTEN} == {True, False}
    for phone in PHONES_AS_WRITTEN:
        normalised = normalise_phone(phone)
        assert normalised is None or _phone_accepted(normalised), normalised


# --- (g) readiness ---------------------------------------------------------------------------------------


def test_plan_without_a_link_is_a_warning() -> None:
    issue = only(check(submission(**{"readiness.plan_url": None})), "PLAN_URL_MISSING")
    assert (issue.field, issue.severity) == ("readiness.plan_url", "warning")


def test_no_plan_needs_no_link() -> None:
    assert check(submission(**{"readiness.has_plan": "ไม่ใช่", "readiness.plan_url": None})).issues == []


# --- (h) projects ----------------------------------------------------------------------------------------


def test_project_dimension_not_declared_is_a_warning_on_that_project() -> None:
    projects = copy.deepcopy(CHAIYAPHUM_TOWN["projects"])
    projects[1]["dimensions"] = ["environment", "energy", "mobility"]
    verdict = check(submission(projects=projects))
    issue = only(verdict, "PROJECT_DIMENSION_NOT_DECLARED")
    assert (issue.field, issue.severity, verdict.outcome) == ("projects[1].dimensions", "warning", "validated")
    assert "พลังงานอัจฉริยะ, การเดินทางและขนส่งอัจฉริยะ" in issue.message_th
    assert "Smart Energy, Smart Mobility" in issue.message_en


def test_duplicate_project_names_return_the_later_project() -> None:
    projects = copy.deepcopy(CHAIYAPHUM_TOWN["projects"])
    projects.append({**projects[0], "name": "ระบบแจ้งเหตุผ่าน line  OA"})
    verdict = check(submission(projects=projects))
    issue = only(verdict, "PROJECT_NAME_DUPLICATE")
    assert (issue.field, issue.severity, verdict.outcome) == ("projects[2].name", "return", "returned")
    assert "โครงการที่ 3" in issue.message_th and "โครงการที่ 1" in issue.message_th


def test_project_without_evidence_is_a_warning() -> None:
    projects = copy.deepcopy(CHAIYAPHUM_TOWN["projects"])
    projects[0]["evidence_urls"] = []
    issue = only(check(submission(projects=projects)), "PROJECT_EVIDENCE_MISSING")
    assert (issue.field, issue.severity) == ("projects[0].evidence_urls", "warning")


# --- the catalogue and robustness ------------------------------------------------------------------------


def test_catalogue_codes_are_stable_upper_snake_keys_with_known_severities() -> None:
    for code, rule in CATALOGUE.items():
        assert code == rule.code and re.fullmatch(r"[A-Z][A-Z0-9_]+", code)
        assert rule.severity in ("reject", "return", "warning")
        assert rule.message_th and rule.message_en


def test_catalogue_field_and_message_placeholders_are_filled_from_details() -> None:
    rule = CATALOGUE["PROJECT_NAME_DUPLICATE"]
    issue = rule.issue(index=2, number=3, name="ระบบแจ้งเหตุ", first_number=1)
    assert issue.field == "projects[2].name"
    assert "{" not in issue.message_th + issue.message_en


def test_placeholder_without_a_value_stays_visible_instead_of_failing() -> None:
    issue = CATALOGUE["PROVINCE_UNKNOWN"].issue()
    assert "{value}" in issue.message_en


def test_every_issue_validation_emits_is_in_the_catalogue() -> None:
    sub = submission(**{"lao.type": "อบต.", "lao.code": "2400101", "contact.email": "x@", "readiness.plan_url": None})
    for issue in check(sub).issues:
        assert CATALOGUE[issue.code].severity == issue.severity


def test_odd_data_never_raises() -> None:
    odd = Submission.model_construct(
        campaign="fy2568", source="api", source_response_id="odd", submitted_at="yesterday",
        lao=Lao.model_construct(name=None, code=4360101, type=42, province=None, district=["3601"]),
        contact=None, readiness=None, dimensions=None, projects=None,
    )
    verdict = check(odd)
    assert verdict.outcome in ("returned", "rejected")
    assert "PROVINCE_MISSING" in codes(verdict)


def test_a_failing_check_becomes_a_finding_and_the_others_still_run(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(case: Any) -> Iterator[Issue]:
        raise KeyError("surprise")
        yield  # pragma: no cover

    monkeypatch.setattr(verdict_rules, "CHECKS", (broken, *verdict_rules.CHECKS))
    verdict = check(submission(**{"contact.name": None}))
    assert codes(verdict) == ["RULE_FAILED", "CONTACT_NAME_MISSING"]
    assert "broken" in verdict.issues[0].message_en and "KeyError" in verdict.issues[0].message_en
