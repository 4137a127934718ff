"""Reminders and digests on the campaign's clock.

Slots come from the campaign: a reminder `reminder-<offset>` at each of `reminders_before_deadline` before the
submission deadline, and a digest `digest-<date>` at `digest_time` (Thai time) on each day from the day after
opening until the day after the deadline. The scheduler looks at its (injectable) clock every
NOTIFICATION_SCHEDULE_INTERVAL_SECONDS, and right at start. A due slot is fired by inserting its document
(`_id` = campaign:slot) with one `schedule.notice_due` command per recipient in its outbox: the unique insert
is the claim, so a slot fires once whatever the number of replicas and restarts, and each recipient's notice
is then sent once (its key campaign:slot:template:recipient in the delivery log).

A slot that came due while the service was down fires after start, when it is no older than
NOTIFICATION_SCHEDULE_MAX_LATE_HOURS; of several missed slots of one kind only the newest goes out (the
others are recorded as superseded), and a reminder never goes out after the deadline.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from services.notification.application.delivery import PRODUCER
from services.notification.recipients import Routing
from services.notification.repository import Directory, ScheduleBook
from services.notification.templates import DIGEST, REMINDER
from shared.campaign import Campaign, CampaignBook
from shared.events import Envelope, NoticeDue
from shared.logging import get_logger
from shared.outbox import OutboxRelay
from shared.thai import THAI_TZ

log = get_logger(__name__)
Clock = Callable[[], datetime]
_OFFSET = re.compile(r"^([1-9][0-9]*)([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}


def utc_clock() -> datetime:
    return datetime.now(UTC)


def parse_offset(text: str) -> timedelta:
    """`7d` → 7 days, `3h` → 3 hours, `30m` → 30 minutes."""
    match = _OFFSET.match(text)
    if not match:
        raise ValueError(f"not an offset like 7d, 3h or 30m: {text!r}")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


@dataclass(frozen=True)
class Slot:
    campaign: str
    name: str
    template: str
    due_at: datetime

    @property
    def id(self) -> str:
        return f"{self.campaign}:{self.name}"


def campaign_slots(campaign: Campaign) -> list[Slot]:
    deadline = campaign.submission_deadline
    slots = [Slot(campaign.key, f"reminder-{offset}", REMINDER, deadline - parse_offset(offset))
             for offset in campaign.reminders_before_deadline]
    if campaign.digest_time:
        hour, minute = (int(part) for part in campaign.digest_time.split(":"))
        day = campaign.opens_at.astimezone(THAI_TZ).date() + timedelta(days=1)
        last = deadline.astimezone(THAI_TZ).date() + timedelta(days=1)
        while day <= last:
            at = datetime.combine(day, time(hour, minute), tzinfo=THAI_TZ).astimezone(UTC)
            slots.append(Slot(campaign.key, f"digest-{day.isoformat()}", DIGEST, at))
            day += timedelta(days=1)
    return sorted(slots, key=lambda slot: slot.due_at)


def due_slots(campaign: Campaign, now: datetime, max_late: timedelta) -> tuple[list[Slot], list[Slot]]:
    """(slots to fire now, slots superseded by a newer one of their kind) among the campaign's due slots."""
    due = [slot for slot in campaign_slots(campaign)
           if slot.due_at <= now and now - slot.due_at <= max_late
           and not (slot.template == REMINDER and now >= campaign.submission_deadline)]
    fire: list[Slot] = []
    superseded: list[Slot] = []
    for template in (REMINDER, DIGEST):
        kind = [slot for slot in due if slot.template == template]
        if kind:
            fire.append(kind[-1])
            superseded.extend(kind[:-1])
    return fire, superseded


class Scheduler:
    def __init__(self, book: ScheduleBook, directory: Directory, routing: Routing, campaigns: CampaignBook,
                 relay: OutboxRelay, *, clock: Clock, interval_seconds: float, max_late: timedelta) -> None:
        self.book = book
        self.directory = directory
        self.routing = routing
        self.campaigns = campaigns
        self.relay = relay
        self.clock = clock
        self.interval_seconds = interval_seconds
        self.max_late = max_late
        self._recorded: set[str] = set()
        self._task: asyncio.Task[None] | None = None
        self._stop = asyncio.Event()

    async def tick(self) -> list[str]:
        """Fire what is due now; returns the ids of the slots this call fired."""
        now = self.clock()
        fired: list[str] = []
        for key in self.campaigns.keys():
            fire, superseded = due_slots(self.campaigns.get(key), now, self.max_late)
            candidates = [slot for slot in [*fire, *superseded] if slot.id not in self._recorded]
            if not candidates:
                continue
            self._recorded |= await self.book.known([slot.id for slot in candidates])
            for slot in superseded:
                if slot.id not in self._recorded:
                    await self.book.record(self._document(slot, now, "superseded", 0))
                    log.info("schedule slot superseded by a newer one", slot=slot.id)
                    self._recorded.add(slot.id)
            for slot in fire:
                if slot.id not in self._recorded:
                    if await self._fire(slot, now):
                        fired.append(slot.id)
                    self._recorded.add(slot.id)
        if fired:
            self.relay.notify()
        return fired

    async def _fire(self, slot: Slot, now: datetime) -> bool:
        levels = self.routing.office_levels(slot.template)
        contacts = await self.directory.at_levels(levels, slot.template) if levels else []
        commands = [
            Envelope.build(NoticeDue(campaign=slot.campaign, slot=slot.name, template=slot.template,  # type: ignore[arg-type]
                                     due_at=slot.due_at, recipient_kind=contact.kind, channel=contact.channel,
                                     recipient_hash=contact.hash, areas=list(contact.areas)),
                           producer=PRODUCER, correlation_id=slot.id)
            for contact in contacts
        ]
        fired = await self.book.record(self._document(slot, now, "fired", len(commands)), commands)
        if fired:
            late = (now - slot.due_at).total_seconds()
            log.info("schedule slot fired", slot=slot.id, recipients=len(commands), late_seconds=round(late))
        return fired

    @staticmethod
    def _document(slot: Slot, now: datetime, status: str, recipients: int) -> dict[str, object]:
        return {"_id": slot.id, "campaign": slot.campaign, "slot": slot.name, "template": slot.template,
                "due_at": slot.due_at, "recorded_at": now, "status": status, "recipients": recipients}

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="notification-scheduler")

    async def stop(self) -> None:
        self._stop.set()
        if self._task is not None:
            await self._task
            self._task = None

    async def _run(self) -> None:
        while not self._stop.is_set():
            try:
                await self.tick()
            except Exception as error:  # the next tick tries again; a slot is never lost, only delayed
                log.warning("schedule tick failed", error=f"{type(error).__name__}: {error}")
            try:
                await asyncio.wait_for(self._stop.wait(), timeout=self.interval_seconds)
            except TimeoutError:
                pass

