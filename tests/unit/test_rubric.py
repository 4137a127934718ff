"""The rubric file format and the scoring of submissions under it: every rule, band boundaries, tiers, size
groups, committee points, and the errors a rubric author sees."""

from __future__ import annotations

import copy
import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from services.intake.submission import Submission
from services.scoring.rubric import (
    SUBMISSION_FIELDS,
    Rubric,
    RubricBook,
    RubricError,
    ScoreResult,
    ScoringError,
    UnknownRubric,
    default_rubric_dir,
    load_rubric,
    load_rubric_book,
    parse_rubric,
    score,
    size_group_of,
    tier_of,
)
from shared.campaign import load_campaigns
from shared.events import ContactSummary, Envelope, LaoSummary, SubmissionScored

DEFAULT_RUBRIC = default_rubric_dir() / "fy2568-v1.toml"

PARTNERS = [
    "มหาวิทยาลัยราชภัฏชัยภูมิ",
    "สำนักงานส่งเสริมเศรษฐกิจดิจิทัล",
    "การไฟฟ้าส่วนภูมิภาคจังหวัดชัยภูมิ",
    "หอการค้าจังหวัดชัยภูมิ",
    "สำนักงานสาธารณสุขจังหวัดชัยภูมิ",
    "โรงพยาบาลชัยภูมิ",
    "วิทยาลัยเทคนิคชัยภูมิ",
]

# The canonical example of docs/form.md.
CANONICAL: dict[str, Any] = {
    "campaign": "fy2568",
    "source": "api",
    "source_response_id": "resp-0001",
    "submitted_at": "2025-11-24T10:15:00+07:00",
    "lao": {"name": "เทศบาลเมืองชัยภูมิ", "code": "4360101", "type": "เทศบาลเมือง",
            "province": "ชัยภูมิ", "district": "เมืองชัยภูมิ"},
    "contact": {"name": "สมชาย ใจดี", "position": "ปลัดเทศบาล", "phone": "044-811-234",
                "email": "smartcity@example.go.th"},
    "readiness": {"has_plan": True, "plan_url": "https://example.go.th/plan.pdf",
                  "depa_mark": "applying", "data_platform": True},
    "dimensions": ["environment", "governance", "living"],
    "projects": [
        {"name": "ระบบแจ้งเหตุผ่าน LINE OA", "dimensions": ["governance"],
         "description": "ประชาชนแจ้งเหตุและติดตามสถานะผ่าน LINE", "budget_thb": 450000,
         "status": "completed", "beneficiaries": 12000,
         "outcomes": "ลดเวลาตอบสนองเหตุจาก 3 วันเหลือ 6 ชั่วโมง",
         "evidence_urls": ["https://drive.google.com/file/d/abc/view"]},
    ],
    "partners": ["มหาวิทยาลัยราชภัฏชัยภูมิ", "สำนักงานส่งเสริมเศรษฐกิจดิจิทัล"],
}


def make_submission(**changes: Any) -> Submission:
    """The canonical example with top-level entries replaced and `readiness` entries merged."""
    data = copy.deepcopy(CANONICAL)
    readiness = changes.pop("readiness", {})
    data["readiness"].update(readiness)
    data.update(changes)
    return Submission.model_validate(data)


def project(name: str, **fields: Any) -> dict[str, Any]:
    return {"name": name, **fields}


def rubric_with(rule: dict[str, Any], *, points: float = 10, title_th: str = "เกณฑ์ทดสอบ",
                title_en: str = "Test criterion", extra: list[dict[str, Any]] | None = None) -> Rubric:
    """A one-section rubric around one criterion `c` (plus `extra` criteria); tiers at 70% / 50%."""
    criteria = [{"key": "c", "title_th": title_th, "title_en": title_en, "points": points, "rule": rule}]
    criteria += extra or []
    total = sum(c["points"] for c in criteria)
    return parse_rubric({
        "version": "test-v1",
        "campaign": "fy2568",
        "title_th": "เกณฑ์ทดสอบ",
        "title_en": "Test rubric",
        "tiers": {"outstanding_min": total * 0.7, "efficient_min": total * 0.5},
        "size_groups": {
            "names": {"large": {"th": "ขนาดใหญ่", "en": "large"},
                      "medium": {"th": "ขนาดกลาง", "en": "medium"},
                      "small": {"th": "ขนาดเล็ก", "en": "small"}},
            "fallback_by_lao_type": {"เทศบาลนคร": "large", "เทศบาลเมือง": "medium", "เทศบาลตำบล": "small"},
        },
        "sections": [{"key": "s", "title_th": "หมวดทดสอบ", "title_en": "Test section", "criteria": criteria}],
    })


def only(result: ScoreResult, key: str = "c") -> Any:
    return next(criterion for criterion in result.criteria if criterion.key == key)


def score_one(rule: dict[str, Any], submission: Submission, **kwargs: Any) -> Any:
    return only(score(submission, rubric_with(rule, **kwargs), lao_type="เทศบาลเมือง"))


def default_rubric_data() -> dict[str, Any]:
    with DEFAULT_RUBRIC.open("rb") as handle:
        return tomllib.load(handle)


def rubric_error(data: dict[str, Any]) -> str:
    with pytest.raises(RubricError) as caught:
        parse_rubric(data, source="rubrics/broken.toml")
    return str(caught.value)


# ---------------------------------------------------------------------------------------------- yes_no


def test_yes_no_gives_full_points_and_says_yes_in_plain_thai() -> None:
    result = score_one({"type": "yes_no", "field": "readiness.has_plan"}, make_submission(), points=15,
                       title_th="มีแผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบ",
                       title_en="Approved smart city development plan")
    assert result.points == 15
    assert result.max_points == 15
    assert result.manual is False
    assert result.inputs == {"readiness.has_plan": True}
    assert result.reason_th == "มีแผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบ: ใช่ → 15 คะแนน"
    assert result.reason_en == "Approved smart city development plan: yes → 15 points"


