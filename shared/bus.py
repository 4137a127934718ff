"""The bus: one robust aio-pika connection per process, publisher confirms, manual acks after the
handler's writes, delayed retries through TTL queues, and a dead-letter queue that says why.

Message path for a consuming service S (all queues are durable quorum queues):

    events exchange --(binding)--> S  --handler ok--> ack
                                   |--handler failed, attempt n < N--> S.retry.<delay n> --(TTL)--> S
                                   |--handler failed N times, or the event is unreadable--> S.dead-letter
                                   |--store or broker away--> handed back unacked; consumer paused until
                                   |                          the store takes a write again (no retry spent)
                                   '--consumer crashed delivery-limit times--> S.dead-letter (broker)

One module, past the usual size, on purpose: publishing, consuming, retries, dead-lettering and the pause while
the store is away all act on the same connection, channels and in-flight messages, and are read together when
reasoning about an ack.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

import aio_pika
from aio_pika.abc import (
    AbstractChannel,
    AbstractExchange,
    AbstractIncomingMessage,
    AbstractQueue,
    AbstractRobustConnection,
)
from pydantic import ValidationError

from shared import metrics
from shared.availability import is_unavailable
from shared.events import Envelope, EventData
from shared.logging import bound, get_logger
from shared.settings import Settings
from shared.topology import Names, subscriptions

log = get_logger(__name__)

Handler = Callable[[Envelope], Awaitable[None]]
Probe = Callable[[], Awaitable[bool]]
H = TypeVar("H")
# A service's `HANDLES` (services/<service>/handlers.py): which event models it consumes, and the method of its
# handlers object that takes each. shared/topology.py binds the service's queue to exactly these event types.
Handles = Mapping[type[EventData], Callable[[H, Envelope], Awaitable[None]]]


class UnhandledBinding(RuntimeError):
    """A service's queue is bound to event types it has no handler for: refused at start, not acked later."""


def check_bindings(service: str, handlers: Mapping[str, Handler]) -> None:
    """Refuse to start a consumer whose queue is bound to an event type it has no handler for: such events
    would otherwise be acked unread."""
    unhandled = sorted(set(subscriptions().get(service, ())) - set(handlers))
    if unhandled:
        raise UnhandledBinding(f"the {service} queue is bound to {', '.join(unhandled)} but has no handler "
                               f"for it: add it to the service's HANDLES (services/{service}/handlers.py)")


def bind(handles: Handles[H], handlers: H) -> dict[str, Handler]:
    """The `HANDLES` map with its methods bound to the service's handlers object, keyed by event type."""

    def bound_method(method: Callable[[H, Envelope], Awaitable[None]]) -> Handler:
        async def handle(envelope: Envelope) -> None:
            await method(handlers, envelope)

        handle.__qualname__ = getattr(method, "__qualname__", "handler")
        return handle

    return {model.EVENT_TYPE: bound_method(method) for model, method in handles.items()}

RETRY_ATTEMPT_HEADER = "x-retry-attempt"
REASON_HEADER = "x-dead-letter-reason"
ERROR_HEADER = "x-error"
MAX_ERROR_TEXT = 1000


class PermanentFailure(Exception):
    """Raised by a handler when retrying cannot help (the event contradicts its contract)."""


def _error_text(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:MAX_ERROR_TEXT]


def _int_header(headers: Mapping[str, Any] | None, name: str) -> int:
    value = (headers or {}).get(name)
    return int(value) if isinstance(value, int | str) and str(value).isdigit() else 0


def _quorum(**extra: Any) -> dict[str, Any]:
    return {"x-queue-type": "quorum", **extra}


