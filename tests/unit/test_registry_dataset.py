"""Reading DLA's open-data LAO list: sub-district rows collapse into one LAO each, with its province and
district codes, type and size class; bad rows are skipped and said why; a foreign file is refused. Header
names and size classes are read as DLA staff write them."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from services.validation.registry.dataset import (
    COLUMNS,
    FileRefused,
    header_key,
    read_dataset,
    read_size_classes,
    size_class_of,
)
from services.validation.registry.importer import detect_encoding

DATA = Path(__file__).resolve().parents[2] / "services" / "validation" / "data"
HEADER = ("จังหวัด,อำเภอ,ตำบล,รหัส อปท.,ประเภท อปท.,อปท.,ที่ตั้งสำนักงานเลขที่,หมู่ที่,รหัสไปรษณีย์,ขนาดพื้นที่,LAT,LONG,"
          "เว็ปไซต์ของอปท.\n")


def test_the_shipped_sample_is_named_as_a_sample_and_in_dlas_format() -> None:
    sample = DATA / "sample-dlads_05_01.csv"
    assert "sample" in sample.name
    first_line = sample.read_text(encoding="utf-8-sig").splitlines()[0]
    assert first_line + "\n" == HEADER


def test_sample_collapses_sub_district_rows_into_one_lao_per_code() -> None:
    with (DATA / "sample-dlads_05_01.csv").open(encoding="utf-8-sig", newline="") as handle:
        reading = read_dataset(handle)
    assert (reading.rows, len(reading.laos), reading.skipped, reading.problems) == (51, 27, 0, [])
    assert reading.provinces == {"30", "36", "40", "50", "83"}
    chiang_mai = reading.laos["3500101"]
    assert (chiang_mai.name, chiang_mai.type, chiang_mai.province_code, chiang_mai.district_code) == (
        "เทศบาลนครเชียงใหม่", "เทศบาลนคร", "50", "5001")
    assert len(chiang_mai.subdistricts) == 14 and chiang_mai.subdistricts[:2] == ["ศรีภูมิ", "พระสิงห์"]
    assert chiang_mai.details["postcode"] == "50300" and chiang_mai.size_class is None
    assert not reading.has_size_column


def test_sample_holds_every_municipality_the_test_support_uses() -> None:
    from tests.support import MUNICIPALITIES

    with (DATA / "sample-dlads_05_01.csv").open(encoding="utf-8-sig", newline="") as handle:
        names = {draft.name for draft in read_dataset(handle).laos.values()}
    assert {name for name, *_ in MUNICIPALITIES} <= names


def test_upgraded_sao_keeps_its_leading_six_and_its_stored_type() -> None:
    with (DATA / "sample-dlads_05_01.csv").open(encoding="utf-8-sig", newline="") as handle:
        tha_hin_ngom = read_dataset(handle).laos["6360113"]
    assert tha_hin_ngom.type == "เทศบาลตำบล"


def test_optional_size_column_thai_digits_and_abbreviated_types_are_read() -> None:
    text = ("จังหวัด,อำเภอ,ตำบล,รหัส อปท.,ประเภท อปท.,อปท.,ขนาด อปท.\n"
            "ชัยภูมิ,เมืองชัยภูมิ,ในเมือง,๔๓๖๐๑๐๑,ทม.,เทศบาลเมืองชัยภูมิ,ขนาดกลาง\n"
            "จ.ชัยภูมิ,อ.บ้านเขว้า,บ้านเขว้า,5360201,ทต.,ทต.บ้านเขว้า,เล็ก\n")
    reading = read_dataset(io.StringIO(text))
    assert reading.has_size_column
    town, tambon = reading.laos["4360101"], reading.laos["5360201"]
    assert (town.type, town.size_class, town.district_code) == ("เทศบาลเมือง", "medium", "3601")
    assert (tambon.type, tambon.size_class, tambon.district_code) == ("เทศบาลตำบล", "small", "3602")


def test_rows_that_cannot_be_an_lao_are_skipped_with_their_line_and_reason() -> None:
    text = HEADER + ("ชัยภูมิ,เมืองชัยภูมิ,ในเมือง,43601,เทศบาลเมือง,เทศบาลเมืองชัยภูมิ,,,,,,,\n"
                     "ไม่มีจังหวัดนี้,เมือง,ในเมือง,4990101,เทศบาลเมือง,เทศบาลเมืองสมมุติ,,,,,,,\n"
                     "ชัยภูมิ,อำเภอสมมุติ,นาฝาย,6360104,องค์การบริหารส่วนตำบล,องค์การบริหารส่วนตำบลนาฝาย,,,,,,,\n")
    reading = read_dataset(io.StringIO(text))
    assert (reading.rows, reading.skipped, list(reading.laos)) == (3, 2, ["6360104"])
    lines = [problem.line for problem in reading.problems]
    assert lines == [2, 3, 4]
    assert "43601" in reading.problems[0].message_th and "7 digits" in reading.problems[0].message_en
    # An unknown district name falls back on the code's district digits.
    assert reading.laos["6360104"].district_code == "3601"


def test_a_file_without_dla_columns_is_refused_in_thai_and_english() -> None:
    with pytest.raises(FileRefused) as refused:
        read_dataset(io.StringIO("name,email\nสมชาย,a@example.go.th\n"))
    assert "รหัส อปท." in refused.value.message_th and "not found" in refused.value.message_en
    with pytest.raises(FileRefused):
        read_dataset(io.StringIO(""))


def test_size_class_file_maps_codes_to_classes_and_reports_bad_rows() -> None:
    text = "รหัส อปท.,อปท.,ขนาด อปท.\n4360101,เทศบาลเมืองชัยภูมิ,ขนาดกลาง\n3400101,เทศบาลนครขอนแก่น,ขนาดใหญ่\n123,x,ใหญ่\n"
    reading = read_size_classes(io.StringIO(text))
    assert reading.classes == {"4360101": "medium", "3400101": "large"}
    assert (reading.rows, reading.skipped, reading.problems[0].line) == (3, 1, 4)


def test_shipped_size_class_sample_covers_the_sample_registry() -> None:
    with (DATA / "sample-lao-size-classes.csv").open(encoding="utf-8", newline="") as handle:
        classes = read_size_classes(handle).classes
    assert len(classes) == 27 and set(classes.values()) == {"large", "medium", "small"}


def test_utf8_with_bom_and_thai_windows_encoding_are_both_detected() -> None:
    assert detect_encoding(io.BytesIO("\ufeffจังหวัด".encode())) == "utf-8-sig"
    assert detect_encoding(io.BytesIO("จังหวัด,อำเภอ".encode("cp874"))) == "cp874"


SIZE_HEADERS = ["ขนาด", "ขนาด อปท.", "ขนาดอปท.", "ขนาด อปท", "size", "Size", "size_class", "SIZE CLASS",
                "\ufeffขนาด อปท.", "  ขนาด อปท. ", "ขนาด\u00a0อปท.", "\u00a0Size\u00a0", "\"ขนาด\"", "ขนาด\u200bอปท."]


@pytest.mark.parametrize("written", SIZE_HEADERS)
def test_header_variants_of_the_size_column_all_name_the_size_column(written: str) -> None:
    assert header_key(written) in {header_key(spelling) for spelling in COLUMNS["size_class"]}


def test_header_key_ignores_spaces_dots_underscores_case_and_a_bom() -> None:
    assert header_key("\ufeff รหัส\u00a0อปท. ") == header_key("รหัสอปท") == "รหัสอปท"
    assert header_key("LAO_Code") == header_key("lao code") == "laocode"
    assert header_key("ขนาดพื้นที่") != header_key("ขนาด")  # the area column stays the area


@pytest.mark.parametrize("size_header", SIZE_HEADERS)
def test_size_class_file_is_read_under_every_header_variant(size_header: str) -> None:
    text = f"\ufeffรหัส อปท.,อปท.,{size_header}\n4360101,เทศบาลเมืองชัยภูมิ,ขนาดกลาง\n"
    assert read_size_classes(io.StringIO(text)).classes == {"4360101": "medium"}


def test_a_quoted_header_after_a_bom_is_still_read() -> None:
    text = '\ufeff"รหัส อปท.","ขนาด"\r\n"4360101","ใหญ่"\r\n'
    assert read_size_classes(io.StringIO(text)).classes == {"4360101": "large"}


def test_lao_file_headers_are_read_in_other_spellings_too() -> None:
    for header in ("Province,District,Sub-district,LAO_CODE,lao type,LAO_Name,Size\n",
                   "จังหวัด ,อำเภอ.,ตำบล,รหัส,ประเภท,ชื่อ อปท,ขนาด\n"):
        reading = read_dataset(io.StringIO(header + "ชัยภูมิ,เมืองชัยภูมิ,ในเมือง,4360101,ทม.,เทศบาลเมืองชัยภูมิ,M\n"))
        town = reading.laos["4360101"]
        assert reading.has_size_column and (town.type, town.district_code, town.size_class, town.subdistricts) == (
            "เทศบาลเมือง", "3601", "medium", ["ในเมือง"])


@pytest.mark.parametrize(("written", "size"), [
    ("ขนาดใหญ่", "large"), ("ใหญ่", "large"), ("L", "large"), ("l.", "large"), ("Large", "large"),
    ("LARGE", "large"), ("ขนาดใหญ่พิเศษ", "large"), ("ใหญ่ (L)", "large"), ("อปท.ขนาดใหญ่", "large"),
    ("ขนาดกลาง", "medium"), ("ขนาด กลาง", "medium"), ("กลาง", "medium"), ("M", "medium"), ("medium.", "medium"),
    ("Size M", "medium"), ("ขนาดกลาง/M", "medium"),
    ("ขนาดเล็ก", "small"), ("\u00a0เล็ก\u00a0", "small"), ("S", "small"), ("small", "small"), ("เล็ก (S)", "small"),
    ("ใหญ่/เล็ก", None), ("ไม่ทราบ", None), ("ขนาด", None), ("", None), ("XL", None),
])
def test_size_values_are_read_as_dla_staff_write_them(written: str, size: str | None) -> None:
    assert size_class_of(written) == size


def test_an_unknown_size_header_is_refused_naming_the_headers_looked_for() -> None:
    with pytest.raises(FileRefused) as refused:
        read_size_classes(io.StringIO("รหัส อปท.,ชั้น\n4360101,ขนาดกลาง\n"))
    th, en = refused.value.message_th, refused.value.message_en
    for spelling in ("ขนาด อปท.", "ขนาด", "size", "size_class"):
        assert spelling in th and spelling in en
    assert "ไม่พบคอลัมน์" in th and "not found" in en and "ชั้น" in th and "ชั้น" in en


def test_a_line_csv_cannot_read_refuses_the_whole_file_naming_the_line() -> None:
    text = HEADER + "ชัยภูมิ,เมืองชัยภูมิ,ในเมือง,4360101,เทศบาลเมือง,เทศบาลเมืองชัยภูมิ,,,,,,,\n" + \
        "ชัยภูมิ,เมืองชัยภูมิ,ในเมือง,4360101,เทศบาลเมือง," + "ก" * 200_000 + ",,,,,,,\n"
    with pytest.raises(FileRefused) as refused:
        read_dataset(io.StringIO(text))
    assert "แถวที่ 3" in refused.value.message_th and "Line 3" in refused.value.message_en