def test_yes_no_gives_nothing_when_the_answer_is_no() -> None:
    result = score_one({"type": "yes_no", "field": "readiness.data_platform"},
                       make_submission(readiness={"data_platform": "ไม่มี"}))
    assert result.points == 0
    assert result.inputs == {"readiness.data_platform": False}
    assert result.reason_th == "เกณฑ์ทดสอบ: ไม่ใช่ → 0 คะแนน"


def test_yes_no_gives_nothing_and_says_so_when_unanswered() -> None:
    result = score_one({"type": "yes_no", "field": "readiness.has_plan"},
                       make_submission(readiness={"has_plan": None}))
    assert result.points == 0
    assert result.reason_th == "เกณฑ์ทดสอบ: ไม่ได้ตอบ → 0 คะแนน"
    assert result.reason_en == "Test criterion: not answered → 0 points"


def test_yes_no_points_if_yes_gives_fewer_than_the_criterion_maximum() -> None:
    result = score_one({"type": "yes_no", "field": "readiness.has_plan", "points_if_yes": 6},
                       make_submission(), points=10)
    assert (result.points, result.max_points) == (6, 10)


# ---------------------------------------------------------------------------------------------- choice

DEPA_CHOICE = {"type": "choice", "field": "readiness.depa_mark", "points": {"yes": 10, "applying": 5, "no": 0}}


@pytest.mark.parametrize(("answer", "points", "label_th", "label_en"), [
    ("ได้รับแล้ว", 10, "ได้รับแล้ว", "awarded"),
    ("อยู่ระหว่างยื่นขอ", 5, "อยู่ระหว่างยื่นขอ", "applying"),
    ("ไม่ได้รับ", 0, "ไม่ได้รับ", "not awarded"),
])
def test_choice_gives_the_points_of_the_answer(answer: str, points: int, label_th: str, label_en: str) -> None:
    result = score_one(DEPA_CHOICE, make_submission(readiness={"depa_mark": answer}),
                       title_th="ตราสัญลักษณ์ Smart City Thailand", title_en="Smart City Thailand mark")
    assert result.points == points
    assert result.reason_th == f"ตราสัญลักษณ์ Smart City Thailand: {label_th} → {points} คะแนน"
    assert result.reason_en.startswith(f"Smart City Thailand mark: {label_en} → {points} point")


def test_choice_gives_nothing_for_an_answer_the_rubric_does_not_list() -> None:
    rule = {"type": "choice", "field": "readiness.depa_mark", "points": {"yes": 10}}
    result = score_one(rule, make_submission(readiness={"depa_mark": "applying"}))
    assert result.points == 0
    assert result.inputs == {"readiness.depa_mark": "applying"}


def test_choice_gives_nothing_when_unanswered() -> None:
    result = score_one(DEPA_CHOICE, make_submission(readiness={"depa_mark": None}))
    assert result.points == 0
    assert "ไม่ได้ตอบ" in result.reason_th


# ---------------------------------------------------------------------------------------------- presence


def test_presence_gives_full_points_for_a_plan_link() -> None:
    result = score_one({"type": "presence", "field": "readiness.plan_url"}, make_submission(), points=5)
    assert result.points == 5
    assert result.inputs == {"readiness.plan_url": "https://example.go.th/plan.pdf"}
    assert result.reason_th == "เกณฑ์ทดสอบ: มี → 5 คะแนน"


def test_presence_gives_nothing_without_a_plan_link() -> None:
    result = score_one({"type": "presence", "field": "readiness.plan_url"},
                       make_submission(readiness={"plan_url": "  "}), points=5)
    assert result.points == 0
    assert result.reason_th == "เกณฑ์ทดสอบ: ไม่มี → 0 คะแนน"
    assert result.reason_en == "Test criterion: not provided → 0 points"


@pytest.mark.parametrize(("partners", "points"), [([], 0), (["เทศบาลตำบลบ้านเขว้า"], 4)])
def test_presence_of_a_list_needs_at_least_one_item(partners: list[str], points: int) -> None:
    result = score_one({"type": "presence", "field": "partners"}, make_submission(partners=partners), points=4)
    assert result.points == points


def test_presence_of_projects_records_them_as_plain_json() -> None:
    result = score_one({"type": "presence", "field": "projects"}, make_submission(), points=2)
    assert result.points == 2
    assert json.loads(json.dumps(result.inputs, ensure_ascii=False)) == result.inputs
    assert result.inputs["projects"][0]["budget_thb"] == 450000


# ---------------------------------------------------------------------------------------------- count_bands

PARTNER_BANDS = {"type": "count_bands", "count": "partners",
                 "bands": [{"min": 1, "points": 3}, {"min": 3, "points": 6}, {"min": 5, "points": 10}]}


@pytest.mark.parametrize(("count", "points"), [
    (0, 0),    # below the lowest band
    (1, 3),    # at the first band
    (2, 3),    # above the first, below the second
    (3, 6),    # at the second
    (4, 6),    # just below the third
    (5, 10),   # at the third
    (6, 10),   # above the top band
])
def test_count_bands_give_the_points_of_the_highest_band_reached(count: int, points: int) -> None:
    result = score_one(PARTNER_BANDS, make_submission(partners=PARTNERS[:count]))
    assert result.points == points
    assert result.inputs == {"count": "partners", "value": count, "items": PARTNERS[:count]}


def test_count_bands_explain_the_band_reached() -> None:
    result = score_one(PARTNER_BANDS, make_submission(partners=PARTNERS[:4]), title_th="ภาคีเครือข่าย",
                       title_en="Partners")
    assert result.reason_th == "ภาคีเครือข่าย: 4 ภาคี (เกณฑ์ตั้งแต่ 3 ภาคีขึ้นไป) → 6 คะแนน"
    assert result.reason_en == "Partners: 4 partners (band: 3 partners or more) → 6 points"


def test_count_bands_explain_a_count_below_the_lowest_band() -> None:
    result = score_one(PARTNER_BANDS, make_submission(partners=[]), title_th="ภาคีเครือข่าย", title_en="Partners")
    assert result.reason_th == "ภาคีเครือข่าย: 0 ภาคี (ต่ำกว่าเกณฑ์ขั้นต่ำ 1 ภาคี) → 0 คะแนน"
    assert result.reason_en == "Partners: 0 partners (below the lowest band, 1 partner) → 0 points"


