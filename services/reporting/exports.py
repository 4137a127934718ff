"""Every report table as CSV or XLSX, with Thai column headers (English on request).

A table is built from the same read-model documents the JSON API serves, so an export always shows the
figures the dashboard shows. CSV is UTF-8 with a byte-order mark, which spreadsheet programs need to read
Thai correctly.

Multi-line answers (a project's description or outcomes written as a numbered list) keep their line breaks:
in CSV inside the quoted field, in XLSX in a cell that wraps, so a spreadsheet shows one item a line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from services.reporting.labels import PROJECT_STATUS, STATUS, TIER, word
from shared.thai import DIMENSIONS

Document = dict[str, Any]
Lang = Literal["th", "en"]
Format = Literal["csv", "xlsx"]
MAX_WIDTH = 60  # characters: a wider column would push the rest of the table off the screen
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass(frozen=True)
class Column:
    key: str
    th: str
    en: str
    # Turns the raw value into what a reader sees in that language (statuses and tiers as words).
    show: Callable[[Any, Lang], Any] | None = None

    def header(self, lang: Lang) -> str:
        return self.th if lang == "th" else self.en

    def cell(self, row: Document, lang: Lang) -> Any:
        value = row.get(self.key)
        return self.show(value, lang) if self.show is not None else value


@dataclass(frozen=True)
class NamedColumn(Column):
    """A column of keys shown by the names each row carries beside them (`<key>_th`, `<key>_en`), the key
    itself where a row carries none."""

    def cell(self, row: Document, lang: Lang) -> Any:
        return row.get(f"{self.key}_{lang}") or row.get(self.key)


@dataclass
class Table:
    name: str
    title_th: str
    title_en: str
    columns: Sequence[Column]
    rows: list[Document] = field(default_factory=list)

    def title(self, lang: Lang) -> str:
        return self.title_th if lang == "th" else self.title_en


def _status(value: Any, lang: Lang) -> str:
    return word(STATUS, value, lang)


def _tier(value: Any, lang: Lang) -> str:
    return word(TIER, value, lang)


def _project_status(value: Any, lang: Lang) -> str:
    return word(PROJECT_STATUS, value, lang)


def _dimensions(value: Any, lang: Lang) -> str:
    return ", ".join(word(DIMENSIONS, key, lang) for key in value or [])


def _lines(value: Any, lang: Lang) -> str:
    return "\n".join(value or [])


FIGURE_COLUMNS = (
    Column("expected", "จำนวนเทศบาลในพื้นที่ (ทะเบียน)", "Municipalities expected (registry)"),
    Column("submissions", "ส่งข้อมูลแล้ว", "Submitted"),
    Column("received", "รอตรวจสอบ", "Received"),
    Column("validated", "ผ่านการตรวจสอบ", "Validated"),
    Column("returned", "ส่งกลับให้แก้ไข", "Returned"),
    Column("rejected", "ไม่ผ่านคุณสมบัติ", "Rejected"),
    Column("scored", "ให้คะแนนแล้ว", "Scored"),
    Column("average_score", "คะแนนเฉลี่ย", "Average score"),
    Column("outstanding", "ระดับโดดเด่น", "Outstanding"),
    Column("efficient", "ระดับมีประสิทธิภาพ", "Efficient"),
    Column("not_selected", "ไม่ผ่านเกณฑ์", "Not selected"),
)


def _flat(document: Document) -> Document:
    """Figures with their counts and tiers as plain columns."""
    return {**document, **(document.get("counts") or {}), **(document.get("tiers") or {})}


def provinces_table(national: Document) -> Table:
    columns = (Column("province_code", "รหัสจังหวัด", "Province code"),
               Column("province_name_th", "จังหวัด", "Province (Thai)"),
               Column("province_name_en", "ชื่อจังหวัด (อังกฤษ)", "Province"), *FIGURE_COLUMNS)
    rows = [_flat(row) for row in national.get("provinces", [])]
    rows.append(_flat({**national, "province_code": "", "province_name_th": "รวมทั้งประเทศ",
                       "province_name_en": "Whole country"}))
    return Table("provinces", "ภาพรวมรายจังหวัด", "Figures by province", columns, rows)


def districts_table(districts: Iterable[Document]) -> Table:
    columns = (Column("district_code", "รหัสอำเภอ", "District code"),
               Column("district_name_th", "อำเภอ", "District (Thai)"),
               Column("district_name_en", "ชื่ออำเภอ (อังกฤษ)", "District"),
               Column("province_name_th", "จังหวัด", "Province"), *FIGURE_COLUMNS)
    return Table("districts", "ภาพรวมรายอำเภอ", "Figures by district", columns, [_flat(d) for d in districts])


def size_groups_table(figures: Document, names: Mapping[str, tuple[str, str]]) -> Table:
    """The figures of each size group, named as `names` (Thai, English) give them, else by their key."""
    columns = (NamedColumn("size_group", "กลุ่มขนาด", "Size group"),
               Column("scored", "ให้คะแนนแล้ว", "Scored"),
               Column("average_score", "คะแนนเฉลี่ย", "Average score"),
               Column("outstanding", "ระดับโดดเด่น", "Outstanding"),
               Column("efficient", "ระดับมีประสิทธิภาพ", "Efficient"),
               Column("not_selected", "ไม่ผ่านเกณฑ์", "Not selected"))
    rows = []
    for group, entry in figures.get("size_groups", {}).items():
        name_th, name_en = names.get(group, (group, group))
        rows.append({"size_group": group, "size_group_th": name_th, "size_group_en": name_en, **entry,
                     **entry["tiers"]})
    return Table("size-groups", "ภาพรวมตามกลุ่มขนาด", "Figures by size group", columns, rows)


SUBMISSION_COLUMNS = (
    Column("lao_code", "รหัส อปท.", "LAO code"),
    Column("lao_name", "ชื่อ อปท.", "LAO"),
    Column("lao_type", "ประเภท", "Type"),
    Column("district_name", "อำเภอ", "District"),
    Column("province_name", "จังหวัด", "Province"),
    Column("status", "สถานะ", "Status", _status),
    Column("current_revision", "ครั้งที่ส่ง", "Revision"),
    Column("score_total", "คะแนนรวม", "Score"),
    Column("max_total", "คะแนนเต็ม", "Maximum"),
    Column("tier", "ระดับ", "Tier", _tier),
    NamedColumn("size_group", "กลุ่มขนาด", "Size group"),
    Column("submission_id", "รหัสการส่ง", "Submission id"),
    Column("final", "ที่มาของระดับ", "Tier decided by", lambda value, lang: _basis(value, lang)),
    Column("decided_by", "ผู้ประกาศผล", "Published by"),
)


def _basis(final: Any, lang: Lang) -> str:
    if final:
        return "ผลการคัดเลือกของ สถ. (ที่สุด)" if lang == "th" else "DLA's final selection"
    return "ตามเกณฑ์คะแนน (ชั่วคราว)" if lang == "th" else "score thresholds (provisional)"


def submission_row(view: Document) -> Document:
    lao = view.get("lao") or {}
    score = view.get("score") or {}
    return {"submission_id": view.get("submission_id"), "lao_name": lao.get("name"), "lao_code": lao.get("code"),
            "lao_type": lao.get("type"), "province_code": lao.get("province_code"),
            "province_name": lao.get("province_name"), "district_code": lao.get("district_code"),
            "district_name": lao.get("district_name"), "status": view.get("status"),
            "current_revision": view.get("current_revision"), "score_total": score.get("total"),
            "max_total": score.get("max_total"), "tier": score.get("tier"), "size_group": score.get("size_group"),
            "size_group_th": score.get("size_group_th"), "size_group_en": score.get("size_group_en"),
            "rubric_version": score.get("rubric_version"), "final": bool(score.get("final")),
            "decided_by": (view.get("selection") or {}).get("published_by") if score.get("final") else None}


def submissions_table(views: Iterable[Document]) -> Table:
    return Table("submissions", "รายการการส่งข้อมูลของเทศบาล", "Submissions", SUBMISSION_COLUMNS,
                 [submission_row(v) for v in views])


def rankings_table(ranked: Iterable[tuple[int, Document]]) -> Table:
    columns = (Column("rank", "ลำดับ", "Rank"), *SUBMISSION_COLUMNS[:5], SUBMISSION_COLUMNS[10],
               SUBMISSION_COLUMNS[7], SUBMISSION_COLUMNS[8], SUBMISSION_COLUMNS[9], SUBMISSION_COLUMNS[11],
               SUBMISSION_COLUMNS[12], SUBMISSION_COLUMNS[13])
    return Table("rankings", "ลำดับคะแนนภายในกลุ่มขนาด", "Rankings within size group", columns,
                 [{"rank": rank, **submission_row(view)} for rank, view in ranked])


def missing_table(districts: Iterable[Document]) -> Table:
    columns = (Column("code", "รหัส อปท.", "LAO code"), Column("name", "ชื่อ อปท.", "LAO"),
               Column("type", "ประเภท", "Type"), Column("district_name", "อำเภอ", "District"))
    rows = [lao for district in districts for lao in district.get("missing", [])]
    return Table("missing", "เทศบาลที่ยังไม่ส่งข้อมูล", "Municipalities that have not submitted", columns, rows)


def criteria_table(view: Document) -> Table:
    columns = (Column("section", "หมวด", "Section"), Column("key", "รหัสเกณฑ์", "Criterion"),
               Column("title_th", "เกณฑ์", "Criterion (Thai)"), Column("title_en", "เกณฑ์ (อังกฤษ)", "Criterion"),
               Column("points", "คะแนนที่ได้", "Points"), Column("max_points", "คะแนนเต็ม", "Maximum"),
               Column("manual", "คณะกรรมการให้คะแนน", "Committee's points"),
               Column("reason_th", "เหตุผล", "Reason (Thai)"), Column("reason_en", "เหตุผล (อังกฤษ)", "Reason"))
    score = view.get("score") or {}
    return Table("criteria", "คะแนนรายเกณฑ์", "Points by criterion", columns, list(score.get("criteria") or []))


PROJECT_COLUMNS = (
    *SUBMISSION_COLUMNS[:2], SUBMISSION_COLUMNS[3], SUBMISSION_COLUMNS[4], SUBMISSION_COLUMNS[5],
    SUBMISSION_COLUMNS[6],
    Column("project", "โครงการที่", "Project"),
    Column("name", "ชื่อโครงการ", "Project name"),
    Column("dimensions", "ด้าน", "Dimensions", _dimensions),
    Column("description", "รายละเอียด", "Description"),
    Column("outcomes", "ผลลัพธ์ที่วัดได้", "Outcomes"),
    Column("budget_thb", "งบประมาณ (บาท)", "Budget (THB)"),
    Column("project_status", "สถานะโครงการ", "Project status", _project_status),
    Column("beneficiaries", "จำนวนผู้ได้รับประโยชน์", "Beneficiaries"),
    Column("evidence_urls", "ลิงก์หลักฐาน", "Evidence", _lines),
    SUBMISSION_COLUMNS[11],
)


def projects_table(views: Iterable[Document]) -> Table:
    """One row per project of each submission's current report form, its description and outcomes as written."""
    rows = []
    for view in views:
        revision = (view.get("revisions") or {}).get(str(view.get("current_revision"))) or {}
        base = submission_row(view)
        for number, project in enumerate((revision.get("form") or {}).get("projects") or [], start=1):
            rows.append({**base, "project": number, "project_status": project.get("status"),
                         **{key: project.get(key) for key in ("name", "dimensions", "description", "outcomes",
                                                              "budget_thb", "beneficiaries", "evidence_urls")}})
    return Table("projects", "โครงการของเทศบาล", "Projects", PROJECT_COLUMNS, rows)


