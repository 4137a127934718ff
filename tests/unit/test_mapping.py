"""Form mappings: question titles (sheet columns, connector answers) → canonical fields, as configuration."""

from __future__ import annotations

import pytest

from services.intake.mapping import FIELDS, MappingError, dedupe_headers, load_mappings, parse_mapping, title_key

REFERENCE = load_mappings().get("reference-form")
assert REFERENCE is not None

THAI_HEADERS = ["ประทับเวลา", "อีเมล", "ชื่อองค์กรปกครองส่วนท้องถิ่น", "รหัสองค์กรปกครองส่วนท้องถิ่น (7 หลัก)",
                "ประเภทองค์กรปกครองส่วนท้องถิ่น", "จังหวัด", "อำเภอ", "ชื่อ-นามสกุล ผู้ประสานงาน", "ตำแหน่ง",
                "หมายเลขโทรศัพท์", "มีแผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบแล้วหรือไม่",
                "โครงการที่ 1: ชื่อโครงการ", "โครงการที่ 1: งบประมาณ (บาท)", "โครงการที่ 2: ชื่อโครงการ",
                "โครงการที่ 2: งบประมาณ (บาท)"]
ROW = ["25/11/2568, 22:41:07", "saraban@bankhwao.go.th", "ทต.บ้านเขว้า", "๕๓๖๐๒๐๑", "เทศบาลตำบล", "ชัยภูมิ",
       "บ้านเขว้า", "สมหญิง รักเมือง", "ปลัดเทศบาล", "044891234", "ใช่", "ตลาดชุมชนออนไลน์", "1.5 ล้านบาท", "", ""]


def test_the_reference_forms_mapping_ships_with_the_project_and_covers_every_question() -> None:
    fields = {c.field for c in REFERENCE.columns}
    assert {"submitted_at", "contact.email", "lao.name", "lao.code", "lao.type", "lao.province", "lao.district",
            "contact.name", "contact.position", "contact.phone", "readiness.has_plan", "readiness.plan_url",
            "readiness.depa_mark", "readiness.data_platform", "dimensions", "partners"} <= fields
    assert {f"projects[{i}].{part}" for i in range(5) for part in (
        "name", "dimensions", "description", "budget_thb", "status", "beneficiaries", "outcomes",
        "evidence_urls")} <= fields
    assert fields <= FIELDS
    assert {c.field for c in REFERENCE.columns if c.required} == {"submitted_at", "lao.name", "lao.province"}


def test_thai_and_english_locale_headers_map_to_the_same_fields() -> None:
    english = ["Timestamp", "Email Address", *THAI_HEADERS[2:]]
    thai_plan, english_plan = REFERENCE.plan(THAI_HEADERS), REFERENCE.plan(english)
    assert [c.field if c else None for c in thai_plan.columns] == [c.field if c else None for c in english_plan.columns]
    assert thai_plan.unknown == english_plan.unknown == ()
    assert thai_plan.missing == english_plan.missing == ()


def test_titles_match_despite_spacing_thai_digits_invisible_characters_and_a_required_star() -> None:
    plan = REFERENCE.plan(["ประทับเวลา", "ชื่อองค์กร ปกครองส่วนท้องถิ่น *", "จังหวัด:", "โครงการที่ ๓ : ชื่อโครงการ",
                           "อำเภอ\u200b"])
    assert [c.field if c else None for c in plan.columns] == [
        "submitted_at", "lao.name", "lao.province", "projects[2].name", "lao.district"]
    assert title_key("โครงการที่ ๑: ชื่อโครงการ") == title_key("โครงการที่ 1:ชื่อโครงการ")


def test_a_renamed_question_is_found_by_its_alias() -> None:
    plan = REFERENCE.plan(["Timestamp", "ชื่อ อปท.", "Province", "เบอร์โทรศัพท์"])
    assert [c.field if c else None for c in plan.columns] == [
        "submitted_at", "lao.name", "lao.province", "contact.phone"]


def test_an_unknown_column_is_reported_not_dropped_and_an_ignored_one_is_neither() -> None:
    plan = REFERENCE.plan([*THAI_HEADERS, "หมายเหตุจากอำเภอ", "คะแนน", ""])
    assert plan.unknown == ("หมายเหตุจากอำเภอ",)


def test_a_missing_required_column_is_a_clear_error_naming_its_titles() -> None:
    plan = REFERENCE.plan([h for h in THAI_HEADERS if h != "จังหวัด"])
    assert [c.field for c in plan.missing] == ["lao.province"]
    [error] = REFERENCE.missing_errors(plan, row=1)
    assert (error.row, error.column, error.field, error.code) == (1, "จังหวัด", "lao.province", "column_missing")
    assert "'Province'" in error.message_en and "reference-form" in error.message_en
    assert "จังหวัด" in error.message_th and "ไฟล์จับคู่" in error.message_th


def test_a_row_becomes_a_submission_with_a_response_id_derived_from_timestamp_and_lao() -> None:
    plan = REFERENCE.plan(THAI_HEADERS)
    reading = REFERENCE.read(plan, ROW, row=2, source="csv_import", response_id=None)
    submission = reading.submission
    assert reading.problems == []
    assert submission.source_response_id.startswith("row-")
    assert submission.campaign == "fy2568"
    assert [p.name for p in submission.projects] == ["ตลาดชุมชนออนไลน์"]  # project 2 left blank: no project
    again = REFERENCE.read(plan, ROW, row=9, source="csv_import", response_id=None).submission
    assert again.source_response_id == submission.source_response_id


