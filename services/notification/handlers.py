"""What notification does with each event it receives:

- submission.* : record the submission's state in the area-progress model, then render the template for each
  recipient that routing names (the applicant, the offices of the area), claim each notification in the log,
  send it, and record the outcome with its event — so a redelivered event never sends a second message;
- registry.updated : replace its copy of the province's LAOs (who is expected to submit);
- schedule.notice_due : render one office's reminder or digest from the area's progress, and send it once;
- selection.published : tell each municipality its final result (congratulations, or thanks with its points
  per section) and each office the selected municipalities of its area, once; a later publication writes
  again only to those whose result changed (services/notification/selection.py).

A channel failure that another attempt may fix raises, so the bus retries the event later (its delayed
retries are the back-off); the notifications already sent are not sent again. After the last attempt the
log says failed and the failure is announced (`notification.failed` / `notification.area_failed`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Literal

from prometheus_client import Counter
from pydantic import ConfigDict

from services.notification import text
from services.notification.area import AreaReport
from services.notification.channels import Channel, DeliveryError
from services.notification.privacy import normalise_address
from services.notification.recipients import Recipient, Routing
from services.notification.repository import (
    ADDRESS_FIELD,
    FINAL,
    Directory,
    NotificationLog,
    ProgressModel,
    notification_id,
)
from services.notification.schedule import Clock
from services.notification.selection import (
    area_label,
    area_summary,
    entries_in,
    entry_data,
    is_selected,
    selection_key,
    slot,
)
from services.notification.templates import (
    DIGEST,
    RECEIVED,
    REJECTED,
    REMINDER,
    RETURNED,
    SCORED,
    SELECTION_AREA,
    SELECTION_NOT_SELECTED,
    SELECTION_WINNER,
    Message,
    TemplateBook,
    TemplateProblem,
)
from shared.bus import Handles, PermanentFailure
from shared.campaign import Campaign, CampaignBook
from shared.events import (
    SUBMISSION_RECEIVED,
    SUBMISSION_REJECTED,
    SUBMISSION_RETURNED,
    SUBMISSION_SCORED,
    SUBMISSION_VALIDATED,
    AreaNotificationFailed,
    AreaNotificationSent,
    ContactSummary,
    Envelope,
    LaoSummary,
    NoticeDue,
    NotificationFailed,
    NotificationSent,
    RegistryUpdated,
    SelectionEntry,
    SelectionPublished,
    SubmissionReceived,
    SubmissionRef,
    SubmissionRejected,
    SubmissionReturned,
    SubmissionScored,
    SubmissionValidated,
)
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
    """An attempt failed and another may succeed: raised so that the bus retries the event later."""


class NotificationInFlight(Exception):
    """Another consumer holds this notification right now: retry later, when it is sent or released."""


# -- readers: each reads only the fields notification uses, so an additive change upstream cannot break it ----


class _Reader(SubmissionRef):
    model_config = ConfigDict(extra="ignore")
    lao: LaoSummary
    contact: ContactSummary


class ReceivedNotice(_Reader):
    """`submission.received` as notification reads it (the submission itself is not needed here)."""

    received_at: datetime


class ValidatedNotice(_Reader):
    """`submission.validated`: only its place in the area's progress matters here."""


# event type → (status in the progress model, template or None, reader)
READERS: dict[str, tuple[str, str | None, type[_Reader] | type[SubmissionRef]]] = {
    SUBMISSION_RECEIVED: ("received", RECEIVED, ReceivedNotice),
    SUBMISSION_VALIDATED: ("validated", None, ValidatedNotice),
    SUBMISSION_RETURNED: ("returned", RETURNED, SubmissionReturned),
    SUBMISSION_REJECTED: ("rejected", REJECTED, SubmissionRejected),
    SUBMISSION_SCORED: ("scored", SCORED, SubmissionScored),
}


def read(envelope: Envelope) -> tuple[str, str | None, Any]:
    """(status, template or None, event data) of a submission event; ValidationError when it breaks its contract."""
    status, template, model = READERS[envelope.event_type]
    return status, template, model.model_validate(envelope.data)


@dataclass(frozen=True)
class Applicant:
    """The applicant as a recipient for the templates (greeting by contact name)."""

    kind: Literal["applicant"] = "applicant"
    office: str | None = None
    name: str | None = None


@dataclass
class Notice:
    """One notification about to be delivered: its key, recipient, message and what the log records."""

    key: str
    template: str
    recipient: Recipient
    message: Message
    entry: dict[str, Any]
    outcome: Callable[[bool, int, str | None], Envelope]


Result = Literal["sent", "done", "failed", "skipped", "retry"]
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


