"""What notification does with each submission event: render the e-mail, claim it in the log, send it, and
record the outcome with its event, so that a redelivered event never sends a second e-mail."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from prometheus_client import Counter

from services.notification.mailer import DeliveryError, Mailer
from services.notification.repository import ADDRESS_FIELD, CHANNEL, FINAL, NotificationLog, notification_id
from services.notification.templates import (
    READERS,
    Notified,
    mask,
    normalise_address,
    read,
    recipient_hash,
    render,
)
from shared.bus import Handler
from shared.campaign import CampaignBook
from shared.events import Envelope, NotificationFailed, NotificationOutcome, NotificationSent
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


class NotificationNotSent(Exception):
    """This attempt failed and another may succeed: raised so that the bus retries the event later."""


class NotificationInFlight(Exception):
    """Another consumer holds this notification right now: retry later, when it is sent or released."""


class Notifier:
    def __init__(self, log_: NotificationLog, mailer: Mailer, relay: OutboxRelay, campaigns: CampaignBook, *,
                 max_attempts: int, claim_poll_seconds: float = 0.1) -> None:
        self.log = log_
        self.mailer = mailer
        self.relay = relay
        self.campaigns = campaigns
        self.max_attempts = max_attempts
        self.claim_poll_seconds = claim_poll_seconds

    def handlers(self) -> Mapping[str, Handler]:
        return dict.fromkeys(READERS, self.handle)

    async def handle(self, envelope: Envelope) -> None:
        # A payload that breaks its contract raises ValidationError here: the bus dead-letters it at once.
        template, event = read(envelope)
        campaign = self.campaigns.get(event.campaign) if event.campaign in self.campaigns else None
        mail = render(template, event, occurred_at=envelope.occurred_at, campaign=campaign)
        entry: dict[str, Any] = {
            "submission_id": event.submission_id,
            "revision": event.revision,
            "campaign": event.campaign,
            "event_id": envelope.event_id,
            "event_type": envelope.event_type,
            "template": template,
            "channel": CHANNEL,
            "subject": mail.subject,
        }

        address = normalise_address(event.contact.email)
        if address is None:
            reason = "invalid_contact_email" if (event.contact.email or "").strip() else "no_contact_email"
            key = notification_id(envelope.event_id, template, None)
            if await self.log.skip({"_id": key, **entry, "recipient": None}, reason):
                NOTIFICATIONS.labels(template, "skipped").inc()
                log.info("notification skipped", template=template, reason=reason)
            return

        masked, digest = mask(address), recipient_hash(address)
        key = notification_id(envelope.event_id, template, digest)
        claimed = await self._claim({"_id": key, **entry, "recipient": masked, "recipient_hash": digest,
                                     ADDRESS_FIELD: address})
        if claimed is None:
            return

        attempts = int(claimed["attempts"])
        try:
            message_id = await self.mailer.send(mail, to=address, key=key)
        except DeliveryError as error:
            DELIVERY_ATTEMPTS_FAILED.labels(template, CHANNEL).inc()
            await self._failed(envelope, event, template, key, masked, attempts, error)
            return
        outcome = self._outcome(NotificationSent, envelope, event, template, key, masked, attempts)
        if not await self.log.mark_sent(key, outcome, message_id=message_id):
            # Only when this send outlived its lease and another consumer finished the notification meanwhile.
            log.warning("notification sent but already finished by another consumer", template=template,
                        recipient=masked)
            return
        self.relay.notify()
        NOTIFICATIONS.labels(template, "sent").inc()
        log.info("notification sent", template=template, recipient=masked, attempts=attempts)

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

    async def _failed(self, envelope: Envelope, event: Notified, template: str, key: str, masked: str,
                      attempts: int, error: DeliveryError) -> None:
        text = str(error)
        if error.permanent or attempts >= self.max_attempts:
            # Giving up is an outcome, recorded with its event; the message itself is done (acked).
            outcome = self._outcome(NotificationFailed, envelope, event, template, key, masked, attempts, text)
            if await self.log.mark_failed(key, outcome, error=text):
                self.relay.notify()
                NOTIFICATIONS.labels(template, "failed").inc()
            log.error("notification failed", template=template, recipient=masked, attempts=attempts,
                      permanent=error.permanent, error=text)
            return
        await self.log.release(key, error=text)
        log.warning("notification not sent; retrying", template=template, recipient=masked, attempts=attempts,
                    max_attempts=self.max_attempts, error=text)
        raise NotificationNotSent(text)

    @staticmethod
    def _outcome(model: type[NotificationOutcome], envelope: Envelope, event: Notified, template: str, key: str,
                 masked: str, attempts: int, error: str | None = None) -> Envelope:
        data = model(notification_id=key, submission_id=event.submission_id, revision=event.revision,
                      campaign=event.campaign, template=template, channel=CHANNEL, recipient=masked,
                      attempts=attempts, error=error)
        return Envelope.build(data, producer=PRODUCER, correlation_id=event.submission_id, causation=envelope)
