"""The raw limits of the infrastructure the system runs on, measured through the same client libraries
the services use: RabbitMQ publish-with-confirms and consume-with-ack (aio-pika), MongoDB single-document
inserts and indexed reads (PyMongo's AsyncMongoClient)."""

from __future__ import annotations

import asyncio
import os
import random
import time
import uuid
from typing import Any

import aio_pika
from pymongo import AsyncMongoClient
from pymongo.write_concern import WriteConcern

BODY = os.urandom(512).hex().encode()  # about 1 KB, the size of a small event


async def broker(amqp_url: str, count: int) -> dict[str, Any]:
    connection = await aio_pika.connect(amqp_url)
    name = f"bench.raw.{uuid.uuid4().hex[:8]}"
    try:
        channel = await connection.channel(publisher_confirms=True)
        await channel.declare_queue(name, durable=True, arguments={"x-queue-type": "quorum"})

        def message() -> aio_pika.Message:
            return aio_pika.Message(BODY, delivery_mode=aio_pika.DeliveryMode.PERSISTENT)

        started = time.perf_counter()
        for _ in range(count):
            await channel.default_exchange.publish(message(), routing_key=name)
        sequential = count / (time.perf_counter() - started)

        started = time.perf_counter()
        in_flight = 64
        for offset in range(0, count, in_flight):
            await asyncio.gather(*(channel.default_exchange.publish(message(), routing_key=name)
                                   for _ in range(min(in_flight, count - offset))))
        pipelined = count / (time.perf_counter() - started)

        consume_channel = await connection.channel()
        await consume_channel.set_qos(prefetch_count=100)
        consume_queue = await consume_channel.get_queue(name, ensure=False)
        total = 2 * count
        received = 0
        done = asyncio.Event()

        async def on_message(incoming: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal received
            await incoming.ack()
            received += 1
            if received >= total:
                done.set()

        started = time.perf_counter()
        await consume_queue.consume(on_message)
        await asyncio.wait_for(done.wait(), timeout=300)
        consumed = total / (time.perf_counter() - started)
        await channel.queue_delete(name)
        version = connection.transport.connection.server_properties.get("version", b"?")  # type: ignore[union-attr]
        return {
            "broker": "RabbitMQ " + (version.decode() if isinstance(version, bytes) else str(version)),
            "publish_confirmed_sequential_per_s": round(sequential, 1),
            "publish_confirmed_64_in_flight_per_s": round(pipelined, 1),
            "consume_ack_prefetch_100_per_s": round(consumed, 1),
            "messages": count,
        }
    finally:
        await connection.close()


async def store(mongodb_url: str, count: int) -> dict[str, Any]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongodb_url)
    database = client.get_database(f"bench_raw_{uuid.uuid4().hex[:8]}",
                                   write_concern=WriteConcern(w="majority", j=True))
    try:
        collection = database["documents"]
        await collection.create_index("key", unique=True)
        document = {"payload": BODY.decode()[:800], "province": "36", "status": "received"}
        started = time.perf_counter()
        for i in range(count):
            await collection.insert_one({**document, "key": f"k{i}"})
        inserts = count / (time.perf_counter() - started)
        keys = [f"k{random.randrange(count)}" for _ in range(count)]
        started = time.perf_counter()
        for key in keys:
            await collection.find_one({"key": key})
        reads = count / (time.perf_counter() - started)
        status = await client.admin.command("serverStatus")
        build = await client.admin.command("buildInfo")
        secantus = build.get("secantusVersion")
        name = f"SecantusDB {secantus} (MongoDB {build.get('version')} wire)" if secantus or \
            status.get("process") == "secantus" else f"mongod {build.get('version')}"
        return {
            "store": name,
            "insert_one_journaled_per_s": round(inserts, 1),
            "find_one_indexed_per_s": round(reads, 1),
            "documents": count,
        }
    finally:
        await client.drop_database(database.name)
        await client.close()
