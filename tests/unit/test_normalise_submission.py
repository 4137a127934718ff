"""The same response written in different ways becomes one canonical submission (pure, no I/O)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from pydantic import ValidationError

from services.intake.identity import content_hash, derived_response_id
from services.intake.normalise import (
    canonical_district,
    canonical_lao,
    canonical_province,
    canonical_submission,
    implausible_time,
)
from services.intake.submission import Lao, Submission
from shared.thai import THAI_TZ

BASE: dict[str, Any] = {
    "campaign": "fy2568", "source": "api", "source_response_id": "resp-1",
    "submitted_at": "2025-11-25T22:41:07+07:00",
    "lao": {"name": "เทศบาลตำบลบ้านเขว้า", "code": "5360201", "type": "เทศบาลตำบล", "province": "ชัยภูมิ",
            "district": "บ้านเขว้า"},
    "contact": {"name": "สมหญิง รักเมือง", "phone": "044-891-234", "email": "saraban@bankhwao.go.th"},
    "readiness": {"has_plan": True, "depa_mark": "applying", "data_platform": False},
    "dimensions": ["environment", "living"],
    "projects": [{"name": "ตลาดชุมชนออนไลน์", "dimensions": ["economy"], "budget_thb": 1500000,
                  "status": "in_progress", "beneficiaries": 3200,
                  "evidence_urls": ["https://drive.google.com/open?id=1AbCdEf"]}],
    "partners": ["มหาวิทยาลัยราชภัฏชัยภูมิ", "สำนักงานพัฒนาชุมชนอำเภอบ้านเขว้า"],
}

# The same answers as an official typed them into the form, and as a Sheets export renders them.
AS_TYPED: dict[str, Any] = {
    **BASE, "source": "google_form", "source_response_id": "2_ABaOnudXyz123",
    "submitted_at": "2025-11-25T15:41:07.123Z",
    "lao": {"name": "  ทต. บ้านเขว้า ", "code": "๕๓๖๐๒๐๑", "type": "ทต.", "province": "จ.ชัยภูมิ",
            "district": "อ.บ้านเขว้า"},
    "contact": {"name": "สมหญิง  รักเมือง", "phone": "๐๔๔ ๘๙๑ ๒๓๔", "email": "Saraban@BanKhwao.go.th "},
    "readiness": {"has_plan": "ใช่", "depa_mark": "อยู่ระหว่างยื่นขอ", "data_platform": "ไม่มี"},
    "dimensions": ["สิ่งแวดล้อมอัจฉริยะ", "การดำรงชีวิตอัจฉริยะ"],
    "projects": [{"name": "ตลาดชุมชนออนไลน์", "dimensions": ["เศรษฐกิจอัจฉริยะ"], "budget_thb": "๑.๕ ล้านบาท",
                  "status": "อยู่ระหว่างดำเนินการ", "beneficiaries": "๓,๒๐๐ คน",
                  "evidence_urls": ["https://drive.google.com/open?id=1AbCdEf"]}],
    "partners": "มหาวิทยาลัยราชภัฏชัยภูมิ, สำนักงานพัฒนาชุมชนอำเภอบ้านเขว้า",
}
AS_EXPORTED: dict[str, Any] = {
    **AS_TYPED, "source": "csv_import", "source_response_id": "row-1",
    "submitted_at": "25/11/2568, 22:41:07",
    "lao": {"name": "เทศบาลตำบล บ้านเขว้า", "code": "5360201", "type": "เทศบาลตำบล", "province": "36",
            "district": "3602"},
    "contact": {"name": "สมหญิง รักเมือง", "phone": "44891234", "email": "saraban@bankhwao.go.th"},
    "dimensions": "สิ่งแวดล้อมอัจฉริยะ, การดำรงชีวิตอัจฉริยะ",
    "projects": [{"name": "ตลาดชุมชนออนไลน์", "dimensions": "เศรษฐกิจอัจฉริยะ", "budget_thb": "1500000",
                  "status": "อยู่ระหว่างดำเนินการ", "beneficiaries": "3200",
                  "evidence_urls": "https://drive.google.com/open?id=1AbCdEf"}],
    "partners": "มหาวิทยาลัยราชภัฏชัยภูมิ\nสำนักงานพัฒนาชุมชนอำเภอบ้านเขว้า",
}


def _canonical(body: dict[str, Any]) -> dict[str, Any]:
    return canonical_submission(Submission.model_validate(body)).canonical_json()


def test_the_same_answers_typed_exported_or_canonical_are_one_canonical_submission() -> None:
    expected = _canonical(BASE)
    for body in (AS_TYPED, AS_EXPORTED):
        canonical = _canonical(body)
        assert {k: v for k, v in canonical.items() if k not in ("source", "source_response_id")} == {
            k: v for k, v in expected.items() if k not in ("source", "source_response_id")}
        assert content_hash(canonical) == content_hash(expected)


def test_canonical_values_are_the_registry_names_and_one_phone_format() -> None:
    canonical = _canonical(AS_TYPED)
    assert canonical["lao"] == {"name": "เทศบาลตำบลบ้านเขว้า", "code": "5360201", "type": "เทศบาลตำบล",
                                "province": "ชัยภูมิ", "district": "บ้านเขว้า"}
    assert canonical["contact"]["phone"] == "044-891-234"
    assert canonical["contact"]["email"] == "saraban@bankhwao.go.th"
    assert canonical["submitted_at"] == "2025-11-25T22:41:07+07:00"
    assert canonical["projects"][0]["budget_thb"] == 1500000
    assert canonical["projects"][0]["beneficiaries"] == 3200


@pytest.mark.parametrize("text", ["ชัยภูมิ", "จ.ชัยภูมิ", "จังหวัด ชัยภูมิ", "Chaiyaphum", "36", "๓๖"])
def test_a_province_by_name_with_or_without_prefix_or_by_code_is_its_thai_name(text: str) -> None:
    assert canonical_province(text) == ("ชัยภูมิ", "36")


def test_an_unknown_province_keeps_what_was_written_without_its_prefix() -> None:
    assert canonical_province("จ.ชัยภูมี") == ("ชัยภูมี", None)


@pytest.mark.parametrize("text", ["เมืองชัยภูมิ", "อ.เมืองชัยภูมิ", "อำเภอเมือง", "อ.เมือง", "3601", "๓๖๐๑"])
def test_a_district_by_name_with_or_without_prefix_or_by_code_is_its_thai_name(text: str) -> None:
    assert canonical_district(text, "36") == "เมืองชัยภูมิ"


def test_a_district_that_cannot_be_placed_keeps_its_name_without_prefix() -> None:
    assert canonical_district("อ.เมือง", None) == "เมือง"  # 76 districts are called เมือง
    assert canonical_district("อ.บ้านไม่มีจริง", "36") == "บ้านไม่มีจริง"


def test_bangkok_and_its_khet() -> None:
    lao = canonical_lao(Lao(name="กรุงเทพมหานคร", province="กทม.", district="เขตบางรัก"))
    assert (lao.province, lao.district) == ("กรุงเทพมหานคร", "เขตบางรัก")


def test_thai_answers_in_the_model_are_normalised_where_they_are_read() -> None:
    submission = Submission.model_validate({
        **BASE,
        "submitted_at": "25/11/2568, 22:41:07",
        "readiness": {"has_plan": "Yes", "plan_url": "www.bankhwao.go.th/plan.pdf", "depa_mark": "ไม่ได้รับ",
                      "data_platform": "No"},
        "projects": [{"name": "ไฟถนนอัจฉริยะ", "budget_thb": "-", "beneficiaries": "ประมาณ 12,000 คน",
                      "evidence_urls": "https://a.example/1, drive.google.com/file/d/2\nhttps://a.example/3"}],
    })
    assert submission.submitted_at == datetime(2025, 11, 25, 22, 41, 7, tzinfo=THAI_TZ)
    assert submission.readiness.plan_url == "https://www.bankhwao.go.th/plan.pdf"
    assert (submission.readiness.has_plan, submission.readiness.data_platform) == (True, False)
    assert submission.readiness.depa_mark == "no"
    project = submission.projects[0]
    assert (project.budget_thb, project.beneficiaries) == (None, 12000)
    assert project.evidence_urls == ["https://a.example/1", "https://drive.google.com/file/d/2",
                                     "https://a.example/3"]


def test_an_answer_that_cannot_be_read_is_refused_with_what_was_written() -> None:
    with pytest.raises(ValidationError) as caught:
        Submission.model_validate({**BASE, "projects": [{"name": "x", "budget_thb": "รอตั้งงบประมาณปีหน้า"}]})
    assert "รอตั้งงบประมาณปีหน้า" in caught.value.errors()[0]["msg"]


def test_a_csv_rows_derived_response_id_is_stable_and_names_the_lao_not_its_spelling() -> None:
    moment = datetime(2025, 11, 25, 22, 41, 7, tzinfo=THAI_TZ)
    assert derived_response_id(moment, "ทต.บ้านเขว้า") == derived_response_id(moment, "เทศบาลตำบล บ้านเขว้า")
    assert derived_response_id(moment, "ทต.บ้านเขว้า") != derived_response_id(moment, "ทต.คอนสวรรค์")
    assert derived_response_id(moment, "ทต.บ้านเขว้า").startswith("row-")


@pytest.mark.parametrize(("moment", "implausible"), [
    ("2025-11-25T22:41:07+07:00", False), ("0001-01-01T00:00:00+14:00", True), ("9999-12-31T23:00:00Z", True),
])
def test_a_form_timestamp_far_outside_the_selection_years_is_implausible(moment: str, implausible: bool) -> None:
    assert implausible_time(Submission.model_validate({**BASE, "submitted_at": moment})) is implausible