class Notifier:
    def __init__(self, *, log_: NotificationLog, progress: ProgressModel, directory: Directory,
                 channels: Mapping[str, Channel], book: TemplateBook, routing: Routing, relay: OutboxRelay,
                 campaigns: CampaignBook, max_attempts: int, clock: Clock, claim_poll_seconds: float = 0.1) -> None:
        self.log = log_
        self.progress = progress
        self.directory = directory
        self.channels = channels
        self.book = book
        self.routing = routing
        self.relay = relay
        self.campaigns = campaigns
        self.max_attempts = max_attempts
        self.clock = clock
        self.claim_poll_seconds = claim_poll_seconds

    # -- registry.updated --------------------------------------------------------------------------------

    async def on_registry(self, envelope: Envelope) -> None:
        event = envelope.read(RegistryUpdated)
        replaced = await self.progress.replace_province(event)
        log.info("registry copy updated" if replaced else "registry event already applied",
                 province_code=event.province_code, laos=len(event.laos))

    # -- submission.* ------------------------------------------------------------------------------------

    async def on_submission(self, envelope: Envelope) -> None:
        # A payload that breaks its contract raises ValidationError here: the bus dead-letters it at once.
        status, template, event = read(envelope)
        await self.progress.record(campaign=event.campaign, submission_id=event.submission_id,
                                   revision=event.revision, status=status, lao=event.lao, at=envelope.occurred_at)
        if template is None:
            return
        if isinstance(event, SubmissionScored) and (
                event.trigger == "rescore" or (event.trigger == "review" and not self.routing.route(SCORED).on_review)):
            log.debug("score not notified", trigger=event.trigger)  # a re-score never reaches applicants
            return
        campaign = self.campaigns.get(event.campaign) if event.campaign in self.campaigns else None
        context = submission_context(event, campaign, envelope.occurred_at)
        entry = {"submission_id": event.submission_id, "revision": event.revision, "campaign": event.campaign,
                 "event_id": envelope.event_id, "event_type": envelope.event_type, "template": template}
        audiences = self.routing.audiences(template)
        recipients: list[Recipient] = []
        if "applicant" in audiences:
            address = normalise_address(event.contact.email)
            if address is None:
                await self._skip_applicant(envelope, event, template, entry)
            else:
                recipients.append(Recipient(kind="applicant", channel="email", address=address,
                                            name=event.contact.name))
        levels = self.routing.office_levels(template)
        if levels:
            offices = await self.directory.offices(levels, event.lao.province_code, event.lao.district_code)
            recipients += [office for office in offices if office.wants(template)]

        retry = False
        for recipient in recipients:
            shown = Applicant(name=recipient.name) if recipient.kind == "applicant" else recipient
            message = self._render(template, data=_submission_data(event, template), recipient=shown, **context)
            key = notification_id(envelope.event_id, template, recipient.hash)

            def outcome(sent: bool, attempts: int, error: str | None, recipient: Recipient = recipient,
                        key: str = key) -> Envelope:
                model = NotificationSent if sent else NotificationFailed
                data = model(notification_id=key, submission_id=event.submission_id, revision=event.revision,
                             campaign=event.campaign, template=template, channel=recipient.channel,
                             recipient=recipient.masked, attempts=attempts, error=error)
                return Envelope.build(data, producer=PRODUCER, correlation_id=event.submission_id,
                                      causation=envelope)

            notice = Notice(key=key, template=template, recipient=recipient, message=message,
                            entry={**entry, "subject": message.subject}, outcome=outcome)
            retry = await self.deliver(notice) == "retry" or retry
        if retry:
            raise NotificationNotSent("a channel failed; the event is retried for the notifications not yet sent")

    async def _skip_applicant(self, envelope: Envelope, event: Any, template: str, entry: dict[str, Any]) -> None:
        reason = "invalid_contact_email" if (event.contact.email or "").strip() else "no_contact_email"
        key = notification_id(envelope.event_id, template, None)
        if await self.log.skip({"_id": key, **entry, "channel": "email", "recipient": None,
                                "recipient_kind": "applicant"}, reason):
            NOTIFICATIONS.labels(template, "skipped").inc()
            log.info("notification skipped", template=template, reason=reason)

    # -- schedule.notice_due -----------------------------------------------------------------------------

    async def on_notice_due(self, envelope: Envelope) -> None:
        due = envelope.read(NoticeDue)
        if due.campaign not in self.campaigns:
            raise PermanentFailure(f"unknown campaign {due.campaign!r}")
        campaign = self.campaigns.get(due.campaign)
        key = f"{due.campaign}:{due.slot}:{due.template}:{due.recipient_hash}"
        entry = {"submission_id": None, "campaign": due.campaign, "slot": due.slot, "event_id": envelope.event_id,
                 "event_type": envelope.event_type, "template": due.template, "channel": due.channel,
                 "recipient_kind": due.recipient_kind, "areas": due.areas, "recipient_hash": due.recipient_hash}
        contact = await self.directory.find(kind=due.recipient_kind, channel=due.channel,
                                            recipient_hash=due.recipient_hash, areas=due.areas)
        if contact is None:
            await self._skip(key, {**entry, "recipient": None}, due.template, "not_in_directory")
            return
        entry.update(recipient=contact.masked, office=contact.office)
        report = await self.progress.report(campaign, contact.areas, with_parts=due.template == DIGEST)
        if (due.template == REMINDER and self.routing.route(REMINDER).skip_when_nothing_to_chase
                and report.registry_loaded and not report.chase):
            await self._skip(key, entry, due.template, "nothing_to_chase")
            return
        now = self.clock()
        message = self._render(
            due.template, data=_area_data(due, campaign, report, now), recipient=contact, report=report,
            campaign=campaign, campaign_th=campaign.title_th, campaign_en=campaign.title_en,
            deadline=campaign.submission_deadline, time_left=_time_left(campaign.submission_deadline, now),
            as_of=now,
        )

        def outcome(sent: bool, attempts: int, error: str | None) -> Envelope:
            model = AreaNotificationSent if sent else AreaNotificationFailed
            data = model(notification_id=key, campaign=due.campaign, slot=due.slot, template=due.template,
                         channel=contact.channel, recipient=contact.masked, recipient_kind=contact.kind,
                         areas=list(contact.areas), attempts=attempts, error=error)
            return Envelope.build(data, producer=PRODUCER, correlation_id=envelope.correlation_id,
                                  causation=envelope)

        notice = Notice(key=key, template=due.template, recipient=contact, message=message,
                        entry={**entry, "subject": message.subject}, outcome=outcome)
        if await self.deliver(notice) == "retry":
            raise NotificationNotSent("the channel failed; the notice is retried")

    # -- selection.published ------------------------------------------------------------------------------

    async def on_selection(self, envelope: Envelope) -> None:
        """Every municipality of the publication hears its own result, every office with municipalities in its
        area gets its area's list; each message once (keys and decisions: services/notification/selection.py)."""
        event = envelope.read(SelectionPublished)
        campaign = self.campaigns.get(event.campaign) if event.campaign in self.campaigns else None
        context = {
            "selection": event, "campaign": campaign,
            "campaign_th": campaign.title_th if campaign else f"การคัดเลือก {event.campaign}",
            "campaign_en": campaign.title_en if campaign else f"selection {event.campaign}",
        }
        jobs: list[Callable[[], Awaitable[Result]]] = [
            partial(self._selection_entry, envelope, event, entry, context) for entry in event.entries
        ]
        levels = self.routing.office_levels(SELECTION_AREA)
        if levels:
            for office in await self.directory.at_levels(levels):
                if office.wants(SELECTION_AREA) and entries_in(office.areas, event.entries):
                    jobs.append(partial(self._selection_area, envelope, event, office, context))
        results = await _bounded(jobs, SELECTION_CONCURRENCY)
        log.info("selection notified", campaign=event.campaign, selection_version=event.selection_version,
                 **{result: results.count(result) for result in set(results)})
        if "retry" in results:
            raise NotificationNotSent("a channel failed; the publication is retried for the messages not yet sent")

    async def _selection_entry(self, envelope: Envelope, event: SelectionPublished, entry: SelectionEntry,
                               context: dict[str, Any]) -> Result:
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
            await self._skip(key, {**base, "channel": "email", "recipient": None, "recipient_kind": "applicant"},
                             template, reason)
            return "skipped"
        decision = await self._decide(event.campaign, entry.submission_id, event.selection_version, key, entry.tier)
        if decision.done:
            return "done"
        if decision.skip:
            await self._skip(key, {**base, "channel": recipient.channel, "recipient": recipient.masked,
                                   "recipient_kind": recipient.kind}, template, decision.skip)
            return "skipped"
        sizes = {group: names[0] for group, names in text.SIZE_GROUPS.items()}
        message = self._render(
            template, data={**entry_data(event, entry), "corrected": decision.corrected},
            recipient=Applicant(name=entry.contact.name), entry=entry, lao=entry.lao, contact=entry.contact,
            group_th=event.group_names.get(entry.size_group) or sizes.get(entry.size_group, entry.size_group),
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
                        entry={**base, "subject": message.subject, **_decided(decision)}, outcome=outcome)
        return await self.deliver(notice)

    async def _selection_area(self, envelope: Envelope, event: SelectionPublished, office: Recipient,
                              context: dict[str, Any]) -> Result:
        sizes = {group: names[0] for group, names in text.SIZE_GROUPS.items()}
        summary = area_summary(office.areas, entries_in(office.areas, event.entries), event.group_names, sizes)
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
            await self._skip(key, {**base, "channel": office.channel, "recipient": office.masked,
                                   "recipient_kind": office.kind, "office": office.office,
                                   "areas": list(office.areas)}, SELECTION_AREA, decision.skip)
            return "skipped"
        message = self._render(
            SELECTION_AREA, data={"campaign": event.campaign, "selection_version": event.selection_version,
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
                        entry={**base, "subject": message.subject, **_decided(decision)}, outcome=outcome)
        return await self.deliver(notice)

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

    # -- delivery ----------------------------------------------------------------------------------------

    def _render(self, template: str, *, data: dict[str, Any], **context: Any) -> Message:
        try:
            return self.book.render(template, data=data, **context)
        except TemplateProblem as error:
            # An operator's template edit that fails on this event: dead-letter it, replay after the fix.
            raise PermanentFailure(str(error)) from error

    async def _skip(self, key: str, entry: dict[str, Any], template: str, reason: str) -> None:
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
            await self._skip(notice.key, entry, template, "channel_not_configured")
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


def submission_context(event: Any, campaign: Campaign | None, occurred_at: datetime) -> dict[str, Any]:
    """What a submission template reads besides `recipient`: the event, its LAO and contact, the campaign (or
    None when unknown here) with its titles and deadline, and when the event happened."""
    return {
        "event": event, "lao": event.lao, "contact": event.contact, "campaign": campaign,
        "campaign_th": campaign.title_th if campaign else f"รอบการคัดเลือก {event.campaign}",
        "campaign_en": campaign.title_en if campaign else f"campaign {event.campaign}",
        "deadline": campaign.submission_deadline if campaign else None, "occurred_at": occurred_at,
    }


def _submission_data(event: Any, template: str) -> dict[str, Any]:
    """What a webhook receiver gets besides the text: the facts, without the contact's details."""
    data: dict[str, Any] = {"submission_id": event.submission_id, "revision": event.revision,
                            "campaign": event.campaign, "lao": event.lao.model_dump(mode="json")}
    if isinstance(event, SubmissionReturned | SubmissionRejected):
        data["issues"] = [issue.model_dump(mode="json") for issue in event.issues]
    if isinstance(event, SubmissionScored):
        data.update(total=event.total, max_total=event.max_total, tier=event.tier, size_group=event.size_group,
                    rubric_version=event.rubric_version, trigger=event.trigger)
    return data


def _decided(decision: Decision) -> dict[str, Any]:
    """What the log keeps of a decision, so that a redelivery renders the same message."""
    return {"corrected": decision.corrected, "previous_tier": decision.previous_tier,
            "previous_version": decision.previous_version}


async def _bounded(jobs: list[Callable[[], Awaitable[Result]]], limit: int) -> list[Result]:
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


def _area_data(due: NoticeDue, campaign: Campaign, report: AreaReport, now: datetime) -> dict[str, Any]:
    return {"campaign": campaign.key, "slot": due.slot, "deadline": campaign.submission_deadline.isoformat(),
            "as_of": now.isoformat(), "report": report.as_data()}


def _time_left(deadline: datetime, now: datetime) -> timedelta:
    """Rounded as people read it: to the hour when days remain (a 7-day reminder says 7 days, not 6 days 23
    hours, when it goes out a few seconds late), to the minute otherwise."""
    left = deadline - now
    unit = timedelta(hours=1) if left >= timedelta(days=1) else timedelta(minutes=1)
    return unit * round(left / unit)


# What notification consumes (its queue's bindings, shared/topology.py): every submission event (the applicant's
# notices, and its own area-progress model: who is done, who is still to chase), its own scheduler's command
# (one office's reminder or digest is due), its copy of the registry (who has not submitted yet) and the final
# selection (the winners, their provinces and districts, and those not selected hear it).
HANDLES: Handles[Notifier] = {
    SubmissionReceived: Notifier.on_submission,
    SubmissionValidated: Notifier.on_submission,
    SubmissionReturned: Notifier.on_submission,
    SubmissionRejected: Notifier.on_submission,
    SubmissionScored: Notifier.on_submission,
    NoticeDue: Notifier.on_notice_due,
    RegistryUpdated: Notifier.on_registry,
    SelectionPublished: Notifier.on_selection,
}
