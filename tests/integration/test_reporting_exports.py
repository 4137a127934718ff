"""Exports of every report table as CSV and XLSX, Thai headers by default and English on request, with the
same figures the JSON views show; multi-line answers keep their line breaks."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from services.intake.submission import Submission
from services.reporting import exports
from services.reporting.sample import CAMPAIGN, history
from shared.events import Envelope
from tests.integration.test_reporting import publish_all, reporting
from tests.support import Namespace

V1 = f"/v1/campaigns/{CAMPAIGN}"


# As an applicant types them into the form (CRLF, a doubled space); intake keeps the lines, folds the spaces.
STEPS_AS_TYPED = ("ขั้นตอนการดำเนินงาน\r\n1. สำรวจพื้นที่\r\n2.  ติดตั้งกล้อง CCTV 40 จุด\r\n"
                  "3. เชื่อมต่อศูนย์สั่งการ <b>ตลอด ๒๔ ชั่วโมง</b>")
STEPS = ("ขั้นตอนการดำเนินงาน\n1. สำรวจพื้นที่\n2. ติดตั้งกล้อง CCTV 40 จุด\n"
         "3. เชื่อมต่อศูนย์สั่งการ <b>ตลอด ๒๔ ชั่วโมง</b>")
OUTCOMES = "- ลดเวลาตอบสนองเหตุจาก ๓ วันเหลือ ๖ ชั่วโมง\n- เรื่องร้องเรียนลดลงร้อยละ ๓๐"
WITH_STEPS = f"{CAMPAIGN}-4360101"  # เทศบาลเมืองชัยภูมิ, scored


def with_numbered_list(envelopes: list[Envelope]) -> list[Envelope]:
    """The sample history, เทศบาลเมืองชัยภูมิ's first project described as a numbered list on several lines,
    through the canonical submission as intake builds it."""
    changed = []
    for envelope in envelopes:
        if envelope.correlation_id == WITH_STEPS and "submission" in envelope.data:
            form = envelope.data["submission"]
            first = {**form["projects"][0], "description": STEPS_AS_TYPED, "outcomes": OUTCOMES}
            submission = Submission.model_validate({**form, "projects": [first, *form["projects"][1:]]})
            assert submission.projects[0].description == STEPS
            envelope = envelope.model_copy(update={"data": {**envelope.data,
                                                            "submission": submission.model_dump(mode="json")}})
        changed.append(envelope)
    return changed


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, so spreadsheets read Thai"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


async def test_every_table_exports_as_csv_and_xlsx_with_thai_headers(namespace: Namespace) -> None:
    tables = {
        "provinces": "", "size-groups": "", "districts": "province=36", "submissions": "province=36",
        "projects": "province=36",
        "rankings": "size_group=medium", "missing": "province=36",
        "criteria": f"submission={CAMPAIGN}-4360101",
    }
    async with reporting(namespace) as (client, bus, _):
        await publish_all(client, bus, history())
        csvs = {name: await client.get(f"{V1}/exports/{name}.csv?{query}") for name, query in tables.items()}
        xlsxs = {name: await client.get(f"{V1}/exports/{name}.xlsx?{query}") for name, query in tables.items()}
        national = (await client.get(f"{V1}/national")).json()
        unknown = await client.get(f"{V1}/exports/everything.csv")

    for name in tables:
        assert csvs[name].status_code == 200, csvs[name].text
        assert csvs[name].headers["content-type"].startswith("text/csv")
        assert f"{CAMPAIGN}-{name}" in csvs[name].headers["content-disposition"]
        assert xlsxs[name].headers["content-type"].startswith("application/vnd.openxmlformats")
        rows = read_csv(csvs[name].content)
        sheet = load_workbook(io.BytesIO(xlsxs[name].content)).active
        assert sheet is not None
        assert [list(map(_text, row)) for row in sheet.iter_rows(values_only=True)] == [
            list(map(_text, row)) for row in rows], name
    assert unknown.status_code == 404

    provinces = read_csv(csvs["provinces"].content)
    assert provinces[0][:5] == ["รหัสจังหวัด", "จังหวัด", "ชื่อจังหวัด (อังกฤษ)", "จำนวนเทศบาลในพื้นที่ (ทะเบียน)",
                                "ส่งข้อมูลแล้ว"]
    by_name = {row[1]: row for row in provinces[1:]}
    assert by_name["ชัยภูมิ"][3:5] == ["6", "5"]
    assert by_name["รวมทั้งประเทศ"][4] == str(national["submissions"]) == "10"
    missing = read_csv(csvs["missing"].content)
    assert sorted(row[1] for row in missing[1:]) == ["เทศบาลตำบลนาฝาย", "เทศบาลตำบลลุ่มลำชี"]
    ranking = read_csv(csvs["rankings"].content)
    assert [(row[0], row[2]) for row in ranking[1:]] == [
        ("1", "เทศบาลเมืองชัยภูมิ"), ("2", "เทศบาลเมืองบ้านไผ่"), ("3", "เทศบาลเมืองแม่โจ้")]
    statuses = {row[1]: row[5] for row in read_csv(csvs["submissions"].content)[1:]}
    assert statuses["เทศบาลตำบลบ้านเขว้า"] == "ส่งกลับให้แก้ไข"


async def test_english_headers_and_words_on_request(namespace: Namespace) -> None:
    async with reporting(namespace) as (client, bus, _):
        await publish_all(client, bus, history())
        body = (await client.get(f"{V1}/exports/submissions.csv", params={"lang": "en", "province": "40"})).content
        groups = (await client.get(f"{V1}/exports/size-groups.xlsx", params={"lang": "en"})).content
    rows = read_csv(body)
    assert rows[0][:6] == ["LAO code", "LAO", "Type", "District", "Province", "Status"]
    assert {row[5] for row in rows[1:]} == {"scored", "validated"}
    sheet = load_workbook(io.BytesIO(groups)).active
    assert sheet is not None
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:3] == ("Size group", "Scored", "Average score")
    assert [row[:2] for row in values[1:]] == [("large", 2), ("medium", 3), ("small", 1)]


async def test_a_description_on_several_lines_keeps_its_line_breaks_in_csv_and_xlsx(namespace: Namespace) -> None:
    async with reporting(namespace) as (client, bus, _):
        await publish_all(client, bus, with_numbered_list(history()))
        as_csv = await client.get(f"{V1}/exports/projects.csv", params={"province": "36"})
        as_xlsx = await client.get(f"{V1}/exports/projects.xlsx", params={"province": "36"})
    assert as_csv.status_code == as_xlsx.status_code == 200, as_csv.text
    assert b"\r\n" in as_csv.content
    csv_rows = read_csv(as_csv.content)
    workbook = load_workbook(io.BytesIO(as_xlsx.content))
    sheet = workbook.active
    assert sheet is not None

    header = csv_rows[0]
    description, outcomes = header.index("รายละเอียด"), header.index("ผลลัพธ์ที่วัดได้")
    ours = [row for row in csv_rows[1:] if row[header.index("รหัสการส่ง")] == WITH_STEPS]
    assert [row[header.index("โครงการที่")] for row in ours] == ["1", "2"]
    # A bulleted list starts with "-": in CSV it is guarded as text (a spreadsheet would take it for a formula).
    assert ours[0][description] == STEPS and ours[0][outcomes] == exports.as_text(OUTCOMES)
    assert ours[0][description].split("\n")[1:3] == ["1. สำรวจพื้นที่", "2. ติดตั้งกล้อง CCTV 40 จุด"]

    cells = {(sheet.cell(row, 1 + header.index("รหัสการส่ง")).value, sheet.cell(row, 1 + description).value):
             sheet.cell(row, 1 + description) for row in range(2, sheet.max_row + 1)}
    cell = cells[(WITH_STEPS, STEPS)]
    assert cell.alignment.wrap_text, "Excel shows the lines of a wrapped cell one under another"
    assert sheet.cell(cell.row, 1 + outcomes).value == OUTCOMES
    assert sheet.cell(cell.row, 1 + outcomes).alignment.wrap_text


def test_the_csv_quotes_a_multi_line_field_and_ends_rows_with_crlf() -> None:
    table = exports.Table("projects", "โครงการ", "Projects", exports.PROJECT_COLUMNS[7:10],
                          [{"name": "กล้อง CCTV", "description": STEPS}])
    body = exports.to_csv(table).decode("utf-8-sig")
    assert body == (f'ชื่อโครงการ,ด้าน,รายละเอียด\r\nกล้อง CCTV,,"{STEPS}"\r\n')
    assert list(csv.reader(io.StringIO(body, newline="")))[1][2] == STEPS


def _text(value: object) -> str:
    """A cell as text, numbers compared as numbers (a spreadsheet keeps 62.0 as 62)."""
    if value is None:
        return ""
    try:
        return repr(float(str(value)))
    except ValueError:
        return str(value)
