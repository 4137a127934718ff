"""Fault: the store process SIGKILLed mid-stream (no shutdown of any kind) and started again on the same port
and the same data files — what it had acknowledged is there, the services reconnect by themselves, and every
submission reaches reporting exactly once, nothing dead-lettered."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.e2e.conftest import System
from tests.faults.conftest import PrivateStore
from tests.faults.matrix import run_scenario, service_env

pytestmark = [pytest.mark.e2e, pytest.mark.fault, pytest.mark.faults]

SERVICE_ENV = service_env()
DOWN_SECONDS = 10


async def test_the_store_killed_and_restarted_mid_stream_loses_and_doubles_nothing(
        system: System, private_store: PrivateStore) -> None:
    async def kill_and_restart(system: System) -> float:
        private_store.kill()
        try:
            await asyncio.sleep(DOWN_SECONDS)
        finally:
            await asyncio.to_thread(private_store.start_again)
        return time.monotonic()

    await run_scenario(system, "store-killed-restarted", kill_and_restart, base=2000)
