"""Fault: RabbitMQ's application stopped mid-stream (`rabbitmqctl stop_app`: every connection dropped, nothing
accepted) for 20 s and started again — intake keeps accepting into its outbox, the relays and consumers
reconnect by themselves, and every submission reaches reporting exactly once, nothing dead-lettered.

This restarts the machine's broker (the local one of CI and development), so the application is started again
in a `finally`, whatever happens."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time

import pytest

from devtools.infra import LOCAL_HOSTS, port_answers, url_address
from tests.e2e.conftest import System
from tests.faults.matrix import run_scenario, service_env, wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.fault, pytest.mark.faults,
              pytest.mark.skipif(shutil.which("rabbitmqctl") is None, reason="needs rabbitmqctl (the local broker)")]

SERVICE_ENV = service_env()
DOWN_SECONDS = 20


def rabbitmqctl(*args: str) -> None:
    subprocess.run(["rabbitmqctl", *args], check=True, capture_output=True, timeout=120)


async def test_the_broker_restarted_mid_stream_loses_and_doubles_nothing(system: System) -> None:
    address = url_address(system.namespace.infra.amqp_url, 5672)
    if address is None or address[0] not in LOCAL_HOSTS:
        pytest.skip("rabbitmqctl restarts the local broker only; AMQP_URL names another")
    async def stop_and_start(system: System) -> float:
        try:
            await asyncio.to_thread(rabbitmqctl, "stop_app")
            await asyncio.sleep(DOWN_SECONDS)
        finally:
            await asyncio.to_thread(rabbitmqctl, "start_app")
            await asyncio.to_thread(rabbitmqctl, "await_startup")
        started = time.monotonic()
        await wait_until(lambda: port_answers("127.0.0.1", 5672), timeout=60, what="RabbitMQ answering")
        return started

    await run_scenario(system, "broker-restarted", stop_and_start, base=3000)
