"""Infrastructure for the whole suite, chosen as docs/testing.md says: URLs from the environment
(AMQP_URL, MONGODB_URL); else testcontainers when a Docker engine answers; else the local RabbitMQ and a
SecantusDB server started for this test session; and what most tests take from it: their own namespace, an
SMTP sink, and a bus that publishes as a test."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator

import pytest

from devtools.infra import DEFAULT_AMQP_URL, docker_available, start_secantus
from shared.bus import Bus
from tests.support import Infra, Namespace, SmtpSink


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    cleanups = []
    amqp_url = os.environ.get("AMQP_URL")
    mongodb_url = os.environ.get("MONGODB_URL")
    use_docker = (not amqp_url or not mongodb_url) and docker_available()
    if not amqp_url:
        if use_docker:
            from testcontainers.rabbitmq import RabbitMqContainer

            rabbit = RabbitMqContainer("rabbitmq:3.13-management").start()
            cleanups.append(rabbit.stop)
            params = rabbit.get_connection_params()
            amqp_url = f"amqp://guest:guest@{params.host}:{params.port}/"
        else:
            amqp_url = DEFAULT_AMQP_URL
    if not mongodb_url:
        if use_docker:
            from testcontainers.mongodb import MongoDbContainer

            mongo = MongoDbContainer("mongo:8").start()
            cleanups.append(mongo.stop)
            mongodb_url = mongo.get_connection_url()
        else:
            server = start_secantus(":memory:")
            cleanups.append(server.stop)
            mongodb_url = server.url
    yield Infra(amqp_url=amqp_url, mongodb_url=mongodb_url)
    for cleanup in reversed(cleanups):
        cleanup()


@pytest.fixture
async def namespace(infra: Infra) -> AsyncIterator[Namespace]:
    ns = Namespace(infra)
    yield ns
    await ns.cleanup()


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
async def publisher(namespace: Namespace) -> AsyncIterator[Bus]:
    """A bus in the test's namespace that publishes events as `test-publisher` (it consumes nothing)."""
    bus = Bus(namespace.settings("test-publisher"), "test-publisher")
    await bus.connect()
    yield bus
    await bus.close()
