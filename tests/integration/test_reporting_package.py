"""The province's and the district's document packages as PDF, in Thai: rendered to PNG pages with pdftoppm
(kept under test-artifacts/package/) and read back with pdftotext, word boxes and all."""

from __future__ import annotations

import html
import re
import subprocess
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from services.reporting.sample import CAMPAIGN, history
from tests.browser.tools import need_executable, need_thai_font, need_weasyprint
from tests.integration.test_reporting import publish_all, reporting
from tests.integration.test_reporting_exports import OUTCOMES, STEPS, with_numbered_list
from tests.support import ARTIFACTS, Namespace

OUT = ARTIFACTS / "package"
V1 = f"/v1/campaigns/{CAMPAIGN}"


def _needs() -> tuple[str, str]:
    need_weasyprint()
    need_thai_font()
    return need_executable("pdftoppm"), need_executable("pdftotext")


def pages_as_png(pdftoppm: str, pdf: Path, dpi: int = 60) -> list[Path]:
    prefix = pdf.with_suffix("")
    for old in pdf.parent.glob(prefix.name + "-*.png"):
        old.unlink()
    subprocess.run([pdftoppm, "-r", str(dpi), "-png", str(pdf), str(prefix)], check=True, timeout=120)
    return sorted(pdf.parent.glob(prefix.name + "-*.png"))


def ink(png: Path) -> float:
    """Share of the page that is not white: a blank page has none, a page of text a few per cent."""
    image = Image.open(png).convert("L")
    dark = sum(count for level, count in enumerate(image.histogram()) if level < 160)
    return dark / (image.width * image.height)


