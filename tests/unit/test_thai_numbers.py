"""Counts and budgets written the way Thai clerks write them read as the number they mean, with how sure the
reading is; what cannot be read without guessing is refused, quoting it (pure, no I/O)."""

from __future__ import annotations

import csv
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from services.intake.reading import read_submission
from services.intake.submission import Project
from shared import thai
from shared.errors import thai_message
from shared.thai_numbers import NumberReading, read_amount, read_count

CORPUS = Path(__file__).parents[1] / "data" / "thai_numbers" / "corpus.csv"
READERS = {"count": read_count, "amount": read_amount}


def _cell(written: str) -> str:
    # Invisible characters (no-break, thin and zero-width spaces) are written as \uXXXX so the file can be read.
    return re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m[1], 16)), written)


def _corpus() -> list[dict[str, str]]:
    with CORPUS.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


ROWS = _corpus()


@pytest.mark.parametrize("row", ROWS, ids=[f"{r['reader']}: {r['written']}" for r in ROWS])
def test_each_cell_of_the_corpus_reads_as_the_clerk_meant_it(row: dict[str, str]) -> None:
    reading = READERS[row["reader"]](_cell(row["written"]))
    expected = (row["kind"], Decimal(row["value"]) if row["value"] else None, row["estimated"] == "true",
                row["ambiguous"] == "true", row["note"] or None)
    assert (reading.kind, reading.value, reading.estimated, reading.ambiguous, reading.note) == expected, (
        reading.note_en)


def test_the_corpus_is_large_and_covers_every_way_of_reading() -> None:
    assert len(ROWS) >= 180
    notes = {row["note"] for row in ROWS}
    assert notes >= {"estimate_word", "range_lower_end", "persons_in_brackets", "households_in_brackets",
                     "persons_not_households", "households_only", "sum_of_parts", "total_stated", "first_of_several",
                     "thai_words", "negative", "no_budget_used", "other_unit", "no_number", "count_fraction",
                     "malformed_number", ""}


@pytest.mark.parametrize("row", [r for r in ROWS if r["note"]], ids=lambda r: f"{r['reader']}: {r['written']}")
def test_every_note_explains_itself_in_thai_and_english(row: dict[str, str]) -> None:
    reading = READERS[row["reader"]](_cell(row["written"]))
    assert reading.note_th and reading.note_en
    assert re.search(r"[ก-๛]", reading.note_th)


def test_a_range_is_read_as_its_lower_end_and_says_why() -> None:
    reading = read_count("1,000-1,500 คน")
    assert (reading.value, reading.estimated, reading.ambiguous) == (1000, True, True)
    assert reading.note_th == "ใช้ค่าต่ำสุดของช่วง 1,000–1,500 เพราะเป็นจำนวนที่แน่ใจได้"
    assert reading.note_en == "took the lower end of 1,000–1,500: the number the applicant is sure of"


def test_a_reading_keeps_the_text_as_written_and_names_its_unit() -> None:
    reading = read_count(" ๒,๓๓๓ ครัวเรือน (๖,๙๙๙ คน) ")
    assert (reading.raw, reading.unit) == (" ๒,๓๓๓ ครัวเรือน (๖,๙๙๙ คน) ", "persons")
    assert read_count("2,333 ครัวเรือน").unit == "households"
    assert read_amount("1.5 ล้านบาท").unit == "baht"
    assert read_amount("1500000").unit is None


def test_a_plain_number_needs_no_note_and_an_estimate_does() -> None:
    assert read_amount("1.5 ล้านบาท").plain and read_count("๓,๒๐๐ คน").plain
    assert read_amount("1.5 ล้านบาท").note_fields() is None
    assert read_count("ประมาณ 3,200 คน").note_fields() == {
        "written": "ประมาณ 3,200 คน", "estimated": True, "ambiguous": False, "note": "estimate_word",
        "note_th": "เป็นจำนวนโดยประมาณ (“ประมาณ”)", "note_en": "an estimate (“ประมาณ”)"}
    assert read_count("-").note_fields() is None and read_count("ทั้งตำบล").note_fields() is None


# ---------------------------------------------------------------------------------------------------------
# Properties

