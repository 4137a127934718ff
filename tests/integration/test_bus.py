"""The bus against the real broker: confirms, acks after the handler, bounded delayed retries, dead
letters with their reason, the broker's delivery limit, and replay by an operator."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections import Counter

import aio_pika

from shared.bus import Bus, PermanentFailure
from shared.events import ContactSummary, Envelope, LaoSummary, SubmissionReturned
from tests.support import ROOT, Namespace, eventually


def _returned(n: int) -> Envelope:
    data = SubmissionReturned(submission_id=f"sub_{n}", revision=1, campaign="fy2568",
                              lao=LaoSummary(name="เทศบาลตำบลบ้านเขว้า"), contact=ContactSummary(), issues=[])
    return Envelope.build(data, producer="test", correlation_id=f"sub_{n}")


async def _consumer(namespace: Namespace, service: str, handler: object) -> Bus:
    bus = Bus(namespace.settings(service), service)
    await bus.connect()
    await bus.consume({"submission.returned": handler})  # type: ignore[dict-item]
    return bus


async def test_a_handler_that_keeps_failing_is_retried_then_dead_lettered_with_its_reason(
        namespace: Namespace, publisher: Bus) -> None:
    attempts: Counter[str] = Counter()

    async def always_fails(envelope: Envelope) -> None:
        attempts[envelope.event_id] += 1
        raise RuntimeError("store unavailable")

    consumer = await _consumer(namespace, "notification", always_fails)
    try:
        event = _returned(1)
        await publisher.publish(event)
        letters = await eventually(lambda: _letters(publisher, "notification"), what="dead letter")
    finally:
        await consumer.stop_consuming(2)
        await consumer.close()
    # Two delayed retries configured (50 ms, 100 ms): three attempts in all, then the dead-letter queue.
    assert attempts[event.event_id] == 3
    assert letters == [{
        "event_id": event.event_id, "event_type": "submission.returned", "correlation_id": "sub_1",
        "reason": "retries_exhausted", "error": "RuntimeError: store unavailable", "attempts": 3,
        "dead_lettered_at": letters[0]["dead_lettered_at"],
    }]


async def _letters(bus: Bus, service: str) -> list[dict[str, object]] | None:
    return await bus.dead_letters(service) or None


async def test_a_handler_that_fails_once_succeeds_on_retry_and_is_acked_once(
        namespace: Namespace, publisher: Bus) -> None:
    calls: list[str] = []

    async def flaky(envelope: Envelope) -> None:
        calls.append(envelope.event_id)
        if len(calls) == 1:
            raise ConnectionError("transient")

    consumer = await _consumer(namespace, "notification", flaky)
    try:
        await publisher.publish(_returned(2))
        await eventually(lambda: _true(len(calls) == 2), what="retry")
        await asyncio.sleep(0.5)
        assert len(calls) == 2
        assert await publisher.dead_letters("notification") == []
    finally:
        await consumer.stop_consuming(2)
        await consumer.close()


async def _true(value: bool) -> bool | None:
    return value or None


async def test_an_event_the_handler_refuses_goes_straight_to_dead_letters(
        namespace: Namespace, publisher: Bus) -> None:
    calls = 0

    async def refuses(_: Envelope) -> None:
        nonlocal calls
        calls += 1
        raise PermanentFailure("revision 0 does not exist")

    consumer = await _consumer(namespace, "notification", refuses)
    try:
        await publisher.publish(_returned(3))
        letters = await eventually(lambda: _letters(publisher, "notification"), what="dead letter")
    finally:
        await consumer.stop_consuming(2)
        await consumer.close()
    assert calls == 1
    assert letters[0]["reason"] == "rejected_by_handler"


async def test_an_unreadable_message_is_dead_lettered_as_malformed(namespace: Namespace, publisher: Bus) -> None:
    async def never(_: Envelope) -> None:
        raise AssertionError("must not be called")

    consumer = await _consumer(namespace, "notification", never)
    try:
        connection = await aio_pika.connect(namespace.infra.amqp_url)
        channel = await connection.channel()
        exchange = await channel.get_exchange(publisher.names.events_exchange)
        await exchange.publish(aio_pika.Message(b"not json", message_id="junk-1"), routing_key="submission.returned")
        await connection.close()
        letters = await eventually(lambda: _letters(publisher, "notification"), what="dead letter")
    finally:
        await consumer.stop_consuming(2)
        await consumer.close()
    assert letters[0]["reason"] == "malformed" and letters[0]["event_id"] == "junk-1"


async def test_a_message_whose_consumer_dies_every_time_is_dead_lettered_by_the_delivery_limit(
        namespace: Namespace, publisher: Bus) -> None:
    """A consumer that never acks nor nacks (it crashes): the broker counts deliveries and gives up."""
    await publisher.publish(_returned(4))
    connection = await aio_pika.connect(namespace.infra.amqp_url)
    try:
        for _ in range(10):
            channel = await connection.channel()
            queue = await channel.get_queue(publisher.names.queue("notification"), ensure=False)
            message = await queue.get(no_ack=False, fail=False)
            await channel.close()  # the unacked delivery returns to the queue, counted
            if message is None:
                break
    finally:
        await connection.close()
    letters = await eventually(lambda: _letters(publisher, "notification"), what="dead letter")
    assert letters[0]["reason"] == "delivery_limit"


async def test_an_operator_can_list_and_replay_dead_letters_from_the_command_line(
        namespace: Namespace, publisher: Bus) -> None:
    fail = True
    handled: list[str] = []

    async def handler(envelope: Envelope) -> None:
        if fail:
            raise RuntimeError("bug in handler")
        handled.append(envelope.event_id)

    consumer = await _consumer(namespace, "notification", handler)
    try:
        event = _returned(5)
        await publisher.publish(event)
        await eventually(lambda: _letters(publisher, "notification"), what="dead letter")
        env = {**os.environ, **namespace.env("deadletters")}
        listing = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "shared.deadletters", "list",
                                                           "notification"], env=env, cwd=ROOT,
                                          capture_output=True, text=True, timeout=60)
        assert listing.returncode == 0, listing.stderr
        assert event.event_id in listing.stdout and "retries_exhausted" in listing.stdout
        fail = False  # the cause is fixed
        replay = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "shared.deadletters", "replay",
                                                          "notification"], env=env, cwd=ROOT,
                                         capture_output=True, text=True, timeout=60)
        assert replay.returncode == 0, replay.stderr
        assert "replayed 1" in replay.stdout
        await eventually(lambda: _true(handled == [event.event_id]), what="replayed event handled")
        assert await publisher.dead_letters("notification") == []
    finally:
        await consumer.stop_consuming(2)
        await consumer.close()


async def test_stop_consuming_waits_for_the_message_in_hand(namespace: Namespace, publisher: Bus) -> None:
    started, done = asyncio.Event(), []

    async def slow(envelope: Envelope) -> None:
        started.set()
        await asyncio.sleep(0.5)
        done.append(envelope.event_id)

    consumer = await _consumer(namespace, "notification", slow)
    await publisher.publish(_returned(6))
    await asyncio.wait_for(started.wait(), 10)
    await consumer.stop_consuming(5)
    assert len(done) == 1
    await consumer.close()
