"""What a submission event and a due reminder or digest become (no HTTP): the readers of the submission
events, then for each notice its template, its recipients (the applicant, the offices of the area, or the one
office the schedule names), what its template reads, what the log records and its outcome event. Each notice
goes out through services/notification/application/delivery.py; the final selection's messages are in
services/notification/application/publication.py.

- submission.* : the submission's state goes into the area-progress model first (reminders and digests read
  it), then routing says who hears of it; a re-score never reaches anyone, a committee review only when
  routing says so;
- schedule.notice_due : one office's reminder or digest from its area's progress; no reminder to an office
  whose area has nobody left to chase (when routing says so and the registry is loaded).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import ConfigDict

from services.notification.application.delivery import PRODUCER, Delivery, Notice, NotificationNotSent
from services.notification.area import AreaReport
from services.notification.privacy import normalise_address
from services.notification.recipients import Recipient, Routing
from services.notification.repository import Directory, ProgressModel, notification_id
from services.notification.schedule import Clock
from services.notification.templates import (
    DIGEST,
    RECEIVED,
    REJECTED,
    REMINDER,
    RETURNED,
    SCORED,
    Message,
    TemplateBook,
    TemplateProblem,
)
from shared.bus import PermanentFailure
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
    SubmissionRef,
    SubmissionRejected,
    SubmissionReturned,
    SubmissionScored,
)
from shared.logging import get_logger

log = get_logger(__name__)


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


# -- what the templates read ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Applicant:
    """The applicant as a recipient for the templates (greeting by contact name)."""

    kind: Literal["applicant"] = "applicant"
    office: str | None = None
    name: str | None = None


def render(book: TemplateBook, template: str, *, data: dict[str, Any], **context: Any) -> Message:
    """The message, or PermanentFailure when the template fails on this event: an operator's template edit
    that breaks dead-letters the event (replay it after the fix) instead of retrying it."""
    try:
        return book.render(template, data=data, **context)
    except TemplateProblem as error:
        raise PermanentFailure(str(error)) from error


def submission_context(event: Any, campaign: Campaign | None, occurred_at: datetime) -> dict[str, Any]:
    """What a submission template reads besides `recipient`: the event, its LAO and contact, the campaign (or
    None when unknown here) with its titles and deadline, and when the event happened."""
    return {
        "event": event, "lao": event.lao, "contact": event.contact, "campaign": campaign,
        "campaign_th": campaign.title_th if campaign else f"รอบการคัดเลือก {event.campaign}",
        "campaign_en": campaign.title_en if campaign else f"campaign {event.campaign}",
        "deadline": campaign.submission_deadline if campaign else None, "occurred_at": occurred_at,
    }


def submission_data(event: Any) -> dict[str, Any]:
    """What a webhook receiver gets besides the text: the facts, without the contact's details."""
    data: dict[str, Any] = {"submission_id": event.submission_id, "revision": event.revision,
                            "campaign": event.campaign, "lao": event.lao.model_dump(mode="json")}
    if isinstance(event, SubmissionReturned | SubmissionRejected):
        data["issues"] = [issue.model_dump(mode="json") for issue in event.issues]
    if isinstance(event, SubmissionScored):
        data.update(total=event.total, max_total=event.max_total, tier=event.tier, size_group=event.size_group,
                    rubric_version=event.rubric_version, trigger=event.trigger)
    return data


def area_data(due: NoticeDue, campaign: Campaign, report: AreaReport, now: datetime) -> dict[str, Any]:
    """What a webhook receiver gets of a reminder or digest besides the text: the area's report."""
    return {"campaign": campaign.key, "slot": due.slot, "deadline": campaign.submission_deadline.isoformat(),
            "as_of": now.isoformat(), "report": report.as_data()}


def time_left(deadline: datetime, now: datetime) -> timedelta:
    """Rounded as people read it: to the hour when days remain (a 7-day reminder says 7 days, not 6 days 23
    hours, when it goes out a few seconds late), to the minute otherwise."""
    left = deadline - now
    unit = timedelta(hours=1) if left >= timedelta(days=1) else timedelta(minutes=1)
    return unit * round(left / unit)