def test_partners_named_twice_count_once() -> None:
    partners = "มหาวิทยาลัยราชภัฏชัยภูมิ, หอการค้าจังหวัดชัยภูมิ, มหาวิทยาลัยราชภัฏ ชัยภูมิ , หอการค้าจังหวัดชัยภูมิ"
    result = score_one(PARTNER_BANDS, make_submission(partners=partners))
    assert result.inputs["value"] == 2
    assert result.points == 3


FIVE_PROJECTS = [
    project("ระบบแจ้งเหตุผ่าน LINE OA", dimensions=["governance"], status="ดำเนินการแล้วเสร็จ",
            outcomes="ลดเวลาตอบสนองเหตุจาก 3 วันเหลือ 6 ชั่วโมง",
            evidence_urls="https://drive.google.com/file/d/a1/view, https://drive.google.com/file/d/a2/view"),
    project("เสาไฟอัจฉริยะพลังงานแสงอาทิตย์", dimensions=["พลังงานอัจฉริยะ", "สิ่งแวดล้อมอัจฉริยะ"],
            status="completed", outcomes="ลดค่าไฟฟ้าสาธารณะร้อยละ 35",
            evidence_urls=["https://drive.google.com/file/d/a2/view"]),
    project("ระบบติดตามรถเก็บขยะด้วย GPS", dimensions=["environment"], status="อยู่ระหว่างดำเนินการ"),
    project("ตลาดออนไลน์สินค้าชุมชน", dimensions=["economy"], status="in_progress",
            evidence_urls=["https://drive.google.com/file/d/a3/view"]),
    project("ระบบดูแลผู้สูงอายุติดเตียงทางไกล", dimensions=["living"], status="อยู่ระหว่างวางแผน"),
]


@pytest.mark.parametrize(("count", "expected"), [
    ("projects", 5),
    ("projects_with_status:completed", 2),
    ("projects_with_status:in_progress", 2),
    ("projects_with_status:planned", 1),
    ("projects_with_outcomes", 2),      # projects without outcomes do not count
    ("evidence_urls", 3),               # a link given by two projects counts once
    ("dimensions", 3),                  # the dimensions the municipality declared
])
def test_count_bands_count_what_they_name(count: str, expected: int) -> None:
    rule = {"type": "count_bands", "count": count, "bands": [{"min": 1, "points": 1}, {"min": 3, "points": 5}]}
    result = score_one(rule, make_submission(projects=FIVE_PROJECTS), points=5)
    assert result.inputs["value"] == expected
    assert result.points == (5 if expected >= 3 else 1)


def test_completed_projects_are_listed_by_name_in_the_inputs() -> None:
    rule = {"type": "count_bands", "count": "projects_with_status:completed", "bands": [{"min": 1, "points": 2}]}
    result = score_one(rule, make_submission(projects=FIVE_PROJECTS), points=2)
    assert result.inputs["items"] == ["ระบบแจ้งเหตุผ่าน LINE OA", "เสาไฟอัจฉริยะพลังงานแสงอาทิตย์"]
    assert result.reason_th == "เกณฑ์ทดสอบ: 2 โครงการ (เกณฑ์ตั้งแต่ 1 โครงการขึ้นไป) → 2 คะแนน"


# ---------------------------------------------------------------------------------------------- dimension_coverage


@pytest.mark.parametrize(("dimensions", "points"), [
    ([], 0),
    (["governance"], 3),
    (["governance", "living", "people"], 9),            # just below the cap (10)
    (["governance", "living", "people", "energy"], 10),  # 12, capped at 10
])
def test_dimension_coverage_gives_points_per_dimension_up_to_the_criterion(
        dimensions: list[str], points: int) -> None:
    rule = {"type": "dimension_coverage", "points_per_dimension": 3, "source": "declared"}
    result = score_one(rule, make_submission(dimensions=dimensions, projects=[]))
    assert result.points == points
    assert result.inputs["value"] == len(dimensions)


def test_dimension_coverage_from_projects_joins_their_dimensions_in_framework_order() -> None:
    rule = {"type": "dimension_coverage", "points_per_dimension": 2, "source": "projects"}
    result = score_one(rule, make_submission(projects=FIVE_PROJECTS, dimensions=["people"]), points=8)
    # "people" is declared by the municipality but no project covers it.
    assert result.inputs == {"source": "projects", "value": 5,
                             "dimensions": ["environment", "energy", "economy", "living", "governance"]}
    assert result.points == 8
    assert result.reason_th == (
        "เกณฑ์ทดสอบ: 5 จาก 7 ด้าน (สิ่งแวดล้อมอัจฉริยะ, พลังงานอัจฉริยะ, เศรษฐกิจอัจฉริยะ, "
        "การดำรงชีวิตอัจฉริยะ, การบริหารภาครัฐอัจฉริยะ) × 2 คะแนน (สูงสุด 8 คะแนน) → 8 คะแนน")
    assert result.reason_en.endswith("× 2 points (capped at 8 points) → 8 points")


def test_dimension_coverage_from_projects_ignores_declared_dimensions() -> None:
    rule = {"type": "dimension_coverage", "points_per_dimension": 2, "source": "projects"}
    result = score_one(rule, make_submission(projects=[], dimensions=["environment", "living"]))
    assert result.points == 0
    assert result.reason_th == "เกณฑ์ทดสอบ: 0 จาก 7 ด้าน → 0 คะแนน"


# ---------------------------------------------------------------------------------------------- sum_bands

BUDGET_BANDS = {"type": "sum_bands", "field": "projects.budget_thb",
                "bands": [{"min": 500000, "points": 2}, {"min": 2000000, "points": 4},
                          {"min": 10000000, "points": 6}]}


