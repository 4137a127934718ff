"""Import a Google Sheets export from the command line, with a progress bar:

    python -m services.intake.importer FILE.csv --mapping reference-form [--url http://127.0.0.1:8001]
                                       [--api-key KEY] [--campaign fy2568] [--date-order DMY|MDY]

The file is read row by row and sent to intake's `POST /v1/imports` in parts of `--rows-per-request` rows
(each part with the header and the sheet row it starts at, so every error names the right row); the file is
never held in memory whole. Importing the same file again is safe: nothing new is created.

Exit status: 0 every row accepted (or already there) — rows with answers to correct are accepted too and
listed, they will be returned to their municipality for correction; 1 the import stopped part-way (listed;
importing the same file again completes it); 2 nothing could be done (missing column, not UTF-8,
authentication, intake unreachable).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import httpx
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

DEFAULT_URL = "http://127.0.0.1:8001"
_RETRIES = 5


class _Counting(io.RawIOBase):
    """The file as read so far, in bytes: what the progress bar shows."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.done = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        buffer[:len(data)] = data
        self.done += len(data)
        return len(data)


@dataclass
class Totals:
    rows: int = 0
    imported: int = 0
    new_revisions: int = 0
    duplicates: int = 0
    older: int = 0
    to_correct: int = 0
    rejected: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    stopped: dict[str, Any] | None = None

    def add(self, summary: dict[str, Any]) -> None:
        for name in ("rows", "imported", "new_revisions", "duplicates", "older", "to_correct", "rejected"):
            setattr(self, name, getattr(self, name) + int(summary.get(name, 0)))
        for column in summary.get("unknown_columns", []):
            if column not in self.unknown_columns:
                self.unknown_columns.append(column)
        self.errors.extend(summary.get("errors", []))
        self.stopped = self.stopped or summary.get("stopped")

    def line(self) -> str:
        line = (f"new {self.imported} · revisions {self.new_revisions} · duplicates {self.duplicates} · "
                f"older {self.older} · to correct {self.to_correct}")
        return line + (f" · rejected {self.rejected}" if self.rejected else "")


