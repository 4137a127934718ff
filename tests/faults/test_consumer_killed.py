"""Fault: each consuming service SIGKILLed mid-stream (messages in hand, no shutdown hook) and started again —
every submission still reaches the reporting API exactly once: one revision, one verdict, one score, each
e-mail once, nothing dead-lettered."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.e2e.conftest import System
from tests.faults.matrix import DoubledEmail, run_scenario, service_env

pytestmark = [pytest.mark.e2e, pytest.mark.fault, pytest.mark.faults]

SERVICE_ENV = service_env()
CONSUMERS = ("validation", "scoring", "notification", "reporting")
DOWN_SECONDS = 5  # the stream goes on meanwhile: the killed service's queue fills


# Notification SIGKILLed after the SMTP server accepted a message and before its delivery log recorded it
# sends that message again on redelivery (the same Message-ID): e-mail is at-least-once today. Whether a kill
# lands in that window is chance, so the marker is not strict; it covers a doubled e-mail only (DoubledEmail):
# anything lost, any other record doubled or anything dead-lettered still fails.
_EMAIL_AT_LEAST_ONCE = pytest.mark.xfail(
    raises=DoubledEmail, strict=False,
    reason="an e-mail accepted by the SMTP server in the instant before notification's log records it is sent "
           "again after a SIGKILL (same Message-ID)")


@pytest.mark.parametrize("service", [pytest.param(s, marks=_EMAIL_AT_LEAST_ONCE) if s == "notification" else s
                                     for s in CONSUMERS])
async def test_a_consumer_killed_mid_stream_and_restarted_loses_and_doubles_nothing(system: System,
                                                                                     service: str) -> None:
    async def kill_and_restart(system: System) -> float:
        system.processes[service].kill()  # SIGKILL: no shutdown hook, messages in hand
        await asyncio.sleep(DOWN_SECONDS)
        restarted = time.monotonic()
        await asyncio.to_thread(system.restart, service)
        return restarted

    await run_scenario(system, f"{service}-killed", kill_and_restart, base=100 + 100 * CONSUMERS.index(service))
