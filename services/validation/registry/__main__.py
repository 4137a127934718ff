"""Import DLA's LAO registry from the command line (the same code path as `POST /v1/registry/imports`):

    python -m services.validation.registry import dlads_05_01.csv [--size-classes sizes.csv]
    python -m services.validation.registry size-classes sizes.csv
    python -m services.validation.registry imports          # the latest imports

Reads MONGODB_URL and MONGODB_DB_PREFIX like the validation service and writes validation's database; the
running validation service's outbox relay then publishes the `registry.updated` events. A progress bar goes
to stderr, the outcome to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn

from services.validation.registry.dataset import FileRefused
from services.validation.registry.importer import run_import
from services.validation.registry.repository import RegistryRepository
from shared.localdefaults import use_local_defaults
from shared.settings import Settings, settings_error_text
from shared.store import Store

_PHASES = {
    "read": "อ่านไฟล์ อปท. / reading the LAO file",
    "write": "บันทึก อปท. / writing LAOs",
    "size_classes": "อ่านไฟล์ขนาด อปท. / reading size classes",
}


def _settings() -> Settings:
    # The importer never touches the broker (the service's relay publishes): no AMQP_URL needed here.
    use_local_defaults()  # against `make run` as written, when MONGODB_URL is not set
    environment = {"service_name": "validation"}
    if "AMQP_URL" not in os.environ:
        environment["amqp_url"] = "amqp://unused@localhost/"
    return Settings(**environment)  # type: ignore[arg-type]


class _Bar:
    def __init__(self, console: Console) -> None:
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[unit]}"),
                                 console=console)
        self.tasks: dict[str, TaskID] = {}

    def __call__(self, phase: str, done: int, total: int | None) -> None:
        if phase not in self.tasks:
            self.tasks[phase] = self.progress.add_task(_PHASES.get(phase, phase), total=total, unit="")
        unit = f"{done:,}/{total:,}" + ("" if phase == "write" else " bytes") if total else f"{done:,}"
        self.progress.update(self.tasks[phase], completed=done, total=total, unit=unit)




def _summary_lines(record: dict[str, Any]) -> list[str]:
    lines = [f"นำเข้าทะเบียน อปท. สำเร็จ / registry import completed: {record['_id']}"]
    if "laos" in record:
        lines.append(f"  แถว {record['rows']:,} แถว → อปท. {record['laos']:,} แห่ง (ใหม่ {record['inserted']:,}, "
                     f"ปรับปรุง {record['updated']:,}, ไม่อยู่ในไฟล์แล้ว {record['retired']:,}, ข้ามแถว "
                     f"{record['rows_skipped']:,})")
        lines.append(f"  {record['rows']:,} rows → {record['laos']:,} LAOs ({record['inserted']:,} new, "
                     f"{record['updated']:,} updated, {record['retired']:,} no longer listed, "
                     f"{record['rows_skipped']:,} rows skipped)")
    sizes = record.get("size_classes")
    if sizes:
        lines.append(f"  ขนาด อปท. {sizes['applied']:,} แห่ง / size classes applied: {sizes['applied']:,}; "
                     f"ไม่พบรหัส / unknown codes: {len(sizes['unknown_codes']):,}")
    lines.append(f"  จังหวัด / provinces: {', '.join(record.get('provinces', []))}; "
                 f"registry.updated events: {record.get('events', 0)}")
    for problem in record.get("problems", [])[:20]:
        lines.append(f"  ! {problem['message_th']} / {problem['message_en']}")
    return lines


async def _import(arguments: argparse.Namespace, console: Console) -> int:
    store = Store(_settings())
    repository = RegistryRepository.in_store(store)
    await repository.create_indexes()
    laos_path: Path | None = getattr(arguments, "file", None)
    sizes_path: Path | None = arguments.size_classes
    try:
        with _open(laos_path) as laos_file, _open(sizes_path) as sizes_file:
            bar = _Bar(console)
            with bar.progress:
                record = await run_import(repository, laos_file=laos_file, size_classes_file=sizes_file,
                                          source=laos_path.name if laos_path else None,
                                          size_classes_source=sizes_path.name if sizes_path else None,
                                          progress=bar, requested_by="cli")
    except FileRefused as refused:
        console.print(f"[red]{refused.message_th}\n{refused.message_en}[/red]")
        return 2
    finally:
        await store.close()
    print("\n".join(_summary_lines(record)))
    return 0


class _open:
    """A binary file, or nothing."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.handle: Any = None

    def __enter__(self) -> Any:
        self.handle = self.path.open("rb") if self.path else None
        return self.handle

    def __exit__(self, *_: object) -> None:
        if self.handle is not None:
            self.handle.close()


async def _imports(console: Console) -> int:
    store = Store(_settings())
    try:
        repository = RegistryRepository.in_store(store)
        for record in await repository.recent_imports():
            print(json.dumps({k: record.get(k) for k in ("_id", "status", "started_at", "source", "laos",
                                                         "inserted", "updated", "provinces")},
                             ensure_ascii=False, default=str))
    finally:
        await store.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.validation.registry",
                                     description="นำเข้าทะเบียน อปท. ของ สถ. / import DLA's LAO registry")
    commands = parser.add_subparsers(dest="command", required=True)
    full = commands.add_parser("import", help="DLA's LAO list (dlads_05_01 CSV), optionally with size classes")
    full.add_argument("file", type=Path)
    full.add_argument("--size-classes", type=Path, default=None, help="CSV: รหัส อปท., ขนาด อปท.")
    sizes = commands.add_parser("size-classes", help="only a size-class CSV (รหัส อปท., ขนาด อปท.)")
    sizes.add_argument("size_classes", type=Path)
    commands.add_parser("imports", help="the latest imports")
    arguments = parser.parse_args(argv)
    console = Console(stderr=True)
    for path in (getattr(arguments, "file", None), getattr(arguments, "size_classes", None)):
        if path is not None and not path.is_file():
            console.print(f"[red]ไม่พบไฟล์ {path} / file not found: {path}[/red]")
            return 2
    try:
        if arguments.command == "imports":
            return asyncio.run(_imports(console))
        return asyncio.run(_import(arguments, console))
    except ValidationError as error:
        console.print(settings_error_text(error), style="red", markup=False, highlight=False)
        return 2


if __name__ == "__main__":
    sys.exit(main())
