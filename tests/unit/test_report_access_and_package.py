"""Scopes of reporting tokens, the setting that turns them off, and the document package's letter (pure HTML)."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from pathlib import Path

import pytest
from pydantic import ValidationError

from services.reporting.labels import thai_date, thai_number
from services.reporting.package import Area, Sender, letter_html, package_html
from services.reporting.projection import apply
from services.reporting.sample import history
from services.reporting.tokens import NATIONAL, InvalidScope, Scope, hash_token
from shared.campaign import load_campaigns
from shared.settings import Settings

URLS = {"amqp_url": "amqp://guest:guest@127.0.0.1:5672/", "mongodb_url": "mongodb://127.0.0.1:27017/"}


def test_scopes_parse_and_cover_their_own_area_only() -> None:
    province, district = Scope.parse("province:36"), Scope.parse(" District:3601 ")
    assert Scope.parse("national") is NATIONAL and str(district) == "district:3601"
    assert province.allows_province("36") and not province.allows_province("40")
    assert province.allows_district("3601") and not province.allows_district("4001")
    assert not province.allows_national() and not district.allows_province("36")
    assert district.allows_district("3601") and not district.allows_district("3602")
    assert district.allows_place("36", "3601") and not district.allows_place("36", None)
    assert NATIONAL.allows_place(None, None) and not province.allows_place(None, None)
    for bad in ("province:99", "district:3699", "province:3", "everything", "province:36;x"):
        with pytest.raises(InvalidScope):
            Scope.parse(bad)


def test_tokens_are_kept_as_their_sha256() -> None:
    assert hash_token("srt_x") == hashlib.sha256(b"srt_x").hexdigest()


def test_reporting_without_tokens_is_refused_in_production() -> None:
    assert Settings(**URLS, environment="development", reporting_auth_required=False).reporting_auth_required is False
    key = "digest-key-of-the-reporting-access-test-01"
    assert Settings(**URLS, environment="production", token_digest_key=key).reporting_auth_required is True
    with pytest.raises(ValidationError, match="REPORTING_AUTH_REQUIRED=false is refused in production"):
        Settings(**URLS, environment="production", reporting_auth_required=False, intake_auth_required=True,
                 token_digest_key=key)


def test_thai_dates_and_figures_in_thai_digits() -> None:
    assert thai_date(date(2025, 11, 28)) == "๒๘ พฤศจิกายน ๒๕๖๘"
    assert thai_date(date(2025, 10, 21), digits=False) == "21 ตุลาคม 2568"
    assert thai_number(1234.5, decimals=2) == "๑,๒๓๔.๕๐" and thai_number(None) == "-"


def chaiyaphum() -> Area:
    views: dict[str, dict[str, object]] = {}
    for envelope in history():
        if envelope.event_type.startswith("submission.") and envelope.correlation_id.startswith("fy2568-"):
            sid = envelope.correlation_id
            views[sid] = apply(views.get(sid), envelope) or views[sid]  # type: ignore[arg-type]
    in_36 = [v for v in views.values() if (v.get("lao") or {}).get("province_code") == "36"]  # type: ignore[union-attr]
    figures = {"submissions": 5, "counts": {"received": 1, "validated": 0, "returned": 1, "rejected": 1,
                                            "scored": 2}, "expected": 6, "expected_submitted": 4}
    return Area("province", "36", "ชัยภูมิ", "ชัยภูมิ", figures, in_36,  # type: ignore[arg-type]
                [{"code": "5360102", "name": "เทศบาลตำบลนาฝาย"}])


def test_the_letter_has_the_official_layout_with_thai_digits() -> None:
    campaign = load_campaigns().get("fy2568")
    html = letter_html(chaiyaphum(), campaign, Sender(number="ชย 0023.6/ว 99"), date(2025, 11, 27))
    text = re.sub(r"<[^>]+>", " ", html)
    order = ["ที่ ชย ๐๐๒๓.๖/ว ๙๙", "ศาลากลางจังหวัดชัยภูมิ", "๒๗ พฤศจิกายน ๒๕๖๘", "เรื่อง", "เรียน",
             "อธิบดีกรมส่งเสริมการปกครองท้องถิ่น", "อ้างถึง", "สิ่งที่ส่งมาด้วย", "จึงเรียนมาเพื่อโปรดพิจารณา",
             "ขอแสดงความนับถือ", "ผู้ว่าราชการจังหวัดชัยภูมิ", "ส่วนราชการเจ้าของเรื่อง"]
    positions = [text.index(part) for part in order]
    assert positions == sorted(positions)
    assert "จำนวน ๕ แห่ง จากเทศบาลในพื้นที่ทั้งหมด ๖ แห่ง" in text
    assert "ภายในวันที่ ๒๘ พฤศจิกายน ๒๕๖๘" in text  # the campaign's province deadline
    assert "ประจำปีงบประมาณ พ.ศ. ๒๕๖๘" in text
    assert not re.search(r"[0-9]", text.replace("Smart City", ""))


def test_the_package_has_one_report_form_per_submission() -> None:
    campaign = load_campaigns().get("fy2568")
    html = package_html(chaiyaphum(), campaign, Sender(), date(2025, 11, 27))
    assert html.count('<section class="form">') == 5
    assert html.count('<section class="summary">') == 1
    assert "เทศบาลตำบลนาฝาย" in html and "<script" not in html


def test_a_multi_line_description_is_escaped_and_keeps_its_lines() -> None:
    area = chaiyaphum()
    view = next(v for v in area.submissions if v["submission_id"] == "fy2568-4360101")
    form = view["revisions"][str(view["current_revision"])]["form"]
    form["projects"][0] = {**form["projects"][0], "description": "ขั้นตอน\n1. สำรวจ <script>x</script>\n2. ติดตั้ง",
                           "outcomes": "ลดเวลา\nเพิ่มความพึงพอใจ"}
    html = package_html(area, load_campaigns().get("fy2568"), Sender(), date(2025, 11, 27))
    # The lines stay as newlines in a cell the stylesheet shows with `white-space: pre-line`.
    assert "<div class='long'>ขั้นตอน\n1. สำรวจ &lt;script&gt;x&lt;/script&gt;\n2. ติดตั้ง</div>" in html
    assert "<div class='long'><i>ผลลัพธ์:</i>\nลดเวลา\nเพิ่มความพึงพอใจ</div>" in html  # the list under its label
    assert "<i>ผลลัพธ์:</i> ลดเวลาตอบสนองเหตุจาก ๓ วันเหลือ ๖ ชั่วโมง</div>" in html  # one line: beside it
    assert ".long { white-space: pre-line; }" in html and "<script>" not in html


def test_applicants_text_that_looks_like_a_formula_stays_text_in_csv_and_xlsx() -> None:
    import csv as csv_module
    import io as io_module

    from openpyxl import load_workbook

    from services.reporting import exports

    written = ["=HYPERLINK(\"https://evil.example\",\"คลิก\")", "+66812345678", "-1,200,000", "@SUM(A1)",
               "\tซ่อน", "เทศบาลเมืองชัยภูมิ"]
    columns = [exports.Column("name", "ชื่อ", "Name"), exports.Column("amount", "จำนวน", "Amount")]
    table = exports.Table("t", "ตาราง", "Table", columns,
                          [{"name": text, "amount": -5} for text in written])
    rows = list(csv_module.reader(io_module.StringIO(exports.to_csv(table).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["'" + text for text in written[:5]] + [written[5]]
    assert {row[1] for row in rows[1:]} == {"-5"}  # a number is not text and needs no guard
    sheet = load_workbook(io_module.BytesIO(exports.to_xlsx(table))).active
    assert sheet is not None
    cells = [sheet.cell(row, 1) for row in range(2, 2 + len(written))]
    assert [cell.value for cell in cells] == written
    assert {cell.data_type for cell in cells} == {"s"}


def test_the_pdf_renderer_fetches_no_file_and_no_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from services.reporting import package

    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not an image")
    calls: list[str] = []

    def spy(url: str) -> None:
        calls.append(url)
        package.refuse_every_url(url)

    monkeypatch.setattr(package, "refuse_every_url", spy)
    html = (f"<html><body><img src='file://{secret}'><img src='http://169.254.169.254/latest'>"
            "<p>ข้อความ</p></body></html>")
    assert package.render_pdf(html).startswith(b"%PDF")  # a refused image is left out, the page still renders
    assert set(calls) == {f"file://{secret}", "http://169.254.169.254/latest"}
