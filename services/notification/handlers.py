"""What notification does with each event it receives (each handler reads its event and hands it on):

- submission.* : record the submission's state in the area-progress model, then tell the applicant and the
  offices of the area that routing names (services/notification/application/notices.py);
- registry.updated : replace its copy of the province's LAOs (who is expected to submit);
- schedule.notice_due : one office's reminder or digest from the area's progress (notices.py);
- selection.published : each municipality's final result and each office's list of its area, once; a later
  publication writes again only to those whose result changed (services/notification/application/publication.py).

Every message goes out through application/delivery.py, so a redelivered event never sends a second
one. A channel failure that another attempt may fix raises, so the bus retries the event later; after the last
attempt the log says failed and the failure is announced (`notification.failed` / `notification.area_failed`).
"""

from __future__ import annotations

from services.notification.application.notices import AreaNotices, SubmissionNotices, read
from services.notification.application.publication import SelectionNotices
from services.notification.repository import ProgressModel
from shared.bus import Handles
from shared.events import (
    Envelope,
    NoticeDue,
    RegistryUpdated,
    SelectionPublished,
    SubmissionReceived,
    SubmissionRejected,
    SubmissionReturned,
    SubmissionScored,
    SubmissionValidated,
)
from shared.logging import get_logger

log = get_logger(__name__)


class Notifier:
    def __init__(self, *, progress: ProgressModel, submissions: SubmissionNotices, areas: AreaNotices,
                 selection: SelectionNotices) -> None:
        self.progress = progress
        self.submissions = submissions
        self.areas = areas
        self.selection = selection

    async def on_registry(self, envelope: Envelope) -> None:
        event = envelope.read(RegistryUpdated)
        replaced = await self.progress.replace_province(event)
        log.info("registry copy updated" if replaced else "registry event already applied",
                 province_code=event.province_code, laos=len(event.laos))

    async def on_submission(self, envelope: Envelope) -> None:
        # A payload that breaks its contract raises ValidationError here: the bus dead-letters it at once.
        status, template, event = read(envelope)
        await self.submissions.handle(envelope, status, template, event)

    async def on_notice_due(self, envelope: Envelope) -> None:
        await self.areas.handle(envelope, envelope.read(NoticeDue))

    async def on_selection(self, envelope: Envelope) -> None:
        await self.selection.handle(envelope, envelope.read(SelectionPublished))


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
