"""The request and response models of reporting's routes, and what their OpenAPI description says they may
answer besides."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field

from services.reporting.application import PROVINCE_LIST_LIMIT
from shared.errors import ErrorBody
from shared.events import CriterionScore, Issue, LaoSummary

Status = Literal["received", "validated", "returned", "rejected", "scored"]
Tier = Literal["outstanding", "efficient", "not_selected"]
Sort = Literal["name", "score", "updated"]
# Far beyond any list (about 7,850 LAOs); the store refuses a skip past 64 bits, so a larger offset is a 422.
MAX_OFFSET = 1_000_000
DENIED: dict[int | str, dict[str, Any]] = {401: {"model": ErrorBody, "description": "No valid token"},
                                           403: {"model": ErrorBody, "description": "Outside the token's scope"}}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody}}


# -- reports ------------------------------------------------------------------------------------------

class Score(BaseModel):
    total: float
    max_total: float
    tier: Tier
    size_group: str
    size_group_flagged: bool = False
    rubric_version: str
    trigger: str = Field(default="validation", description="validation, review (reviewers' points) or rescore")
    score_version: int = Field(default=1, description="Grows when reviewers' points change the score")
    manual_pending: list[str] = Field(default_factory=list, description="Committee criteria not scored yet: "
                                      "while any is pending, the tier is provisional")
    final: bool = Field(default=False, description="True when `tier` is DLA's published final selection")
    provisional_tier: Tier | None = Field(default=None, description="The score thresholds' tier, when `tier` is "
                                          "the final one")
    scored_at: datetime
    criteria: list[CriterionScore] = Field(description="Every criterion's points and why")


class HistoryStep(BaseModel):
    event_type: str
    event_id: str
    occurred_at: datetime


class RevisionView(BaseModel):
    revision: int
    status: Status
    status_rank: int = Field(description="received 1 < validated / returned / rejected 2 < scored 3")
    received_at: datetime | None = None
    issues: list[Issue] = Field(default_factory=list, description="Validation findings (warnings included)")
    score: Score | None = None
    lao: LaoSummary | None = None
    history: list[HistoryStep]


class NotificationView(BaseModel):
    notification_id: str
    revision: int
    template: str
    channel: str
    status: Literal["sent", "failed"]
    attempts: int
    error: str | None = None
    occurred_at: datetime


class FinalDecision(BaseModel):
    selection_version: int
    revision: int = Field(description="The revision DLA decided on")
    tier: Tier
    proposed_tier: Tier
    override_reason: str | None = Field(default=None, description="Why DLA decided otherwise than proposed")
    rank: int
    size_group: str
    published_at: datetime
    published_by: str


class SubmissionView(BaseModel):
    submission_id: str
    campaign: str
    lao: LaoSummary | None = None
    current_revision: int | None = Field(default=None, description="The newest revision: it supersedes the rest")
    status: Status | None = Field(default=None, description="The current revision's status")
    score: Score | None = Field(default=None, description="The current revision's score")
    revisions: list[RevisionView] = Field(description="Every revision, newest first; the history stays")
    notifications: list[NotificationView] = Field(default_factory=list)
    selection: FinalDecision | None = Field(default=None, description="DLA's final decision, once published")
    last_event_at: datetime | None = None


class StatusCounts(BaseModel):
    received: int = 0
    validated: int = 0
    returned: int = 0
    rejected: int = 0
    scored: int = 0


class TierCounts(BaseModel):
    outstanding: int = 0
    efficient: int = 0
    not_selected: int = 0


class SizeGroupFigures(BaseModel):
    scored: int = 0
    average_score: float | None = None
    tiers: TierCounts = Field(default_factory=TierCounts)


class Figures(BaseModel):
    submissions: int = Field(default=0, description="Submissions (applications), each counted once")
    counts: StatusCounts = Field(default_factory=StatusCounts, description="By the current revision's status")
    average_score: float | None = Field(default=None, description="Average total of scored current revisions")
    tiers: TierCounts = Field(default_factory=TierCounts)
    score_histogram: list[int] = Field(default_factory=lambda: [0] * 10,
                                       description="Scored submissions by tenth of the maximum score: "
                                                   "[0–10 %), [10–20 %), … [90–100 %]")
    size_groups: dict[str, SizeGroupFigures] = Field(default_factory=dict,
                                                     description="Scored submissions by the rubric's size group")
    expected: int | None = Field(default=None, description="Municipalities of the campaign's eligible types in "
                                 "DLA's registry; null until the registry of the area is loaded")
    expected_submitted: int | None = Field(default=None, description="How many of the expected have submitted")


class ProvinceSubmission(BaseModel):
    submission_id: str
    lao_name: str | None = None
    lao_code: str | None = None
    lao_type: str | None = None
    province_code: str | None = None
    province_name: str | None = None
    district_code: str | None = None
    district_name: str | None = None
    status: Status
    current_revision: int
    score_total: float | None = None
    max_total: float | None = None
    tier: Tier | None = None
    size_group: str | None = None
    rubric_version: str | None = None
    final: bool = Field(default=False, description="True when `tier` is DLA's published final selection; false "
                        "while it is the provisional tier of the score's thresholds")
    decided_by: str | None = Field(default=None, description="Who published the final selection")


class DistrictRow(Figures):
    district_code: str
    district_name_th: str
    district_name_en: str


class MissingLao(BaseModel):
    code: str
    name: str
    type: str | None = None
    district_code: str | None = None
    district_name: str | None = None


class GroupName(BaseModel):
    th: str
    en: str


_GROUP_NAMES: Any = Field(default_factory=dict, description="The rubric's Thai and English name of each size group "
                     "in the figures, as scoring put them on its scores (a group none of whose scores names it is "
                     "left out: show its key)")


class ProvinceReport(Figures):
    campaign: str
    province_code: str = Field(description="2-digit DOPA code, or `unknown` for submissions not yet placed")
    province_name_th: str
    province_name_en: str
    updated_at: datetime | None = None
    size_group_names: dict[str, GroupName] = _GROUP_NAMES
    districts: list[DistrictRow] = Field(default_factory=list, description="Every district of the province")
    items: list[ProvinceSubmission] = Field(default_factory=list, description="The province's submissions "
                                            "(filtered and paginated by the query)")
    items_total: int = Field(default=0, description="Submissions matching the filters, all pages")
    limit: int = PROVINCE_LIST_LIMIT
    offset: int = 0


class DistrictReport(Figures):
    campaign: str
    district_code: str
    district_name_th: str
    district_name_en: str
    province_code: str
    province_name_th: str
    province_name_en: str
    updated_at: datetime | None = None
    size_group_names: dict[str, GroupName] = _GROUP_NAMES
    missing: list[MissingLao] = Field(default_factory=list, description="Expected municipalities that have not "
                                      "submitted (when the registry is loaded)")
    items: list[ProvinceSubmission] = Field(default_factory=list)
    items_total: int = 0
    limit: int = PROVINCE_LIST_LIMIT
    offset: int = 0


class ProvinceRow(Figures):
    province_code: str
    province_name_th: str
    province_name_en: str


class NationalReport(Figures):
    campaign: str
    updated_at: datetime | None = None
    size_group_names: dict[str, GroupName] = _GROUP_NAMES
    provinces: list[ProvinceRow] = Field(default_factory=list)


class SubmissionPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[ProvinceSubmission]


class RankedSubmission(ProvinceSubmission):
    rank: int = Field(description="Place within the size group nationally; equal totals share a place")


class RankingPage(BaseModel):
    campaign: str
    size_group: str
    total: int
    limit: int
    offset: int
    items: list[RankedSubmission]


class PublishedSelection(BaseModel):
    selection_version: int
    published_at: datetime
    published_by: str


class CampaignInfo(BaseModel):
    key: str
    title_th: str
    title_en: str
    opens_at: datetime
    submission_deadline: datetime
    district_deadline: datetime
    province_deadline: datetime
    eligible_lao_types: list[str]
    late_policy: str
    rubric_version: str
    selection: PublishedSelection | None = Field(default=None, description="DLA's final selection, once published "
                                                 "(the whole of it: GET /v1/campaigns/{campaign}/selection)")


class Reader(BaseModel):
    scope: str = Field(description="national, province:<code> or district:<code>")
    level: Literal["national", "province", "district"]
    code: str | None = None
    name_th: str | None = None
    name_en: str | None = None


class Place(BaseModel):
    code: str
    name_th: str
    name_en: str


# -- unidentified responses ---------------------------------------------------------------------------

class WrittenLao(BaseModel):
    """The LAO as the response gives it."""

    name: str | None = None
    code: str | None = None
    type: str | None = None
    province: str | None = None
    district: str | None = None


class AttachmentRecord(BaseModel):
    attachment_id: str
    lao_code: str
    lao_name: str | None = None
    requested_by: str
    reason: str
    requested_at: datetime


class UnidentifiedResponse(BaseModel):
    submission_id: str
    revision: int = Field(description="The current revision: the one the reason is about")
    status: str = Field(description="returned, rejected or validated: the response is held either way")
    reason: str = Field(description="ambiguous, not_in_registry, code_and_name_disagree or no_name_no_code")
    reason_th: str
    reason_en: str
    province_code: str | None = Field(description="The province the response could be placed in; None: unknown")
    written: WrittenLao
    received_at: datetime | None = None
    issues: list[Issue] = Field(description="Validation's findings about the LAO (the candidates are named there)")
    attachments: list[AttachmentRecord] = Field(
        default_factory=list, description="Offices' attachments so far, newest last (being judged again when the "
                                          "newest is later than the current verdict)")


class UnidentifiedList(BaseModel):
    campaign: str
    scope: str
    count: int
    items: list[UnidentifiedResponse]
    message_th: str
    message_en: str


class AttachRequest(BaseModel):
    lao_code: Annotated[str, Field(pattern=r"^[0-9]{7}$", description="DLA's 7-digit code of the LAO")]
    reason: Annotated[str, Field(min_length=5, max_length=500,
                                 description="How the office knows (e.g. confirmed by phone with the clerk)")]


class AttachAccepted(BaseModel):
    attachment_id: str
    submission_id: str
    lao_code: str
    lao_name: str | None
    status: str = "requested"
    message_th: str
    message_en: str
