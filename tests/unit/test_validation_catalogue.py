"""The catalogue is complete and documented: every rule has a realistic Thai example that produces it (with
its catalogued severity and Thai and English text), and docs/validation-rules.md is generated from it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from services.intake.mapping import load_mappings
from services.intake.reading import read_submission
from services.intake.submission import Submission
from services.validation.matching import RegistryLao, RegistryLookup
from services.validation.rules import CATALOGUE, OfficeAttachment, Verdict, catalogue, validate
from tests.unit.test_matching import lookup
from tests.unit.test_validation_rules import CHAIYAPHUM_TOWN, FY2568, FY2568_ACCEPTING_LATE, RECEIVED, submission

DOC = Path(__file__).resolve().parents[2] / "docs" / "validation-rules.md"
REFERENCE_FORM = load_mappings().get("reference-form")


def _with_registry(sub: Submission, code: str | None = None) -> Verdict:
    return validate(sub, FY2568, RECEIVED, registry=lookup(code, "36"))


def _lao(sub: Submission, **changes: object) -> Submission:
    return sub.model_copy(update={"lao": sub.lao.model_construct(**{**sub.lao.model_dump(), **changes})})


def _project(sub: Submission, index: int, **changes: object) -> Submission:
    projects = list(sub.projects)
    projects[index] = projects[index].model_construct(**{**projects[index].model_dump(), **changes})
    return sub.model_copy(update={"projects": projects})


def _projects(**changes: object) -> Submission:
    projects = copy.deepcopy(CHAIYAPHUM_TOWN["projects"])
    projects[1].update(changes)
    return submission(projects=projects)


def _at(submitted: str, received: datetime, campaign: object = FY2568) -> Verdict:
    return validate(submission(submitted_at=submitted), campaign, received)  # type: ignore[arg-type]


def _plain(**changes: object) -> Verdict:
    return validate(submission(**changes), FY2568, RECEIVED)  # type: ignore[arg-type]


def _broken_registry() -> Verdict:
    broken = RegistryLao(code="4360101", name=None, type=None, province_code="36", district_code="3601")  # type: ignore[arg-type]
    return validate(submission(**{"lao.code": None}), FY2568, RECEIVED,
                    registry=RegistryLookup(loaded=True, in_province=(broken,)))


def _read(**changes: object) -> Submission:
    """The example municipality's answers as intake reads them: what it cannot take becomes an answer problem."""
    data = copy.deepcopy(CHAIYAPHUM_TOWN)
    data.update(campaign="fy2568", source="api", source_response_id="catalogue")
    for path, value in changes.items():
        if path in ("beneficiaries", "description"):
            data["projects"][0][path] = value
            continue
        node = data
        *parents, last = path.split(".")
        for part in parents:
            node = node[part]
        node[last] = value
    return read_submission(data).submission


def _read_then_validate(**changes: object) -> Verdict:
    return validate(_read(**changes), FY2568, RECEIVED)


def _answer_left_blank() -> Verdict:
    """A connector response whose required question was left blank (Apps Script sends answered questions only)."""
    assert REFERENCE_FORM is not None
    plan = REFERENCE_FORM.plan(["ประทับเวลา", "ชื่อองค์กรปกครองส่วนท้องถิ่น", "จังหวัด"])
    reading = REFERENCE_FORM.read(plan, ["", "เทศบาลเมืองชัยภูมิ", "ชัยภูมิ"], row=2, source="csv_import",
                                  response_id=None)
    return validate(reading.submission, FY2568, RECEIVED)


KHON_SAWAN = {"lao.name": "เทศบาลตำบลคอนสวรรค์", "lao.type": "เทศบาลตำบล", "lao.code": None}

