"""Validation's message handlers: each reads its event and hands it to the use cases (`application.py`).

    submission.received              one verdict per revision
    validation.lao_attach_requested  the application judged again with the office's LAO

An event naming a campaign this service does not know contradicts its contract: it goes to the dead letters
at once (`PermanentFailure`) instead of being retried.
"""

from __future__ import annotations

from services.validation.application import Validation
from shared.bus import Handles, PermanentFailure
from shared.campaign import UnknownCampaign
from shared.events import Envelope, LaoAttachRequested, SubmissionReceived


class ValidationHandlers:
    def __init__(self, validation: Validation) -> None:
        self.validation = validation

    async def on_received(self, envelope: Envelope) -> None:
        received = envelope.read(SubmissionReceived)
        try:
            await self.validation.judge_received(received, envelope)
        except UnknownCampaign:
            raise PermanentFailure(f"unknown campaign {received.campaign!r}") from None

    async def on_attach_requested(self, envelope: Envelope) -> None:
        request = envelope.read(LaoAttachRequested)
        try:
            await self.validation.attach_lao(request, envelope)
        except UnknownCampaign:
            raise PermanentFailure(f"unknown campaign {request.campaign!r}") from None


# What validation consumes (its queue's bindings, shared/topology.py): each event model and the method that takes it.
HANDLES: Handles[ValidationHandlers] = {
    SubmissionReceived: ValidationHandlers.on_received,
    LaoAttachRequested: ValidationHandlers.on_attach_requested,
}
