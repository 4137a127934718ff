"""Thai answers as municipalities really type them are read into one value each (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from shared import thai

ICT = timezone(timedelta(hours=7))


@pytest.mark.parametrize(("text", "expected"), [
    ("๒๕๖๘", "2568"), ("๔๓๖๐๑๐๑", "4360101"), ("โทร ๐๘๑-๒๓๔-๕๖๗๘", "โทร 081-234-5678"), ("2568", "2568"),
])
def test_thai_digits_become_arabic_digits(text: str, expected: str) -> None:
    assert thai.to_arabic_digits(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("  เทศบาลตำบล   บ้านเขว้า ", "เทศบาลตำบล บ้านเขว้า"),
    ("เทศบาล\u200bเมือง\u200bชัยภูมิ", "เทศบาลเมืองชัยภูมิ"),  # zero-width spaces pasted from a document
    ("\ufeffชัยภูมิ", "ชัยภูมิ"),  # a BOM at the start of a cell
    ("สม\u00a0ชาย\tใจดี\n", "สม ชาย ใจดี"),  # no-break space, tab, new line
    ("ก\u200e\u200fข\u00ad", "กข"),  # direction marks and soft hyphen
])
def test_white_space_and_invisible_characters_are_folded(text: str, expected: str) -> None:
    assert thai.clean_text(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("ทม.ชัยภูมิ", "เทศบาลเมืองชัยภูมิ"),
    ("ทม. ชัยภูมิ", "เทศบาลเมืองชัยภูมิ"),
    ("ทม ชัยภูมิ", "เทศบาลเมืองชัยภูมิ"),
    ("ทน.ขอนแก่น", "เทศบาลนครขอนแก่น"),
    ("ทต.บ้านเขว้า", "เทศบาลตำบลบ้านเขว้า"),
    ("  เทศบาลตำบล บ้านเขว้า ", "เทศบาลตำบลบ้านเขว้า"),
    ("เทศบาล เมือง ชัยภูมิ", "เทศบาลเมืองชัยภูมิ"),
    ("อบต.โนนสะอาด", "องค์การบริหารส่วนตำบลโนนสะอาด"),
    ("อบจ. ชัยภูมิ", "องค์การบริหารส่วนจังหวัดชัยภูมิ"),
    ("เทศบาลนครนครราชสีมา", "เทศบาลนครนครราชสีมา"),
    ("เมืองพัทยา", "เมืองพัทยา"),
    ("ทมิฬนาฑู", "ทมิฬนาฑู"),  # starts with the letters of ทม but is no abbreviation
    ("ทมชัยภูมิ", "เทศบาลเมืองชัยภูมิ"),  # glued, as typed in a hurry
    ("อบตโนนสะอาด", "องค์การบริหารส่วนตำบลโนนสะอาด"),
    ("ทมอ", "ทมอ"),  # a subdistrict of Surin, not ทม. + อ
    ("ทต.ทมอ", "เทศบาลตำบลทมอ"),
])
def test_lao_names_are_written_out_in_full(text: str, expected: str) -> None:
    assert thai.expand_lao_name(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("ทน.", "เทศบาลนคร"), ("ทม", "เทศบาลเมือง"), ("ทต.", "เทศบาลตำบล"), ("อบต.", "องค์การบริหารส่วนตำบล"),
    ("เทศบาล เมือง", "เทศบาลเมือง"), ("เทศบาลตำบล", "เทศบาลตำบล"), ("หมู่บ้าน", None),
])
def test_lao_types_are_read_from_abbreviations_and_spaced_names(text: str, expected: str | None) -> None:
    assert thai.lao_type_name(text) == expected


@pytest.mark.parametrize(("text", "level", "expected"), [
    ("จ.ชัยภูมิ", "province", "ชัยภูมิ"), ("จ. ชัยภูมิ", "province", "ชัยภูมิ"),
    ("จังหวัดชัยภูมิ", "province", "ชัยภูมิ"), ("จังหวัด ชัยภูมิ", "province", "ชัยภูมิ"),
    ("จันทบุรี", "province", "จันทบุรี"),  # begins with จ but has no prefix
    ("อ.เมือง", "district", "เมือง"), ("อำเภอบ้านเขว้า", "district", "บ้านเขว้า"),
    ("ต.ในเมือง", "subdistrict", "ในเมือง"), ("ตำบล โพนทอง", "subdistrict", "โพนทอง"),
])
def test_place_prefixes_are_removed(text: str, level: thai.PlaceLevel, expected: str) -> None:
    assert thai.strip_place_prefix(text, level) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("044811234", "044-811-234"),
    ("044 811 234", "044-811-234"),
    ("(044) 811-234", "044-811-234"),
    ("๐๔๔-๘๑๑-๒๓๔", "044-811-234"),
    ("0812345678", "081-234-5678"),
    ("081.234.5678", "081-234-5678"),
    ("+66 81 234 5678", "081-234-5678"),
    ("+66-44-811-234", "044-811-234"),
    ("812345678", "081-234-5678"),  # a sheet stored the number as a number and dropped the 0
    ("44811234", "044-811-234"),
    ("021234567", "02-123-4567"),
    ("02-123-4567 ต่อ 12", "02-123-4567 ต่อ 12"),
    ("044-811-234 ext. 5", "044-811-234 ต่อ 5"),
    ("044-811-234, 081 234 5678", "044-811-234, 081-234-5678"),
    ("044-811-234 หรือ 0812345678", "044-811-234, 081-234-5678"),
])
def test_thai_phone_numbers_take_one_format(text: str, expected: str) -> None:
    assert thai.normalise_phone(text) == expected


@pytest.mark.parametrize("text", ["12345", "0112345678", "โทรหาได้ตลอด", "", "081-234-567-890"])
def test_what_is_not_a_thai_phone_number_is_not_guessed(text: str) -> None:
    assert thai.normalise_phone(text) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("1,500,000", Decimal("1500000")),
    ("1500000", Decimal("1500000")),
    ("1.5 ล้านบาท", Decimal("1500000")),
    ("1.5ล้าน", Decimal("1500000")),
    ("๒,๐๐๐,๐๐๐ บาท", Decimal("2000000")),
    ("๑.๕ ล้านบาท", Decimal("1500000")),
    ("450,000.-", Decimal("450000")),
    ("450,000.50 บาท", Decimal("450000.50")),
    ("฿450,000", Decimal("450000")),
    ("4.5 แสนบาท", Decimal("450000")),
    ("3 หมื่น", Decimal("30000")),
    ("2 million baht", Decimal("2000000")),
    ("120,000 THB", Decimal("120000")),
])
def test_budgets_are_read_as_baht(text: str, expected: Decimal) -> None:
    assert thai.parse_baht(text) == expected


@pytest.mark.parametrize("text", ["ประมาณหนึ่งล้าน", "1,5", "12,34,567", "ไม่ทราบ", "1.5.2"])
def test_what_is_not_an_amount_is_not_guessed(text: str) -> None:
    assert thai.parse_baht(text) is None


@pytest.mark.parametrize("text", ["-", "ไม่มี", "ไม่มีงบประมาณ", " ", "N/A"])
def test_no_amount_words_mean_no_budget(text: str) -> None:
    assert thai.is_no_amount(text)


@pytest.mark.parametrize(("text", "expected"), [
    ("ใช่", True), ("ไม่ใช่", False), ("มี", True), ("ไม่มี", False), ("Yes", True), ("No", False),
    ("YES", True), (" ใช่ ", True), ("มีแล้ว", True), ("ยังไม่มี", False), ("ใช่ค่ะ", True),
    ("บางที", None), ("กำลังจัดทำ", None),
])
def test_yes_no_answers_in_thai_and_english(text: str, expected: bool | None) -> None:
    assert thai.parse_yes_no(text) is expected


def test_checkbox_answers_and_free_text_lists_split_into_items() -> None:
    assert thai.split_list("สิ่งแวดล้อมอัจฉริยะ, การดำรงชีวิตอัจฉริยะ") == ["สิ่งแวดล้อมอัจฉริยะ", "การดำรงชีวิตอัจฉริยะ"]
    assert thai.split_list("มหาวิทยาลัยราชภัฏชัยภูมิ\nสำนักงานพัฒนาชุมชน;  depa ,") == [
        "มหาวิทยาลัยราชภัฏชัยภูมิ", "สำนักงานพัฒนาชุมชน", "depa"]
    assert thai.split_list(" , ") == []


@pytest.mark.parametrize(("text", "expected"), [
    ("https://example.go.th/plan.pdf", "https://example.go.th/plan.pdf"),
    ("  <https://example.go.th/plan.pdf>. ", "https://example.go.th/plan.pdf"),
    ("www.chaiyaphum.go.th/smartcity", "https://www.chaiyaphum.go.th/smartcity"),
    ("drive.google.com/file/d/abc/view", "https://drive.google.com/file/d/abc/view"),
    ("http://old.example.go.th", "http://old.example.go.th"),
    ("ดูในเอกสารแนบ", "ดูในเอกสารแนบ"),  # not a link: left for the model to refuse
])
def test_links_are_trimmed_and_given_a_scheme(text: str, expected: str) -> None:
    assert thai.normalise_url(text) == expected


def test_several_links_in_one_answer_are_split() -> None:
    assert thai.split_urls("https://drive.google.com/open?id=1, https://drive.google.com/open?id=2\n"
                           "drive.google.com/file/d/3") == [
        "https://drive.google.com/open?id=1", "https://drive.google.com/open?id=2", "https://drive.google.com/file/d/3"]


@pytest.mark.parametrize(("text", "expected"), [
    ("25/11/2568, 22:41:07", datetime(2025, 11, 25, 22, 41, 7, tzinfo=ICT)),  # Thai locale, B.E.
    ("25/11/2568 22:41:07", datetime(2025, 11, 25, 22, 41, 7, tzinfo=ICT)),
    ("25/11/2025, 22:41:07", datetime(2025, 11, 25, 22, 41, 7, tzinfo=ICT)),  # Thai locale, C.E.
    ("๒๕/๑๑/๒๕๖๘ ๒๒:๔๑:๐๗", datetime(2025, 11, 25, 22, 41, 7, tzinfo=ICT)),  # Thai digits
    ("5/1/2568 9:05:07", datetime(2025, 1, 5, 9, 5, 7, tzinfo=ICT)),
    ("25/11/2568 22:41", datetime(2025, 11, 25, 22, 41, tzinfo=ICT)),
    ("25/11/2568", datetime(2025, 11, 25, tzinfo=ICT)),
    ("25-11-2568 22.41 น.", datetime(2025, 11, 25, 22, 41, tzinfo=ICT)),
    ("2025-11-25 22:41:07", datetime(2025, 11, 25, 22, 41, 7, tzinfo=ICT)),
    ("2568-11-25 22:41:07", datetime(2025, 11, 25, 22, 41, 7, tzinfo=ICT)),
    ("2025-11-25T15:41:07.123Z", datetime(2025, 11, 25, 15, 41, 7, 123000, tzinfo=UTC)),  # the connector
    ("2025-11-25T22:41:07+07:00", datetime(2025, 11, 25, 22, 41, 7, tzinfo=ICT)),
])
def test_google_timestamps_in_the_thai_locale_and_iso(text: str, expected: datetime) -> None:
    assert thai.parse_timestamp(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("11/25/2025 22:41:07", datetime(2025, 11, 25, 22, 41, 7, tzinfo=ICT)),  # US English locale
    ("11/25/2025 10:41:07 PM", datetime(2025, 11, 25, 22, 41, 7, tzinfo=ICT)),
    ("1/5/2025 12:05:00 AM", datetime(2025, 1, 5, 0, 5, tzinfo=ICT)),
])
def test_google_timestamps_in_the_us_english_locale(text: str, expected: datetime) -> None:
    assert thai.parse_timestamp(text, date_order="MDY") == expected


def test_a_day_above_twelve_in_the_month_place_says_which_date_order_to_use() -> None:
    with pytest.raises(thai.TimestampError) as caught:
        thai.parse_timestamp("11/25/2025 22:41:07")
    assert "date_order=MDY" in caught.value.message_en
    assert "date_order=MDY" in caught.value.message_th and "วัน/เดือน/ปี" in caught.value.message_th


@pytest.mark.parametrize("text", ["31/11/2568", "yesterday", "25/11/68", "", "25/13/2568 10:00", "13:00 PM 1/1/2025"])
def test_timestamps_that_cannot_be_read_say_so_in_thai_and_english(text: str) -> None:
    with pytest.raises(thai.TimestampError) as caught:
        thai.parse_timestamp(text)
    assert caught.value.message_th and caught.value.message_en


def test_buddhist_era_years_are_common_era_minus_543() -> None:
    assert thai.ce_year(2568) == 2025
    assert thai.ce_year(2025) == 2025