# One realistic submission per rule code (FY2568, a municipality of Chaiyaphum unless said otherwise).
EXAMPLES: dict[str, Callable[[], Verdict]] = {
    "LAO_TYPE_MISSING": lambda: _plain(**{"lao.type": None}),
    "LAO_TYPE_NOT_ELIGIBLE": lambda: _plain(**{"lao.name": "องค์การบริหารส่วนตำบลนาฝาย", "lao.type": "อบต."}),
    "LAO_NAME_TYPE_MISMATCH": lambda: _plain(**{"lao.name": "ทต.โนนสำราญ", "lao.type": "เทศบาลเมือง"}),
    "SUBMITTED_AT_IN_FUTURE": lambda: _at("2025-11-24T03:05:01Z", datetime(2025, 11, 24, 3, 0, tzinfo=UTC)),
    "SUBMITTED_BEFORE_OPENING": lambda: _at("2025-10-20T23:59:00+07:00", datetime(2025, 10, 20, 17, 0, tzinfo=UTC)),
    "SUBMITTED_LATE": lambda: _at("2025-11-25T16:00:01Z", datetime(2025, 11, 25, 16, 0, 3, tzinfo=UTC)),
    "SUBMITTED_LATE_ACCEPTED": lambda: _at("2025-11-25T16:00:01Z", datetime(2025, 11, 25, 16, 0, 3, tzinfo=UTC),
                                           FY2568_ACCEPTING_LATE),
    "DISTRICT_MISSING": lambda: _plain(**{"lao.district": None}),
    "CONTACT_NAME_MISSING": lambda: _plain(**{"contact.name": None}),
    "CONTACT_CHANNEL_MISSING": lambda: _plain(**{"contact.email": None, "contact.phone": None}),
    "HAS_PLAN_MISSING": lambda: _plain(**{"readiness.has_plan": None}),
    "DEPA_MARK_MISSING": lambda: _plain(**{"readiness.depa_mark": None}),
    "DATA_PLATFORM_MISSING": lambda: _plain(**{"readiness.data_platform": None}),
    "DIMENSIONS_MISSING": lambda: _plain(dimensions=None),
    "PROJECTS_MISSING": lambda: _plain(projects=None),
    "PROVINCE_MISSING": lambda: validate(_lao(submission(), province=" "), FY2568, RECEIVED),
    "PROVINCE_UNKNOWN": lambda: _plain(**{"lao.province": "ชัยภูมี", "lao.code": None}),
    "DISTRICT_UNKNOWN": lambda: _plain(**{"lao.district": "อำเภอหนองไม่มี"}),
    "DISTRICT_NOT_IN_PROVINCE": lambda: _plain(**{"lao.district": "บ้านฝาง"}),
    "LAO_CODE_INVALID": lambda: validate(_lao(submission(), code="43601"), FY2568, RECEIVED),
    "LAO_CODE_TYPE_DIGIT_INVALID": lambda: _plain(**{"lao.code": "2360101"}),
    "LAO_CODE_PROVINCE_MISMATCH": lambda: _plain(**{"lao.code": "4400101"}),
    "LAO_CODE_DISTRICT_MISMATCH": lambda: _plain(**{"lao.code": "4360201"}),
    "LAO_NOT_VERIFIED": lambda: validate(submission(), FY2568, RECEIVED, registry=RegistryLookup.empty()),
    "LAO_CODE_NOT_IN_REGISTRY": lambda: _with_registry(submission(**{"lao.code": "4360199"}), "4360199"),
    "LAO_CODE_NAME_MISMATCH": lambda: _with_registry(
        submission(**{"lao.name": "เทศบาลตำบลโนนสำราญ", "lao.type": "เทศบาลตำบล"}), "4360101"),
    "LAO_NOT_IN_REGISTRY": lambda: _with_registry(
        submission(**{"lao.name": "เทศบาลตำบลโนนสำราญใต้", "lao.type": "เทศบาลตำบล", "lao.code": None})),
    "LAO_MATCH_AMBIGUOUS": lambda: _with_registry(submission(**{
        "lao.name": "เทศบาลเมืองบ้านเขว้า", "lao.district": "บ้านเขว้า", "lao.code": None})),
    "LAO_NAME_MATCHED_APPROXIMATELY": lambda: _with_registry(submission(**{
        **KHON_SAWAN, "lao.name": "เทศบาลตำบลคอนสวรรค", "lao.district": "คอนสวรรค์"})),
    "LAO_REGISTRY_LOCATION_MISMATCH": lambda: _with_registry(submission(**KHON_SAWAN)),
    "LAO_REGISTRY_TYPE_MISMATCH": lambda: _with_registry(
        submission(**{"lao.name": "เทศบาลเมืองท่าหินโงม", "lao.code": "6360113"}), "6360113"),
    "LAO_REGISTRY_TYPE_NOT_ELIGIBLE": lambda: _with_registry(
        submission(**{"lao.name": "เทศบาลตำบลนาฝาย", "lao.type": "เทศบาลตำบล", "lao.code": "6360104"}), "6360104"),
    "CONTACT_EMAIL_INVALID": lambda: _plain(**{"contact.email": "smartcity@chaiyaphumcity"}),
    "CONTACT_PHONE_INVALID": lambda: _plain(**{"contact.phone": "044-811-23"}),
    "PLAN_URL_MISSING": lambda: _plain(**{"readiness.plan_url": None}),
    "PLAN_URL_INVALID": lambda: _plain(**{"readiness.plan_url": "https://chaiyaphumcity/แผน.pdf"}),
    "DIMENSION_UNKNOWN": lambda: validate(submission().model_copy(update={"dimensions": ["environment", "tourism"]}),
                                          FY2568, RECEIVED),
    "PROJECT_DIMENSION_NOT_DECLARED": lambda: validate(_projects(dimensions=["energy"]), FY2568, RECEIVED),
    "PROJECT_DIMENSION_UNKNOWN": lambda: validate(_project(submission(), 1, dimensions=["ท่องเที่ยว"]),
                                                  FY2568, RECEIVED),
    "PROJECT_DIMENSIONS_MISSING": lambda: validate(_projects(dimensions=[]), FY2568, RECEIVED),
    "PROJECT_NAME_DUPLICATE": lambda: validate(_projects(name="ระบบแจ้งเหตุผ่าน LINE OA"), FY2568, RECEIVED),
    "PROJECT_EVIDENCE_MISSING": lambda: validate(_projects(evidence_urls=[]), FY2568, RECEIVED),
    "EVIDENCE_URL_INVALID": lambda: validate(_projects(evidence_urls=["https://drive/file/d/def"]), FY2568, RECEIVED),
    "PROJECT_BUDGET_NEGATIVE": lambda: validate(_project(submission(), 0, budget_thb=Decimal("-450000")),
                                                FY2568, RECEIVED),
    "PROJECT_BUDGET_IMPLAUSIBLE": lambda: validate(_projects(budget_thb="1,500 ล้านบาท"), FY2568, RECEIVED),
    "LAO_NAME_MISSING": lambda: _read_then_validate(**{"lao.name": None}),
    "LAO_ATTACHED_BY_OFFICE": lambda: validate(
        _read(**{"lao.name": None}), FY2568, RECEIVED, registry=lookup("4360101", "36"),
        attachment=OfficeAttachment("4360101", "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดชัยภูมิ",
                                    "ทม.ชัยภูมิ (สำนักปลัด)", "โทรยืนยันกับปลัดเทศบาลแล้ว")),
    "LAO_NAME_FROM_REGISTRY": lambda: validate(_read(**{"lao.name": None}), FY2568, RECEIVED,
                                               registry=lookup("4360101", "36")),
    "PROVINCE_FROM_REGISTRY": lambda: validate(_read(**{"lao.province": None}), FY2568, RECEIVED,
                                               registry=lookup("4360101", None)),
    "PROJECT_NAME_MISSING": lambda: validate(_projects(name=None), FY2568, RECEIVED),
    "ANSWER_UNREADABLE": lambda: _read_then_validate(beneficiaries="ทั้งตำบล"),
    "ANSWER_OUT_OF_RANGE": lambda: _read_then_validate(submitted_at="25/11/2999, 10:00:00"),
    "ANSWER_CHOICE_UNKNOWN": lambda: _read_then_validate(dimensions="สิ่งแวดล้อมอัจฉริยะ, สุขภาพอัจฉริยะ"),
    "ANSWER_MISSING": lambda: _answer_left_blank(),
    "ANSWER_TOO_LONG": lambda: _read_then_validate(description="ก" * 2500),
    "ANSWER_INVALID": lambda: _read_then_validate(**{"contact.name": ["สมชาย", "ใจดี"]}),
    "RULE_FAILED": _broken_registry,
}


