"""Which rubric version a campaign is scored under: the campaign file's until an administrator publishes
another through scoring, then the newest publication; never a rubric written for another campaign."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest

from services.scoring.application.campaigns import active_rubric
from services.scoring.application.rescoring import rescore_commands
from services.scoring.repository import ScoringStore
from services.scoring.rubric import UnknownRubric, default_rubric_dir, load_rubric_book
from shared.campaign import BUILTIN_DIR, CampaignBook, load_campaigns
from shared.events import Envelope, RescoreRunRequested

CAMPAIGN_FILE = BUILTIN_DIR / "fy2568.toml"


class Runs:
    """Only what active_rubric reads of the store: the newest publication of a campaign."""

    def __init__(self, run: dict[str, Any] | None) -> None:
        self.run = run

    async def latest_run(self, campaign: str) -> dict[str, Any] | None:
        return self.run if self.run and self.run["campaign"] == campaign else None


def book(tmp_path: Path, *versions: str, campaign: str = "fy2568") -> Any:
    text = (default_rubric_dir() / "fy2568-v1.toml").read_text(encoding="utf-8")
    for version in versions:
        (tmp_path / f"{version}.toml").write_text(
            text.replace('version = "fy2568-v1"', f'version = "{version}"')
                .replace('campaign = "fy2568"', f'campaign = "{campaign}"'), encoding="utf-8")
    return load_rubric_book(str(tmp_path))


async def test_without_a_publication_the_campaign_files_version_is_active(tmp_path: Path) -> None:
    active = await active_rubric(cast(ScoringStore, Runs(None)), load_campaigns(), book(tmp_path), "fy2568")
    assert (active.rubric.version, active.source, active.run_id) == ("fy2568-v1", "campaign_file", None)


async def test_the_newest_publication_wins_over_the_campaign_file(tmp_path: Path) -> None:
    run = {"_id": "run_1", "campaign": "fy2568", "rubric_version": "fy2568-v2", "requested_by": "สถ.",
           "requested_at": datetime(2026, 1, 5, tzinfo=UTC)}
    active = await active_rubric(cast(ScoringStore, Runs(run)), load_campaigns(), book(tmp_path, "fy2568-v2"),
                                 "fy2568")
    assert (active.rubric.version, active.source, active.run_id, active.requested_by) == (
        "fy2568-v2", "rescore_run", "run_1", "สถ.")


async def test_a_campaign_naming_another_campaigns_rubric_is_refused(tmp_path: Path) -> None:
    campaigns_dir = tmp_path / "campaigns"
    campaigns_dir.mkdir()
    (campaigns_dir / "fy2569.toml").write_text(
        CAMPAIGN_FILE.read_text(encoding="utf-8").replace('key = "fy2568"', 'key = "fy2569"'), encoding="utf-8")
    campaigns = CampaignBook([campaigns_dir])
    with pytest.raises(UnknownRubric, match="rubric fy2568-v1 is for campaign fy2568, not fy2569"):
        await active_rubric(cast(ScoringStore, Runs(None)), campaigns, book(tmp_path),
                            "fy2569")


def test_a_run_rescores_the_newest_revision_of_each_submission_that_passed_validation() -> None:
    run = RescoreRunRequested(run_id="run_1", campaign="fy2568", rubric_version="fy2568-v2", requested_by="cli",
                              requested_at=datetime(2026, 1, 5, tzinfo=UTC))
    cause = Envelope.build(run, producer="scoring", correlation_id="run_1")
    newest = {"sub_b": {"_id": "sub_b/r2", "revision": 2, "status": "validated"},
              "sub_a": {"_id": "sub_a/r1", "revision": 1, "status": "validated"},
              "sub_c": {"_id": "sub_c/r3", "revision": 3, "status": "returned"}}
    commands = rescore_commands(run, newest, cause)
    assert [(document_id, c.data["submission_id"], c.data["revision"], c.causation_id) for document_id, c in commands] \
        == [("sub_a/r1", "sub_a", 1, cause.event_id), ("sub_b/r2", "sub_b", 2, cause.event_id)]
    assert {c.event_type for _, c in commands} == {"scoring.rescore_requested"}
