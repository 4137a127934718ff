"""The outbox relay against the real broker and store: what it publishes, and what it leaves for later."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aio_pika
import pytest

from shared.bus import Bus
from shared.events import ContactSummary, Envelope, LaoSummary, SubmissionReturned
from shared.outbox import OUTBOX, PENDING, OutboxRelay, push_outbox, with_outbox
from shared.store import Store
from tests.support import Namespace


def _event(n: int) -> Envelope:
    data = SubmissionReturned(submission_id=f"sub_{n}", revision=1, campaign="fy2568",
                              lao=LaoSummary(name="เทศบาลตำบลบ้านเขว้า"), contact=ContactSummary(), issues=[])
    return Envelope.build(data, producer="test", correlation_id=f"sub_{n}")


@pytest.fixture
async def parts(namespace: Namespace) -> AsyncIterator[tuple[Bus, Store]]:
    settings = namespace.settings("validation")
    bus, store = Bus(settings, "validation"), Store(settings)
    await bus.connect()
    yield bus, store
    await bus.close()
    await store.close()


async def _published(namespace: Namespace, bus: Bus) -> list[str]:
    connection = await aio_pika.connect(namespace.infra.amqp_url)
    ids = []
    try:
        channel = await connection.channel()
        queue = await channel.get_queue(bus.names.queue("notification"), ensure=False)
        while (message := await queue.get(fail=False, no_ack=True)) is not None:
            ids.append(Envelope.from_bytes(message.body).event_id)
    finally:
        await connection.close()
    return ids


async def test_events_added_while_a_document_is_being_published_stay_for_the_next_pass(
        namespace: Namespace, parts: tuple[Bus, Store]) -> None:
    bus, store = parts
    collection = store.collection("results")
    first, second, third, fourth = _event(1), _event(2), _event(3), _event(4)
    await collection.insert_one(with_outbox({"_id": "doc"}, first, second))
    await collection.insert_one(with_outbox({"_id": "quiet"}, fourth))
    snapshots = await collection.find({}, sort=[("_id", 1)]).to_list(None)
    await collection.update_one({"_id": "doc"}, push_outbox(third))  # written after the relay read the document

    relay = OutboxRelay(bus, [collection], service="validation", poll_seconds=1)
    assert [await relay._publish_document(snapshot) for snapshot in snapshots] == [2, 1]
    await relay._clear(collection, snapshots)  # one bulk write, then the fallback for "doc" alone
    stored = await collection.find_one({"_id": "doc"})
    assert stored is not None
    assert [e["event_id"] for e in stored[OUTBOX]] == [third.event_id] and stored[PENDING] is True
    quiet = await collection.find_one({"_id": "quiet"})
    assert quiet is not None and quiet[OUTBOX] == [] and PENDING not in quiet

    assert await relay.flush() == 1
    stored = await collection.find_one({"_id": "doc"})
    assert stored is not None and stored[OUTBOX] == [] and PENDING not in stored
    assert await _published(namespace, bus) == [first.event_id, second.event_id, fourth.event_id, third.event_id]


async def test_a_pass_publishes_every_pending_document_once_and_clears_them_chunk_by_chunk(
        namespace: Namespace, parts: tuple[Bus, Store]) -> None:
    bus, store = parts
    collection = store.collection("results")
    events = [_event(i) for i in range(75)]
    await collection.insert_many([with_outbox({"_id": f"doc{i}"}, e) for i, e in enumerate(events)])
    relay = OutboxRelay(bus, [collection], service="validation", poll_seconds=1, batch=20, parallel=8)
    assert await relay.flush() == 75
    assert await collection.count_documents({PENDING: True}) == 0
    assert sorted(await _published(namespace, bus)) == sorted(e.event_id for e in events)
    assert await relay.flush() == 0


async def test_a_document_whose_publish_fails_stays_pending_while_the_rest_of_its_chunk_is_cleared(
        namespace: Namespace, parts: tuple[Bus, Store], monkeypatch: pytest.MonkeyPatch) -> None:
    bus, store = parts
    collection = store.collection("results")
    events = [_event(i) for i in range(4)]
    await collection.insert_many([with_outbox({"_id": f"doc{i}"}, e) for i, e in enumerate(events)])
    publish = bus.publish

    async def refuse_one(envelope: Envelope) -> None:
        if envelope.event_id == events[2].event_id:
            raise ConnectionError("broker went away")
        await publish(envelope)

    monkeypatch.setattr(bus, "publish", refuse_one)
    relay = OutboxRelay(bus, [collection], service="validation", poll_seconds=1)
    with pytest.raises(ConnectionError):
        await relay.flush()
    assert [d["_id"] for d in await collection.find({PENDING: True}).to_list(None)] == ["doc2"]

    monkeypatch.setattr(bus, "publish", publish)
    assert await relay.flush() == 1
    assert await collection.count_documents({PENDING: True}) == 0
    assert sorted(await _published(namespace, bus)) == sorted(e.event_id for e in events)
