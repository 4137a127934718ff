"""The whole system as in production: every service its own process, on real RabbitMQ and MongoDB, with a
real SMTP server on a socket."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import aio_pika
import pytest
from aio_pika.abc import AbstractIncomingMessage

from shared.events import Envelope
from shared.topology import Names
from tests.support import ARTIFACTS, Infra, Namespace, ServiceProcess, SmtpSink

SERVICES = ("intake", "validation", "scoring", "notification", "reporting")


@dataclass
class System:
    namespace: Namespace
    smtp: SmtpSink
    processes: dict[str, ServiceProcess]
    tapped: list[Envelope] = field(default_factory=list)

    def url(self, service: str) -> str:
        return self.processes[service].url

    def restart(self, service: str, *, ready: bool = True) -> None:
        """Start the service again on its port with its settings; `ready=False` returns without waiting for
        /health/ready (a fault scenario's process may be meant to exit at once)."""
        old = self.processes[service]
        new = ServiceProcess(service, self.namespace, old.log_path.parent)
        new.port, new.url = old.port, old.url
        new.env = {**old.env, "HTTP_PORT": str(old.port)}
        new.start()
        self.processes[service] = new
        if ready:
            new.wait_ready()


@pytest.fixture(scope="module")
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture(scope="module")
async def system(infra: Infra, smtp_sink: SmtpSink, request: pytest.FixtureRequest) -> AsyncIterator[System]:
    namespace = Namespace(infra, smtp_port=smtp_sink.port)
    log_dir = ARTIFACTS / "e2e" / request.module.__name__.rsplit(".", 1)[-1]
    # A module may give services settings of their own (e.g. validation's registry admin token).
    extra: dict[str, dict[str, str]] = getattr(request.module, "SERVICE_ENV", {})
    processes = {name: ServiceProcess(name, namespace, log_dir, **extra.get(name, {})) for name in SERVICES}
    for process in processes.values():
        process.start()
    try:
        for process in processes.values():
            await asyncio.to_thread(process.wait_ready)
        system = System(namespace, smtp_sink, processes)
        # A private tap on the events exchange: every event the services publish, as published.
        connection = await aio_pika.connect(infra.amqp_url)
        channel = await connection.channel()
        exchange = await channel.get_exchange(Names(namespace.name).events_exchange)
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind(exchange, routing_key="#")

        async def keep(message: AbstractIncomingMessage) -> None:
            system.tapped.append(Envelope.from_bytes(message.body))
            await message.ack()

        await queue.consume(keep)
        yield system
        await connection.close()
    finally:
        for process in processes.values():
            process.stop()
        await namespace.cleanup()