def test_every_rule_in_the_catalogue_has_an_example() -> None:
    assert set(EXAMPLES) == set(CATALOGUE)


@pytest.mark.parametrize("code", list(EXAMPLES))
def test_each_rule_is_produced_by_its_realistic_example_in_thai_and_english(code: str) -> None:
    verdict = EXAMPLES[code]()
    found = [issue for issue in verdict.issues if issue.code == code]
    assert found, f"{code} not produced; got {[i.code for i in verdict.issues]}"
    issue = found[0]
    rule = CATALOGUE[code]
    assert issue.severity == rule.severity
    assert issue.message_th and issue.message_en and issue.message_th != issue.message_en
    assert "{" not in issue.message_th + issue.message_en + issue.field, issue
    expected = {"reject": "rejected", "return": "returned"}.get(rule.severity)
    if expected:
        assert verdict.outcome in ("rejected", expected)


def test_the_rules_document_is_generated_from_the_catalogue() -> None:
    assert DOC.read_text(encoding="utf-8") == catalogue.render(), (
        "docs/validation-rules.md is out of date: run `python -m services.validation.rules "
        "docs/validation-rules.md`")


def test_the_rules_document_lists_every_code_with_both_messages() -> None:
    text = catalogue.render()
    for rule in CATALOGUE.values():
        assert f"| `{rule.code}` | {rule.severity} |" in text
    assert "LAO_NOT_VERIFIED" in text and "ทะเบียน" in text
