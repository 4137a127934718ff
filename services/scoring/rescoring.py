"""Which rubric version a campaign is scored under, and publishing another one.

The active version is the campaign file's `rubric_version` until an administrator publishes a version for
the campaign (`POST /v1/campaigns/{campaign}/rescore` or `python -m services.scoring.rescore`); from then
on the newest such publication, recorded in scoring's `rescore_runs`, is the active version. Publishing is
one write: the run record with a `scoring.rescore_run_requested` command in its outbox. Scoring consumes the
command and attaches one `scoring.rescore_requested` command per submission (its newest revision) to that
revision's own document; each is then consumed like any event, so a re-score is spread over every scoring
replica, retried and dead-lettered like the rest, and never reaches into another service's data.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from services.scoring.errors import Refused
from services.scoring.frozen import ensure_open
from services.scoring.repository import ScoringStore
from services.scoring.rubric import Rubric, RubricBook, UnknownRubric
from shared.campaign import CampaignBook, UnknownCampaign
from shared.events import Envelope, RescoreRequested, RescoreRunRequested
from shared.outbox import with_outbox

PRODUCER = "scoring"


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


def new_run_id(now: datetime) -> str:
    # Sortable by time, unique by its random tail.
    return f"run_{now.strftime('%Y%m%dT%H%M%S%f')}_{secrets.token_hex(3)}"


async def start_run(store: ScoringStore, campaigns: CampaignBook, rubrics: RubricBook, *, campaign: str,
                    rubric_version: str, requested_by: str, reason: str = "") -> dict[str, Any]:
    """Publish `rubric_version` for `campaign`: it becomes the active version and every submission is
    re-scored under it through the bus. Returns the run record."""
    if campaign not in campaigns:
        raise Refused(404, "unknown_campaign", f"ไม่พบรอบการคัดเลือก {campaign}",
                             f"No campaign {campaign!r}; known: {', '.join(campaigns.keys())}.")
    await ensure_open(store, campaign)  # frozen results change only after an unfreeze
    try:
        rubric = rubrics.get(rubric_version)
    except UnknownRubric:
        raise Refused(
            422, "unknown_rubric", f"ไม่พบเกณฑ์รุ่น {rubric_version}; รุ่นที่มี: {', '.join(rubrics.versions())}",
            f"No rubric {rubric_version!r}; known versions: {', '.join(rubrics.versions())}.") from None
    if rubric.campaign != campaign:
        raise Refused(
            422, "rubric_for_another_campaign",
            f"เกณฑ์รุ่น {rubric_version} เป็นของรอบ {rubric.campaign} ไม่ใช่ {campaign}",
            f"Rubric {rubric_version} belongs to campaign {rubric.campaign}, not {campaign}.")
    try:
        previous: str | None = (await active_rubric(store, campaigns, rubrics, campaign)).rubric.version
    except (UnknownRubric, UnknownCampaign):
        previous = None
    now = datetime.now(UTC)
    run_id = new_run_id(now)
    command = RescoreRunRequested(run_id=run_id, campaign=campaign, rubric_version=rubric.version,
                                  requested_by=requested_by, requested_at=now)
    record = {
        "_id": run_id,
        "campaign": campaign,
        "rubric_version": rubric.version,
        "rubric_digest": rubric.digest,
        "previous_version": previous,
        "requested_by": requested_by,
        "reason": reason,
        "requested_at": now,
    }
    await store.insert_run(with_outbox(record, Envelope.build(command, producer=PRODUCER, correlation_id=run_id)))
    return record


def rescore_commands(run: RescoreRunRequested, newest: Mapping[str, Mapping[str, Any]],
                     causation: Envelope) -> list[tuple[str, Envelope]]:
    """One command per submission whose newest revision passed validation: (its document id, the command).
    A submission whose newest revision was returned or rejected is not ranked, so it is not re-scored."""
    commands = []
    for submission_id, document in sorted(newest.items()):
        if document.get("status") != "validated":
            continue
        data = RescoreRequested(submission_id=submission_id, revision=document["revision"], campaign=run.campaign,
                                run_id=run.run_id, rubric_version=run.rubric_version)
        commands.append((document["_id"], Envelope.build(data, producer=PRODUCER, correlation_id=submission_id,
                                                         causation=causation)))
    return commands


async def run_progress(store: ScoringStore, run: Mapping[str, Any]) -> dict[str, Any]:
    """A run as an administrator reads it: how many revisions it covers and how many are re-scored so far."""
    done = await store.count_run(run["_id"])
    planned = run.get("revisions")
    return {
        "run_id": run["_id"],
        "campaign": run["campaign"],
        "rubric_version": run["rubric_version"],
        "rubric_digest": run.get("rubric_digest"),
        "previous_version": run.get("previous_version"),
        "requested_by": run.get("requested_by"),
        "reason": run.get("reason", ""),
        "requested_at": run["requested_at"],
        "revisions": planned,
        "rescored": done,
        "complete": planned is not None and done >= planned,
    }
