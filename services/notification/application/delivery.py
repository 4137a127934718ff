"""The one place a notification goes out: claim it in the delivery log, send it over its channel, record the
outcome with its event, or record why it is not sent.

- The log's `_id` is the notification's idempotency key. A notification is claimed (with a lease) before it
  is sent, so a redelivered event or a competing consumer never sends it twice; a copy that arrives while
  another consumer is sending it waits for that outcome (at most one lease).
- Sent: the log says `sent` and holds the outcome event (`notification.sent`, `notification.area_sent`) in its
  outbox, in one write.
- A failure that another attempt may fix releases the claim and answers "retry": the caller raises
  `NotificationNotSent`, so the bus retries the event later (its delayed retries are the back-off). A
  permanent failure, or the last attempt the bus gives, is recorded `failed` with its event and the event is
  done.
- A recipient whose channel lacks its credentials, or who cannot or need not be written to, is `skipped`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from prometheus_client import Counter

from services.notification.channels import Channel, DeliveryError
from services.notification.recipients import Recipient
from services.notification.repository import ADDRESS_FIELD, FINAL, NotificationLog
from services.notification.templates import Message
from shared.events import Envelope
from shared.logging import get_logger
from shared.outbox import OutboxRelay

log = get_logger(__name__)
PRODUCER = "notification"

NOTIFICATIONS = Counter(
    "smartcity_notifications_total", "Notifications by template and final status", ["template", "status"]
)
DELIVERY_ATTEMPTS_FAILED = Counter(
    "smartcity_notification_attempts_failed_total", "Delivery attempts that failed", ["template", "channel"]
)

Result = Literal["sent", "done", "failed", "skipped", "retry"]


class NotificationNotSent(Exception):
    """An attempt failed and another may succeed: raised so that the bus retries the event later."""


class NotificationInFlight(Exception):
    """Another consumer holds this notification right now: retry later, when it is sent or released."""


@dataclass
class Notice:
    """One notification about to be delivered: its key, recipient, message, what the log records, and its
    outcome event (sent or not, attempts, error)."""

    key: str
    template: str
    recipient: Recipient
    message: Message
    entry: dict[str, Any]
    outcome: Callable[[bool, int, str | None], Envelope]


class Delivery:
    def __init__(self, *, log_: NotificationLog, channels: Mapping[str, Channel], relay: OutboxRelay,
                 max_attempts: int, claim_poll_seconds: float = 0.1) -> None:
        self.log = log_
        self.channels = channels
        self.relay = relay
        self.max_attempts = max_attempts  # the last attempt records the failure instead of raising for a retry
        self.claim_poll_seconds = claim_poll_seconds

    async def skip(self, key: str, entry: dict[str, Any], template: str, reason: str) -> None:
        """Record a notification that is not sent, and why (once: a redelivery finds it recorded)."""
        if await self.log.skip({"_id": key, **entry}, reason):
            NOTIFICATIONS.labels(template, "skipped").inc()
            log.info("notification skipped", template=template, reason=reason)

    async def deliver(self, notice: Notice) -> Result:
        """Claim, send and record one notification; "retry" when this attempt failed and another may not."""
        recipient, template = notice.recipient, notice.template
        entry = {"_id": notice.key, **notice.entry, "channel": recipient.channel, "recipient": recipient.masked,
                 "recipient_kind": recipient.kind, "recipient_hash": recipient.hash}
        if recipient.kind != "applicant":
            entry.update(office=recipient.office, areas=list(recipient.areas))
        channel = self.channels.get(recipient.channel)
        if channel is None or not channel.configured:
            await self.skip(notice.key, entry, template, "channel_not_configured")
            return "skipped"
        claimed = await self._claim({**entry, ADDRESS_FIELD: recipient.address})
        if claimed is None:
            return "done"
        attempts = int(claimed["attempts"])
        try:
            provider_id = await channel.send(notice.message, to=recipient.address, key=notice.key)
        except DeliveryError as error:
            DELIVERY_ATTEMPTS_FAILED.labels(template, recipient.channel).inc()
            return await self._failed(notice, attempts, error)
        if not await self.log.mark_sent(notice.key, notice.outcome(True, attempts, None), message_id=provider_id):
            # Only when this send outlived its lease and another consumer finished the notification meanwhile.
            log.warning("notification sent but already finished by another consumer", template=template,
                        recipient=recipient.masked)
            return "done"
        self.relay.notify()
        NOTIFICATIONS.labels(template, "sent").inc()
        log.info("notification sent", template=template, channel=recipient.channel, recipient=recipient.masked,
                 attempts=attempts)
        return "sent"

    async def _claim(self, document: dict[str, Any]) -> dict[str, Any] | None:
        """The claimed log entry, or None when this notification is already done.

        A copy of the event that arrives while another consumer is sending it waits here for that outcome
        (at most one lease) rather than bouncing through the retry queues into the dead letters.
        """
        deadline = asyncio.get_running_loop().time() + self.log.lease.total_seconds()
        claimed, current = await self.log.claim(document)
        while claimed is None:
            if current["status"] in FINAL:
                log.info("notification already handled", template=document["template"], status=current["status"])
                return None
            if asyncio.get_running_loop().time() > deadline:
                raise NotificationInFlight(f"notification {document['_id']} is still being sent by another consumer")
            await asyncio.sleep(self.claim_poll_seconds)
            claimed, current = await self.log.claim(document, create=False)
        return claimed

    async def _failed(self, notice: Notice, attempts: int, error: DeliveryError) -> Result:
        text, recipient = str(error), notice.recipient
        if error.permanent or attempts >= self.max_attempts:
            # Giving up is an outcome, recorded with its event; the message itself is done (acked).
            if await self.log.mark_failed(notice.key, notice.outcome(False, attempts, text), error=text):
                self.relay.notify()
                NOTIFICATIONS.labels(notice.template, "failed").inc()
            log.error("notification failed", template=notice.template, channel=recipient.channel,
                      recipient=recipient.masked, attempts=attempts, permanent=error.permanent, error=text)
            return "failed"
        await self.log.release(notice.key, error=text)
        log.warning("notification not sent; retrying", template=notice.template, channel=recipient.channel,
                    recipient=recipient.masked, attempts=attempts, max_attempts=self.max_attempts, error=text)
        return "retry"
