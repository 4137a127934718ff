"""CSV import of a Google Sheets export, row by row: the file is never held in memory whole, every row that
holds answers is accepted in batches (each answer that cannot be taken is listed by row, column and reason in
Thai and English: the response will be returned for correction), and importing the same file again creates
nothing new. Refused as a whole only when the file is no export of the form: not UTF-8, no header, a required
column missing, or the request names no file, an unknown mapping or campaign."""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from pymongo.errors import PyMongoError

from services.intake.application.acceptance import now_ms
from services.intake.auth import Sender
from services.intake.mapping import FormMapping, MappingBook, RowError, dedupe_headers
from services.intake.normalise import canonical_submission
from services.intake.repository import Accepted, SubmissionStore
from services.intake.submission import Submission
from shared import thai
from shared.campaign import CampaignBook
from shared.errors import FieldError, Invalid
from shared.logging import get_logger

log = get_logger(__name__)

BATCH_ROWS = 200
MAX_REPORTED_ERRORS = 1000
# A CSV cell may hold a long paragraph; the csv module's default limit (128 KiB) is kept, not raised.
_SNIFF_BYTES = 64 * 1024

AcceptBatch = Callable[[Sequence[tuple[Submission, dict[str, Any]]]], Awaitable[list[Accepted]]]


class ImportRefused(Invalid):
    """Nothing was imported: the file is no export of the form (not UTF-8, no header, a required column
    missing) or the request is not one (no file, an unknown mapping or campaign, a wrong option). `rows` names
    each reason by row and column where there is one."""

    def __init__(self, code: str, message_th: str, message_en: str, rows: Sequence[RowError] = ()) -> None:
        super().__init__(code, message_th, message_en, errors=[
            FieldError(field=r.field, code=r.code, message_th=r.message_th, message_en=r.message_en) for r in rows])
        self.rows = list(rows)


class ImportInterrupted(Exception):
    """The store became unavailable part-way: the rows accepted so far stay, and importing the same file again
    is safe."""


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


@dataclass(frozen=True)
class ImportRequest:
    """An import as asked for: the file and the form's options as sent (None where not sent)."""

    file: IO[bytes] | None
    file_name: str | None
    mapping: str | None
    campaign: str | None = None
    date_order: str | None = None
    first_row: str | None = None


@dataclass(frozen=True)
class Imported:
    """What one import did, with its summary in Thai and English."""

    mapping: str
    campaign: str
    result: ImportResult

    @property
    def message_th(self) -> str:
        r = self.result
        return (f"รับไว้ทุกแถว: ใหม่ {r.imported} รายการ, ฉบับแก้ไข {r.new_revisions}, "
                f"ซ้ำ {r.duplicates}, เก่ากว่าที่มีอยู่ (เก็บเป็นประวัติ) {r.older}; "
                f"ในจำนวนนี้ {r.to_correct} แถวมีคำตอบที่ต้องแก้ไข จะส่งกลับให้แก้ไข")

    @property
    def message_en(self) -> str:
        r = self.result
        return (f"Every row accepted: {r.imported} new, {r.new_revisions} new revisions, "
                f"{r.duplicates} duplicates, {r.older} older than what is held (kept as history); "
                f"{r.to_correct} of them have answers to correct and will be returned for correction")


_DATE_ORDERS: dict[str, thai.DateOrder] = {"DMY": "DMY", "MDY": "MDY"}


@dataclass(frozen=True)
class _Options:
    campaign: str | None = None
    date_order: thai.DateOrder | None = None
    first_row: int = 2


class Imports:
    def __init__(self, store: SubmissionStore, mappings: MappingBook, campaigns: CampaignBook, *,
                 wake: Callable[[], None]) -> None:
        self.store = store
        self.mappings = mappings
        self.campaigns = campaigns
        self.wake = wake  # the outbox relay: publish what was just stored

    async def run(self, request: ImportRequest, sender: Sender) -> Imported:
        """Check the request (a file, a known mapping and campaign, valid options: every problem at once), then
        import the file. Raises ImportRefused (nothing imported) or ImportInterrupted (the store went away)."""
        problems: list[RowError] = []
        if request.file is None:
            problems.append(_form_problem("file", "ต้องแนบไฟล์ CSV ในช่อง file", "attach the CSV file as `file`"))
        mapping = self.mappings.get(request.mapping) if request.mapping is not None else None
        if mapping is None:
            known = ", ".join(self.mappings.names())
            problems.append(_form_problem("mapping", f"ไม่รู้จักไฟล์จับคู่นี้ (มี: {known})",
                                          f"unknown mapping {request.mapping!r}; known: {known}"))
        options = _options(request, problems)
        if problems or mapping is None or request.file is None:
            raise ImportRefused("invalid_import", "คำขอนำเข้าไม่ถูกต้อง", "The import request is not valid.",
                                problems)
        campaign = options.campaign or mapping.campaign
        if campaign not in self.campaigns:
            raise ImportRefused("invalid_import", "คำขอนำเข้าไม่ถูกต้อง", "The import request is not valid.",
                                [_form_problem("campaign", "ไม่พบรอบการคัดเลือกนี้", f"unknown campaign {campaign!r}")])

        async def accept(batch: Sequence[tuple[Submission, dict[str, Any]]]) -> list[Accepted]:
            accepted = await self.store.accept_many(batch, now_ms())
            self.wake()
            return accepted

        try:
            result = await import_rows(csv_rows(request.file), mapping, accept, campaign=campaign,
                                       date_order=options.date_order, first_row=options.first_row,
                                       file_name=request.file_name)
        except PyMongoError as error:
            log.error("import interrupted: store unavailable", error=type(error).__name__)
            raise ImportInterrupted(type(error).__name__) from error
        log.info("csv imported", mapping=mapping.name, sender=sender.rate_key, rows=result.rows,
                 imported=result.imported, new_revisions=result.new_revisions, duplicates=result.duplicates,
                 rejected=result.rejected)
        return Imported(mapping=mapping.name, campaign=campaign, result=result)


def _options(request: ImportRequest, problems: list[RowError]) -> _Options:
    campaign = request.campaign or None
    date_order: thai.DateOrder | None = None
    if request.date_order:
        date_order = _DATE_ORDERS.get(request.date_order.upper())
        if date_order is None:
            problems.append(_form_problem("date_order", "ต้องเป็น DMY หรือ MDY", "must be DMY or MDY"))
    first_row = 2
    if request.first_row:
        if request.first_row.isdigit() and 2 <= int(request.first_row) <= 10_000_000:
            first_row = int(request.first_row)
        else:
            problems.append(_form_problem("first_row", "ต้องเป็นเลขแถว 2 ขึ้นไป", "must be a row number, 2 or more"))
    return _Options(campaign=campaign, date_order=date_order, first_row=first_row)


def _form_problem(name: str, message_th: str, message_en: str) -> RowError:
    return RowError(row=None, column=None, field=name, code="invalid", message_th=message_th, message_en=message_en)
