"""Exports of every report table as CSV and XLSX, Thai headers by default and English on request, with the
same figures the JSON views show."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from services.reporting.sample import CAMPAIGN, history
from tests.integration.test_reporting import publish_all, reporting
from tests.support import Namespace

V1 = f"/v1/campaigns/{CAMPAIGN}"


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, so spreadsheets read Thai"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


async def test_every_table_exports_as_csv_and_xlsx_with_thai_headers(namespace: Namespace) -> None:
    tables = {
        "provinces": "", "size-groups": "", "districts": "province=36", "submissions": "province=36",
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


def _text(value: object) -> str:
    """A cell as text, numbers compared as numbers (a spreadsheet keeps 62.0 as 62)."""
    if value is None:
        return ""
    try:
        return repr(float(str(value)))
    except ValueError:
        return str(value)