@pytest.mark.parametrize(("budgets", "points"), [
    (["300,000", "199,999.99"], 0),        # 499,999.99: just below the lowest band
    (["300,000", "200,000"], 2),           # 500,000: at it
    (["300,000", "200,000.01"], 2),        # just above it
    (["1.5 ล้านบาท", "๔๙๙,๙๙๙ บาท"], 2),  # 1,999,999: just below the second band
    (["1.5 ล้านบาท", "500,000"], 4),       # 2,000,000: at it
    (["1.5 ล้านบาท", "500,001"], 4),       # just above it
    (["9,999,999"], 4),                   # just below the top band
    (["10 ล้านบาท"], 6),                  # at it
    (["10,000,000", "1"], 6),              # above it
])
def test_sum_bands_add_the_projects_budgets_then_apply_the_bands(budgets: list[str], points: int) -> None:
    projects = [project(f"โครงการเมืองอัจฉริยะที่ {n}", budget_thb=budget) for n, budget in enumerate(budgets, 1)]
    result = score_one(BUDGET_BANDS, make_submission(projects=projects), points=6)
    assert result.points == points


def test_sum_bands_explain_the_total_and_the_projects_without_a_figure() -> None:
    projects = [project("เสาไฟอัจฉริยะพลังงานแสงอาทิตย์", budget_thb="1.5 ล้านบาท"),
                project("ระบบแจ้งเหตุผ่าน LINE OA", budget_thb=450000.50),
                project("ตลาดออนไลน์สินค้าชุมชน")]
    result = score_one(BUDGET_BANDS, make_submission(projects=projects), points=6,
                       title_th="งบประมาณรวม", title_en="Total budget")
    assert result.inputs == {"field": "projects.budget_thb", "value": 1950000.5, "values": [1500000, 450000.5],
                             "missing": 1}
    assert result.reason_th == ("งบประมาณรวม: รวม 1,950,000.5 บาท จาก 2 โครงการ (เกณฑ์ตั้งแต่ 500,000 บาทขึ้นไป); "
                                "ไม่ระบุ 1 โครงการ → 2 คะแนน")
    assert result.reason_en == ("Total budget: 1,950,000.5 baht in total over 2 projects (band: 500,000 baht or "
                                "more); not given for 1 project → 2 points")


def test_sum_bands_add_beneficiaries_over_projects() -> None:
    rule = {"type": "sum_bands", "field": "projects.beneficiaries",
            "bands": [{"min": 1000, "points": 2}, {"min": 10000, "points": 4}]}
    projects = [project("ระบบแจ้งเหตุผ่าน LINE OA", beneficiaries="๘,๐๐๐"),
                project("ระบบดูแลผู้สูงอายุติดเตียงทางไกล", beneficiaries=2000)]
    result = score_one(rule, make_submission(projects=projects), points=4)
    assert result.inputs["value"] == 10000
    assert result.points == 4
    assert "รวม 10,000 คน จาก 2 โครงการ" in result.reason_th


def test_sum_bands_give_nothing_without_projects() -> None:
    result = score_one(BUDGET_BANDS, make_submission(projects=[]), points=6)
    assert result.points == 0
    assert result.inputs["value"] == 0


# ---------------------------------------------------------------------------------------------- manual

MANUAL = {"key": "site_visit", "title_th": "การตรวจเยี่ยมพื้นที่", "title_en": "Site visit", "points": 15,
          "rule": {"type": "manual"}}


def test_manual_criterion_gives_nothing_until_the_committee_scores_it() -> None:
    rubric = rubric_with({"type": "yes_no", "field": "readiness.has_plan"}, extra=[MANUAL])
    result = score(make_submission(), rubric, lao_type="เทศบาลเมือง")
    visit = only(result, "site_visit")
    assert (visit.points, visit.max_points, visit.manual) == (0, 15, True)
    assert visit.inputs == {}
    assert visit.reason_th == "การตรวจเยี่ยมพื้นที่ (คณะกรรมการให้คะแนน): รอคณะกรรมการพิจารณา → 0 คะแนน"
    assert visit.reason_en == "Site visit (scored by the committee): awaiting the committee's judgement → 0 points"
    assert result.manual_pending == ["site_visit"]
    assert (result.total, result.auto_total, result.max_total) == (10, 10, 25)


def test_committee_points_count_in_the_total_but_not_in_the_automatic_total() -> None:
    rubric = rubric_with({"type": "yes_no", "field": "readiness.has_plan"}, extra=[MANUAL])
    result = score(make_submission(), rubric, lao_type="เทศบาลเมือง", manual_points={"site_visit": 12.5})
    visit = only(result, "site_visit")
    assert visit.points == 12.5
    assert visit.inputs == {"committee_points": 12.5}
    assert visit.reason_th == "การตรวจเยี่ยมพื้นที่ (คณะกรรมการให้คะแนน): คะแนนที่คณะกรรมการบันทึก → 12.5 คะแนน"
    assert result.manual_pending == []
    assert (result.total, result.auto_total) == (22.5, 10)


def test_committee_points_are_rounded_to_two_decimals() -> None:
    rubric = rubric_with({"type": "manual"}, points=15)
    result = score(make_submission(), rubric, lao_type=None, manual_points={"c": 12.345})
    assert result.total == 12.35


@pytest.mark.parametrize(("manual_points", "message"), [
    ({"site_visit": 15.01}, "between 0 and 15"),
    ({"site_visit": -1}, "between 0 and 15"),
    ({"site_visit": float("nan")}, "must be a number"),
    ({"site_vist": 10}, "no such criterion; its manual criteria are: site_visit"),
    ({"c": 10}, "scored from the submission \\(yes_no\\)"),
])
def test_committee_points_outside_the_rubric_are_refused(manual_points: dict[str, float], message: str) -> None:
    rubric = rubric_with({"type": "yes_no", "field": "readiness.has_plan"}, extra=[MANUAL])
    with pytest.raises(ScoringError, match=message):
        score(make_submission(), rubric, lao_type="เทศบาลเมือง", manual_points=manual_points)


# ---------------------------------------------------------------------------------------------- tiers


