"""CSV import of a Google Sheets export, row by row: the file is never held in memory whole, every row that
holds answers is accepted in batches (each answer that cannot be taken is listed by row, column and reason in
Thai and English: the response will be returned for correction), and importing the same file again creates
nothing new."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from services.intake.mapping import FormMapping, RowError, dedupe_headers
from services.intake.normalise import canonical_submission
from services.intake.repository import Accepted
from services.intake.submission import Submission
from shared import thai

BATCH_ROWS = 200
MAX_REPORTED_ERRORS = 1000
# A CSV cell may hold a long paragraph; the csv module's default limit (128 KiB) is kept, not raised.
_SNIFF_BYTES = 64 * 1024

AcceptBatch = Callable[[Sequence[tuple[Submission, dict[str, Any]]]], Awaitable[list[Accepted]]]


class ImportRefused(Exception):
    """The file cannot be imported at all (nothing was imported): not UTF-8, no header, a required column
    missing."""

    def __init__(self, code: str, message_th: str, message_en: str, errors: Sequence[RowError] = ()) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_th = message_th
        self.message_en = message_en
        self.errors = list(errors)


@dataclass
class ImportResult:
    rows: int = 0
    imported: int = 0
    new_revisions: int = 0
    duplicates: int = 0
    older: int = 0
    rejected: int = 0
    to_correct: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    errors_truncated: bool = False
    stopped: RowError | None = None

    def note_problems(self, problems: Sequence[RowError]) -> None:
        """A row accepted with answers that cannot be taken: it will be returned for correction."""
        self.to_correct += 1
        room = MAX_REPORTED_ERRORS - len(self.errors)
        self.errors.extend(problems[:max(room, 0)])
        self.errors_truncated = self.errors_truncated or len(problems) > room

    def count(self, accepted: Accepted) -> None:
        if accepted.duplicate:
            self.duplicates += 1
        elif not accepted.current:
            self.older += 1
        elif accepted.revision == 1:
            self.imported += 1
        else:
            self.new_revisions += 1


def not_utf8() -> ImportRefused:
    return ImportRefused(
        "not_utf8",
        "ไฟล์ไม่ได้เข้ารหัสแบบ UTF-8: ดาวน์โหลดจาก Google Sheets ด้วย ไฟล์ > ดาวน์โหลด > CSV "
        "(หรือบันทึกจาก Excel เป็น CSV UTF-8)",
        "The file is not UTF-8 text: download it from Google Sheets with File > Download > CSV (or save "
        "it from Excel as CSV UTF-8).",
    )


def csv_rows(binary: IO[bytes]) -> Iterator[list[str]]:
    """The records of a CSV file (UTF-8, with or without a BOM; quoted cells may span lines), one at a time.

    Raises ImportRefused when the file does not start as UTF-8 text; a file that turns out not to be UTF-8
    further on raises UnicodeDecodeError from the iteration, which the importer reports at that row."""
    start = binary.read(_SNIFF_BYTES)
    try:
        # A file shorter than the sniff must also end on a whole character.
        codecs.getincrementaldecoder("utf-8")().decode(start, final=len(start) < _SNIFF_BYTES)
    except UnicodeDecodeError as error:
        raise not_utf8() from error
    binary.seek(0)
    text = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    try:
        yield from csv.reader(text, strict=False)
    finally:
        with contextlib.suppress(ValueError):  # the caller owns the file (and may have closed it already)
            text.detach()


async def import_rows(rows: Iterator[list[str]], mapping: FormMapping, accept: AcceptBatch, *,
                      campaign: str | None = None, date_order: thai.DateOrder | None = None,
                      first_row: int = 2, file_name: str | None = None,
                      batch_rows: int = BATCH_ROWS) -> ImportResult:
    """Read the header, check it against the mapping (every required column present, or nothing is
    imported), then map, normalise and accept the rows in batches."""
    try:
        header = next(rows)
    except StopIteration:
        raise ImportRefused("empty_file", "ไฟล์ว่าง ไม่มีแถวหัวตาราง", "The file is empty: no header row.") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise not_utf8() from error
    headers = dedupe_headers(thai.clean_text(h) for h in header)
    plan = mapping.plan(headers)
    if plan.missing:
        raise ImportRefused(
            "columns_missing",
            f"ไม่พบคอลัมน์ที่ต้องมี จึงยังไม่ได้นำเข้าแถวใดเลย (ไฟล์จับคู่ {mapping.name})",
            f"Required columns are missing, so no row was imported (mapping {mapping.name!r}).",
            mapping.missing_errors(plan, row=first_row - 1),
        )
    result = ImportResult(unknown_columns=list(plan.unknown))
    batch: list[tuple[Submission, dict[str, Any]]] = []
    row_number = first_row - 1
    while True:
        try:
            record = next(rows, None)
        except (UnicodeDecodeError, csv.Error) as error:
            result.stopped = RowError(
                row_number + 1, None, "(file)", "unreadable",
                "อ่านไฟล์ต่อจากแถวนี้ไม่ได้ (ไม่ใช่ UTF-8 หรือเครื่องหมายคำพูดไม่ครบ) แถวก่อนหน้านำเข้าแล้ว",
                f"The file cannot be read from this row on ({type(error).__name__}); the rows before it were "
                "imported.",
            )
            break
        if record is None:
            break
        row_number += 1
        if not any(cell.strip() for cell in record):
            continue  # an empty line at the end of a sheet is no response
        result.rows += 1
        values: list[str | list[str] | None] = list(record)
        reading = mapping.read(plan, values, row=row_number, source="csv_import", response_id=None,
                               campaign=campaign, date_order=date_order)
        if reading.problems:
            result.note_problems([RowError(row_number, p.question, p.field, p.code, p.message_th, p.message_en,
                                           p.written) for p in reading.problems])
        submission = reading.submission
        raw = {"file": file_name, "row": row_number,
               "answers": [{"title": h, "value": v} for h, v in zip(headers, record, strict=False)]}
        batch.append((canonical_submission(submission), raw))
        if len(batch) >= batch_rows:
            for accepted in await accept(batch):
                result.count(accepted)
            batch = []
    if batch:
        for accepted in await accept(batch):
            result.count(accepted)
    return result
