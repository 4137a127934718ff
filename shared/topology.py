"""Who consumes what: the one map of queues and bindings, declared whole by every service at start.

Declaring every consumer's queue before anything is published means no event is ever dropped by the
topic exchange for want of a bound queue, whichever service happens to start first.
"""

from __future__ import annotations

from shared import events

SUBSCRIPTIONS: dict[str, tuple[str, ...]] = {
    # An office's attachment of an unidentified response to an LAO comes from reporting.
    "validation": (events.SUBMISSION_RECEIVED, events.VALIDATION_LAO_ATTACH_REQUESTED),
    # Returned and rejected revisions too: a newer revision that did not pass supersedes an older scored one.
    "scoring": (
        events.SUBMISSION_VALIDATED,
        events.SUBMISSION_RETURNED,
        events.SUBMISSION_REJECTED,
        events.SCORING_RESCORE_RUN_REQUESTED,
        events.SCORING_RESCORE_REQUESTED,
        events.SCORING_REVIEW_RECORDED,
    ),
    "notification": (
        events.SUBMISSION_RECEIVED,
        # Accepted revisions: notification's own area-progress model (who is done, who is still to chase).
        events.SUBMISSION_VALIDATED,
        events.SUBMISSION_RETURNED,
        events.SUBMISSION_REJECTED,
        events.SUBMISSION_SCORED,
        # Its own command: one office's reminder or digest is due (written by its scheduler).
        events.SCHEDULE_NOTICE_DUE,
        # Who has not submitted yet: notification keeps its own copy of the registry (acked until then).
        "registry.*",
        # The final selection: the winners, their provinces and districts, and those not selected hear it.
        events.SELECTION_PUBLISHED,
    ),
    # Expected municipalities per district come from the registry.
    "reporting": ("submission.*", "notification.*", "registry.*", "selection.*"),
}


class Names:
    """Exchange and queue names under one namespace."""

    def __init__(self, namespace: str) -> None:
        self.namespace = namespace
        self.events_exchange = f"{namespace}.events"
        self.dead_letter_exchange = f"{namespace}.dead-letter"

    def queue(self, service: str) -> str:
        return f"{self.namespace}.{service}"

    def dead_letter_queue(self, service: str) -> str:
        return f"{self.namespace}.{service}.dead-letter"

    def retry_queue(self, service: str, delay_ms: int) -> str:
        return f"{self.namespace}.{service}.retry.{delay_ms}ms"