@pytest.mark.parametrize(("total", "tier"), [
    (0, "not_selected"),
    (49.99, "not_selected"),   # just below efficient_min
    (50, "efficient"),         # at it
    (50.01, "efficient"),      # just above
    (69.99, "efficient"),      # just below outstanding_min
    (70, "outstanding"),       # at it
    (70.01, "outstanding"),    # just above
    (100, "outstanding"),
])
def test_tier_follows_the_rubric_thresholds_on_the_total(total: float, tier: str) -> None:
    rubric = rubric_with({"type": "manual"}, points=100)   # tiers 70 / 50
    result = score(make_submission(), rubric, lao_type="เทศบาลเมือง", manual_points={"c": total})
    assert result.total == total
    assert result.tier == tier
    assert tier_of(rubric, total) == tier


# ---------------------------------------------------------------------------------------------- size groups


@pytest.mark.parametrize(("size_class", "group"), [
    ("large", "large"), ("Medium", "medium"), ("small", "small"),
    ("ขนาดใหญ่", "large"), ("ขนาดกลาง", "medium"), ("ขนาดเล็ก", "small"), ("ใหญ่", "large"), (" ขนาด เล็ก ", "small"),
])
def test_dla_size_class_decides_the_group_without_a_flag(size_class: str, group: str) -> None:
    # A เทศบาลตำบล may be classed large by DLA: the size class wins over the type.
    result = score(make_submission(), rubric_with({"type": "manual"}), lao_type="เทศบาลตำบล",
                   size_class=size_class)
    assert (result.size_group, result.size_group_flagged) == (group, False)


@pytest.mark.parametrize(("lao_type", "group"), [
    ("เทศบาลนคร", "large"), ("เทศบาลเมือง", "medium"), ("เทศบาลตำบล", "small"),
    (" เทศบาล ตำบล ", "small"), ("ทต.", "small"), ("ทน.", "large"), ("ทม", "medium"),
])
def test_without_a_size_class_the_group_falls_back_on_the_lao_type_and_is_flagged(lao_type: str,
                                                                                     group: str) -> None:
    result = score(make_submission(), rubric_with({"type": "manual"}), lao_type=lao_type)
    assert (result.size_group, result.size_group_flagged) == (group, True)


def test_a_size_class_not_understood_falls_back_on_the_lao_type() -> None:
    rubric = rubric_with({"type": "manual"})
    assert size_group_of(rubric, lao_type="เทศบาลนคร", size_class="พิเศษ") == ("large", True)


@pytest.mark.parametrize("lao_type", ["องค์การบริหารส่วนตำบล", "", None])
def test_an_unknown_lao_type_without_size_class_gives_the_flagged_unknown_group(lao_type: str | None) -> None:
    result = score(make_submission(), rubric_with({"type": "manual"}), lao_type=lao_type)
    assert (result.size_group, result.size_group_flagged) == ("unknown", True)


# ---------------------------------------------------------------------------------------------- determinism


def test_scoring_is_deterministic_and_rounds_to_two_decimals() -> None:
    rule = {"type": "dimension_coverage", "points_per_dimension": 0.333, "source": "declared"}
    submission = make_submission(dimensions=["environment", "energy", "mobility"])
    first = score(submission, rubric_with(rule, points=5), lao_type="เทศบาลเมือง")
    second = score(submission, rubric_with(rule, points=5), lao_type="เทศบาลเมือง")
    assert first == second
    assert only(first).points == 1.0   # 3 × 0.333 = 0.999 → 1.00
    assert first.total == 1.0


# ---------------------------------------------------------------------------------------------- the default rubric


def test_default_rubric_is_found_by_version_and_matches_the_fy2568_campaign() -> None:
    book = RubricBook(default_rubric_dir())
    assert "fy2568-v1" in book.versions()
    assert load_campaigns().get("fy2568").rubric_version == "fy2568-v1"
    assert book.get("fy2568-v1").campaign == "fy2568"


def test_default_rubric_totals_100_points_with_30_for_the_committee() -> None:
    rubric = load_rubric(DEFAULT_RUBRIC)
    points = {criterion.key: criterion.points for _, criterion in rubric.iter_criteria()}
    assert points == {
        "has_plan": 8, "plan_document": 4, "depa_mark": 8,      # readiness and plan: 20
        "city_data_platform": 6,                                # data platform: 6
        "service_dimensions": 8, "completed_projects": 8,       # services in operation: 16
        "measured_outcomes": 8, "beneficiaries": 6,             # outcomes: 14
        "partners": 8,                                          # sustainability and partnerships: 8
        "budget": 6,                                            # budget commitment: 6
        "document_review": 15, "site_visit": 15,                # committee: 30
    }
    assert rubric.max_total == 100
    assert rubric.manual_keys == ["document_review", "site_visit"]
    assert (rubric.tiers.outstanding_min, rubric.tiers.efficient_min) == (70, 50)


def test_default_rubric_says_it_is_a_default_to_be_replaced_by_dla() -> None:
    text = DEFAULT_RUBRIC.read_text(encoding="utf-8")
    assert text.startswith("# DEFAULT RUBRIC FOR DEVELOPMENT — NOT DLA's RUBRIC.")
    assert "replaced by DLA's own" in load_rubric(DEFAULT_RUBRIC).note


