"""The CSV import core: a Sheets export read row by row, good rows accepted in batches, bad rows reported,
nothing ever held whole in memory (the store is a plain function here; over HTTP with the real store in
tests/integration/test_intake_imports.py)."""

from __future__ import annotations

import csv
import io
import tracemalloc
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from services.intake.application.imports import ImportRefused, csv_rows, import_rows
from services.intake.mapping import load_mappings
from services.intake.repository import Accepted
from services.intake.submission import Submission

REFERENCE = load_mappings().get("reference-form")
assert REFERENCE is not None
HEADER = ["ประทับเวลา", "อีเมล", "ชื่อองค์กรปกครองส่วนท้องถิ่น", "จังหวัด", "อำเภอ",
          "มีแผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบแล้วหรือไม่", "โครงการที่ 1: ชื่อโครงการ", "โครงการที่ 1: รายละเอียด",
          "โครงการที่ 1: งบประมาณ (บาท)"]


class Recorder:
    """Takes every batch as the store would, answering each row as a new application."""

    def __init__(self) -> None:
        self.batches: list[int] = []
        self.submissions: list[Submission] = []
        self.raw: list[dict[str, Any]] = []

    async def __call__(self, batch: Sequence[tuple[Submission, dict[str, Any]]]) -> list[Accepted]:
        self.batches.append(len(batch))
        self.submissions.extend(s for s, _ in batch)
        self.raw.extend(r for _, r in batch)
        return [Accepted(f"sub_{i}", 1, datetime.now(UTC), duplicate=False, supersedes=None) for i in range(len(batch))]


def _csv(rows: list[list[str]], *, bom: bool = False) -> io.BytesIO:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    return io.BytesIO(("\ufeff" if bom else "").encode() + text.getvalue().encode("utf-8"))


def _row(i: int, **overrides: str) -> list[str]:
    values = {"ประทับเวลา": f"25/11/2568, 10:{i // 60 % 60:02d}:{i % 60:02d}", "อีเมล": f"lao{i}@example.go.th",
              "ชื่อองค์กรปกครองส่วนท้องถิ่น": f"ทต.ทดสอบ{i}", "จังหวัด": "ชัยภูมิ", "อำเภอ": "บ้านเขว้า",
              "มีแผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบแล้วหรือไม่": "ใช่", "โครงการที่ 1: ชื่อโครงการ": "ตลาดชุมชน",
              "โครงการที่ 1: รายละเอียด": "", "โครงการที่ 1: งบประมาณ (บาท)": "1,500,000", **overrides}
    return [values[h] for h in HEADER]


@pytest.mark.parametrize("bom", [False, True])
async def test_a_sheets_export_with_or_without_bom_imports_the_same(bom: bool) -> None:
    recorder = Recorder()
    result = await import_rows(csv_rows(_csv([HEADER, _row(1), _row(2)], bom=bom)), REFERENCE, recorder)
    assert (result.rows, result.imported, result.rejected) == (2, 2, 0)
    assert recorder.submissions[0].lao.name == "เทศบาลตำบลทดสอบ1"
    assert recorder.raw[0]["answers"][0] == {"title": "ประทับเวลา", "value": "25/11/2568, 10:00:01"}


async def test_quoted_multi_line_cells_stay_one_row_and_rows_keep_their_sheet_numbers() -> None:
    paragraph = "บรรทัดแรก\nบรรทัดที่สอง, มีจุลภาค\n\"คำพูด\""
    data = _csv([HEADER, _row(1, **{"โครงการที่ 1: รายละเอียด": paragraph}), _row(2, **{"อำเภอ": ""}),
                 ["", "", ""], _row(3, **{"ประทับเวลา": "ไม่ทราบ"})])
    recorder = Recorder()
    result = await import_rows(csv_rows(data), REFERENCE, recorder)
    # The applicant's line breaks stay (a numbered list in a description keeps its lines).
    assert recorder.submissions[0].projects[0].description == paragraph
    assert (result.rows, result.imported, result.to_correct, result.rejected) == (3, 3, 1, 0)
    [error] = result.errors
    # header 1, rows 2-4, blank 4: the row is accepted, its timestamp kept as written for correction
    assert (error.row, error.column, error.code, error.written) == (5, "ประทับเวลา", "answer_unreadable", "ไม่ทราบ")


