"""Fault: a service's outbox relay killed between a publish the broker confirmed and the clearing of the outbox
(OUTBOX_CRASH_AFTER_PUBLISH: the process exits right there), then the service started again without the setting —
the relay publishes those events a second time, every consumer takes the repeat as a repeat (by event id), and
every submission reaches reporting exactly once, nothing dead-lettered.

Intake is the source of every submission (its relay publishes submission.received); scoring is a consumer that
publishes in turn (submission.scored), after acknowledging what it consumed."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest

from tests.e2e.conftest import System
from tests.faults.matrix import restart_with, run_scenario, service_env, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.fault, pytest.mark.faults]

SERVICE_ENV = service_env()
CRASH_AFTER = 3  # confirmed publishes after the restart with the setting
RELAYS = ("intake", "scoring")


@pytest.mark.parametrize("service", RELAYS)
async def test_the_outbox_relay_killed_between_publish_and_clearing_loses_and_doubles_nothing(
        system: System, service: str) -> None:
    async def crash_relay(system: System) -> float:
        # Not waited for ready: with a backlog to publish, the relay may crash before /health/ready answers.
        await asyncio.to_thread(restart_with, system, service, ready=False,
                                OUTBOX_CRASH_AFTER_PUBLISH=str(CRASH_AFTER))
        process = system.processes[service].process
        assert process is not None
        await wait_until(lambda: process.poll() is not None, timeout=120, what=f"{service}'s relay crash")
        assert process.returncode == 137, system.processes[service].logs()
        restarted = time.monotonic()
        await asyncio.to_thread(restart_with, system, service, OUTBOX_CRASH_AFTER_PUBLISH=None)
        return restarted

    tapped_before = len(system.tapped)
    await run_scenario(system, f"{service}-relay-killed", crash_relay, base=4000 + 100 * RELAYS.index(service))
    # The fault did what it says: some event reached the broker twice, the same event id both times.
    published = Counter(envelope.event_id for envelope in system.tapped[tapped_before:])
    assert any(count > 1 for count in published.values()), "no event was published twice: the relay crash missed"