def test_default_rubric_on_the_canonical_example() -> None:
    # By hand, for เทศบาลเมืองชัยภูมิ of docs/form.md:
    #   has_plan            plan approved: yes                                     →  8 of 8
    #   plan_document       plan_url given                                         →  4 of 4
    #   depa_mark           applying                                               →  4 of 8
    #   city_data_platform  yes                                                    →  6 of 6
    #   service_dimensions  projects cover governance only: 1 × 2                  →  2 of 8
    #   completed_projects  1 completed (band min 1)                               →  3 of 8
    #   measured_outcomes   1 project with outcomes (band min 1)                   →  3 of 8
    #   beneficiaries       12,000 (band min 10,000)                               →  4 of 6
    #   partners            2 (band min 1; the next band needs 3)                  →  2 of 8
    #   budget              450,000 baht (below the lowest band, 500,000)          →  0 of 6
    #   document_review, site_visit: awaiting the committee                        →  0 of 30
    #   total = 8+4+4+6+2+3+3+4+2+0 = 36 of 100 → below efficient_min 50 → not_selected
    result = score(make_submission(), load_rubric(DEFAULT_RUBRIC), lao_type="เทศบาลเมือง")
    assert {criterion.key: criterion.points for criterion in result.criteria} == {
        "has_plan": 8, "plan_document": 4, "depa_mark": 4, "city_data_platform": 6, "service_dimensions": 2,
        "completed_projects": 3, "measured_outcomes": 3, "beneficiaries": 4, "partners": 2, "budget": 0,
        "document_review": 0, "site_visit": 0,
    }
    assert (result.total, result.auto_total, result.max_total) == (36, 36, 100)
    assert result.tier == "not_selected"
    assert (result.size_group, result.size_group_flagged) == ("medium", True)
    assert result.rubric_version == "fy2568-v1"
    assert result.manual_pending == ["document_review", "site_visit"]
    assert only(result, "has_plan").reason_th == "มีแผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบ: ใช่ → 8 คะแนน"
    assert only(result, "budget").reason_th == (
        "งบประมาณรวมของโครงการเมืองอัจฉริยะ: รวม 450,000 บาท จาก 1 โครงการ "
        "(ต่ำกว่าเกณฑ์ขั้นต่ำ 500,000 บาท) → 0 คะแนน")


def test_default_rubric_on_the_canonical_example_with_the_committee_points() -> None:
    # 36 automatic + 15 document review + 15 site visit = 66: efficient (50 ≤ 66 < 70).
    result = score(make_submission(), load_rubric(DEFAULT_RUBRIC), lao_type="เทศบาลเมือง",
                   size_class="ขนาดกลาง", manual_points={"document_review": 15, "site_visit": 15})
    assert (result.total, result.auto_total, result.tier) == (66, 36, "efficient")
    assert (result.size_group, result.size_group_flagged) == ("medium", False)


def test_default_rubric_full_automatic_points_reach_exactly_the_outstanding_threshold() -> None:
    # Every automatic criterion at its maximum: 20 + 6 + 16 + 14 + 8 + 6 = 70 = outstanding_min.
    projects = [
        project("ระบบแจ้งเหตุผ่าน LINE OA", dimensions=["governance"], status="completed", budget_thb="4 ล้านบาท",
                beneficiaries=30000, outcomes="ลดเวลาตอบสนองเหตุจาก 3 วันเหลือ 6 ชั่วโมง"),
        project("เสาไฟอัจฉริยะพลังงานแสงอาทิตย์", dimensions=["energy"], status="completed",
                budget_thb="3,500,000", beneficiaries=15000, outcomes="ลดค่าไฟฟ้าสาธารณะร้อยละ 35"),
        project("ระบบติดตามรถเก็บขยะด้วย GPS", dimensions=["environment"], status="completed",
                budget_thb="2,500,000", beneficiaries=8000, outcomes="ลดการร้องเรียนเรื่องขยะตกค้างร้อยละ 60"),
    ]
    submission = make_submission(
        lao={"name": "เทศบาลนครขอนแก่น", "type": "เทศบาลนคร", "province": "ขอนแก่น"},
        readiness={"depa_mark": "ได้รับแล้ว"}, projects=projects, partners=PARTNERS[:5],
        dimensions=["environment", "energy", "governance", "living"])
    result = score(submission, load_rubric(DEFAULT_RUBRIC), lao_type="เทศบาลนคร")
    # service_dimensions: 3 dimensions × 2 = 6 of 8; budget 10,000,000 → 6; beneficiaries 53,000 → 6.
    assert only(result, "service_dimensions").points == 6
    assert result.auto_total == 68
    assert result.tier == "efficient"
    # One more dimension in a project brings the service dimensions to 8 and the total to 70.
    projects[0]["dimensions"] = ["governance", "living"]
    result = score(make_submission(**{**submission.model_dump(mode="json", exclude_none=True), "projects": projects}),
                   load_rubric(DEFAULT_RUBRIC), lao_type="เทศบาลนคร")
    assert result.auto_total == 70
    assert result.tier == "outstanding"
    assert (result.size_group, result.size_group_flagged) == ("large", True)


def test_a_score_travels_as_a_submission_scored_event() -> None:
    result = score(make_submission(), load_rubric(DEFAULT_RUBRIC), lao_type="เทศบาลเมือง",
                   manual_points={"document_review": 11.5})
    event = SubmissionScored(
        submission_id="fy2568-4360101", revision=1, campaign="fy2568",
        lao=LaoSummary(name="เทศบาลเมืองชัยภูมิ", code="4360101", type="เทศบาลเมือง"),
        contact=ContactSummary(name="สมชาย ใจดี", email="smartcity@example.go.th"),
        rubric_version=result.rubric_version, total=result.total, max_total=result.max_total, tier=result.tier,
        size_group=result.size_group, size_group_flagged=result.size_group_flagged, criteria=result.criteria)
    envelope = Envelope.build(event, producer="scoring", correlation_id="fy2568-4360101")
    received = Envelope.from_bytes(envelope.to_bytes()).read(SubmissionScored)
    assert received.criteria == result.criteria
    assert received.total == 47.5


# ---------------------------------------------------------------------------------------------- rubric errors


def test_submission_fields_known_to_rubrics_come_from_the_submission_model() -> None:
    assert SUBMISSION_FIELDS["readiness.has_plan"].kind == "bool"
    assert SUBMISSION_FIELDS["readiness.depa_mark"].choices == ("yes", "no", "applying")
    assert SUBMISSION_FIELDS["readiness.plan_url"].kind == "text"
    assert SUBMISSION_FIELDS["partners"].kind == "list"


def test_a_band_giving_more_than_the_criterion_is_an_error_naming_the_criterion() -> None:
    data = default_rubric_data()
    data["sections"][2]["criteria"][1]["rule"]["bands"].append({"min": 4, "points": 12})
    message = rubric_error(data)
    assert "rubrics/broken.toml" in message
    assert 'sections[2].criteria[1] (section "services", criterion "completed_projects")' in message
    assert "rule.bands[3] (min 4) gives 12 points, more than the criterion's 8 points" in message


