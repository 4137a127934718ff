"""Reminders and digests on the campaign's clock: which slots exist, which are due, which a late start sends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from services.notification.application.notices import time_left
from services.notification.schedule import campaign_slots, due_slots, parse_offset
from shared.campaign import Campaign, load_campaigns

FY2568 = load_campaigns(None).get("fy2568")
DEADLINE = FY2568.submission_deadline  # 25 Nov 2568 23:00 Thai time = 16:00 UTC
DAY = timedelta(hours=24)


def _campaign(**changes: object) -> Campaign:
    return FY2568.model_copy(update=changes)


def test_offsets_read_days_hours_and_minutes() -> None:
    assert [parse_offset(t) for t in ("7d", "1d", "3h", "30m")] == [
        timedelta(days=7), timedelta(days=1), timedelta(hours=3), timedelta(minutes=30)]
    with pytest.raises(ValueError, match="not an offset"):
        parse_offset("1w")


def test_the_campaign_file_has_reminders_before_the_deadline_and_a_daily_digest_by_default() -> None:
    assert FY2568.reminders_before_deadline == ("7d", "1d", "3h") and FY2568.digest_time == "08:00"
    with pytest.raises(ValidationError):
        Campaign.model_validate({**FY2568.model_dump(), "reminders_before_deadline": ["a week"]})
    with pytest.raises(ValidationError):
        Campaign.model_validate({**FY2568.model_dump(), "digest_time": "25:00"})


def test_slots_are_the_reminders_and_a_digest_each_morning_until_the_day_after_the_deadline() -> None:
    slots = campaign_slots(FY2568)
    reminders = [s for s in slots if s.template == "reminder"]
    assert [(s.name, s.due_at) for s in reminders] == [
        ("reminder-7d", DEADLINE - timedelta(days=7)), ("reminder-1d", DEADLINE - DAY),
        ("reminder-3h", DEADLINE - timedelta(hours=3))]
    digests = [s for s in slots if s.template == "digest"]
    # Opens 21 Oct 2568: digests from 22 Oct through 26 Nov (the morning after the deadline), at 08:00 Thai time.
    assert digests[0].name == "digest-2025-10-22" and digests[-1].name == "digest-2025-11-26"
    assert len(digests) == 36
    assert digests[0].due_at == datetime(2025, 10, 22, 1, 0, tzinfo=UTC)
    assert slots[0].id == "fy2568:digest-2025-10-22"
    assert campaign_slots(_campaign(reminders_before_deadline=(), digest_time="")) == []


def test_a_slot_is_due_from_its_time_on() -> None:
    at = DEADLINE - timedelta(days=7)
    fire, superseded = due_slots(FY2568, at - timedelta(seconds=1), timedelta(hours=24))
    assert "reminder-7d" not in [s.name for s in fire]
    fire, superseded = due_slots(FY2568, at, timedelta(hours=24))
    assert [s.name for s in fire] == ["reminder-7d", "digest-2025-11-18"] and superseded == []


def test_after_a_long_outage_only_the_newest_slot_of_each_kind_goes_out() -> None:
    # Down from before the 7-day reminder until two hours after the 1-day one.
    now = DEADLINE - DAY + timedelta(hours=2)
    fire, superseded = due_slots(FY2568, now, timedelta(days=30))
    assert [s.name for s in fire] == ["reminder-1d", "digest-2025-11-24"]  # 01:00 on the 25th, Thai time
    assert "reminder-7d" in [s.name for s in superseded] and "digest-2025-11-23" in [s.name for s in superseded]


def test_a_slot_older_than_the_allowed_lateness_is_not_sent_and_no_reminder_after_the_deadline() -> None:
    assert due_slots(FY2568, DEADLINE + timedelta(minutes=1), timedelta(days=30))[0] == [
        s for s in campaign_slots(FY2568) if s.name == "digest-2025-11-25"]
    assert due_slots(FY2568, datetime(2026, 11, 26, tzinfo=UTC), timedelta(hours=24)) == ([], [])


def test_time_left_reads_as_people_read_it() -> None:
    assert time_left(DEADLINE, DEADLINE - timedelta(days=7) + timedelta(seconds=5)) == timedelta(days=7)
    assert time_left(DEADLINE, DEADLINE - timedelta(hours=3) + timedelta(seconds=20)) == timedelta(hours=3)
    assert time_left(DEADLINE, DEADLINE - timedelta(minutes=90, seconds=10)) == timedelta(minutes=90)