class Refused(Exception):
    """Intake refused the import (or could not be reached): nothing more can be done from here."""

    def __init__(self, message: str, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


def parts(text: IO[str], rows_per_part: int) -> Iterator[tuple[int, bytes, int]]:
    """(first sheet row, a CSV of the header and up to `rows_per_part` records, records in it), lazily."""
    reader = csv.reader(text, strict=False)
    header = next(reader, None)
    if header is None:
        raise Refused("the file is empty: no header row / ไฟล์ว่าง ไม่มีแถวหัวตาราง")
    first_row = 2
    while True:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(header)
        count = 0
        for record in reader:
            writer.writerow(record)
            count += 1
            if count >= rows_per_part:
                break
        if count == 0 and first_row > 2:
            return
        yield first_row, buffer.getvalue().encode("utf-8"), count
        first_row += count
        if count < rows_per_part:
            return


def send(client: httpx.Client, payload: bytes, *, file_name: str, fields: dict[str, str]) -> dict[str, Any]:
    """POST one part; waits and retries on 429, 503 and connection errors; Refused on any other refusal."""
    for attempt in range(1, _RETRIES + 1):
        try:
            response = client.post("/v1/imports", data=fields,
                                   files={"file": (file_name, payload, "text/csv")})
        except httpx.TransportError as error:
            if attempt == _RETRIES:
                raise Refused(f"intake is not reachable at {client.base_url}: {error} / ติดต่อระบบรับข้อมูลไม่ได้") from error
            time.sleep(min(2 ** attempt, 30))
            continue
        if response.status_code == 200:
            summary: dict[str, Any] = response.json()
            return summary
        if response.status_code in (429, 503) and attempt < _RETRIES:
            time.sleep(float(response.headers.get("Retry-After", "5")))
            continue
        try:
            body = response.json()
        except ValueError:
            raise Refused(f"intake answered {response.status_code}: {response.text[:300]}") from None
        raise Refused(f"{body.get('message_en', '')}\n{body.get('message_th', '')}", body.get("errors", []))
    raise Refused("intake kept answering busy; try again later / ระบบไม่ว่าง โปรดลองใหม่ภายหลัง")


def run(arguments: argparse.Namespace, console: Console, out: Console) -> int:
    path = Path(arguments.file)
    headers = {"X-API-Key": arguments.api_key} if arguments.api_key else {}
    fields = {"mapping": arguments.mapping}
    if arguments.campaign:
        fields["campaign"] = arguments.campaign
    if arguments.date_order:
        fields["date_order"] = arguments.date_order
    totals = Totals()
    size = path.stat().st_size
    with path.open("rb") as raw, httpx.Client(base_url=arguments.url, headers=headers, timeout=300) as client, \
            Progress(TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(),
                     TextColumn("{task.fields[counts]}"), console=console, transient=False) as progress:
        counted = _Counting(raw)
        text = io.TextIOWrapper(io.BufferedReader(counted), encoding="utf-8-sig", newline="")
        task = progress.add_task(path.name, total=size, counts=totals.line())
        try:
            for first_row, payload, _ in parts(text, arguments.rows_per_request):
                summary = send(client, payload, file_name=path.name, fields={**fields, "first_row": str(first_row)})
                totals.add(summary)
                progress.update(task, completed=counted.done, counts=totals.line())
                if summary.get("stopped"):
                    break
        except UnicodeDecodeError:
            console.print("[red]The file is not UTF-8 text: download it from Google Sheets with File > Download > "
                          "CSV.\nไฟล์ไม่ได้เข้ารหัสแบบ UTF-8: ดาวน์โหลดจาก Google Sheets ด้วย ไฟล์ > ดาวน์โหลด > CSV")
            _report(out, totals)
            return 2
        except Refused as refused:
            progress.stop()
            console.print(f"[red]{refused}")
            _errors(out, refused.errors)
            _report(out, totals)
            return 2
        progress.update(task, completed=size)
    _report(out, totals)
    return 1 if totals.rejected or totals.stopped else 0


def _report(out: Console, totals: Totals) -> None:
    table = Table(title="Import summary / สรุปการนำเข้า", show_header=False)
    for label, value in (("rows / แถว", totals.rows), ("new applications / รายการใหม่", totals.imported),
                         ("new revisions / ฉบับแก้ไข", totals.new_revisions),
                         ("duplicates / ซ้ำ", totals.duplicates),
                         ("older than what is held (history) / เก่ากว่าที่มีอยู่ (เก็บเป็นประวัติ)", totals.older),
                         ("accepted, will be returned for correction / รับไว้ จะส่งกลับให้แก้ไข", totals.to_correct),
                         ("rejected rows / แถวที่ไม่รับ", totals.rejected)):
        table.add_row(label, str(value))
    out.print(table)
    if totals.unknown_columns:
        out.print("Columns the mapping does not know (kept in the raw answers) / คอลัมน์ที่ไฟล์จับคู่ไม่รู้จัก:")
        for column in totals.unknown_columns:
            out.print(f"  - {column}")
    _errors(out, totals.errors, title="Accepted, will be returned for correction / รับไว้แล้ว จะส่งกลับให้แก้ไข")
    if totals.stopped:
        _errors(out, [totals.stopped])


def _errors(out: Console, errors: list[dict[str, Any]],
            title: str = "Not imported / ยังไม่ได้นำเข้า") -> None:
    if not errors:
        return
    table = Table(title=title)
    for column in ("row", "column", "written / เขียนไว้ว่า", "Thai", "English"):
        table.add_column(column, overflow="fold")
    for error in errors:
        table.add_row(str(error.get("row") or ""), str(error.get("column") or error.get("field") or ""),
                      str(error.get("written") or ""),
                      str(error.get("message_th", "")), str(error.get("message_en", "")))
    out.print(table)


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(prog="python -m services.intake.importer",
                                  description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    cli.add_argument("file", help="the CSV file (Google Sheets: File > Download > CSV)")
    cli.add_argument("--mapping", required=True, help="the form's mapping, e.g. reference-form")
    cli.add_argument("--url", default=os.environ.get("INTAKE_URL", DEFAULT_URL), help="intake (default %(default)s)")
    cli.add_argument("--api-key", default=os.environ.get("INTAKE_API_KEY"),
                     help="an API key with the import scope (or set INTAKE_API_KEY)")
    cli.add_argument("--campaign", help="the campaign, when not the mapping's")
    cli.add_argument("--date-order", choices=("DMY", "MDY"),
                     help="how the sheet writes dates: DMY (Thai, British) or MDY (US English)")
    cli.add_argument("--rows-per-request", type=int, default=500, help="rows sent per request (default 500)")
    return cli


def main(argv: list[str] | None = None, *, console: Console | None = None, out: Console | None = None) -> int:
    arguments = parser().parse_args(argv)
    if arguments.rows_per_request < 1:
        print("--rows-per-request must be at least 1", file=sys.stderr)
        return 2
    return run(arguments, console or Console(stderr=True), out or Console())


if __name__ == "__main__":
    raise SystemExit(main())