@pytest.mark.parametrize(("rule", "expected"), [
    ({"type": "choice", "field": "readiness.depa_mark", "points": {"yes": 11, "no": 0}},
     "rule.points['yes'] gives 11 points, more than the criterion's 10 points"),
    ({"type": "yes_no", "field": "readiness.has_plan", "points_if_yes": 10.5},
     "rule.points_if_yes gives 10.5 points, more than the criterion's 10 points"),
    ({"type": "dimension_coverage", "points_per_dimension": 12, "source": "declared"},
     "rule.points_per_dimension gives 12 points, more than the criterion's 10 points"),
    ({"type": "sum_bands", "field": "projects.budget_thb", "bands": [{"min": 1, "points": 20}]},
     "rule.bands[0] (min 1) gives 20 points, more than the criterion's 10 points"),
])
def test_any_rule_giving_more_than_the_criterion_is_an_error(rule: dict[str, Any], expected: str) -> None:
    with pytest.raises(RubricError, match="invalid rubric") as caught:
        rubric_with(rule)
    assert expected in str(caught.value)


def test_duplicate_criterion_keys_across_sections_are_an_error() -> None:
    data = default_rubric_data()
    data["sections"][1]["criteria"][0]["key"] = "has_plan"
    assert ("sections[1].criteria[0]: duplicate criterion key 'has_plan' (first used at "
            "sections[0].criteria[0]); keys must be unique across the rubric") in rubric_error(data)


def test_duplicate_section_keys_are_an_error() -> None:
    data = default_rubric_data()
    data["sections"][1]["key"] = "readiness"
    assert "sections[1]: duplicate section key 'readiness' (first used at sections[0])" in rubric_error(data)


def test_an_unknown_rule_type_is_an_error_listing_the_known_types() -> None:
    data = default_rubric_data()
    data["sections"][1]["criteria"][0]["rule"]["type"] = "percentage"
    message = rubric_error(data)
    assert 'sections[1].criteria[0].rule (section "data_platform", criterion "city_data_platform")' in message
    assert "'percentage'" in message
    assert "'yes_no', 'choice', 'presence', 'count_bands', 'dimension_coverage', 'sum_bands', 'manual'" in message


def test_an_unknown_submission_field_is_an_error_listing_the_usable_fields() -> None:
    data = default_rubric_data()
    data["sections"][1]["criteria"][0]["rule"]["field"] = "readiness.has_platform"
    message = rubric_error(data)
    assert "sections[1].criteria[0].rule.field" in message
    assert ("unknown submission field 'readiness.has_platform'; yes/no fields are: readiness.data_platform, "
            "readiness.has_plan") in message


@pytest.mark.parametrize(("rule", "expected"), [
    ({"type": "yes_no", "field": "readiness.plan_url"},
     "submission field 'readiness.plan_url' is not a yes/no field (it is text)"),
    ({"type": "presence", "field": "readiness.has_plan"},
     "submission field 'readiness.has_plan' is not a text or list field (it is bool)"),
    ({"type": "presence", "field": "projects.outcomes"}, "unknown submission field 'projects.outcomes'"),
    ({"type": "choice", "field": "readiness.depa_mark", "points": {"maybe": 3}},
     "'maybe' is not an answer of readiness.depa_mark; its answers are: yes, no, applying"),
    ({"type": "count_bands", "count": "projects_done", "bands": [{"min": 1, "points": 1}]},
     'rule.count (section "s", criterion "c"): Input should be \'projects\', \'projects_with_status:completed\''),
    ({"type": "sum_bands", "field": "projects.population", "bands": [{"min": 1, "points": 1}]},
     "Input should be 'projects.budget_thb' or 'projects.beneficiaries'"),
    ({"type": "dimension_coverage", "points_per_dimension": 2, "source": "both"},
     "rule.source (section \"s\", criterion \"c\"): Input should be 'declared' or 'projects'"),
])
def test_a_field_a_rule_cannot_read_is_an_error(rule: dict[str, Any], expected: str) -> None:
    with pytest.raises(RubricError) as caught:
        rubric_with(rule)
    assert expected in str(caught.value)


@pytest.mark.parametrize(("bands", "expected"), [
    ([{"min": 3, "points": 2}, {"min": 1, "points": 5}],
     "bands must be in ascending order of min: bands[1] has min 1, not above bands[0]'s 3"),
    ([{"min": 1, "points": 2}, {"min": 1, "points": 5}],
     "bands must be in ascending order of min: bands[1] has min 1, not above bands[0]'s 1"),
    ([{"min": 1, "points": 5}, {"min": 3, "points": 2}],
     "a higher band cannot give fewer points: bands[1] (min 3) gives 2, bands[0] gives 5"),
    ([], 'rule.bands (section "s", criterion "c"): List should have at least 1 item'),
    ([{"min": -1, "points": 2}], 'rule.bands[0].min (section "s", criterion "c"): Input should be greater than '
                                 "or equal to 0"),
])
def test_bands_out_of_order_are_an_error(bands: list[dict[str, float]], expected: str) -> None:
    with pytest.raises(RubricError) as caught:
        rubric_with({"type": "count_bands", "count": "partners", "bands": bands})
    assert expected in str(caught.value)


def test_tiers_out_of_order_are_an_error() -> None:
    data = default_rubric_data()
    data["tiers"] = {"outstanding_min": 50, "efficient_min": 70}
    assert "tiers: outstanding_min (50) must be above efficient_min (70)" in rubric_error(data)


def test_a_tier_no_submission_can_reach_is_an_error() -> None:
    data = default_rubric_data()
    data["tiers"] = {"outstanding_min": 120, "efficient_min": 70}
    assert "tiers.outstanding_min (120) is more than the rubric's total points (100)" in rubric_error(data)


def test_a_fallback_to_an_undeclared_size_group_is_an_error() -> None:
    data = default_rubric_data()
    data["size_groups"]["fallback_by_lao_type"]["เทศบาลตำบล"] = "tiny"
    assert ("size_groups: fallback_by_lao_type['เทศบาลตำบล'] = 'tiny' is not one of the groups in names: "
            "large, medium, small") in rubric_error(data)


