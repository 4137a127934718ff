"""The rules about when a submission was made: a form timestamp that cannot be true, and the submission
period of its campaign (before the opening, after the deadline, under the campaign's late policy)."""

from __future__ import annotations

from collections.abc import Iterator

from services.validation.rules.case import Case, english_datetime, thai_datetime
from services.validation.rules.catalogue import finding
from shared.events import Issue

# --- (b) deadline ----------------------------------------------------------------------------------------


def check_timestamp(case: Case) -> Iterator[Issue]:
    if case.stamped_at is not None and not case.timestamp_trusted:
        yield finding("SUBMITTED_AT_IN_FUTURE",
                      submitted_th=thai_datetime(case.stamped_at), submitted_en=english_datetime(case.stamped_at),
                      received_th=thai_datetime(case.received_at), received_en=english_datetime(case.received_at))


def check_submission_period(case: Case) -> Iterator[Issue]:
    if case.timestamp_to_correct:
        return  # when it arrived says nothing of when it was answered (a backfill): the timestamp is corrected first
    campaign, at = case.campaign, case.judged_at
    when = {"submitted_th": thai_datetime(at), "submitted_en": english_datetime(at)}
    if at < campaign.opens_at:
        yield finding("SUBMITTED_BEFORE_OPENING", **when,
                      opens_th=thai_datetime(campaign.opens_at), opens_en=english_datetime(campaign.opens_at))
    elif campaign.is_late(at):
        code = "SUBMITTED_LATE" if campaign.late_policy == "reject" else "SUBMITTED_LATE_ACCEPTED"
        yield finding(code, **when, deadline_th=thai_datetime(campaign.submission_deadline),
                      deadline_en=english_datetime(campaign.submission_deadline))