def test_each_bad_answer_is_kept_as_written_and_named_with_its_question_and_reason_in_thai_and_english() -> None:
    row = list(ROW)
    row[0] = "31/11/2568, 10:00:00"
    row[10] = "กำลังจัดทำ"
    row[13], row[14] = "", "งบประมาณยังไม่ได้รับอนุมัติ"  # project 2: a budget without a name
    reading = REFERENCE.read(REFERENCE.plan(THAI_HEADERS), row, row=7, source="csv_import", response_id=None)
    submission = reading.submission
    found = {(p.question, p.field, p.code, p.reason, p.written) for p in reading.problems}
    assert found == {
        ("ประทับเวลา", "submitted_at", "answer_unreadable", "timestamp", "31/11/2568, 10:00:00"),
        ("มีแผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบแล้วหรือไม่", "readiness.has_plan", "choice_unknown", "yes_no",
         "กำลังจัดทำ"),
        ("โครงการที่ 2: งบประมาณ (บาท)", "projects[1].budget_thb", "answer_unreadable", "money",
         "งบประมาณยังไม่ได้รับอนุมัติ"),
    }
    for item in reading.problems:
        assert item.message_th and item.message_en
    # Everything else is taken: the LAO, the first project, and the second project without its name.
    assert submission.lao.name == "ทต.บ้านเขว้า" and submission.readiness.has_plan is None
    assert submission.submitted_at is None and submission.source_response_id.startswith("row-")
    assert [p.name for p in submission.projects] == ["ตลาดชุมชนออนไลน์", None]
    assert submission.answer_problems == reading.problems


def test_us_english_dates_are_read_with_the_date_order_given_for_the_file() -> None:
    row = ["11/25/2025 22:41:07", *ROW[1:]]
    plan = REFERENCE.plan(["Timestamp", *THAI_HEADERS[1:]])
    misread = REFERENCE.read(plan, row, row=2, source="csv_import", response_id=None)
    assert misread.submission.submitted_at is None and "date_order=MDY" in misread.problems[0].message_en
    submission = REFERENCE.read(plan, row, row=2, source="csv_import", response_id=None, date_order="MDY").submission
    assert submission.submitted_at is not None
    assert submission.submitted_at.isoformat() == "2025-11-25T22:41:07+07:00"


def test_a_connector_response_puts_its_timestamp_and_email_under_their_columns() -> None:
    headers, values = REFERENCE.response_row("2025-11-25T15:41:07.123Z", "saraban@bankhwao.go.th",
                                             {"ชื่อองค์กรปกครองส่วนท้องถิ่น": "ทต.บ้านเขว้า", "จังหวัด": "ชัยภูมิ"})
    assert dict(zip(headers, values, strict=True)) == {
        "ชื่อองค์กรปกครองส่วนท้องถิ่น": "ทต.บ้านเขว้า", "จังหวัด": "ชัยภูมิ",
        "ประทับเวลา": "2025-11-25T15:41:07.123Z", "อีเมล": "saraban@bankhwao.go.th"}
    # A form that asks for the e-mail as a question keeps the answer it gave.
    headers, values = REFERENCE.response_row("2025-11-25T15:41:07Z", "collected@x.go.th", {"อีเมล": "typed@x.go.th"})
    assert dict(zip(headers, values, strict=True))["อีเมล"] == "typed@x.go.th"


def test_repeated_headers_are_numbered_as_the_connector_numbers_repeated_titles() -> None:
    assert dedupe_headers(["ชื่อโครงการ", "ด้าน", "ชื่อโครงการ", "ชื่อโครงการ", "", ""]) == [
        "ชื่อโครงการ", "ด้าน", "ชื่อโครงการ [2]", "ชื่อโครงการ [3]", "", ""]


def test_a_mapping_file_with_repeats_and_aliases_is_read() -> None:
    mapping = parse_mapping('''
        name = "district-form"
        campaign = "fy2568"
        date_order = "MDY"
        [[columns]]
        field = "submitted_at"
        titles = ["Timestamp"]
        [[columns]]
        field = "lao.name"
        titles = ["เทศบาล", "ชื่อเทศบาล"]
        [[columns]]
        field = "lao.province"
        titles = ["จังหวัด"]
        [[columns]]
        field = "projects[{i}].name"
        titles = ["ชื่อโครงการ [{n}]"]
        repeat = 2
    ''', name="district-form")
    assert mapping.date_order == "MDY"
    assert [(c.field, c.titles) for c in mapping.columns[-2:]] == [
        ("projects[0].name", ("ชื่อโครงการ [1]",)), ("projects[1].name", ("ชื่อโครงการ [2]",))]


@pytest.mark.parametrize(("text", "reason"), [
    ('[[columns]]\nfield = "lao.nmae"\ntitles = ["x"]', "unknown field 'lao.nmae'"),
    ('[[columns]]\nfield = "lao.name"\ntitles = ["ชื่อ"]', "no column for lao.province"),
    ('[[columns]]\nfield = "lao.name"\ntitles = ["a"]\n[[columns]]\nfield = "lao.name"\ntitles = ["b"]',
     "fields mapped twice"),
    ('[[columns]]\nfield = "lao.name"\ntitles = ["ก"]\n[[columns]]\nfield = "lao.province"\ntitles = ["ก "]',
     "one title for two fields"),
    ('date_order = "YMD"', "date_order must be DMY or MDY"),
    ('timezone = "Mars/Olympus"', "unknown timezone"),
    ("name = [", "not valid TOML"),
])
def test_a_broken_mapping_file_is_refused_with_the_reason(text: str, reason: str) -> None:
    with pytest.raises(MappingError, match=reason.replace("[", r"\[")):
        parse_mapping(text, name="broken")
