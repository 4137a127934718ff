"""Fault: intake SIGKILLed in the middle of a 500-row CSV import (some batches in its store, the rest not) and
started again — importing the same file again completes it: the rows already held count as duplicates, the rest
are imported, and every row reaches reporting exactly once, nothing dead-lettered."""

from __future__ import annotations

import asyncio
import csv
import io
import time
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from pymongo import AsyncMongoClient

from tests.e2e.conftest import System
from tests.faults.matrix import audit, intake_revisions, report, service_env, settle
from tests.integration.test_intake_imports import THAI_HEADER, row
from tests.support import MUNICIPALITIES

pytestmark = [pytest.mark.e2e, pytest.mark.fault, pytest.mark.faults]

SERVICE_ENV = service_env()
ROWS = 500


def export(count: int) -> bytes:
    """A Google Sheets export of `count` responses, each a different municipality at a different time."""
    start = datetime(2025, 11, 1, 8, 0)
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(THAI_HEADER)
    for i in range(count):
        moment = start + timedelta(seconds=41 * i)
        name = MUNICIPALITIES[i % len(MUNICIPALITIES)][0]
        writer.writerow(row(i, timestamp=f"{moment:%d/%m}/{moment.year + 543}, {moment:%H:%M:%S}",
                            **{"ชื่อองค์กรปกครองส่วนท้องถิ่น": f"{name} {i // len(MUNICIPALITIES)}"}))
    return text.getvalue().encode()


async def upload(client: httpx.AsyncClient, url: str, content: bytes) -> httpx.Response:
    return await client.post(f"{url}/v1/imports", data={"mapping": "reference-form"},
                             files={"file": ("responses.csv", content, "text/csv")}, timeout=300)


async def test_intake_killed_during_a_500_row_import_and_the_import_run_again_doubles_nothing(system: System) -> None:
    content = export(ROWS)
    store: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(system.namespace.infra.mongodb_url)
    revisions = store[f"{system.namespace.name}_intake"]["revisions"]
    async with httpx.AsyncClient() as client:
        first = asyncio.create_task(upload(client, system.url("intake"), content))
        try:
            while True:  # the first batch in the store: the import is under way
                held = await revisions.count_documents({})
                if held or first.done():
                    break
                await asyncio.sleep(0.02)
            system.processes["intake"].kill()  # SIGKILL between two of the import's batches
        finally:
            await store.close()
        with pytest.raises(httpx.TransportError):
            await first  # the import never answered: the connection died with intake
        assert 0 < held < ROWS, f"intake was killed with {held} of {ROWS} rows held: not mid-import"

        restarted = time.monotonic()
        await asyncio.to_thread(system.restart, "intake")
        again = await upload(client, system.url("intake"), content)
        assert again.status_code == 200, again.text
        summary = again.json()
        held_at_kill = ROWS - summary["imported"]
        assert (summary["rows"], summary["rejected"]) == (ROWS, 0)
        assert summary["duplicates"] == held_at_kill and summary["new_revisions"] == 0, summary
        assert held_at_kill >= held

        submission_ids = set(await intake_revisions(system))
        assert len(submission_ids) == ROWS
        recovered_in = await settle(client, system, submission_ids, since=restarted, timeout=600)
        result = await audit(client, system, submission_ids, sent=ROWS,
                             recipients={f"lao{i}@example.go.th" for i in range(ROWS)})
    print(f"\nintake killed with {held} rows seen held; the second import found {held_at_kill} held and imported "
          f"{summary['imported']}")
    report("intake-killed-during-import", result, recovered_in)