# What a spreadsheet takes for the start of a formula: an applicant's `=HYPERLINK(...)` must stay text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def as_text(value: Any) -> Any:
    """A CSV cell a spreadsheet will not run: text that starts like a formula gets a leading apostrophe (the
    convention spreadsheets show as text); numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv(table: Table, lang: Lang = "th") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([as_text(column.header(lang)) for column in table.columns])
    for row in table.rows:
        writer.writerow(["" if (value := column.cell(row, lang)) is None else as_text(value)
                         for column in table.columns])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(table: Table, lang: Lang = "th") -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = table.name[:31]
    sheet.append([column.header(lang) for column in table.columns])
    header_font = Font(name="TH Sarabun New", bold=True, size=14)
    for cell in sheet[1]:
        cell.font = header_font
        cell.fill = PatternFill("solid", fgColor="DDE7F3")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    widths = [_width(column.header(lang)) for column in table.columns]
    for row in table.rows:
        values = [column.cell(row, lang) for column in table.columns]
        sheet.append(values)
        widths = [max(width, _width(value)) for width, value in zip(widths, values, strict=True)]
    widths = [min(MAX_WIDTH, max(8, width + 2)) for width in widths]
    # A cell of several lines, or one line wider than its column, wraps: Excel then shows each line of a
    # numbered list on its own line (with the row as tall as it needs), not one long line cut at the border.
    for cells in sheet.iter_rows(min_row=2):
        for cell, width in zip(cells, widths, strict=True):
            text = cell.value
            wrap = isinstance(text, str) and ("\n" in text or len(text) > width)
            cell.alignment = Alignment(wrap_text=wrap, vertical="top")
            if cell.data_type == "f":
                cell.data_type = "s"  # openpyxl reads `=...` as a formula: an applicant's text is only text
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _width(value: Any) -> int:
    """Characters of the value's longest line (a multi-line cell is as wide as its widest line)."""
    return max((len(line) for line in str("" if value is None else value).split("\n")), default=0)


def render(table: Table, fmt: Format, lang: Lang = "th") -> bytes:
    return to_csv(table, lang) if fmt == "csv" else to_xlsx(table, lang)
