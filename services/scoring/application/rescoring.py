"""Publishing a rubric version for a campaign, and re-scoring every submission under it.

An administrator publishes a version (`POST /v1/campaigns/{campaign}/rescore` or
`python -m services.scoring.rescore`); it becomes the campaign's active version (application/campaigns.py).
Publishing is one write: the run record with a `scoring.rescore_run_requested` command in its outbox.
Scoring consumes the command and attaches one `scoring.rescore_requested` command per submission (its newest
revision) to that revision's own document; each is then consumed like any event, so a re-score is spread over
every scoring replica, retried and dead-lettered like the rest, and never reaches into another service's data.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from services.scoring.application.campaigns import active_rubric, ensure_open
from services.scoring.repository import ScoringStore
from services.scoring.rubric import RubricBook, UnknownRubric
from shared.campaign import CampaignBook, UnknownCampaign
from shared.errors import Invalid, NotFound
from shared.events import Envelope, RescoreRequested, RescoreRunRequested
from shared.logging import get_logger
from shared.outbox import OutboxRelay, with_outbox

log = get_logger(__name__)
PRODUCER = "scoring"


def new_run_id(now: datetime) -> str:
    # Sortable by time, unique by its random tail.
    return f"run_{now.strftime('%Y%m%dT%H%M%S%f')}_{secrets.token_hex(3)}"


async def start_run(store: ScoringStore, campaigns: CampaignBook, rubrics: RubricBook, *, campaign: str,
                    rubric_version: str, requested_by: str, reason: str = "",
                    relay: OutboxRelay | None = None) -> dict[str, Any]:
    """Publish `rubric_version` for `campaign`: it becomes the active version and every submission is
    re-scored under it through the bus. Returns the run record."""
    if campaign not in campaigns:
        raise NotFound("unknown_campaign", f"ไม่พบรอบการคัดเลือก {campaign}",
                       f"No campaign {campaign!r}; known: {', '.join(campaigns.keys())}.")
    await ensure_open(store, campaign)  # frozen results change only after an unfreeze
    try:
        rubric = rubrics.get(rubric_version)
    except UnknownRubric:
        raise Invalid(
            "unknown_rubric", f"ไม่พบเกณฑ์รุ่น {rubric_version}; รุ่นที่มี: {', '.join(rubrics.versions())}",
            f"No rubric {rubric_version!r}; known versions: {', '.join(rubrics.versions())}.") from None
    if rubric.campaign != campaign:
        raise Invalid(
            "rubric_for_another_campaign",
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
    if relay is not None:
        relay.notify()
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


async def attach_rescores(store: ScoringStore, relay: OutboxRelay, run: RescoreRunRequested,
                          causation: Envelope) -> None:
    """Fan a run out: one re-score command attached to the newest revision of every submission (outbox)."""
    newest = await store.newest_revisions(run.campaign)
    commands = rescore_commands(run, newest, causation)
    attached = await store.request_rescores(run.run_id, commands)
    await store.mark_run_fanned_out(run.run_id, len(commands), datetime.now(UTC))
    relay.notify()
    log.info("re-scoring run fanned out", run_id=run.run_id, rubric_version=run.rubric_version,
             revisions=len(commands), attached=attached)


async def runs_of(store: ScoringStore, campaign: str) -> list[dict[str, Any]]:
    """Every publication of a rubric version for the campaign, newest first, with its progress."""
    return [await run_progress(store, run) for run in await store.runs_of(campaign)]


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