class Bus:
    def __init__(self, settings: Settings, service: str) -> None:
        self.settings = settings
        self.service = service
        self.names = Names(settings.bus_namespace)
        self._connection: AbstractRobustConnection | None = None
        self._publish_channel: AbstractChannel | None = None
        self._consume_channel: AbstractChannel | None = None
        self._events: AbstractExchange | None = None
        self._dead_letters: AbstractExchange | None = None
        self._queue: AbstractQueue | None = None
        self._consumer_tag: str | None = None
        self._handlers: dict[str, Handler] = {}
        self._inflight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        # Paused: the store (or broker) was away during a handler; no messages are taken until `_probe` says
        # it takes writes again. `_stopped`: the service is shutting down and must not resume.
        self._probe: Probe | None = None
        self._paused_since: float | None = None
        self._resumer: asyncio.Task[None] | None = None
        self._cancelling: asyncio.Task[None] | None = None
        self._stopped = False

    # -- connection and topology -------------------------------------------------------------

    async def connect(self) -> None:
        self._connection = await aio_pika.connect_robust(
            str(self.settings.amqp_url), client_properties={"connection_name": self.service}
        )
        self._publish_channel = await self._connection.channel(publisher_confirms=True)
        await self.declare_topology(self._publish_channel)

    async def declare_topology(self, channel: AbstractChannel) -> None:
        """Declare the exchanges and every consumer's queues (idempotent; see shared.topology)."""
        names = self.names
        self._events = await channel.declare_exchange(
            names.events_exchange, aio_pika.ExchangeType.TOPIC, durable=True
        )
        self._dead_letters = await channel.declare_exchange(
            names.dead_letter_exchange, aio_pika.ExchangeType.DIRECT, durable=True
        )
        for service, bindings in subscriptions().items():
            queue = await self._declare_service_queues(channel, service)
            for routing_key in bindings:
                await queue.bind(self._events, routing_key=routing_key)

    async def _declare_service_queues(self, channel: AbstractChannel, service: str) -> AbstractQueue:
        names = self.names
        queue_name = names.queue(service)
        queue = await channel.declare_queue(
            queue_name,
            durable=True,
            arguments=_quorum(**{
                "x-delivery-limit": self.settings.bus_delivery_limit,
                "x-dead-letter-exchange": names.dead_letter_exchange,
                "x-dead-letter-routing-key": queue_name,
            }),
        )
        dead_letter_queue = await channel.declare_queue(
            names.dead_letter_queue(service), durable=True, arguments=_quorum()
        )
        assert self._dead_letters is not None
        await dead_letter_queue.bind(self._dead_letters, routing_key=queue_name)
        for delay_ms in self.settings.bus_retry_delays_ms:
            await channel.declare_queue(
                names.retry_queue(service, delay_ms),
                durable=True,
                arguments=_quorum(**{
                    "x-message-ttl": delay_ms,
                    "x-dead-letter-exchange": "",
                    "x-dead-letter-routing-key": queue_name,
                }),
            )
        return queue

    @property
    def is_ready(self) -> bool:
        connection, channel = self._connection, self._publish_channel
        return bool(connection and not connection.is_closed and channel and not channel.is_closed)

    @property
    def is_paused(self) -> bool:
        """Consuming is paused because the store was away (readiness reports it)."""
        return self._paused_since is not None

    async def close(self) -> None:
        self._stopped = True
        if self._resumer is not None:
            self._resumer.cancel()
            self._resumer = None
        if self._connection is not None:
            await self._connection.close()
            self._connection = None

    # -- publishing --------------------------------------------------------------------------

    async def publish(self, envelope: Envelope) -> None:
        """Publish one event persistently and wait for the broker's confirm.

        `mandatory` makes an event that no queue would receive an error instead of a silent drop, so the
        outbox keeps it until the topology is in place.
        """
        assert self._events is not None, "connect() first"
        await self._events.publish(
            aio_pika.Message(
                envelope.to_bytes(),
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                content_type="application/json",
                message_id=envelope.event_id,
                correlation_id=envelope.correlation_id,
                type=envelope.event_type,
                timestamp=envelope.occurred_at,
                app_id=envelope.producer,
                headers={
                    "correlation_id": envelope.correlation_id,
                    "causation_id": envelope.causation_id or "",
                    "schema_version": envelope.schema_version,
                },
            ),
            routing_key=envelope.event_type,
            mandatory=True,
        )
        metrics.EVENTS_PUBLISHED.labels(self.service, envelope.event_type).inc()

    async def _send_copy(self, message: AbstractIncomingMessage, exchange: AbstractExchange, routing_key: str,
                         headers: Mapping[str, Any]) -> None:
        kept = {k: v for k, v in (message.headers or {}).items() if not k.startswith("x-death")
                and not k.startswith("x-first-death") and not k.startswith("x-last-death")
                and k != "x-delivery-count"}
        await exchange.publish(
            aio_pika.Message(
                message.body,
                delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                content_type=message.content_type,
                message_id=message.message_id,
                correlation_id=message.correlation_id,
                type=message.type,
                timestamp=message.timestamp,
                app_id=message.app_id,
                headers={**kept, **headers},
            ),
            routing_key=routing_key,
            mandatory=True,
        )

    # -- consuming ---------------------------------------------------------------------------

    async def consume(self, handlers: Mapping[str, Handler], probe: Probe | None = None) -> None:
        """Start consuming this service's queue; `handlers` maps event types to their handler. `probe` says
        whether the store takes writes: while a handler's failure says the store is away, consuming pauses
        and resumes once `probe` answers True (without it, such failures are retried like any other)."""
        assert self._connection is not None, "connect() first"
        self._handlers = dict(handlers)
        self._probe = probe
        self._consume_channel = await self._connection.channel(publisher_confirms=True)
        await self._consume_channel.set_qos(prefetch_count=self.settings.bus_prefetch)
        self._queue = await self._declare_service_queues(self._consume_channel, self.service)
        self._consumer_tag = await self._queue.consume(self._on_message, no_ack=False)
        log.info("consuming", queue=self._queue.name, prefetch=self.settings.bus_prefetch)

    async def _cancel_consumer(self) -> None:
        if self._queue is not None and self._consumer_tag is not None:
            tag, self._consumer_tag = self._consumer_tag, None
            try:
                await self._queue.cancel(tag)
            except Exception as error:  # a closed channel has no consumer left to cancel
                log.warning("consumer cancel failed", error=_error_text(error))

    async def stop_consuming(self, grace_seconds: float) -> None:
        """Take no new messages, then wait for the ones in hand to finish (acked or handed back)."""
        self._stopped = True
        if self._resumer is not None:
            self._resumer.cancel()
            self._resumer = None
        await self._cancel_consumer()
        try:
            await asyncio.wait_for(self._idle.wait(), timeout=grace_seconds)
        except TimeoutError:
            log.warning("in-flight messages not finished before the grace period", inflight=self._inflight)

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        self._inflight += 1
        self._idle.clear()
        try:
            await self._process(message)
        finally:
            self._inflight -= 1
            if self._inflight == 0:
                self._idle.set()

    async def _process(self, message: AbstractIncomingMessage) -> None:
        event_type = message.type or message.routing_key or "unknown"
        try:
            envelope = Envelope.from_bytes(message.body)
        except ValidationError as error:
            with bound(message_id=message.message_id, event_type=event_type):
                log.error("unreadable message", error=_error_text(error))
                await self._dead_letter(message, event_type, "malformed", error)
            return
        handler = self._handlers.get(envelope.event_type)
        if handler is None:
            # Only a binding left over from an older topology can bring it (every bound type has a handler,
            # checked at start): nothing here is for it.
            log.warning("event type without a handler acked", event_type=envelope.event_type,
                        routing_key=message.routing_key)
            await message.ack()
            return
        attempt = _int_header(message.headers, RETRY_ATTEMPT_HEADER)
        with bound(correlation_id=envelope.correlation_id, event_id=envelope.event_id,
                   event_type=envelope.event_type, attempt=attempt):
            started = time.perf_counter()
            try:
                await handler(envelope)
            except Exception as error:
                await self._failed(message, event_type, error, attempt)
            else:
                await message.ack()
                metrics.MESSAGES_CONSUMED.labels(self.service, event_type).inc()
                log.debug("handled")
            finally:
                metrics.HANDLER_SECONDS.labels(self.service, event_type).observe(time.perf_counter() - started)

    async def _failed(self, message: AbstractIncomingMessage, event_type: str, error: Exception,
                      attempt: int) -> None:
        if self._probe is not None and is_unavailable(error):
            # Not the event's fault: hand it back as it came (no retry spent) and pause until the store is back.
            metrics.MESSAGES_HELD_BACK.labels(self.service, event_type).inc()
            log.warning("store or broker away; message handed back", error=_error_text(error))
            self._pause(error)
            # Handed back only once the consumer is cancelled: else the broker would deliver it straight back.
            if self._cancelling is not None:
                await asyncio.shield(self._cancelling)
            try:
                await message.nack(requeue=True)
            except Exception as nack_error:  # the channel is gone too: the broker returns it by itself
                log.warning("hand-back failed; the broker redelivers it", error=_error_text(nack_error))
            return
        metrics.MESSAGES_FAILED.labels(self.service, event_type).inc()
        if isinstance(error, PermanentFailure | ValidationError):
            log.error("handler refused the event", error=_error_text(error))
            await self._dead_letter(message, event_type, "rejected_by_handler", error, attempt + 1)
        else:
            await self._retry_or_dead_letter(message, event_type, error, attempt)

    # -- pausing while the store is away -----------------------------------------------------

    def _pause(self, error: Exception) -> None:
        if self._paused_since is not None or self._stopped:
            return
        self._paused_since = time.monotonic()
        metrics.CONSUMER_PAUSED.labels(self.service).set(1)
        log.error("consumer paused: the store or broker is away; messages wait in the queue",
                  error=_error_text(error))
        self._cancelling = asyncio.create_task(self._cancel_consumer(), name=f"{self.service}-pause")
        self._resumer = asyncio.create_task(self._resume_when_back(), name=f"{self.service}-resume")

    async def _resume_when_back(self) -> None:
        """Stop taking messages, probe the store with backoff, and consume again once it takes a write."""
        assert self._probe is not None
        if self._cancelling is not None:
            await self._cancelling
        delay, probes = 0.5, 0
        while not self._stopped:
            await asyncio.sleep(delay)
            probes += 1
            if await self._probe():
                break
            log.warning("store still away; consumer stays paused", probes=probes, next_probe_s=delay)
            delay = min(delay * 2, self.settings.store_probe_max_seconds)
        if self._stopped:
            return
        # Messages still in hand finish (most fail fast and come back) before new ones are taken.
        await self._idle.wait()
        try:
            assert self._queue is not None
            self._consumer_tag = await self._queue.consume(self._on_message, no_ack=False)
        except Exception as error:
            log.error("could not consume again; trying later", error=_error_text(error))
            self._resumer = asyncio.create_task(self._resume_when_back(), name=f"{self.service}-resume")
            return
        paused = time.monotonic() - (self._paused_since or time.monotonic())
        self._paused_since = None
        self._resumer = None
        metrics.CONSUMER_PAUSED.labels(self.service).set(0)
        log.warning("consumer resumed: the store takes writes again", paused_s=round(paused, 1), probes=probes)

    async def _retry_or_dead_letter(self, message: AbstractIncomingMessage, event_type: str,
                                    error: Exception, attempt: int) -> None:
        delays = self.settings.bus_retry_delays_ms
        if attempt >= len(delays):
            log.error("handler failed; retries exhausted", error=_error_text(error), attempts=attempt + 1)
            await self._dead_letter(message, event_type, "retries_exhausted", error, attempt + 1)
            return
        delay_ms = delays[attempt]
        log.warning("handler failed; retrying later", error=_error_text(error), delay_ms=delay_ms)
        try:
            assert self._consume_channel is not None
            await self._send_copy(
                message, self._consume_channel.default_exchange, self.names.retry_queue(self.service, delay_ms),
                {RETRY_ATTEMPT_HEADER: attempt + 1, ERROR_HEADER: _error_text(error)},
            )
        except Exception as publish_error:
            # Could not park it for a retry: hand it back; the broker's delivery limit bounds this path.
            log.error("retry publish failed; returning message", error=_error_text(publish_error))
            await message.nack(requeue=True)
            return
        await message.ack()
        metrics.MESSAGES_RETRIED.labels(self.service, event_type).inc()

    async def _dead_letter(self, message: AbstractIncomingMessage, event_type: str, reason: str,
                           error: Exception, attempts: int = 0) -> None:
        assert self._dead_letters is not None
        try:
            await self._send_copy(message, self._dead_letters, self.names.queue(self.service), {
                REASON_HEADER: reason,
                ERROR_HEADER: _error_text(error),
                "x-failed-attempts": attempts,
                "x-failed-service": self.service,
                "x-dead-lettered-at": datetime.now(UTC).isoformat(),
            })
        except Exception as publish_error:
            log.error("dead-letter publish failed; returning message", error=_error_text(publish_error))
            await message.nack(requeue=True)
            return
        await message.ack()
        metrics.MESSAGES_DEAD_LETTERED.labels(self.service, event_type).inc()

    # -- operator tools ----------------------------------------------------------------------

    async def dead_letters(self, service: str, limit: int = 100) -> list[dict[str, Any]]:
        """Read up to `limit` dead letters of a service without removing them."""
        assert self._connection is not None
        channel = await self._connection.channel()
        try:
            queue = await self._declare_service_queues(channel, service)  # noqa: F841 - ensures it exists
            dlq = await channel.get_queue(self.names.dead_letter_queue(service), ensure=False)
            found: list[dict[str, Any]] = []
            while len(found) < limit:
                message = await dlq.get(no_ack=False, fail=False)
                if message is None:
                    break
                found.append(describe_dead_letter(message))
            return found
        finally:
            await channel.close()  # unacked gets go back to the queue as they were

    async def replay_dead_letters(self, service: str, event_ids: set[str] | None = None) -> int:
        """Send dead letters back to the service's own queue (all, or those with the given event ids)."""
        assert self._connection is not None
        channel = await self._connection.channel(publisher_confirms=True)
        replayed = 0
        try:
            await self._declare_service_queues(channel, service)
            dlq = await channel.get_queue(self.names.dead_letter_queue(service), ensure=False)
            skipped: list[AbstractIncomingMessage] = []
            while True:
                message = await dlq.get(no_ack=False, fail=False)
                if message is None:
                    break
                if event_ids is not None and message.message_id not in event_ids:
                    skipped.append(message)
                    continue
                await self._send_copy(message, channel.default_exchange, self.names.queue(service),
                                      {RETRY_ATTEMPT_HEADER: 0, "x-replayed-at": datetime.now(UTC).isoformat()})
                await message.ack()
                replayed += 1
        finally:
            await channel.close()
        return replayed


def describe_dead_letter(message: AbstractIncomingMessage) -> dict[str, Any]:
    headers: dict[str, Any] = dict(message.headers or {})
    reason = headers.get(REASON_HEADER)
    if reason is None:
        deaths = headers.get("x-death") or []
        reason = deaths[0].get("reason") if deaths else "unknown"  # e.g. delivery_limit, set by the broker
    return {
        "event_id": message.message_id,
        "event_type": message.type,
        "correlation_id": message.correlation_id,
        "reason": str(reason),
        "error": headers.get(ERROR_HEADER),
        "attempts": headers.get("x-failed-attempts"),
        "dead_lettered_at": headers.get("x-dead-lettered-at"),
    }