_UNITS = st.sampled_from(["", " คน", "คน", " ราย", " people", " คน.", " คนค่ะ"])
_SEPARATORS = st.sampled_from(["plain", ",", "'", " ", "\u00a0", "\u2009"])


def _grouped(number: int, separator: str) -> str:
    return str(number) if separator == "plain" else f"{number:,}".replace(",", separator)


@given(number=st.integers(min_value=0, max_value=10**15), separator=_SEPARATORS, thai_digits=st.booleans(),
       unit=_UNITS, estimate=st.sampled_from(["", "ประมาณ ", "ประมาณ", "ราว ", "~"]))
def test_any_count_written_with_separators_thai_digits_a_unit_or_an_estimate_reads_back_exactly(
        number: int, separator: str, thai_digits: bool, unit: str, estimate: str) -> None:
    written = _grouped(number, separator)
    written = estimate + (thai.to_thai_digits(written) if thai_digits else written) + unit
    reading = read_count(written)
    assert (reading.kind, reading.value) == ("number", Decimal(number)), (written, reading.note_en)
    assert reading.estimated is bool(estimate) and not reading.ambiguous


@given(number=st.integers(min_value=0, max_value=10**13), separator=st.sampled_from(["plain", ","]),
       thai_digits=st.booleans(), unit=st.sampled_from(["", " บาท", "บาท", ".-", " บาท.-", " THB"]))
def test_any_amount_written_with_separators_thai_digits_or_baht_reads_back_exactly(
        number: int, separator: str, thai_digits: bool, unit: str) -> None:
    written = _grouped(number, separator)
    written = (thai.to_thai_digits(written) if thai_digits else written) + unit
    assert read_amount(written).value == Decimal(number), written


@given(st.text())
def test_reading_never_raises_whatever_is_written(text: str) -> None:
    for reader in (read_count, read_amount):
        reading = reader(text)
        assert isinstance(reading, NumberReading) and reading.raw == text
        assert (reading.value is not None) is (reading.kind == "number")


@given(st.lists(st.sampled_from(["ประมาณ", "คน", "ครัวเรือน", "(", ")", "-", "+", "1,000", "2567", "ปี", "ล้าน", "ห้า",
                                 "แสน", "ชาย", "หญิง", "รวม", "และ", " ", "\n", "หมู่", "๕", "บาท", ".-", "~", "ถึง"]),
                max_size=14))
def test_any_mix_of_the_words_clerks_use_reads_and_what_is_not_plain_is_explained(pieces: list[str]) -> None:
    text = "".join(pieces)
    for reader in (read_count, read_amount):
        reading = reader(text)
        assert reading.plain or (reading.note and reading.note_th and reading.note_en)


# ---------------------------------------------------------------------------------------------------------
# In the canonical submission


def test_an_estimated_count_becomes_its_number_with_the_text_beside_it() -> None:
    project = Project.model_validate({"name": "ไฟถนนอัจฉริยะ", "beneficiaries": "ประมาณ 16,086 คน"})
    assert project.beneficiaries == 16086
    note = project.beneficiaries_as_written
    assert note is not None and (note.written, note.estimated, note.ambiguous) == ("ประมาณ 16,086 คน", True, False)
    assert note.note == "estimate_word" and note.note_th and note.note_en


def test_households_with_persons_in_brackets_count_the_persons() -> None:
    project = Project.model_validate({"beneficiaries": "2,333 ครัวเรือน (6,999 คน)"})
    assert project.beneficiaries == 6999
    assert project.beneficiaries_as_written is not None
    assert project.beneficiaries_as_written.note == "persons_in_brackets"


def test_thai_digits_and_plain_text_numbers_need_no_note() -> None:
    project = Project.model_validate({"beneficiaries": "๙,๐๑๑ คน", "budget_thb": "๑.๕ ล้านบาท"})
    assert (project.beneficiaries, project.budget_thb) == (9011, Decimal("1500000"))
    assert project.beneficiaries_as_written is None and project.budget_as_written is None


def test_a_budget_written_in_thai_words_keeps_the_words_beside_the_value() -> None:
    project = Project.model_validate({"budget_thb": "ห้าแสนบาทถ้วน"})
    assert project.budget_thb == Decimal("500000")
    assert project.budget_as_written is not None and project.budget_as_written.note == "thai_words"
    assert project.model_dump(mode="json")["budget_thb"] == 500000


