"""A store that goes away (frozen: SIGSTOP) does not spend retries: the consumer hands its messages back,
stops taking more, says not-ready, and resumes by itself once the store takes a write again — nothing is
dead-lettered, nothing is handled twice. Intake answers 503 with Retry-After, within its bound, meanwhile.

Each test runs its own SecantusDB server (the session's is shared by every other test and must not stop)."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from devtools.infra import MongoServer, start_secantus
from services.intake.service import SPEC as INTAKE
from shared.bus import Bus
from shared.events import ContactSummary, Envelope, LaoSummary, SubmissionReturned
from shared.store import Store
from tests.support import Infra, InProcessService, Namespace, eventually, municipality_submission

STORE_TIMEOUT = 1.5  # how long an operation waits for a frozen store before it counts as away


@pytest.fixture
def private_store() -> Iterator[MongoServer]:
    server = start_secantus(":memory:")
    try:
        yield server
    finally:
        os.kill(server.process.pid, signal.SIGCONT)  # a test that failed while the store was frozen
        server.stop()


@pytest.fixture
async def outage_namespace(infra: Infra, private_store: MongoServer) -> AsyncIterator[Namespace]:
    namespace = Namespace(Infra(amqp_url=infra.amqp_url, mongodb_url=private_store.url))
    yield namespace
    await namespace.cleanup()


def _event(n: int) -> Envelope:
    data = SubmissionReturned(submission_id=f"sub_{n}", revision=1, campaign="fy2568",
                              lao=LaoSummary(name="เทศบาลตำบลบ้านเขว้า"), contact=ContactSummary(), issues=[])
    return Envelope.build(data, producer="test", correlation_id=f"sub_{n}")


def freeze(server: MongoServer) -> None:
    os.kill(server.process.pid, signal.SIGSTOP)


def thaw(server: MongoServer) -> None:
    os.kill(server.process.pid, signal.SIGCONT)


async def test_a_frozen_store_pauses_the_consumer_without_spending_retries_and_it_resumes_by_itself(
        outage_namespace: Namespace, private_store: MongoServer) -> None:
    settings = outage_namespace.settings("notification", store_timeout_seconds=STORE_TIMEOUT,
                                         store_probe_max_seconds=1.0)
    store = Store(settings)
    handled = store.collection("handled")
    calls: Counter[str] = Counter()

    async def handler(envelope: Envelope) -> None:
        calls[envelope.event_id] += 1
        # Idempotent, as every handler is: a write sent to the frozen store lands when it thaws, and the
        # handed-back message runs again.
        await handled.update_one({"_id": envelope.event_id}, {"$setOnInsert": {"event_type": envelope.event_type}},
                                 upsert=True)

    publisher = Bus(outage_namespace.settings("test-publisher"), "test-publisher")
    consumer = Bus(settings, "notification")
    await publisher.connect()
    await consumer.connect()
    await consumer.consume({"submission.returned": handler}, probe=store.probe)
    events = [_event(n) for n in range(30)]
    try:
        for event in events[:10]:
            await publisher.publish(event)
        await eventually(lambda: _count(handled, 10), what="the first ten handled")

        freeze(private_store)
        for event in events[10:]:
            await publisher.publish(event)
        await eventually(lambda: _true(consumer.is_paused), timeout=STORE_TIMEOUT * 6, what="the consumer paused")
        await asyncio.sleep(STORE_TIMEOUT * 4)  # far longer than every retry delay (50 ms, 100 ms) together
        assert consumer.is_paused
        thawed = time.monotonic()
        thaw(private_store)

        await eventually(lambda: _count(handled, 30), timeout=30, what="every event handled after the thaw")
        await eventually(lambda: _true(not consumer.is_paused), what="the consumer resumed")
        print(f"store outage: resumed and caught up {time.monotonic() - thawed:.1f} s after the thaw")
        assert await publisher.dead_letters("notification") == []
        documents = await handled.find({}).to_list(None)
        assert {d["_id"] for d in documents} == {e.event_id for e in events}
        # Only messages in hand when the store froze ran again (handed back once): at most a prefetch's worth.
        assert set(calls) == {e.event_id for e in events}
        assert sum(calls.values()) - len(events) <= settings.bus_prefetch
    finally:
        thaw(private_store)
        await consumer.stop_consuming(2)
        await consumer.close()
        await publisher.close()
        await store.close()


async def test_a_failure_of_the_event_itself_is_still_retried_and_dead_lettered_while_the_store_is_up(
        outage_namespace: Namespace) -> None:
    settings = outage_namespace.settings("notification", store_timeout_seconds=STORE_TIMEOUT)
    store = Store(settings)

    async def broken(envelope: Envelope) -> None:
        raise KeyError("lao")  # a bug or a bad event: not the store's fault

    publisher = Bus(outage_namespace.settings("test-publisher"), "test-publisher")
    consumer = Bus(settings, "notification")
    await publisher.connect()
    await consumer.connect()
    await consumer.consume({"submission.returned": broken}, probe=store.probe)
    try:
        await publisher.publish(_event(1))
        letters = await eventually(lambda: _letters(publisher), what="a dead letter")
        assert letters[0]["reason"] == "retries_exhausted" and letters[0]["attempts"] == 3
        assert not consumer.is_paused
    finally:
        await consumer.stop_consuming(2)
        await consumer.close()
        await publisher.close()
        await store.close()


async def test_intake_answers_503_with_retry_after_while_the_store_is_frozen_and_takes_the_resend(
        outage_namespace: Namespace, private_store: MongoServer) -> None:
    settings = outage_namespace.settings("intake", store_timeout_seconds=STORE_TIMEOUT)
    async with InProcessService(INTAKE, settings) as intake, httpx.AsyncClient(timeout=30) as client:
        first = await client.post(f"{intake.url}/v1/submissions", json=municipality_submission(1))
        assert first.status_code == 202, first.text

        freeze(private_store)
        try:
            started = time.monotonic()
            refused = await client.post(f"{intake.url}/v1/submissions", json=municipality_submission(2))
            took = time.monotonic() - started
            ready = await client.get(f"{intake.url}/health/ready")
        finally:
            thaw(private_store)
        assert refused.status_code == 503, refused.text
        assert refused.headers["Retry-After"] == "10"
        body = refused.json()
        assert body["error"] == "store_unavailable" and "ส่งใหม่" in body["message_th"]
        assert "send again" in body["message_en"]
        # Bounded by the store timeout (plus the time to answer), not by the client's 30 s.
        assert took < STORE_TIMEOUT * 4, took
        assert ready.status_code == 503 and ready.json()["checks"]["mongodb"] is False

        async def resent() -> httpx.Response | None:
            response = await client.post(f"{intake.url}/v1/submissions", json=municipality_submission(2))
            return response if response.status_code in (200, 202) else None

        accepted = await eventually(resent, timeout=20, what="the resend accepted")
        again = await client.post(f"{intake.url}/v1/submissions", json=municipality_submission(2))
        assert again.status_code == 200 and again.json()["duplicate"] is True
        assert again.json()["submission_id"] == accepted.json()["submission_id"]


async def _count(collection: object, expected: int) -> bool:
    return await collection.count_documents({}) >= expected  # type: ignore[attr-defined, no-any-return]


async def _true(value: bool) -> bool:
    return value


async def _letters(bus: Bus) -> list[dict[str, object]] | None:
    return await bus.dead_letters("notification") or None
