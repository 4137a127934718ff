"""What every rule reads from one submission, resolved once (`Case`: its province, district, LAO type, the
moment the deadline is judged on, the registry match), and how the rules' messages write a moment in Thai and
in English."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from geothai.types import District, Province

from services.validation.lao_types import canonical_lao_type
from services.validation.matching import RegistryMatch
from shared import geo, thai
from shared.campaign import Campaign
from shared.events import Issue
from shared.submission import Submission
from shared.thai import MONTHS_EN_SHORT, MONTHS_TH_SHORT, THAI_TZ, be_year

# A form's timestamp may run a little ahead of our clock; beyond this it cannot be trusted.
CLOCK_TOLERANCE = timedelta(minutes=5)


def _clock(local: datetime) -> str:
    # Seconds only when they matter, so that 23:00:01 does not read as the 23:00 deadline itself.
    return local.strftime("%H:%M:%S" if local.second else "%H:%M")


def thai_datetime(moment: datetime) -> str:
    """`25 พ.ย. 2568 23:00 น.`: Thai time, Buddhist-era year, as official letters write it."""
    local = moment.astimezone(THAI_TZ)
    return f"{local.day} {MONTHS_TH_SHORT[local.month - 1]} {be_year(local.year)} {_clock(local)} น."


def english_datetime(moment: datetime) -> str:
    """`25 Nov 2025 23:00 Thai time (UTC+7)`."""
    local = moment.astimezone(THAI_TZ)
    return f"{local.day} {MONTHS_EN_SHORT[local.month - 1]} {local.year} {_clock(local)} Thai time (UTC+7)"


def _aware(moment: datetime, zone: Any) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)


def text_of(value: Any) -> str:
    """An answer as cleaned text; anything that is not text reads as blank."""
    return thai.clean_text(value) if isinstance(value, str) else ""


# --- the facts every check reads, resolved once ----------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One submission as the rules read it, against its campaign and the moment it was received."""

    submission: Submission
    campaign: Campaign
    received_at: datetime
    stamped_at: datetime | None  # the form's own timestamp, if any
    timestamp_trusted: bool
    province: Province | None
    district: District | None
    lao_type: str | None  # canonical Thai type, when the answer names one
    registry: RegistryMatch | None = None  # None when no registry was consulted

    @property
    def timestamp_to_correct(self) -> bool:
        """The form's timestamp could not be read (intake kept it as written): the deadline waits for it."""
        problems = getattr(self.submission, "answer_problems", None) or ()
        return self.stamped_at is None and any(p.field == "submitted_at" for p in problems)

    @property
    def judged_at(self) -> datetime:
        """The moment the deadline is judged on: the form's timestamp, unless absent or impossible."""
        if self.stamped_at is not None and self.timestamp_trusted:
            return self.stamped_at
        return self.received_at


def read_case(submission: Submission, campaign: Campaign, received_at: datetime) -> Case:
    # A naive received_at comes from our own clock, which services keep in UTC; a naive form timestamp is
    # Thai time, as the form shows it (shared.submission reads it the same way).
    received = _aware(received_at, UTC)
    stamped = getattr(submission, "submitted_at", None)
    stamped = _aware(stamped, THAI_TZ) if isinstance(stamped, datetime) else None
    lao = getattr(submission, "lao", None)
    province = geo.resolve_province(text_of(getattr(lao, "province", None)))
    district = geo.resolve_district(text_of(getattr(lao, "district", None)), province.code) if province else None
    return Case(
        submission=submission,
        campaign=campaign,
        received_at=received,
        stamped_at=stamped,
        timestamp_trusted=stamped is None or stamped <= received + CLOCK_TOLERANCE,
        province=province,
        district=district,
        lao_type=canonical_lao_type(getattr(lao, "type", None)),
    )


# One rule's check: the findings it makes about a case.
Check = Callable[[Case], Iterator[Issue]]