def test_json_numbers_pass_as_before() -> None:
    project = Project.model_validate({"budget_thb": 1500000.5, "beneficiaries": 3200})
    assert (project.budget_thb, project.beneficiaries) == (Decimal("1500000.5"), 3200)
    assert project.budget_as_written is None and project.beneficiaries_as_written is None


def test_no_answer_is_no_value() -> None:
    project = Project.model_validate({"budget_thb": "-", "beneficiaries": "ไม่มี"})
    assert (project.budget_thb, project.beneficiaries) == (None, None)


def test_text_without_a_number_is_refused_as_money_or_count_quoting_it() -> None:
    with pytest.raises(ValidationError) as caught:
        Project.model_validate({"budget_thb": "รอตั้งงบ", "beneficiaries": "ทั้งตำบล"})
    errors = {e["loc"][0]: e for e in caught.value.errors()}
    assert (errors["budget_thb"]["type"], errors["beneficiaries"]["type"]) == ("money", "count")
    assert "รอตั้งงบ" in errors["budget_thb"]["msg"] and "ทั้งตำบล" in errors["beneficiaries"]["msg"]
    assert thai_message("count", None).startswith("ไม่ใช่จำนวนคน")


def test_a_negative_budget_reaches_the_bound_as_a_negative_number() -> None:
    with pytest.raises(ValidationError) as caught:
        Project.model_validate({"budget_thb": "-1,200,000 บาท"})
    [error] = caught.value.errors()
    assert error["type"] == "greater_than_equal" and error["input"] == Decimal("-1200000")


def _response(project: dict[str, Any]) -> dict[str, Any]:
    return {"campaign": "fy2568", "source": "api", "source_response_id": "resp-numbers", "lao": {"name": "ทต.บ้านเขว้า"},
            "projects": [{"name": "ตลาดชุมชนออนไลน์", **project}]}


def test_a_negative_budget_is_an_out_of_range_answer_quoting_it_and_the_response_is_kept() -> None:
    reading = read_submission(_response({"budget_thb": "-1,200,000 บาท", "beneficiaries": "ประมาณ 16,086 คน"}))
    [problem] = reading.problems
    assert (problem.field, problem.code, problem.reason, problem.written) == (
        "projects[0].budget_thb", "answer_out_of_range", "greater_than_equal", "-1,200,000 บาท")
    assert "-1,200,000 บาท" in problem.message_th and "-1,200,000 บาท" in problem.message_en
    project = reading.submission.projects[0]
    assert (project.name, project.budget_thb, project.budget_as_written) == ("ตลาดชุมชนออนไลน์", None, None)
    assert project.beneficiaries == 16086
    assert project.beneficiaries_as_written is not None and project.beneficiaries_as_written.estimated


def test_an_unreadable_count_is_an_unreadable_answer_in_thai_and_english() -> None:
    reading = read_submission(_response({"beneficiaries": "ประชาชนทุกคน", "budget_thb": "1.5 ล้านบาท"}))
    [problem] = reading.problems
    assert (problem.field, problem.code, problem.reason, problem.written) == (
        "projects[0].beneficiaries", "answer_unreadable", "count", "ประชาชนทุกคน")
    assert problem.message_th.startswith("ไม่ใช่จำนวนคนที่อ่านได้") and "ประชาชนทุกคน" in problem.message_en
    assert reading.submission.projects[0].budget_thb == Decimal("1500000")


def test_the_reading_shows_in_the_canonical_json() -> None:
    reading = read_submission(_response({"beneficiaries": "1,000-1,500 คน"}))
    project = reading.submission.canonical_json()["projects"][0]
    assert project["beneficiaries"] == 1000
    assert project["beneficiaries_as_written"] == {
        "written": "1,000-1,500 คน", "estimated": True, "ambiguous": True, "note": "range_lower_end",
        "note_th": "ใช้ค่าต่ำสุดของช่วง 1,000–1,500 เพราะเป็นจำนวนที่แน่ใจได้",
        "note_en": "took the lower end of 1,000–1,500: the number the applicant is sure of"}
