"""Reading DLA's open-data LAO list (dataset `dlads_05_01`): one row per LAO × sub-district, collapsed to
one LAO per 7-digit code with its province and district codes, type and (when a column gives it) size
class. Also reads the simple size-class file (code → ขนาดใหญ่ / กลาง / เล็ก). Pure: rows in, LAOs out.

Rows stream through; only the collapse dictionary (one small entry per LAO) stays in memory.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from geothai.types import District, Province

from services.validation.lao_types import canonical_lao_type
from services.validation.matching import lookup_code
from shared import geo, thai
from shared.errors import Invalid

# Canonical column → the header spellings seen in DLA's files, compared by `header_key` (so `ขนาดอปท.`,
# `ขนาด อปท`, `Size` and `SIZE_CLASS` need no entry of their own). The first spelling names the column in
# messages.
COLUMNS: dict[str, tuple[str, ...]] = {
    "province": ("จังหวัด", "province"),
    "district": ("อำเภอ", "อำเภอ/เขต", "district"),
    "subdistrict": ("ตำบล", "ตำบล/แขวง", "subdistrict", "tambon"),
    "code": ("รหัส อปท.", "รหัส", "รหัสองค์กรปกครองส่วนท้องถิ่น", "lao_code", "code"),
    "type": ("ประเภท อปท.", "ประเภท", "ประเภทองค์กรปกครองส่วนท้องถิ่น", "lao_type", "type"),
    "name": ("อปท.", "ชื่อ อปท.", "ชื่อองค์กรปกครองส่วนท้องถิ่น", "lao_name", "name"),
    "office_number": ("ที่ตั้งสำนักงานเลขที่",),
    "moo": ("หมู่ที่",),
    "postcode": ("รหัสไปรษณีย์",),
    "area_sq_km": ("ขนาดพื้นที่",),
    "lat": ("LAT", "latitude"),
    "lon": ("LONG", "LON", "longitude"),
    # DLA's own header misspells เว็บไซต์; both spellings are read.
    "website": ("เว็ปไซต์ของอปท.", "เว็บไซต์ของอปท.", "เว็บไซต์", "website"),
    # Not in dlads_05_01 today: an optional extra column with DLA's size class (and the size-class file's).
    "size_class": ("ขนาด อปท.", "ขนาด", "ขนาดองค์กรปกครองส่วนท้องถิ่น", "size", "size_class", "lao_size"),
}
REQUIRED = ("province", "district", "code", "type", "name")
SIZE_FILE_REQUIRED = ("code", "size_class")
MAX_REPORTED_PROBLEMS = 50


class FileRefused(Invalid):
    """The file cannot be imported at all (not the expected columns, a line that cannot be read): nothing of it
    is written. Said in Thai and English, as `file_refused`."""

    def __init__(self, message_th: str, message_en: str) -> None:
        super().__init__("file_refused", message_th, message_en)


@dataclass(frozen=True)
class RowProblem:
    line: int
    message_th: str
    message_en: str


@dataclass
class LaoDraft:
    """An LAO being collapsed from its rows: the first row's values, every sub-district."""

    code: str
    name: str
    type: str | None
    type_written: str
    province_code: str
    province_name: str
    district_code: str | None
    district_name: str | None
    size_class: str | None
    details: dict[str, str]
    subdistricts: list[str] = field(default_factory=list)


@dataclass
class DatasetReading:
    """What one pass over the file found."""

    laos: dict[str, LaoDraft] = field(default_factory=dict)
    rows: int = 0
    skipped: int = 0
    has_size_column: bool = False
    problems: list[RowProblem] = field(default_factory=list)

    def problem(self, line: int, message_th: str, message_en: str) -> None:
        if len(self.problems) < MAX_REPORTED_PROBLEMS:
            self.problems.append(RowProblem(line, message_th, message_en))

    @property
    def provinces(self) -> set[str]:
        return {draft.province_code for draft in self.laos.values()}


# What a header name may carry besides its words: white space of any kind (non-breaking too), dots,
# underscores, hyphens, quotes and brackets. `thai.clean_text` has already dropped a BOM and zero-width marks.
_HEADER_NOISE = re.compile(r"[\s._\-\"'“”‘’()\[\]]")


def header_key(name: str) -> str:
    """The one comparison of header names: `\ufeffขนาด อปท.`, `ขนาดอปท`, `ขนาด\u00a0อปท. ` → `ขนาดอปท`;
    `Size_Class`, `size class` → `sizeclass`."""
    return _HEADER_NOISE.sub("", thai.clean_text(name)).casefold()


_WANTED = {header_key(spelling): column for column, spellings in COLUMNS.items() for spelling in spellings}


