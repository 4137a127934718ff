"""The final selection as notification tells it (no I/O): which message each municipality gets, what an
office's summary of its area lists, and the keys that make each of them go out once.

Keys (the delivery log's `_id`, docs/notification.md):

- a municipality's result: `selection:<campaign>:v<version>:<submission id>:<template>:<recipient digest>`;
- an office's summary: `selection:<campaign>:v<version>:area-<areas>:selection_area:<recipient digest>`.

A redelivered publication finds its keys and sends nothing again. A later publication (a higher version) has
new keys, so whether it writes to someone is decided by what that someone was last told: each log entry of the
selection carries its *subject* (the submission, or the office and its areas) and its *fingerprint* (the tier,
or a digest of the summary's list); a message goes out only when the fingerprint differs from the one of the
last message of the subject that was sent (or is being sent). Otherwise the entry is recorded `skipped`
(`unchanged`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from services.notification.area import area_name, covers
from shared.events import ContactSummary, LaoSummary, SelectionEntry, SelectionPublished
from shared.events import Tier as TierName

SELECTED_TIERS = ("outstanding", "efficient")
SIZE_ORDER = ("large", "medium", "small")
# The outcome events of an office's summary name the publication as their schedule slot.
SLOT_PREFIX = "selection-v"


def is_selected(entry: SelectionEntry) -> bool:
    return entry.tier in SELECTED_TIERS


def area_label(areas: Sequence[str]) -> str:
    """`36`, `3601+3602`, or `national`: the areas of an office in a key."""
    return "+".join(areas) if areas else "national"


def selection_key(campaign: str, version: int, subject: str, template: str, recipient_digest: str | None) -> str:
    return f"selection:{campaign}:v{version}:{subject}:{template}:{recipient_digest or '-'}"


def slot(version: int) -> str:
    return f"{SLOT_PREFIX}{version}"


def _size_rank(group: str) -> tuple[int, str]:
    return (SIZE_ORDER.index(group) if group in SIZE_ORDER else len(SIZE_ORDER), group)


@dataclass(frozen=True)
class Row:
    """One selected municipality in an office's summary."""

    submission_id: str
    name: str
    type: str | None
    province_name: str | None
    district_name: str | None
    rank: int

    def as_data(self) -> dict[str, Any]:
        return {"submission_id": self.submission_id, "name": self.name, "type": self.type,
                "province_name": self.province_name, "district_name": self.district_name}


@dataclass(frozen=True)
class Group:
    """The selected municipalities of one size group within one tier, in their ranking order."""

    size_group: str
    name_th: str
    rows: list[Row]


@dataclass(frozen=True)
class TierList:
    """The selected municipalities of one tier, size group by size group."""

    tier: str
    groups: list[Group]

    @property
    def count(self) -> int:
        return sum(len(group.rows) for group in self.groups)


