"""Fault: the validation process SIGKILLed mid-stream and restarted — every submission still reaches the
reporting API exactly once."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import System
from tests.support import eventually, municipality_submission

pytestmark = [pytest.mark.e2e, pytest.mark.fault]

COUNT = 40


async def test_validation_killed_mid_stream_and_restarted_loses_and_doubles_nothing(system: System) -> None:
    intake, reporting = system.url("intake"), system.url("reporting")
    accepted: list[dict[str, Any]] = []
    async with httpx.AsyncClient(timeout=10) as client:
        for i in range(COUNT):
            response = await client.post(f"{intake}/v1/submissions", json=municipality_submission(100 + i))
            assert response.status_code == 202, response.text
            accepted.append(response.json())
            if i == COUNT // 3:
                system.processes["validation"].kill()  # SIGKILL: no shutdown hook, messages in hand
        assert len({a["submission_id"] for a in accepted}) == COUNT
        await asyncio.sleep(0.5)
        await asyncio.to_thread(system.restart, "validation")

        async def all_settled() -> dict[str, Any] | None:
            national = (await client.get(f"{reporting}/v1/campaigns/fy2568/national")).json()
            counts = national["counts"]
            final = counts["scored"] + counts["rejected"] + counts["returned"]
            return national if national["submissions"] == COUNT and final == COUNT else None

        national = await eventually(all_settled, timeout=90, what="every submission settled")
        assert national["counts"]["received"] == 0 and national["counts"]["validated"] == 0

        for item in accepted:
            view = (await client.get(f"{reporting}/v1/submissions/{item['submission_id']}")).json()
            assert view["current_revision"] == 1 and len(view["revisions"]) == 1
            steps = [step["event_type"] for step in view["revisions"][0]["history"]]
            assert steps.count("submission.received") == 1
            assert sum(steps.count(t) for t in ("submission.validated", "submission.returned",
                                                 "submission.rejected")) == 1
            verdicts = (await client.get(f"{system.url('validation')}/v1/validations/{item['submission_id']}")).json()
            assert len(verdicts) == 1
            if view["status"] == "scored":
                scores = (await client.get(f"{system.url('scoring')}/v1/scores/{item['submission_id']}")).json()
                assert len(scores) == 1
