"""Fault: each consuming service SIGKILLed mid-stream (messages in hand, no shutdown hook) and started again —
every submission still reaches the reporting API exactly once: one revision, one verdict, one score, each
e-mail once, nothing dead-lettered."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import System
from tests.faults.matrix import Connector, audit, report, service_env, settle
from tests.support import municipality_submission

pytestmark = [pytest.mark.e2e, pytest.mark.fault, pytest.mark.faults]

SERVICE_ENV = service_env()
COUNT = 40
CONSUMERS = ("validation", "scoring", "notification", "reporting")
_sent_in_module: list[str] = []


# Notification SIGKILLed after the SMTP server accepted a message and before its delivery log recorded it
# sends that message again on redelivery (the same Message-ID): e-mail is at-least-once today. Strict, so the
# day it is fixed this marker must go.
_EMAIL_AT_LEAST_ONCE = pytest.mark.xfail(
    strict=True, reason="an e-mail accepted by the SMTP server in the instant before notification's log records "
                        "it is sent again after a SIGKILL (same Message-ID)")


@pytest.mark.parametrize("service", [pytest.param(s, marks=_EMAIL_AT_LEAST_ONCE) if s == "notification" else s
                                     for s in CONSUMERS])
async def test_a_consumer_killed_mid_stream_and_restarted_loses_and_doubles_nothing(system: System,
                                                                                     service: str) -> None:
    base = 100 + 100 * CONSUMERS.index(service)
    bodies = [municipality_submission(base + i) for i in range(COUNT)]
    async with httpx.AsyncClient(timeout=10) as client:
        connector = Connector(client, system.url("intake"))
        accepted: list[dict[str, Any]] = []
        for i, body in enumerate(bodies):
            accepted.append(await connector.send(body))
            if i == COUNT // 3:
                system.processes[service].kill()  # SIGKILL: no shutdown hook, messages in hand
        assert all(answer["revision"] == 1 and not answer["duplicate"] for answer in accepted)
        submission_ids = [answer["submission_id"] for answer in accepted]
        assert len(set(submission_ids)) == COUNT
        _sent_in_module.extend(submission_ids)
        await asyncio.sleep(0.5)
        restarted = time.monotonic()
        await asyncio.to_thread(system.restart, service)
        recovered_in = await settle(client, system, submission_ids, since=restarted, timeout=120)

        national = (await client.get(f"{system.url('reporting')}/v1/campaigns/fy2568/national")).json()
        assert national["submissions"] == len(_sent_in_module)
        assert national["counts"]["received"] == 0 and national["counts"]["validated"] == 0
        for submission_id in submission_ids:
            view = (await client.get(f"{system.url('reporting')}/v1/submissions/{submission_id}")).json()
            assert view["current_revision"] == 1 and len(view["revisions"]) == 1
            steps = [step["event_type"] for step in view["revisions"][0]["history"]]
            assert steps.count("submission.received") == 1
            assert sum(steps.count(t) for t in ("submission.validated", "submission.returned",
                                                 "submission.rejected")) == 1
            verdicts = (await client.get(f"{system.url('validation')}/v1/validations/{submission_id}")).json()
            assert len(verdicts) == 1
            if view["status"] == "scored":
                scores = (await client.get(f"{system.url('scoring')}/v1/scores/{submission_id}")).json()
                assert len(scores) == 1

        result = await audit(client, system, submission_ids, sent=COUNT,
                             recipients={body["contact"]["email"] for body in bodies})
    report(f"{service}-killed", result, recovered_in)
