"""The request and response models of scoring's HTTP API (the read API, the admin API, the reviewer API and
the final selection's admin API)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from shared.events import CriterionScore

# -- the read API -----------------------------------------------------------------------------------------


class EarlierScore(BaseModel):
    score_version: int | None = None
    trigger: str | None = None
    scored_at: datetime | None = None
    total: float | None = None
    tier: str | None = None
    manual_pending: list[str] | None = None
    criteria: list[CriterionScore] = Field(default_factory=list)


class ScoreView(BaseModel):
    submission_id: str
    revision: int
    campaign: str
    rubric_version: str
    rubric_digest: str | None = None
    score_version: int = 1
    trigger: str = "validation"
    scored_at: datetime | None = None
    total: float
    max_total: float
    tier: str
    provisional: bool = False
    size_group: str
    size_group_flagged: bool
    manual_pending: list[str]
    sections: dict[str, float] = Field(default_factory=dict)
    criteria: list[CriterionScore]
    history: list[EarlierScore] = Field(default_factory=list,
                                        description="Earlier scores of this revision under this version")


# -- the admin API ----------------------------------------------------------------------------------------


class NewReviewer(BaseModel):
    name: str = Field(min_length=1, max_length=200, examples=["นางสาวสมหญิง ตั้งใจ"])
    province: str = Field(min_length=1, max_length=100, description="The reviewer's own province (code or name); "
                          "`national` for a reviewer without one", examples=["36"])
    created_by: str = Field(default="admin", min_length=1, max_length=200)


class Assignment(BaseModel):
    reviewer_id: str = Field(min_length=1, max_length=100)
    submission_ids: list[str] = Field(min_length=1, max_length=1000)
    assigned_by: str = Field(default="admin", min_length=1, max_length=200)


class SignInLink(BaseModel):
    base_url: str | None = Field(default=None, max_length=300, pattern=r"^https?://[^\s/?#]+(/[^\s?#]*)?$",
                                 description="The workspace's public address (as reviewers reach it); left out: "
                                             "the address this request came to", examples=["https://smartcity.example.go.th"])


class SignInLinkIssued(BaseModel):
    url: str = Field(description="The one-time sign-in link: valid once, for 72 hours; shown this once only")
    expires_at: datetime


class Rescore(BaseModel):
    rubric_version: str = Field(min_length=1, max_length=64, examples=["fy2568-v2"])
    requested_by: str = Field(default="admin", min_length=1, max_length=200)
    reason: str = Field(default="", max_length=2000)


# -- the reviewer API -------------------------------------------------------------------------------------


class PointsEntry(BaseModel):
    criterion: str = Field(min_length=1, max_length=64, examples=["document_review"])
    points: float | None = Field(description="Points for the criterion (two decimals); null withdraws your mark",
                                 allow_inf_nan=False, examples=[12.5])
    comment: str = Field(max_length=2000, description="Why: required; kept in the audit trail",
                         examples=["แผนและหลักฐานครบถ้วน มีตัวชี้วัดชัดเจน"])


class Review(BaseModel):
    revision: int | None = Field(default=None, ge=1, description="The revision you judged; refused (409) when a "
                                 "newer one exists. Left out: the newest.")
    entries: list[PointsEntry] = Field(min_length=1, max_length=20)


# -- the final selection ----------------------------------------------------------------------------------


class Reason(BaseModel):
    reason: str = Field(min_length=1, max_length=2000, description="Why (kept in the audit trail)",
                        examples=["คณะกรรมการขอพิจารณาคะแนนส่วนที่ ๓ ใหม่ตามหนังสือจังหวัด"])


class Override(BaseModel):
    submission_id: str = Field(min_length=1, max_length=200)
    tier: Literal["outstanding", "efficient", "not_selected"]
    reason: str = Field(min_length=1, max_length=2000, description="Why DLA decides otherwise than proposed",
                        examples=["คณะกรรมการลงพื้นที่แล้วพบว่าผลการดำเนินงานโดดเด่นกว่าคะแนนเอกสาร"])
