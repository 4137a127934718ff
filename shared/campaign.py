"""Campaigns as configuration: one data file per year's selection, read by every service that needs it."""

from __future__ import annotations

import tomllib
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

BUILTIN_DIR = Path(__file__).parent / "data" / "campaigns"
SelectedTier = Literal["outstanding", "efficient"]


class Campaign(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z0-9_-]{2,32}$")
    title_th: str
    title_en: str
    opens_at: AwareDatetime
    submission_deadline: AwareDatetime
    district_deadline: AwareDatetime
    province_deadline: AwareDatetime
    eligible_lao_types: tuple[str, ...] = Field(min_length=1)
    late_policy: Literal["reject", "accept_flagged"]
    rubric_version: str
    # Above this a project's budget is taken for a typing slip (satang, an extra zero) and returned for
    # correction. 500 million baht is more than most municipalities' whole yearly budget.
    max_project_budget_thb: int = Field(default=500_000_000, gt=0)
    # Notification's schedule (docs/notification.md): reminders to the offices this long before the
    # submission deadline ("7d", "1d", "3h", "30m"), and a daily digest at this Thai time ("HH:MM") from the
    # day after opening until the day after the deadline. An empty list or "" turns them off.
    reminders_before_deadline: tuple[Annotated[str, Field(pattern=r"^[1-9][0-9]*[dhm]$")], ...] = (
        "7d", "1d", "3h")
    digest_time: str = Field(default="08:00", pattern=r"^$|^([01][0-9]|2[0-3]):[0-5][0-9]$")
    # The final selection (docs/scoring.md): places per tier and size group. A size group not listed has no
    # place in that tier; the proposal fills each from the top of the group's ranking.
    selection_quotas: dict[SelectedTier, dict[str, Annotated[int, Field(ge=0, le=10_000)]]] = Field(
        default_factory=dict)
    # Who signs the announcement of the selection: the title under the signature, and the name when known
    # (left empty, the document leaves a dotted line for it).
    announcement_signer_title_th: str = "อธิบดีกรมส่งเสริมการปกครองท้องถิ่น"
    announcement_signer_name_th: str = ""

    @model_validator(mode="after")
    def _dates_in_order(self) -> Campaign:
        if not self.opens_at < self.submission_deadline <= self.district_deadline <= self.province_deadline:
            raise ValueError("expected opens_at < submission_deadline <= district_deadline <= province_deadline")
        return self

    def quota(self, tier: str, size_group: str) -> int:
        places: dict[str, int] = {}
        for known, by_group in self.selection_quotas.items():
            if known == tier:
                places = by_group
        return places.get(size_group, 0)

    def is_late(self, submitted_at: datetime) -> bool:
        return submitted_at > self.submission_deadline


class UnknownCampaign(LookupError):
    pass


class CampaignBook:
    """Every campaign found in the configured directories; later directories override earlier ones."""

    def __init__(self, directories: list[Path]) -> None:
        self._campaigns: dict[str, Campaign] = {}
        for directory in directories:
            for path in sorted(directory.glob("*.toml")):
                with path.open("rb") as handle:
                    try:
                        campaign = Campaign.model_validate(tomllib.load(handle))
                    except ValueError as error:
                        raise ValueError(f"invalid campaign file {path}: {error}") from error
                if campaign.key != path.stem:
                    raise ValueError(f"campaign file {path} declares key {campaign.key!r}; name it {campaign.key}.toml")
                self._campaigns[campaign.key] = campaign

    def get(self, key: str) -> Campaign:
        try:
            return self._campaigns[key]
        except KeyError:
            raise UnknownCampaign(key) from None

    def __contains__(self, key: object) -> bool:
        return key in self._campaigns

    def keys(self) -> list[str]:
        return sorted(self._campaigns)


@cache
def load_campaigns(extra_dir: str | None = None) -> CampaignBook:
    directories = [BUILTIN_DIR] + ([Path(extra_dir)] if extra_dir else [])
    return CampaignBook(directories)