def text_of(pdftotext: str, pdf: Path, first: int | None = None, last: int | None = None) -> str:
    """The PDF's text, with spaces and line breaks removed: pdftotext may split a word at a stacked mark."""
    args = [pdftotext, "-raw"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    raw = subprocess.run([*args, str(pdf), "-"], check=True, capture_output=True, text=True, timeout=60).stdout
    return squeeze(raw)


# Thai marks written above or below their consonant (vowels, tone marks, nikhahit).
_STACKED = re.compile("[\u0e31\u0e34-\u0e3a\u0e47-\u0e4e]")


def squeeze(text: str) -> str:
    """Text to compare: no white space and no stacked marks. pdftotext gives stacked marks back in the order
    the font's glyphs were placed (ที่ว่า comes out as ทีว่่า) and ำ as า (the font draws it as nikhahit + า);
    the pages themselves show them right (see the PNGs). The base letters and digits must all be there."""
    text = unicodedata.normalize("NFC", text).replace("\u0e33", "\u0e32")
    return re.sub(r"\s+", "", _STACKED.sub("", text))


@dataclass(frozen=True)
class Word:
    """A word pdftotext found on a page and the box it is drawn in (points, from the page's top left)."""

    text: str
    x_min: float
    y_min: float
    x_max: float
    y_max: float


def words_of(pdftotext: str, pdf: Path, page: int) -> list[Word]:
    out = subprocess.run([pdftotext, "-bbox", "-f", str(page), "-l", str(page), str(pdf), "-"], check=True,
                         capture_output=True, text=True, timeout=60).stdout
    found = re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>', out)
    return [Word(html.unescape(text), float(x0), float(y0), float(x1), float(y1)) for x0, y0, x1, y1, text in found]


def lines_of(pdftotext: str, pdf: Path, first: int) -> list[str]:
    """The text from page `first` on, a line of the page a line here, each squeezed (see `squeeze`)."""
    raw = subprocess.run([pdftotext, "-raw", "-f", str(first), str(pdf), "-"], check=True, capture_output=True,
                         text=True, timeout=60).stdout
    return [squeeze(line) for line in raw.splitlines() if line.strip()]


SUMMARY_COLUMNS = ("ที่", "ชื่อเทศบาล", "อำเภอ", "สถานะ", "คะแนน", "ระดับ", "กลุ่มขนาด")
PROJECT_COLUMNS = ("ที่", "โครงการ", "ด้าน", "งบประมาณ", "สถานะ", "ผู้ได้รับประโยชน์")
PADDING = 4.0  # a cell's left padding (pt): a column's text starts this far right of its border
CONTENT_RIGHT = 595.28 - 56.69  # A4's width less the right margin (2 cm), in pt


def header_row(words: list[Word], headers: tuple[str, ...]) -> Iterator[tuple[float, list[float]]]:
    """Each line that begins the given headers, left to right (a header may wrap: its first word is enough),
    as its top and where each header starts."""
    for top in sorted({w.y_min for w in words}):
        line = sorted((w for w in words if abs(w.y_min - top) < 1), key=lambda w: w.x_min)
        starts: list[float] = []
        for header in headers:
            word = next((w for w in line if squeeze(w.text) and squeeze(header).startswith(squeeze(w.text))
                         and (not starts or w.x_min > starts[-1] + 1)), None)
            if word is None:
                break
            starts.append(word.x_min)
        if len(starts) == len(headers):
            yield top, starts


def runs_into_the_next_column(words: list[Word], headers: tuple[str, ...], *, until: str) -> list[str]:
    """The words of the table whose header row starts with `headers` (the table ending at the first word
    `until` below it) that reach past their column's right border, as `text: x_max > border`.

    A column starts where its header's first word does (every cell's text begins at its left padding); a word
    belongs to the column it starts in and must end before the next column's border."""
    top, starts = next(header_row(words, headers))
    bottom = min((w.y_min for w in words if w.y_min > top and squeeze(w.text).startswith(squeeze(until))),
                 default=float("inf"))
    borders = [start - PADDING for start in starts[1:]] + [CONTENT_RIGHT]
    overflowing = []
    for word in words:
        if top - 1 <= word.y_min and word.y_max <= bottom and word.x_min >= starts[0] - 1:
            column = max(i for i, start in enumerate(starts) if start <= word.x_min + 0.5)
            if word.x_max > borders[column] + 0.5:
                overflowing.append(f"{word.text}: {word.x_max:.1f} > {borders[column]:.1f}")
    return overflowing


async def test_the_provinces_package_has_the_letter_the_summary_and_every_report_form(namespace: Namespace) -> None:
    pdftoppm, pdftotext = _needs()
    async with reporting(namespace) as (client, bus, _):
        await publish_all(client, bus, history())
        response = await client.get(f"{V1}/provinces/36/package.pdf", params={
            "number": "ชย 0023.6/ว 1234", "date": "2025-11-27", "signer_name": "นายบัลลังก์ ไวทยศิริ",
            "signer_position": "รองผู้ว่าราชการจังหวัด ปฏิบัติราชการแทน ผู้ว่าราชการจังหวัดชัยภูมิ",
            "phone": "0-4482-2203"})
        bad = await client.get(f"{V1}/provinces/99/package.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert bad.status_code == 404
    OUT.mkdir(parents=True, exist_ok=True)
    pdf = OUT / "province-36.pdf"
    pdf.write_bytes(response.content)

    pages = pages_as_png(pdftoppm, pdf)
    # A letter, a summary, and the five report forms of ชัยภูมิ's submissions (each at least a page).
    assert 7 <= len(pages) <= 14
    assert all(ink(page) > 0.004 for page in pages), [round(ink(page), 4) for page in pages]

    letter = text_of(pdftotext, pdf, 1, 1)
    for heading in ("ที่ชย๐๐๒๓.๖/ว๑๒๓๔", "ศาลากลางจังหวัดชัยภูมิ", "๒๗พฤศจิกายน๒๕๖๘", "เรื่อง",
                    "เรียนอธิบดีกรมส่งเสริมการปกครองท้องถิ่น", "อ้างถึง", "มท๐๘๑๐.๒/ว๕๗๕๖", "สิ่งที่ส่งมาด้วย",
                    "ขอแสดงความนับถือ", "(นายบัลลังก์ไวทยศิริ)", "ส่วนราชการเจ้าของเรื่อง",
                    "สำนักงานส่งเสริมการปกครองท้องถิ่นจังหวัดชัยภูมิ", "โทร.๐-๔๔๘๒-๒๒๐๓"):
        assert squeeze(heading) in letter, heading
    # The body's figures, in Thai digits: five submitted of six expected, two scored, one returned.
    for figure in ("จำนวน๕แห่งจากเทศบาลในพื้นที่ทั้งหมด๖แห่ง", "ให้คะแนนแล้ว๒แห่ง", "ส่งกลับให้แก้ไข๑แห่ง",
                   "จำนวน๕ชุด", "๒๘พฤศจิกายน๒๕๖๘"):
        assert squeeze(figure) in letter, figure
    assert not re.search(r"[0-9]", letter), "the letter writes its numbers in Thai digits"

    summary = text_of(pdftotext, pdf, 2, 2)
    for cell in ("สรุปผลการรวบรวมแบบรายงานผลของเทศบาลในจังหวัดชัยภูมิ", "เทศบาลเมืองชัยภูมิ", "๘๑.๕๐", "คะแนน (เต็ม ๑๐๐)",
                 "ที่มีความโดดเด่น", "ส่งกลับให้แก้ไข", "เทศบาลที่ยังไม่ส่งข้อมูล", "เทศบาลตำบลนาฝาย"):
        assert squeeze(cell) in summary, cell
    forms = text_of(pdftotext, pdf, 3)
    assert forms.count(squeeze("แบบรายงานผลข้อมูลการพัฒนาศักยภาพเมืองน่าอยู่อัจฉริยะ")) == 5
    assert squeeze("ระบบแจ้งเหตุและติดตามเรื่องร้องเรียนผ่าน LINE OA") in forms
    assert squeeze("ต้องระบุโครงการอย่างน้อย ๑ โครงการ") in forms  # the returned one says why


async def test_the_districts_package_goes_to_the_governor(namespace: Namespace) -> None:
    pdftoppm, pdftotext = _needs()
    async with reporting(namespace) as (client, bus, _):
        await publish_all(client, bus, history())
        response = await client.get(f"{V1}/districts/3601/package.pdf", params={"date": "2025-11-25"})
    assert response.status_code == 200, response.text
    OUT.mkdir(parents=True, exist_ok=True)
    pdf = OUT / "district-3601.pdf"
    pdf.write_bytes(response.content)
    pages = pages_as_png(pdftoppm, pdf)
    assert len(pages) >= 5 and all(ink(page) > 0.004 for page in pages)
    letter = text_of(pdftotext, pdf, 1, 1)
    for heading in ("ที่ว่าการอำเภอเมืองชัยภูมิ", "๒๕พฤศจิกายน๒๕๖๘", "เรียนผู้ว่าราชการจังหวัดชัยภูมิ",
                    "นายอำเภอเมืองชัยภูมิ", "จำนวน๓แห่งจากเทศบาลในพื้นที่ทั้งหมด๓แห่ง",
                    "ยังมีเทศบาลที่ไม่ได้ส่งข้อมูลจำนวน๑แห่ง"):
        assert squeeze(heading) in letter, heading


async def test_a_numbered_list_in_a_description_keeps_one_item_a_line_and_no_column_runs_into_the_next(
        namespace: Namespace) -> None:
    pdftoppm, pdftotext = _needs()
    async with reporting(namespace) as (client, bus, _):
        await publish_all(client, bus, with_numbered_list(history()))
        response = await client.get(f"{V1}/provinces/36/package.pdf", params={"date": "2025-11-27"})
    assert response.status_code == 200, response.text
    OUT.mkdir(parents=True, exist_ok=True)
    pdf = OUT / "province-36-numbered-list.pdf"
    pdf.write_bytes(response.content)
    pages = pages_as_png(pdftoppm, pdf, dpi=80)

    # เทศบาลเมืองชัยภูมิ's first project: its description and outcomes read one item a line, in order, and
    # the markup the applicant typed is printed as text.
    lines = lines_of(pdftotext, pdf, 3)
    steps, outcomes = STEPS.split("\n"), OUTCOMES.split("\n")
    expected = [*steps, "ผลลัพธ์:", *outcomes]
    # An item may wrap inside its narrow cell, but each one begins a line of its own, after the one before.
    at = [next(i for i, line in enumerate(lines) if line.startswith(squeeze(steps[0])))]
    for item in expected[1:]:
        at.append(next((i for i in range(at[-1] + 1, len(lines))
                        if "".join(lines[i:i + 4]).startswith(squeeze(item))), -1))
    assert -1 not in at and at[-1] - at[0] < 2 * len(expected), list(zip(expected, at, strict=True))
    assert squeeze("<b>ตลอด ๒๔ ชั่วโมง</b>") in "".join(lines[at[len(steps) - 1]:at[len(steps)]])

    # No cell's text runs into the next column, in the summary (where ที่มีประสิทธิภาพ was once printed over
    # ขนาดเล็ก) and in every report form's table of projects.
    summary = words_of(pdftotext, pdf, 2)
    assert {squeeze("ประสิทธิภาพ"), squeeze("ขนาดเล็ก")} <= {squeeze(w.text) for w in summary}
    assert runs_into_the_next_column(summary, SUMMARY_COLUMNS, until="เทศบาลที่ยังไม่ส่งข้อมูล") == []
    tables = 0
    for page in range(3, len(pages) + 1):
        words = words_of(pdftotext, pdf, page)
        if any(squeeze(w.text) == squeeze(PROJECT_COLUMNS[3]) for w in words):
            tables += 1
            assert runs_into_the_next_column(words, PROJECT_COLUMNS, until="ส่วนที่") == [], page
    assert tables >= 4  # the report forms that list projects (the returned one has none)

