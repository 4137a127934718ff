"""Fault: the store frozen (SIGSTOP: its sockets open, nothing answered, as a stalled disk or VM) for 150 s
mid-stream, then thawed — intake answers 503 with Retry-After meanwhile and the connector resends, the
consumers pause and resume; every submission reaches reporting exactly once, nothing dead-lettered."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.e2e.conftest import System
from tests.faults.conftest import PrivateStore
from tests.faults.matrix import run_scenario, service_env

pytestmark = [pytest.mark.e2e, pytest.mark.fault, pytest.mark.faults]

SERVICE_ENV = service_env()
FROZEN_SECONDS = 150


async def test_the_store_frozen_for_150_s_mid_stream_loses_and_doubles_nothing(system: System,
                                                                                private_store: PrivateStore) -> None:
    async def freeze(system: System) -> float:
        private_store.freeze()
        try:
            await asyncio.sleep(FROZEN_SECONDS)
        finally:
            private_store.thaw()
        return time.monotonic()

    await run_scenario(system, "store-frozen-150s", freeze, base=1000)
