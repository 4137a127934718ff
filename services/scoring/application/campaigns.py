"""What every use case asks of a campaign: whether it exists, which rubric version its submissions are scored
under now, and whether its results may still change (not while frozen for the final selection).

The active version is the campaign file's `rubric_version` until an administrator publishes a version for the
campaign (application/rescoring.py); from then on the newest such publication, recorded in scoring's
`rescore_runs`, is the active version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from services.scoring.repository import ScoringStore
from services.scoring.rubric import Rubric, RubricBook, UnknownRubric
from shared.campaign import Campaign, CampaignBook, UnknownCampaign
from shared.errors import Conflict, NotFound


@dataclass(frozen=True)
class ActiveRubric:
    rubric: Rubric
    source: Literal["campaign_file", "rescore_run"]
    run_id: str | None = None
    since: datetime | None = None
    requested_by: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {"rubric_version": self.rubric.version, "rubric_digest": self.rubric.digest, "source": self.source,
                "run_id": self.run_id, "since": self.since, "requested_by": self.requested_by}


async def active_rubric(store: ScoringStore, campaigns: CampaignBook, rubrics: RubricBook,
                        campaign: str) -> ActiveRubric:
    """The rubric a campaign's submissions are scored under now. Raises UnknownCampaign / UnknownRubric."""
    run = await store.latest_run(campaign)
    if run is not None:
        active = ActiveRubric(rubrics.get(run["rubric_version"]), "rescore_run", run["_id"], run["requested_at"],
                              run.get("requested_by"))
    else:
        active = ActiveRubric(rubrics.get(campaigns.get(campaign).rubric_version), "campaign_file")
    if active.rubric.campaign != campaign:
        # A campaign file naming another year's rubric: scoring under it would mislead, so refuse.
        raise UnknownRubric(f"rubric {active.rubric.version} is for campaign {active.rubric.campaign}, "
                            f"not {campaign}")
    return active


async def active_rubric_or_conflict(store: ScoringStore, campaigns: CampaignBook, rubrics: RubricBook,
                                    campaign: str) -> Rubric:
    """The active rubric of a campaign whose work (a review, a freeze) needs one: a conflict without it."""
    try:
        return (await active_rubric(store, campaigns, rubrics, campaign)).rubric
    except (UnknownCampaign, UnknownRubric) as error:
        raise Conflict("no_rubric", "ยังไม่มีเกณฑ์การให้คะแนนสำหรับรอบนี้",
                       f"No rubric is active for this campaign: {error}") from None


def campaign_of(campaigns: CampaignBook, campaign: str) -> Campaign:
    """The campaign, or the refusal naming the ones there are."""
    try:
        return campaigns.get(campaign)
    except UnknownCampaign:
        raise NotFound("unknown_campaign", f"ไม่พบรอบการคัดเลือก {campaign}",
                       f"No campaign {campaign!r}; known: {', '.join(campaigns.keys())}.") from None


async def ensure_open(store: ScoringStore, campaign: str) -> None:
    """A conflict while the campaign's results are frozen: a review or a re-score would change what DLA is
    deciding on. An unfreeze (audited, with a reason) opens them again."""
    selection = await store.selection(campaign)
    if selection is not None and selection.get("frozen"):
        raise Conflict("results_frozen",
                       "ผลคะแนนของรอบนี้ถูกตรึงไว้เพื่อการคัดเลือกขั้นสุดท้าย จะแก้ไขได้เมื่อผู้ดูแลระบบยกเลิกการตรึง",
                       "This campaign's results are frozen for the final selection; they can change again only "
                       "after an administrator unfreezes them.")
