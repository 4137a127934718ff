"""Notification's composition root: its log collection and indexes, its mailer, its handlers, its outbox."""

from __future__ import annotations

from datetime import timedelta

from services.notification.api import router
from services.notification.handlers import Notifier
from services.notification.mailer import Mailer
from services.notification.repository import NotificationLog
from shared.runtime import Component, Context, ServiceSpec


async def setup(context: Context) -> Component:
    settings = context.settings
    mailer = Mailer(settings)
    # A claim outlives the longest possible delivery, so it lapses only when its consumer died mid-send.
    log = NotificationLog(context.store.collection("notifications"),
                          lease=timedelta(seconds=mailer.send_timeout + 10))
    await log.create_indexes()
    assert context.relay is not None
    # As many attempts as the bus delivers an event before dead-lettering it: the last one records the
    # failure (with its event) instead of leaving it to the dead-letter queue.
    notifier = Notifier(log, mailer, context.relay, context.campaigns,
                        max_attempts=len(settings.bus_retry_delays_ms) + 1)
    return Component(handlers=notifier.handlers(), outbox_collections=[log.notifications],
                     state={"log": log, "notifier": notifier})


SPEC = ServiceSpec(
    name="notification",
    default_port=8004,
    title="Smart City selection — notification",
    description=(
        "แจ้งผู้ประสานงานของเทศบาลทางอีเมลเมื่อได้รับข้อมูล ส่งคืนให้แก้ไข ไม่ผ่านเงื่อนไข และได้รับผลคะแนน\n\n"
        "E-mails the applicant's contact when a submission is received, returned for correction (with every "
        "issue), rejected (with the reasons) and scored (with the points per criterion). One log entry per "
        "notification with its delivery status; a redelivered event never sends a second e-mail. Publishes "
        "`notification.sent` / `notification.failed`."
    ),
    setup=setup,
    routers=[router],
)
