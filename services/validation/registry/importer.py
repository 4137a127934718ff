"""One import, whoever asks for it (the command line or the admin API): read DLA's LAO file and/or a
size-class file as a stream, upsert the LAOs, record the import, and leave one `registry.updated` event per
province touched in the import record's outbox.

Every file of an import is read and checked to its last line before the first write, so a refused import
(a foreign file, a line that cannot be decoded or parsed, in either file) leaves the registry as it was."""

from __future__ import annotations

import codecs
import hashlib
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any, TypeVar

from services.validation.registry.dataset import (
    DatasetReading,
    FileRefused,
    RowProblem,
    SizeClassReading,
    read_dataset,
    read_size_classes,
)
from services.validation.registry.repository import BATCH, RegistryRepository
from shared.events import Envelope, RegistryLao, RegistryUpdated

PRODUCER = "validation"
SNIFF_BYTES = 64 * 1024
PROGRESS_EVERY_LINES = 200

# (phase, done, total): phases "read" and "size_classes" count bytes, "write" counts LAOs.
Progress = Callable[[str, int, int | None], None]
Reading = TypeVar("Reading", DatasetReading, SizeClassReading)


def _no_progress(phase: str, done: int, total: int | None) -> None:
    return None


def detect_encoding(stream: IO[bytes]) -> str:
    """UTF-8 (with or without BOM) as DLA publishes today, else Windows-874/TIS-620 as older Thai exports."""
    start = stream.tell()
    head = stream.read(SNIFF_BYTES)
    stream.seek(start)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return "cp874"
    return "utf-8-sig"


@dataclass
class _Stream:
    """A binary file read line by line as text: bytes read so far (progress) and its SHA-256 (the record)."""

    stream: IO[bytes]
    phase: str
    progress: Progress

    def __post_init__(self) -> None:
        self.digest = hashlib.sha256()
        self.encoding = detect_encoding(self.stream)
        self.total = self._size()

    def _size(self) -> int | None:
        try:
            here = self.stream.tell()
            end = self.stream.seek(0, 2)
            self.stream.seek(here)
            return end - here
        except (OSError, ValueError):
            return None

    def lines(self) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder(self.encoding)()
        done = 0
        # b"\n" never occurs inside a UTF-8 or TIS-620 character, so each raw line decodes on its own.
        number = 0
        for number, raw in enumerate(self.stream, start=1):
            self.digest.update(raw)
            done += len(raw)
            if number % PROGRESS_EVERY_LINES == 0:
                self.progress(self.phase, done, self.total)
            yield self._decoded(decoder, raw, number)
        tail = self._decoded(decoder, b"", number, final=True)
        if tail:
            yield tail
        self.progress(self.phase, done, self.total)

    def _decoded(self, decoder: codecs.IncrementalDecoder, raw: bytes, number: int, final: bool = False) -> str:
        # The encoding is sniffed from the head only: bytes of another encoding further down (rows pasted in
        # from an older export) refuse the file rather than import garbled names.
        try:
            return decoder.decode(raw, final=final)
        except UnicodeDecodeError:
            raise FileRefused(
                f"แถวที่ {number}: อ่านตัวอักษรไม่ได้ในรหัส {self.encoding} (ไฟล์อาจปนหลายรหัสอักขระ) จึงไม่นำเข้าไฟล์นี้ "
                "โปรดบันทึกไฟล์ใหม่เป็น UTF-8 แล้วนำเข้าอีกครั้ง",
                f"Line {number} cannot be decoded as {self.encoding} (the file may mix encodings); nothing was "
                "imported. Save the file as UTF-8 and import it again.") from None


def _problems(problems: list[RowProblem]) -> list[dict[str, Any]]:
    return [{"line": p.line, "message_th": p.message_th, "message_en": p.message_en} for p in problems]


def new_import_id(at: datetime) -> str:
    return f"imp_{at:%Y%m%dT%H%M%S}_{uuid.uuid4().hex[:6]}"