def test_a_misspelt_entry_is_an_error_rather_than_ignored() -> None:
    data = default_rubric_data()
    data["sections"][0]["criteria"][0]["point"] = data["sections"][0]["criteria"][0].pop("points")
    message = rubric_error(data)
    assert 'sections[0].criteria[0].point (section "readiness", criterion "has_plan"): unknown entry' in message
    assert 'sections[0].criteria[0].points (section "readiness", criterion "has_plan"): required entry is missing' \
        in message


def test_rubric_error_from_a_file_names_the_file_and_is_a_value_error(tmp_path: Path) -> None:
    text = DEFAULT_RUBRIC.read_text(encoding="utf-8").replace(
        'count = "partners"', 'count = "partner_organisations"')
    path = tmp_path / "fy2568-v1.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=f"invalid rubric {path}") as caught:
        load_rubric(path)
    assert isinstance(caught.value, RubricError)
    assert caught.value.source == str(path)
    assert caught.value.problems[0].startswith(
        'sections[4].criteria[0].rule.count (section "sustainability", criterion "partners"): Input should be')


def test_a_file_that_is_not_toml_is_a_rubric_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text('version = "fy2568-v2\n', encoding="utf-8")
    with pytest.raises(RubricError, match=r"broken\.toml:\n  - not valid TOML"):
        load_rubric(path)


def test_a_missing_file_is_a_rubric_error(tmp_path: Path) -> None:
    with pytest.raises(RubricError, match="cannot read the file"):
        load_rubric(tmp_path / "fy2569-v1.toml")


# ---------------------------------------------------------------------------------------------- the rubric book


def test_rubric_book_keys_rubrics_by_version(tmp_path: Path) -> None:
    text = DEFAULT_RUBRIC.read_text(encoding="utf-8")
    (tmp_path / "fy2568-v1.toml").write_text(text, encoding="utf-8")
    (tmp_path / "fy2568-v2.toml").write_text(
        text.replace('version = "fy2568-v1"', 'version = "fy2568-v2"').replace("outstanding_min = 70",
                                                                             "outstanding_min = 75"),
        encoding="utf-8")
    (tmp_path / "README.md").write_text("rubrics", encoding="utf-8")
    book = RubricBook(tmp_path)
    assert book.versions() == ["fy2568-v1", "fy2568-v2"]
    assert "fy2568-v2" in book.versions()
    assert book.get("fy2568-v2").tiers.outstanding_min == 75


def test_rubric_book_refuses_a_file_named_unlike_its_version(tmp_path: Path) -> None:
    (tmp_path / "fy2568.toml").write_text(DEFAULT_RUBRIC.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(RubricError, match=r"declares version 'fy2568-v1'; name it fy2568-v1\.toml"):
        RubricBook(tmp_path)


def test_rubric_book_names_the_known_versions_when_asked_for_another() -> None:
    with pytest.raises(UnknownRubric, match=r"no rubric 'fy2569-v1'.*known versions: fy2568-v1"):
        RubricBook(default_rubric_dir()).get("fy2569-v1")


def test_rubric_book_adds_the_versions_of_an_extra_directory(tmp_path: Path) -> None:
    text = DEFAULT_RUBRIC.read_text(encoding="utf-8").replace('version = "fy2568-v1"', 'version = "fy2568-dla"')
    (tmp_path / "fy2568-dla.toml").write_text(text, encoding="utf-8")
    book = load_rubric_book(str(tmp_path))
    assert book.versions() == ["fy2568-dla", "fy2568-v1"]
    assert book.path("fy2568-dla") == tmp_path / "fy2568-dla.toml"
    assert load_rubric_book(None).versions() == ["fy2568-v1"]


def test_a_version_defined_twice_is_refused_so_a_scored_rubric_cannot_be_swapped(tmp_path: Path) -> None:
    changed = DEFAULT_RUBRIC.read_text(encoding="utf-8").replace("outstanding_min = 70", "outstanding_min = 60")
    (tmp_path / "fy2568-v1.toml").write_text(changed, encoding="utf-8")
    with pytest.raises(RubricError, match=r"'fy2568-v1' is already defined by .*give a new rubric a new version"):
        load_rubric_book(str(tmp_path))


def test_the_digest_follows_the_content_not_the_comments() -> None:
    data = default_rubric_data()
    original = parse_rubric(data).digest
    assert original == load_rubric(DEFAULT_RUBRIC).digest and len(original) == 16
    data["tiers"]["efficient_min"] = 49
    assert parse_rubric(data).digest != original


# ---------------------------------------------------------------------------------------------- tie-breaks


def test_tie_break_sections_default_to_the_order_of_the_file() -> None:
    data = default_rubric_data()
    del data["ranking"]
    assert parse_rubric(data).tie_break_sections == [s["key"] for s in data["sections"]]


def test_a_tie_break_section_the_rubric_does_not_have_is_an_error() -> None:
    data = default_rubric_data()
    data["ranking"]["tie_break_sections"] = ["outcomes", "impact", "outcomes"]
    message = rubric_error(data)
    assert "ranking.tie_break_sections[1]: 'impact' is not a section of the rubric; its sections are: readiness, " \
        "data_platform, services, outcomes, sustainability, investment, committee" in message
    assert "ranking.tie_break_sections[2]: 'outcomes' is listed twice" in message


def test_scores_carry_the_points_of_each_section_for_the_tie_breaks() -> None:
    result = score(make_submission(), load_rubric(DEFAULT_RUBRIC), lao_type="เทศบาลเมือง")
    # By hand (see test_default_rubric_on_the_canonical_example): readiness 8+4+4, data platform 6,
    # services 2+3, outcomes 3+4, sustainability 2, investment 0, committee 0.
    assert result.sections == {"readiness": 16, "data_platform": 6, "services": 5, "outcomes": 7,
                               "sustainability": 2, "investment": 0, "committee": 0}
    assert sum(result.sections.values()) == result.total