def _header_map(header: list[str], required: tuple[str, ...], what_th: str, what_en: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, name in enumerate(header):
        column = _WANTED.get(header_key(name))
        if column is not None and column not in found:
            found[column] = index
    missing = [column for column in required if column not in found]
    if missing:
        names = ", ".join(COLUMNS[column][0] for column in missing)
        accepted = "; ".join(f"{COLUMNS[column][0]}: {' / '.join(COLUMNS[column])}" for column in missing)
        read = ", ".join(thai.clean_text(name) for name in header)
        raise FileRefused(
            f"ไฟล์นี้ไม่ใช่{what_th}: ไม่พบคอลัมน์ {names} (หัวตารางที่รับได้ ไม่นับเว้นวรรค จุด และตัวพิมพ์เล็ก/ใหญ่ — "
            f"{accepted}) (หัวตารางที่พบ: {read or 'ไม่มี'})",
            f"This is not {what_en}: column(s) {names} not found (headers looked for, ignoring spaces, dots and "
            f"case — {accepted}; header read: {read or 'none'}).",
        )
    return found


def _rows(lines: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of a CSV, its header first. A BOM before the header is dropped (it would hide a
    quoted first name from `csv`); a line `csv` cannot read refuses the whole file."""
    source = iter(lines)
    first = next(source, None)
    if first is None:
        return
    reader = csv.reader(itertools.chain((first.removeprefix("\ufeff"),), source))
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            line = reader.line_num
            raise FileRefused(f"แถวที่ {line}: อ่านแถวนี้ไม่ได้ ({error}) จึงไม่นำเข้าไฟล์นี้ โปรดตรวจสอบไฟล์แล้วนำเข้าใหม่",
                              f"Line {line} cannot be read ({error}); nothing was imported. Check the file and "
                              "import it again.") from None
        yield reader.line_num, row


def _header(rows: Iterator[tuple[int, list[str]]]) -> list[str]:
    first = next(rows, None)
    if first is None:
        raise FileRefused("ไฟล์ว่างเปล่า", "The file is empty.")
    return first[1]


# The words DLA's files write for an LAO's size class (DLA groups results by size), as read; how a class is
# displayed is the rubric's business (its size groups), not the registry's.
_SIZE_CLASS_WORDS: dict[str, tuple[str, ...]] = {
    "large": ("large", "l", "ขนาดใหญ่", "ใหญ่", "ใหญ่พิเศษ"),
    "medium": ("medium", "m", "ขนาดกลาง", "กลาง"),
    "small": ("small", "s", "ขนาดเล็ก", "เล็ก"),
}
_SIZE_CLASSES = {word: size for size, words in _SIZE_CLASS_WORDS.items() for word in words}


def parse_size_class(text: str | None) -> str | None:
    """`ขนาดใหญ่` / `ใหญ่` / `Large` → `large`; `ขนาดกลาง` → `medium`; `ขนาดเล็ก` → `small`; None otherwise."""
    if not isinstance(text, str):
        return None
    return _SIZE_CLASSES.get(re.sub(r"\s", "", thai.clean_text(text)).casefold())


_SIZE_WORDS = re.compile(r"^(?:อปท|ขนาด|size|class)+")
_SIZE_PARTS = re.compile(r"[()/\[\],;]")


def size_class_of(written: str) -> str | None:
    """A size class as DLA staff write it: what `parse_size_class` reads (`ขนาดใหญ่`, `ใหญ่`, `L`, `Large`),
    and also `L.`, `ขนาดใหญ่พิเศษ`, `อปท.ขนาดเล็ก`, `Size M`, `ใหญ่ (L)`, `ขนาดกลาง/M`. None when unknown or when
    its parts disagree (`ใหญ่/เล็ก`)."""
    direct = parse_size_class(written)
    if direct is not None or not written:
        return direct
    found: set[str | None] = set()
    for part in _SIZE_PARTS.split(thai.clean_text(written)):
        key = _SIZE_WORDS.sub("", header_key(part))
        if key:
            found.add(parse_size_class(key))
    return found.pop() if len(found) == 1 else None


def _cell(row: list[str], columns: dict[str, int], column: str) -> str:
    index = columns.get(column)
    if index is None or index >= len(row):
        return ""
    return thai.clean_text(row[index])


def _place(province_text: str, district_text: str, code: str) -> tuple[Province | None, District | None, bool]:
    """Province and district from the row's names; the code's digits 2–5 only when a name does not resolve
    (they are the place at registration and may be out of date). The flag says the district name did not."""
    province = geo.resolve_province(province_text) or geo.resolve_province(code[1:3])
    if province is None:
        return None, None, False
    district = geo.resolve_district(district_text, province.code) if district_text else None
    if district is not None:
        return province, district, True
    return province, geo.resolve_district(province.code + code[3:5], province.code), False


def read_dataset(lines: Iterable[str]) -> DatasetReading:
    """Collapse DLA's LAO × sub-district rows into LAOs. Rows that cannot be an LAO are skipped and reported
    (line number and reason, in Thai and English); a file without the expected columns is refused."""
    rows = _rows(lines)
    columns = _header_map(_header(rows), REQUIRED, "ไฟล์รายชื่อ อปท. ของกรมส่งเสริมการปกครองท้องถิ่น (dlads_05_01)",
                          "DLA's LAO list (dlads_05_01)")
    reading = DatasetReading(has_size_column="size_class" in columns)
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        reading.rows += 1
        _add_row(reading, row, columns, line)
    return reading


def _add_row(reading: DatasetReading, row: list[str], columns: dict[str, int], line: int) -> None:
    written_code = _cell(row, columns, "code")
    code = lookup_code(written_code)
    if code is None:
        reading.skipped += 1
        reading.problem(line, f"แถวที่ {line}: รหัส อปท. \"{written_code}\" ไม่ใช่ตัวเลข 7 หลัก จึงข้ามแถวนี้",
                        f"Line {line}: LAO code \"{written_code}\" is not 7 digits; row skipped.")
        return
    subdistrict = _cell(row, columns, "subdistrict")
    draft = reading.laos.get(code)
    if draft is not None:
        if subdistrict and subdistrict not in draft.subdistricts:
            draft.subdistricts.append(subdistrict)
        name = _cell(row, columns, "name")
        if name and name != draft.name:
            reading.problem(line, f"แถวที่ {line}: รหัส {code} มีชื่อ \"{name}\" ต่างจากแถวก่อน (\"{draft.name}\") "
                                  "ใช้ชื่อแรก", f"Line {line}: code {code} is named \"{name}\", unlike an earlier "
                                  f"row (\"{draft.name}\"); the first name is kept.")
        return
    name, type_written = _cell(row, columns, "name"), _cell(row, columns, "type")
    if not name:
        reading.skipped += 1
        reading.problem(line, f"แถวที่ {line}: ไม่มีชื่อ อปท. จึงข้ามแถวนี้", f"Line {line}: no LAO name; row skipped.")
        return
    district_written = _cell(row, columns, "district")
    province, district, district_named = _place(_cell(row, columns, "province"), district_written, code)
    if province is None:
        reading.skipped += 1
        written = _cell(row, columns, "province")
        reading.problem(line, f"แถวที่ {line}: ไม่พบจังหวัด \"{written}\" จึงข้ามแถวนี้",
                        f"Line {line}: province \"{written}\" is not known; row skipped.")
        return
    if not district_named:
        placed_th = f"ใช้อำเภอ{district.name_th} ตามรหัส อปท." if district else "นำเข้าโดยไม่มีรหัสอำเภอ"
        placed_en = f"placed in {district.name_en} by the LAO code" if district else "imported without a district"
        reading.problem(line, f"แถวที่ {line}: ไม่พบอำเภอ \"{district_written}\" ในจังหวัด{province.name_th} {placed_th}",
                        f"Line {line}: district \"{district_written}\" is not known in {province.name_en} province; "
                        f"{placed_en}.")
    lao_type = canonical_lao_type(type_written) or canonical_lao_type(name)
    size_written = _cell(row, columns, "size_class")
    size_class = size_class_of(size_written)
    if size_written and size_class is None:
        reading.problem(line, f"แถวที่ {line}: ไม่รู้จักขนาด อปท. \"{size_written}\"",
                        f"Line {line}: size class \"{size_written}\" is not known (ขนาดใหญ่ / กลาง / เล็ก).")
    details = {column: _cell(row, columns, column)
               for column in ("office_number", "moo", "postcode", "area_sq_km", "lat", "lon", "website")}
    reading.laos[code] = LaoDraft(
        code=code, name=name, type=lao_type, type_written=type_written, province_code=province.code,
        province_name=province.name_th, district_code=district.code if district else None,
        district_name=district.name_th if district else None,
        size_class=size_class, details={k: v for k, v in details.items() if v},
        subdistricts=[subdistrict] if subdistrict else [],
    )


@dataclass
class SizeClassReading:
    classes: dict[str, str] = field(default_factory=dict)  # code → large / medium / small
    rows: int = 0
    skipped: int = 0
    problems: list[RowProblem] = field(default_factory=list)


def read_size_classes(lines: Iterable[str]) -> SizeClassReading:
    """The size-class file: one row per LAO, `รหัส อปท.` and `ขนาด อปท.` (ขนาดใหญ่ / ขนาดกลาง / ขนาดเล็ก)."""
    rows = _rows(lines)
    columns = _header_map(_header(rows), SIZE_FILE_REQUIRED, "ไฟล์ขนาด อปท. (รหัส อปท., ขนาด อปท.)",
                          "an LAO size-class file (รหัส อปท., ขนาด อปท.)")
    reading = SizeClassReading()
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        reading.rows += 1
        written_code, written_class = _cell(row, columns, "code"), _cell(row, columns, "size_class")
        code, size_class = lookup_code(written_code), size_class_of(written_class)
        if code is None or size_class is None:
            reading.skipped += 1
            if len(reading.problems) < MAX_REPORTED_PROBLEMS:
                reading.problems.append(RowProblem(
                    line, f"แถวที่ {line}: รหัส \"{written_code}\" หรือขนาด \"{written_class}\" ไม่ถูกต้อง จึงข้ามแถวนี้",
                    f"Line {line}: code \"{written_code}\" or size class \"{written_class}\" is not valid; "
                    "row skipped."))
            continue
        reading.classes[code] = size_class
    return reading
