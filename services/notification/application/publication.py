"""`selection.published` as notification sends it (no HTTP): every municipality of the publication hears its own
result (congratulations, or thanks with its points per section), every office with municipalities in its area
gets its area's list, each message once, through services/notification/application/delivery.py.

A later publication writes again only to those whose result changed: what each subject (a municipality, an
office and its areas) was last told decides it (keys, subjects and fingerprints:
services/notification/selection.py). Messages of one publication go out side by side, at most
SELECTION_CONCURRENCY at once; every one runs to its end before a failure is raised, so each outcome is in the
log and a retry of the event sends only what is not sent yet.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from services.notification.application.delivery import PRODUCER, Delivery, Notice, NotificationNotSent, Result
from services.notification.application.notices import Applicant, render
from services.notification.privacy import normalise_address
from services.notification.recipients import Recipient, Routing
from services.notification.repository import FINAL, Directory, NotificationLog
from services.notification.selection import (
    area_label,
    area_summary,
    entries_in,
    entry_data,
    group_name,
    is_selected,
    selection_key,
    slot,
)
from services.notification.templates import (
    SELECTION_AREA,
    SELECTION_NOT_SELECTED,
    SELECTION_WINNER,
    TemplateBook,
)
from shared.campaign import CampaignBook
from shared.events import (
    AreaNotificationFailed,
    AreaNotificationSent,
    Envelope,
    NotificationFailed,
    NotificationSent,
    SelectionEntry,
    SelectionPublished,
)
from shared.logging import get_logger

log = get_logger(__name__)
# Messages of one publication being delivered at once (each waits on the store and on its channel).
SELECTION_CONCURRENCY = 8


@dataclass(frozen=True)
class Decision:
    """Whether one subject of a publication (a municipality, an office) is written to, and how."""

    skip: str | None = None  # "unchanged" or "superseded": recorded, nothing sent
    done: bool = False  # this publication's message is already final (a redelivery)
    corrected: bool = False  # it replaces a different message sent for an earlier publication
    previous_tier: str | None = None
    previous_version: int | None = None

    def recorded(self) -> dict[str, Any]:
        """What the log keeps of the decision, so that a redelivery renders the same message."""
        return {"corrected": self.corrected, "previous_tier": self.previous_tier,
                "previous_version": self.previous_version}


class SelectionNotices:
    def __init__(self, *, log_: NotificationLog, directory: Directory, routing: Routing, campaigns: CampaignBook,
                 book: TemplateBook, delivery: Delivery) -> None:
        self.log = log_
        self.directory = directory
        self.routing = routing
        self.campaigns = campaigns
        self.book = book
        self.delivery = delivery

    async def handle(self, envelope: Envelope, event: SelectionPublished) -> None:
        """Tell everyone of the publication once; NotificationNotSent when a channel failed and another attempt
        may help."""
        campaign = self.campaigns.get(event.campaign) if event.campaign in self.campaigns else None
        context = {
            "selection": event, "campaign": campaign,
            "campaign_th": campaign.title_th if campaign else f"การคัดเลือก {event.campaign}",
            "campaign_en": campaign.title_en if campaign else f"selection {event.campaign}",
        }
        jobs: list[Callable[[], Awaitable[Result]]] = [
            partial(self._entry, envelope, event, entry, context) for entry in event.entries
        ]
        levels = self.routing.office_levels(SELECTION_AREA)
        if levels:
            for office in await self.directory.at_levels(levels, SELECTION_AREA):
                if entries_in(office.areas, event.entries):
                    jobs.append(partial(self._area, envelope, event, office, context))
        results = await bounded(jobs, SELECTION_CONCURRENCY)
        log.info("selection notified", campaign=event.campaign, selection_version=event.selection_version,
                 **{result: results.count(result) for result in set(results)})
        if "retry" in results:
            raise NotificationNotSent("a channel failed; the publication is retried for the messages not yet sent")

    async def _entry(self, envelope: Envelope, event: SelectionPublished, entry: SelectionEntry,
                     context: dict[str, Any]) -> Result:
        """One municipality's own result."""
        template = SELECTION_WINNER if is_selected(entry) else SELECTION_NOT_SELECTED
        if "applicant" not in self.routing.audiences(template):
            return "skipped"
        address = normalise_address(entry.contact.email)
        recipient = (Recipient(kind="applicant", channel="email", address=address, name=entry.contact.name)
                     if address else None)
        key = selection_key(event.campaign, event.selection_version, entry.submission_id, template,
                            recipient.hash if recipient else None)
        base: dict[str, Any] = {
            "submission_id": entry.submission_id, "revision": entry.revision, "campaign": event.campaign,
            "event_id": envelope.event_id, "event_type": envelope.event_type, "template": template,
            "selection_version": event.selection_version, "selection_subject": entry.submission_id,
            "selection_fingerprint": entry.tier, "tier": entry.tier,
        }
        if recipient is None:
            reason = "invalid_contact_email" if (entry.contact.email or "").strip() else "no_contact_email"
            await self.delivery.skip(key, {**base, "channel": "email", "recipient": None,
                                           "recipient_kind": "applicant"}, template, reason)
            return "skipped"
        decision = await self._decide(event.campaign, entry.submission_id, event.selection_version, key, entry.tier)
        if decision.done:
            return "done"
        if decision.skip:
            await self.delivery.skip(key, {**base, "channel": recipient.channel, "recipient": recipient.masked,
                                           "recipient_kind": recipient.kind}, template, decision.skip)
            return "skipped"
        message = render(
            self.book, template, data={**entry_data(event, entry), "corrected": decision.corrected},
            recipient=Applicant(name=entry.contact.name), entry=entry, lao=entry.lao, contact=entry.contact,
            group_th=group_name(event.group_names, entry.size_group),
            group_en=group_name(event.group_names_en, entry.size_group),
            sections=self.book.section_points(entry.sections), corrected=decision.corrected,
            previous_tier=decision.previous_tier, **context,
        )

        def outcome(sent: bool, attempts: int, error: str | None) -> Envelope:
            model = NotificationSent if sent else NotificationFailed
            data = model(notification_id=key, submission_id=entry.submission_id, revision=entry.revision,
                         campaign=event.campaign, template=template, channel=recipient.channel,
                         recipient=recipient.masked, attempts=attempts, error=error)
            return Envelope.build(data, producer=PRODUCER, correlation_id=entry.submission_id, causation=envelope)

        notice = Notice(key=key, template=template, recipient=recipient, message=message,
                        entry={**base, "subject": message.subject, **decision.recorded()}, outcome=outcome)
        return await self.delivery.deliver(notice)

    async def _area(self, envelope: Envelope, event: SelectionPublished, office: Recipient,
                    context: dict[str, Any]) -> Result:
        """One office's summary of its area."""
        summary = area_summary(office.areas, entries_in(office.areas, event.entries), event.group_names)
        label = f"area-{area_label(office.areas)}"
        subject = f"{label}:{office.hash}"
        key = selection_key(event.campaign, event.selection_version, label, SELECTION_AREA, office.hash)
        base: dict[str, Any] = {
            "submission_id": None, "campaign": event.campaign, "slot": slot(event.selection_version),
            "event_id": envelope.event_id, "event_type": envelope.event_type, "template": SELECTION_AREA,
            "selection_version": event.selection_version, "selection_subject": subject,
            "selection_fingerprint": summary.fingerprint,
        }
        decision = await self._decide(event.campaign, subject, event.selection_version, key, summary.fingerprint)
        if decision.done:
            return "done"
        if decision.skip:
            await self.delivery.skip(key, {**base, "channel": office.channel, "recipient": office.masked,
                                           "recipient_kind": office.kind, "office": office.office,
                                           "areas": list(office.areas)}, SELECTION_AREA, decision.skip)
            return "skipped"
        message = render(
            self.book, SELECTION_AREA,
            data={"campaign": event.campaign, "selection_version": event.selection_version,
                  "corrected": decision.corrected, "summary": summary.as_data()},
            recipient=office, summary=summary, corrected=decision.corrected, **context,
        )

        def outcome(sent: bool, attempts: int, error: str | None) -> Envelope:
            model = AreaNotificationSent if sent else AreaNotificationFailed
            data = model(notification_id=key, campaign=event.campaign, slot=slot(event.selection_version),
                         template=SELECTION_AREA, channel=office.channel, recipient=office.masked,
                         recipient_kind=office.kind, areas=list(office.areas), attempts=attempts, error=error)
            return Envelope.build(data, producer=PRODUCER, correlation_id=envelope.correlation_id,
                                  causation=envelope)

        notice = Notice(key=key, template=SELECTION_AREA, recipient=office, message=message,
                        entry={**base, "subject": message.subject, **decision.recorded()}, outcome=outcome)
        return await self.delivery.deliver(notice)

    async def _decide(self, campaign: str, subject: str, version: int, key: str, fingerprint: str) -> Decision:
        """Whether this publication writes to the subject: not when a later publication already decided about it
        (superseded), nor when the last message sent (or being sent) about it says the same (unchanged); a
        redelivery keeps what the first delivery decided (recorded with its log entry)."""
        records = await self.log.selection_records(campaign, subject)
        own = next((record for record in records if record["_id"] == key), None)
        if any(record.get("selection_version", 0) > version for record in records):
            if own is not None:
                await self.log.supersede(key)
            return Decision(skip="superseded")
        if own is not None:
            if own["status"] in FINAL:
                return Decision(done=True)
            return Decision(corrected=bool(own.get("corrected")), previous_tier=own.get("previous_tier"),
                            previous_version=own.get("previous_version"))
        told = []
        for record in records:
            if record.get("selection_version", 0) >= version:
                continue
            # An earlier publication's message still waiting for its next attempt gives way to this one; one
            # being sent right now (its lease runs) counts as told.
            if record["status"] == "sent" or (record["status"] == "pending" and not await self.log.supersede(
                    record["_id"])):
                told.append(record)
        prior = max(told, key=lambda record: record.get("selection_version", 0), default=None)
        if prior is None:
            return Decision()
        if prior.get("selection_fingerprint") == fingerprint:
            return Decision(skip="unchanged")
        return Decision(corrected=True, previous_tier=prior.get("tier"),
                        previous_version=prior.get("selection_version"))


async def bounded(jobs: list[Callable[[], Awaitable[Result]]], limit: int) -> list[Result]:
    """Every job's result, at most `limit` at once; every job runs to its end before the first error is raised,
    so that each one's outcome is in the log."""
    gate = asyncio.Semaphore(limit)

    async def run(job: Callable[[], Awaitable[Result]]) -> Result:
        async with gate:
            return await job()

    outcomes = await asyncio.gather(*(run(job) for job in jobs), return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return [outcome for outcome in outcomes if not isinstance(outcome, BaseException)]
