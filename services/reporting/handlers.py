"""Reporting's message handlers: every domain event of the contracts feeds its read models.

    submission.*        one submission's status, revisions, issues and score; its area's figures
    notification.*      the delivery status shown beside each submission and each office's notices
    registry.updated    the expected municipalities of each district (a province's LAOs replaced whole)
    selection.published DLA's final selection, shown in the dashboard and the documents

Each event is logged once by its id and projected (services/reporting/application/view_updates.py), so a
redelivered or out-of-order event never changes the figures.
"""

from __future__ import annotations

from services.reporting.application import ViewUpdates
from shared.bus import Handles
from shared.events import (
    AreaNotificationFailed,
    AreaNotificationSent,
    Envelope,
    NotificationFailed,
    NotificationSent,
    RegistryUpdated,
    SelectionPublished,
    SubmissionReceived,
    SubmissionRejected,
    SubmissionReturned,
    SubmissionScored,
    SubmissionValidated,
)


class ReportingHandlers:
    def __init__(self, view_updates: ViewUpdates) -> None:
        self.view_updates = view_updates

    async def on_event(self, envelope: Envelope) -> None:
        """Log and project one event; returns only once every write is done (the bus acks after this)."""
        await self.view_updates.handle(envelope)


# What reporting consumes (its queue's bindings, shared/topology.py): every domain event, none of the commands
# the other services send themselves.
HANDLES: Handles[ReportingHandlers] = dict.fromkeys(
    (SubmissionReceived, SubmissionValidated, SubmissionReturned, SubmissionRejected, SubmissionScored,
     NotificationSent, NotificationFailed, AreaNotificationSent, AreaNotificationFailed, RegistryUpdated,
     SelectionPublished),
    ReportingHandlers.on_event,
)