async def run_import(repository: RegistryRepository, *, laos_file: IO[bytes] | None = None,
                     size_classes_file: IO[bytes] | None = None, source: str | None = None,
                     size_classes_source: str | None = None, progress: Progress | None = None,
                     requested_by: str = "cli") -> dict[str, Any]:
    """Import and return the import record (without its outbox). Raises `FileRefused` (a `shared.errors.Invalid`,
    `file_refused`; recorded as `refused`, with the registry untouched) for a file that is not the expected kind
    or has a line that cannot be decoded or parsed; any other failure is recorded as `failed`."""
    if laos_file is None and size_classes_file is None:
        raise FileRefused("ไม่มีไฟล์ให้นำเข้า: ส่งไฟล์รายชื่อ อปท. และ/หรือไฟล์ขนาด อปท.",
                          "Nothing to import: send DLA's LAO file and/or a size-class file.")
    report = progress or _no_progress
    started = datetime.now(UTC)
    import_id = new_import_id(started)
    await repository.start_import(import_id, {"started_at": started, "source": source,
                                              "size_classes_source": size_classes_source,
                                              "requested_by": requested_by})
    try:
        summary, events = await _import(repository, import_id, started, laos_file, size_classes_file, report)
    except FileRefused as refused:
        await repository.fail_import(import_id, "refused", {"finished_at": datetime.now(UTC),
                                                            "error_th": refused.message_th,
                                                            "error_en": refused.message_en})
        raise
    except Exception as error:
        await repository.fail_import(import_id, "failed", {"finished_at": datetime.now(UTC),
                                                           "error_en": f"{type(error).__name__}: {error}"})
        raise
    await repository.finish_import(import_id, summary, events)
    record = await repository.import_record(import_id)
    assert record is not None
    return record


async def _import(repository: RegistryRepository, import_id: str, at: datetime, laos_file: IO[bytes] | None,
                  size_classes_file: IO[bytes] | None, report: Progress) -> tuple[dict[str, Any], list[Envelope]]:
    # Read and check every file first: a FileRefused from any of them is raised before anything is written.
    laos = None if laos_file is None else _read(laos_file, "read", report, read_dataset)
    sizes = None if size_classes_file is None else _read(size_classes_file, "size_classes", report,
                                                          read_size_classes)
    summary: dict[str, Any] = {}
    provinces: set[str] = set()
    retired: dict[str, list[str]] = {}
    if laos is not None:
        stream, reading = laos
        drafts = list(reading.laos.values())
        inserted = updated = 0
        for start in range(0, len(drafts), BATCH):
            added, changed = await repository.upsert(drafts[start:start + BATCH], import_id=import_id, at=at,
                                                     with_size_class=reading.has_size_column)
            inserted, updated = inserted + added, updated + changed
            report("write", min(start + BATCH, len(drafts)), len(drafts))
        provinces |= reading.provinces
        retired = await repository.retire_missing(reading.provinces, import_id=import_id, at=at)
        summary.update({
            "sha256": stream.digest.hexdigest(), "encoding": stream.encoding, "rows": reading.rows,
            "rows_skipped": reading.skipped, "laos": len(drafts), "inserted": inserted, "updated": updated,
            "retired": sum(len(codes) for codes in retired.values()), "size_column": reading.has_size_column,
            "problems": _problems(reading.problems),
        })
    if sizes is not None:
        sizes_stream, classes = sizes
        unknown = await repository.set_size_classes(classes.classes, import_id=import_id, at=at)
        provinces |= await repository.provinces_of(code for code in classes.classes if code not in unknown)
        summary["size_classes"] = {
            "sha256": sizes_stream.digest.hexdigest(), "rows": classes.rows, "rows_skipped": classes.skipped,
            "applied": len(classes.classes) - len(unknown), "unknown_codes": unknown[:100],
            "problems": _problems(classes.problems),
        }
    events = [await _province_event(repository, import_id, at, code, retired.get(code, []))
              for code in sorted(provinces)]
    summary.update({"finished_at": datetime.now(UTC), "provinces": sorted(provinces), "events": len(events)})
    return summary, events


def _read(file: IO[bytes], phase: str, report: Progress,
          reader: Callable[[Iterator[str]], Reading]) -> tuple[_Stream, Reading]:
    """One file read to its last line (its digest complete), before anything is written."""
    stream = _Stream(file, phase, report)
    return stream, reader(stream.lines())


async def _province_event(repository: RegistryRepository, import_id: str, at: datetime, province_code: str,
                          removed: list[str]) -> Envelope:
    documents = await repository.in_place(province_code)
    laos = [RegistryLao(code=d["_id"], name=d["name"], type=d.get("type"), province_code=d["province_code"],
                        district_code=d.get("district_code"), district_name=d.get("district_name"),
                        size_class=d.get("size_class")) for d in documents]
    province_name = documents[0].get("province_name") if documents else None
    event = RegistryUpdated(import_id=import_id, imported_at=at, province_code=province_code,
                            province_name=province_name, laos=laos, removed_codes=sorted(removed))
    return Envelope.build(event, producer=PRODUCER, correlation_id=f"registry/{import_id}")