# -- submission.* ----------------------------------------------------------------------------------------------


class SubmissionNotices:
    """The applicant's notices of a submission event, and the offices' copies that routing asks for."""

    def __init__(self, *, progress: ProgressModel, directory: Directory, routing: Routing, campaigns: CampaignBook,
                 book: TemplateBook, delivery: Delivery) -> None:
        self.progress = progress
        self.directory = directory
        self.routing = routing
        self.campaigns = campaigns
        self.book = book
        self.delivery = delivery

    async def handle(self, envelope: Envelope, status: str, template: str | None, event: Any) -> None:
        """Record the submission's state, then tell each recipient once; NotificationNotSent when a channel
        failed and another attempt may help (the notifications already sent are not sent again)."""
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
        retry = False
        for recipient in await self._recipients(envelope, event, template, entry):
            shown = Applicant(name=recipient.name) if recipient.kind == "applicant" else recipient
            message = render(self.book, template, data=submission_data(event), recipient=shown, **context)
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
            retry = await self.delivery.deliver(notice) == "retry" or retry
        if retry:
            raise NotificationNotSent("a channel failed; the event is retried for the notifications not yet sent")

    async def _recipients(self, envelope: Envelope, event: Any, template: str,
                          entry: dict[str, Any]) -> list[Recipient]:
        """The applicant (recorded as skipped without a usable address) and the offices of its area."""
        audiences = self.routing.audiences(template)
        recipients: list[Recipient] = []
        if "applicant" in audiences:
            address = normalise_address(event.contact.email)
            if address is None:
                reason = "invalid_contact_email" if (event.contact.email or "").strip() else "no_contact_email"
                await self.delivery.skip(notification_id(envelope.event_id, template, None),
                                         {**entry, "channel": "email", "recipient": None,
                                          "recipient_kind": "applicant"}, template, reason)
            else:
                recipients.append(Recipient(kind="applicant", channel="email", address=address,
                                            name=event.contact.name))
        levels = self.routing.office_levels(template)
        if levels:
            recipients += await self.directory.offices(levels, template, event.lao.province_code,
                                                       event.lao.district_code)
        return recipients


# -- schedule.notice_due ---------------------------------------------------------------------------------------


class AreaNotices:
    """One office's reminder or digest, rendered from its area's progress when the schedule says it is due."""

    def __init__(self, *, progress: ProgressModel, directory: Directory, routing: Routing, campaigns: CampaignBook,
                 book: TemplateBook, delivery: Delivery, clock: Clock) -> None:
        self.progress = progress
        self.directory = directory
        self.routing = routing
        self.campaigns = campaigns
        self.book = book
        self.delivery = delivery
        self.clock = clock

    async def handle(self, envelope: Envelope, due: NoticeDue) -> None:
        """Send the notice once; NotificationNotSent when the channel failed and another attempt may help."""
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
            await self.delivery.skip(key, {**entry, "recipient": None}, due.template, "not_in_directory")
            return
        entry.update(recipient=contact.masked, office=contact.office)
        report = await self.progress.report(campaign, contact.areas, with_parts=due.template == DIGEST)
        if (due.template == REMINDER and self.routing.route(REMINDER).skip_when_nothing_to_chase
                and report.registry_loaded and not report.chase):
            await self.delivery.skip(key, entry, due.template, "nothing_to_chase")
            return
        now = self.clock()
        message = render(
            self.book, due.template, data=area_data(due, campaign, report, now), recipient=contact, report=report,
            campaign=campaign, campaign_th=campaign.title_th, campaign_en=campaign.title_en,
            deadline=campaign.submission_deadline, time_left=time_left(campaign.submission_deadline, now),
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
        if await self.delivery.deliver(notice) == "retry":
            raise NotificationNotSent("the channel failed; the notice is retried")