async def test_rows_with_answers_to_correct_are_accepted_and_their_problems_listed_per_row_and_column() -> None:
    rows = [HEADER, _row(1), _row(2, **{"มีแผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบแล้วหรือไม่": "บางที"}),
            _row(3, **{"ชื่อองค์กรปกครองส่วนท้องถิ่น": ""}), _row(4)]
    recorder = Recorder()
    result = await import_rows(csv_rows(_csv(rows)), REFERENCE, recorder)
    assert (result.imported, result.to_correct, result.rejected) == (4, 2, 0)
    assert [(e.row, e.column, e.code) for e in result.errors] == [
        (3, "มีแผนพัฒนาเมืองอัจฉริยะที่ผ่านความเห็นชอบแล้วหรือไม่", "choice_unknown"),
        (4, "ชื่อองค์กรปกครองส่วนท้องถิ่น", "answer_missing")]
    assert all(e.message_th and e.message_en for e in result.errors)
    # What could not be taken travels with the submission, so validation returns it for correction.
    assert [p.field for p in recorder.submissions[1].answer_problems] == ["readiness.has_plan"]
    assert recorder.submissions[2].lao.name is None


async def test_a_missing_required_column_stops_the_import_before_any_row() -> None:
    header = [h for h in HEADER if h != "จังหวัด"]
    recorder = Recorder()
    with pytest.raises(ImportRefused) as caught:
        await import_rows(csv_rows(_csv([header, _row(1)[:3] + _row(1)[4:]])), REFERENCE, recorder)
    assert caught.value.code == "columns_missing"
    assert [e.field for e in caught.value.errors] == ["lao.province"]
    assert recorder.batches == []


async def test_an_unknown_column_is_reported_in_the_result() -> None:
    result = await import_rows(csv_rows(_csv([[*HEADER, "หมายเหตุ"], [*_row(1), "โทรตามแล้ว"]])), REFERENCE,
                               Recorder())
    assert result.unknown_columns == ["หมายเหตุ"]


async def test_a_file_that_is_not_utf8_is_refused_with_how_to_export_it() -> None:
    cp874 = "ประทับเวลา,ชื่อองค์กรปกครองส่วนท้องถิ่น,จังหวัด\r\n".encode("cp874")
    with pytest.raises(ImportRefused) as caught:
        await import_rows(csv_rows(io.BytesIO(cp874)), REFERENCE, Recorder())
    assert caught.value.code == "not_utf8"
    assert "Google Sheets" in caught.value.message_en and "UTF-8" in caught.value.message_th


async def test_an_empty_file_is_refused() -> None:
    with pytest.raises(ImportRefused) as caught:
        await import_rows(csv_rows(io.BytesIO(b"")), REFERENCE, Recorder())
    assert caught.value.code == "empty_file"


async def test_a_file_that_stops_being_utf8_keeps_the_rows_before_and_says_where() -> None:
    head = _csv([HEADER] + [_row(i) for i in range(1, 500)]).getvalue()
    assert len(head) > 70_000  # past the part checked up front
    tail = ",".join(["25/11/2568"] + ["x"] * 8).encode() + " ผิด".encode("cp874") + b"\r\n"
    result = await import_rows(csv_rows(io.BytesIO(head + tail)), REFERENCE, Recorder())
    assert result.imported > 300
    assert result.stopped is not None and result.stopped.row == result.imported + 2
    assert "imported" in result.stopped.message_en


def _generated(count: int) -> Iterator[list[str]]:
    yield HEADER
    start = datetime(2025, 11, 1, 8, 0)
    for i in range(count):
        moment = start + timedelta(seconds=37 * i)
        yield _row(i, **{"ประทับเวลา": f"{moment:%d/%m}/{moment.year + 543}, {moment:%H:%M:%S}"})


@pytest.mark.slow
async def test_ten_thousand_rows_are_imported_in_batches_with_bounded_memory() -> None:
    """Streaming by design: rows come from an iterator, go out in batches of 200, and nothing accumulates."""
    taken = 0

    async def accept(batch: Sequence[tuple[Submission, dict[str, Any]]]) -> list[Accepted]:
        nonlocal taken
        assert len(batch) <= 200
        taken += len(batch)
        return [Accepted("sub", 1, datetime.now(UTC), duplicate=False, supersedes=None) for _ in batch]

    tracemalloc.start()
    try:
        result = await import_rows(_generated(10_000), REFERENCE, accept)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert (result.rows, result.imported, taken) == (10_000, 10_000, 10_000)
    # One batch of 200 submissions with their raw answers is well under this; 10,000 would be far over it.
    assert peak < 6_000_000, f"peak {peak / 1e6:.1f} MB"