@dataclass(frozen=True)
class AreaSummary:
    """What an office hears about its area: the selected ones by tier and size group, and how many were not."""

    areas: tuple[str, ...]
    area_th: str
    area_en: str
    tiers: list[TierList]
    selected: int
    not_selected: int
    participants: int = field(default=0)

    def as_data(self) -> dict[str, Any]:
        """The list as it is announced (also what the fingerprint is taken over): no ranks, no points."""
        return {
            "areas": list(self.areas), "selected": self.selected, "not_selected": self.not_selected,
            "tiers": {tier.tier: {group.size_group: [row.as_data() for row in group.rows] for group in tier.groups}
                      for tier in self.tiers},
        }

    @property
    def fingerprint(self) -> str:
        text = json.dumps(self.as_data(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:24]


def entries_in(areas: Sequence[str], entries: Sequence[SelectionEntry]) -> list[SelectionEntry]:
    """The entries an office of `areas` covers (none = the whole country)."""
    return [e for e in entries if covers(areas, e.lao.province_code, e.lao.district_code)]


def group_name(group_names: Mapping[str, str], group: str) -> str:
    """A size group's name as the publication gives it (from the campaign's rubric: `group_names` in Thai,
    `group_names_en` in English); the bare key when the event does not name it."""
    return group_names.get(group) or group


def area_summary(areas: Sequence[str], entries: Sequence[SelectionEntry],
                 group_names: Mapping[str, str]) -> AreaSummary:
    """The summary of the entries of one area: each tier (outstanding, then efficient), its size groups (large,
    medium, small, then any other), each group's municipalities by rank, then by name; `group_names` are the
    publication's Thai names of the size groups."""
    area_th, area_en = area_name(areas)
    selected = [e for e in entries if is_selected(e)]
    tiers = []
    for tier in SELECTED_TIERS:
        in_tier = [e for e in selected if e.tier == tier]
        groups = []
        for group in sorted({e.size_group for e in in_tier}, key=_size_rank):
            rows = sorted((e for e in in_tier if e.size_group == group), key=lambda e: (e.rank, e.lao.name))
            groups.append(Group(
                size_group=group, name_th=group_name(group_names, group),
                rows=[Row(submission_id=e.submission_id, name=e.lao.name, type=e.lao.type,
                          province_name=e.lao.province_name, district_name=e.lao.district_name, rank=e.rank)
                      for e in rows]))
        tiers.append(TierList(tier=tier, groups=groups))
    return AreaSummary(areas=tuple(areas), area_th=area_th, area_en=area_en, tiers=tiers, selected=len(selected),
                       not_selected=len(entries) - len(selected), participants=len(entries))


def entry_data(event: SelectionPublished, entry: SelectionEntry) -> dict[str, Any]:
    """What a webhook receiver gets besides the text: the facts of one municipality, without its contact."""
    return {"campaign": event.campaign, "selection_version": event.selection_version,
            "submission_id": entry.submission_id, "revision": entry.revision,
            "lao": entry.lao.model_dump(mode="json"), "size_group": entry.size_group, "rank": entry.rank,
            "total": entry.total, "max_total": entry.max_total, "sections": entry.sections, "tier": entry.tier}


# -- samples: what the check at start renders every selection template with --------------------------------


@dataclass(frozen=True)
class SampleRecipient:
    kind: str
    office: str | None = None
    name: str | None = None
    areas: tuple[str, ...] = ()


def samples(section_points: Callable[[Mapping[str, float]], Any]) -> dict[str, list[dict[str, Any]]]:
    """A context of each kind (first and corrected) per selection template, as the handler builds them: an
    operator's edit that names something the handler does not give fails the check at start, not a send."""
    lao = LaoSummary(name="เทศบาลตัวอย่าง", code="0000000", type="เทศบาลตำบล", province_code="36",
                     province_name="ชัยภูมิ", district_code="3601", district_name="เมืองชัยภูมิ")
    contact = ContactSummary(name="ผู้ประสานงาน", email="coordinator@example.invalid")
    tiers: tuple[TierName, ...] = ("outstanding", "efficient", "not_selected")
    entries = [SelectionEntry(submission_id=f"sample-{tier}", revision=1, lao=lao, contact=contact,
                              size_group="small", rank=rank, total=80.0 - rank, max_total=100.0,
                              sections={"readiness": 10.0, "committee": 20.0}, proposed_tier=tier, tier=tier)
               for rank, tier in enumerate(tiers, start=1)]
    moment = datetime(2026, 1, 16, 3, 0, tzinfo=UTC)
    event = SelectionPublished(campaign="sample", selection_version=1, rubric_version="sample", frozen_at=moment,
                               published_at=moment, published_by="sample", quotas={},
                               group_names={"small": "ขนาดเล็ก"}, group_names_en={"small": "small"},
                               entries=entries)
    common = {"selection": event, "campaign": None, "campaign_th": "การคัดเลือกตัวอย่าง",
              "campaign_en": "sample selection"}
    applicant = SampleRecipient(kind="applicant", name=contact.name)
    office = SampleRecipient(kind="province", office="สถ.จ.ตัวอย่าง", areas=("36",))
    summary = area_summary(("36",), entries, event.group_names)

    def entry_context(entry: SelectionEntry, corrected: bool) -> dict[str, Any]:
        return {**common, "recipient": applicant, "entry": entry, "lao": entry.lao, "contact": entry.contact,
                "group_th": group_name(event.group_names, entry.size_group),
                "group_en": group_name(event.group_names_en, entry.size_group),
                "sections": section_points(entry.sections), "corrected": corrected,
                "previous_tier": "efficient" if corrected else None}

    return {
        "selection_winner": [entry_context(entries[0], False), entry_context(entries[1], True)],
        "selection_not_selected": [entry_context(entries[2], False), entry_context(entries[2], True)],
        "selection_area": [{**common, "recipient": office, "summary": summary, "corrected": corrected}
                           for corrected in (False, True)],
    }
