"""Notification's composition root: its collections and indexes, its channels, templates, routing and
directory, its handlers, its scheduler, and its outbox."""

from __future__ import annotations

from datetime import timedelta

import httpx

from services.notification import api
from services.notification.api.deps import Parts
from services.notification.application.delivery import Delivery
from services.notification.application.notices import AreaNotices, SubmissionNotices
from services.notification.application.publication import SelectionNotices
from services.notification.channels import Channel, LineChannel, WebhookChannel
from services.notification.handlers import HANDLES, Notifier
from services.notification.mailer import EmailChannel
from services.notification.privacy import use_digest_key
from services.notification.recipients import Routing
from services.notification.repository import Directory, NotificationLog, ProgressModel, ScheduleBook
from services.notification.schedule import Clock, Scheduler, utc_clock
from services.notification.templates import TemplateBook
from shared.bus import bind
from shared.runtime import Component, Context, ServiceSpec
from shared.secrets import digest_key


def make_spec(clock: Clock = utc_clock) -> ServiceSpec:
    """The service; `clock` is what the scheduler and the templates take for now (tests move it)."""

    async def setup(context: Context) -> Component:
        settings = context.settings
        use_digest_key(digest_key(settings))  # recipients' digests (services/notification/privacy.py)
        # Operators' files are checked here, so a broken template or routing stops the start, not a send.
        book = TemplateBook(settings.notification_templates_dir, thai_digits=settings.notification_thai_digits)
        book.check()
        routing = Routing.load(settings.notification_routing_file)
        http = httpx.AsyncClient(timeout=settings.notification_http_timeout_seconds, follow_redirects=False)
        channels: dict[str, Channel] = {
            "email": EmailChannel(settings),
            "webhook": WebhookChannel(settings, http),
            "line": LineChannel(settings, http),
        }
        store = context.store
        # A claim outlives the longest possible delivery, so it lapses only when its consumer died mid-send.
        lease = timedelta(seconds=max(channel.send_timeout for channel in channels.values()) + 10)
        log = NotificationLog.of(store, lease=lease)
        progress = ProgressModel.of(store)
        directory = Directory.of(store)
        schedule = ScheduleBook.of(store)
        for repository in (log, progress, directory, schedule):
            await repository.create_indexes()
        assert context.relay is not None
        campaigns = context.campaigns
        # As many attempts as the bus delivers an event before dead-lettering it: the last one records the
        # failure (with its event) instead of leaving it to the dead-letter queue.
        delivery = Delivery(log_=log, channels=channels, relay=context.relay,
                            max_attempts=len(settings.bus_retry_delays_ms) + 1)
        notifier = Notifier(
            progress=progress,
            submissions=SubmissionNotices(progress=progress, directory=directory, routing=routing,
                                          campaigns=campaigns, book=book, delivery=delivery),
            areas=AreaNotices(progress=progress, directory=directory, routing=routing, campaigns=campaigns,
                              book=book, delivery=delivery, clock=clock),
            selection=SelectionNotices(log_=log, directory=directory, routing=routing, campaigns=campaigns,
                                       book=book, delivery=delivery),
        )
        scheduler = Scheduler(schedule, directory, routing, campaigns, context.relay, clock=clock,
                              interval_seconds=settings.notification_schedule_interval_seconds,
                              max_late=timedelta(hours=settings.notification_schedule_max_late_hours))
        scheduler.start()

        async def stop() -> None:
            await scheduler.stop()
            await http.aclose()

        return Component(handlers=bind(HANDLES, notifier), outbox_collections=[log.notifications, schedule.slots],
                         on_stop=stop,
                         state=Parts(log=log, notifier=notifier, directory=directory, progress=progress,
                                     schedule=schedule, scheduler=scheduler, settings=settings))

    return ServiceSpec(
        name="notification",
        default_port=8004,
        title="Smart City selection — notification",
        description=(
            "แจ้งเทศบาลผู้สมัครเมื่อได้รับข้อมูล ส่งคืนให้แก้ไข ไม่ผ่านเงื่อนไข และได้รับผลคะแนน และแจ้งสำนักงานส่งเสริมการปกครอง"
            "ท้องถิ่นอำเภอและจังหวัดถึงเทศบาลในพื้นที่ที่ยังต้องติดตามก่อนกำหนดส่ง พร้อมสรุปความคืบหน้ารายวัน\n\n"
            "Tells the applicant when a submission is received, returned for correction (every issue), rejected "
            "(the reasons) and scored, and tells district, provincial and national offices who in their area "
            "still has to submit or fix (reminders before the deadline) and how the area is doing (daily "
            "digest). When DLA publishes the final selection, tells each municipality its result and each "
            "office the selected municipalities of its area, once (again only to those whose result changed). "
            "E-mail (SMTP), signed webhooks and LINE; one log entry per notification with its "
            "delivery status; a redelivered event or a restart never sends a message twice. Publishes "
            "`notification.sent` / `notification.failed` (about a submission) and `notification.area_sent` / "
            "`notification.area_failed` (reminders and digests)."
        ),
        setup=setup,
        routers=api.routers,
        # More messages in hand than SMTP connections (SMTP_MAX_CONNECTIONS): each message waits on the store
        # several times, and those waits overlap (docs/performance.md).
        default_prefetch=64,
    )


SPEC = make_spec()
