"""The final selection on the real broker and store: an administrator's scoped account, the proposal from the
campaign's quotas, freezing (reviews and re-scores refused until an unfreeze), an override only with a written
reason, publication as one `selection.published` through the outbox, and every step in the audit trail."""

from __future__ import annotations

from typing import Any

from services.scoring.application.admins import create_admin
from services.scoring.repository import ScoringStore
from shared.events import Envelope
from tests.integration.scoring_fixtures import ADMIN, publish_all, running_scoring, validated
from tests.support import Namespace, drain, eventually, http_client

SIZES = ("large", "medium", "small")
COUNT = 12


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _all_scored(store: ScoringStore) -> int | None:
    count = await store.scores.count_documents({"campaign": "fy2568"})
    return count if count == COUNT else None


async def _published(namespace: Namespace, seen: list[Envelope]) -> list[Envelope] | None:
    seen.extend(e for e in await drain(namespace) if e.event_type == "selection.published")
    return seen or None


def _entries(view: dict[str, Any]) -> list[dict[str, Any]]:
    return [entry for group in view["groups"] for entry in group["entries"]]


async def test_freeze_override_with_reason_and_publish_once_through_the_outbox(namespace: Namespace) -> None:
    async with running_scoring(namespace) as (scoring, publisher):
        store: ScoringStore = scoring.component.state.store
        await publish_all(publisher, [validated(i, size_class=SIZES[i % 3]) for i in range(COUNT)])
        await eventually(lambda: _all_scored(store), what="every submission scored")
        chair, token = await create_admin(store, name="นายสมชาย ใจดี (กพส.)", scopes=["selection"],
                                          created_by="test")
        _, committee_token = await create_admin(store, name="ฝ่ายเลขานุการ", scopes=["committee"], created_by="test")
        url = "/v1/admin/campaigns/fy2568/selection"
        async with http_client(scoring.url) as client:
            refused = await client.get(url, headers=bearer(committee_token))
            assert (refused.status_code, refused.json()["error"]) == (403, "scope_missing")
            assert (await client.get(url, headers=bearer("adm_not-a-token"))).status_code == 403
            assert (await client.get(url)).status_code == 401

            # Open: the proposal the rankings would give now, within the campaign's quotas.
            view = (await client.get(url, headers=bearer(token))).json()
            assert view["status"] == "open" and view["quotas"]["outstanding"] == {"large": 4, "medium": 4, "small": 4}
            assert sum(len(group["entries"]) for group in view["groups"]) == COUNT
            for group in view["groups"]:
                for tier in ("outstanding", "efficient"):
                    assert sum(1 for e in group["entries"] if e["tier"] == tier) <= group["quota"][tier]
                for entry in group["entries"]:
                    # Never proposed above what the score reached.
                    order = ("not_selected", "efficient", "outstanding")
                    assert order.index(entry["proposed_tier"]) <= order.index(entry["score_tier"])
                assert [e["rank"] for e in group["entries"]] == list(range(1, len(group["entries"]) + 1))

            frozen = await client.post(f"{url}/freeze", headers=bearer(token))
            assert frozen.status_code == 200, frozen.text
            assert frozen.json()["status"] == "frozen" and frozen.json()["frozen_by"].startswith("นายสมชาย ใจดี")
            again = await client.post(f"{url}/freeze", headers=bearer(token))
            assert (again.status_code, again.json()["error"]) == (409, "already_frozen")

            # Frozen: a reviewer's points and a re-score are refused until an unfreeze.
            reviewer = (await client.post("/v1/admin/reviewers", headers=ADMIN,
                                          json={"name": "ผู้แทน สถ.", "province": "national"})).json()
            target = _entries(frozen.json())[0]
            await client.post("/v1/admin/assignments", headers=ADMIN, json={
                "reviewer_id": reviewer["reviewer_id"], "submission_ids": [target["submission_id"]]})
            review = await client.put(f"/v1/reviewer/submissions/{target['submission_id']}/review",
                                      headers=bearer(reviewer["token"]), json={"entries": [
                                          {"criterion": "document_review", "points": 10, "comment": "ครบถ้วน"}]})
            assert (review.status_code, review.json()["error"]) == (409, "results_frozen")
            assert "ตรึง" in review.json()["message_th"]
            rescore = await client.post("/v1/campaigns/fy2568/rescore", headers=ADMIN,
                                        json={"rubric_version": "fy2568-v1"})
            assert (rescore.status_code, rescore.json()["error"]) == (409, "results_frozen")

            # An override needs a written reason; the proposed tier again removes it.
            chosen = next(e for e in _entries(frozen.json()) if e["proposed_tier"] != "outstanding")
            short = await client.post(f"{url}/overrides", headers=bearer(token), json={
                "submission_id": chosen["submission_id"], "tier": "outstanding", "reason": "ดี"})
            assert (short.status_code, short.json()["error"]) == (422, "reason_required")
            reason = "คณะกรรมการลงพื้นที่แล้วพบว่าผลการดำเนินงานโดดเด่นกว่าคะแนนเอกสาร"
            overridden = await client.post(f"{url}/overrides", headers=bearer(token), json={
                "submission_id": chosen["submission_id"], "tier": "outstanding", "reason": reason})
            assert overridden.status_code == 200, overridden.text
            decided = next(e for e in _entries(overridden.json()) if e["submission_id"] == chosen["submission_id"])
            assert decided["tier"] == "outstanding" and decided["override"]["reason"] == reason
            assert overridden.json()["overrides"] == 1
            unknown = await client.post(f"{url}/overrides", headers=bearer(token), json={
                "submission_id": "sub_nowhere", "tier": "efficient", "reason": reason})
            assert unknown.status_code == 404

            published = await client.post(f"{url}/publish", headers=bearer(token))
            assert published.status_code == 200, published.text
            assert published.json()["status"] == "published"
            assert published.json()["published"]["selection_version"] == 1
            twice = await client.post(f"{url}/publish", headers=bearer(token))
            assert (twice.status_code, twice.json()["error"]) == (409, "already_published")

            seen: list[Envelope] = []
            events = await eventually(lambda: _published(namespace, seen), what="selection.published on the bus")
            assert len(events) == 1
            event = events[0].data
            assert event["selection_version"] == 1 and event["rubric_version"] == "fy2568-v1"
            assert event["published_by"] == f"{chair['name']} ({chair['admin_id']})"
            by_id = {entry["submission_id"]: entry for entry in event["entries"]}
            assert len(by_id) == COUNT
            assert by_id[chosen["submission_id"]]["tier"] == "outstanding"
            assert by_id[chosen["submission_id"]]["override_reason"] == reason
            assert all(entry["contact"]["email"].endswith("@example.go.th") for entry in event["entries"])
            assert events[0].correlation_id == "selection:fy2568"

            # Unfreeze needs a reason; then reviews are taken again and the publication stays on record.
            too_short = await client.post(f"{url}/unfreeze", headers=bearer(token), json={"reason": "x"})
            assert too_short.status_code == 422
            opened = await client.post(f"{url}/unfreeze", headers=bearer(token),
                                       json={"reason": "คณะกรรมการขอพิจารณาคะแนนส่วนที่ ๓ ใหม่"})
            assert opened.status_code == 200 and opened.json()["status"] == "open"
            assert opened.json()["published"]["selection_version"] == 1
            review = await client.put(f"/v1/reviewer/submissions/{target['submission_id']}/review",
                                      headers=bearer(reviewer["token"]), json={"entries": [
                                          {"criterion": "document_review", "points": 10, "comment": "ครบถ้วน"}]})
            assert review.status_code == 202, review.text

            audit = (await client.get(f"{url}/audit", headers=bearer(token))).json()
            assert [record["action"] for record in audit] == ["freeze", "override", "publish", "unfreeze"]
            assert all(record["by"].startswith("นายสมชาย ใจดี") for record in audit)
            assert audit[1]["reason"] == reason and audit[1]["tier_after"] == "outstanding"

            # Decided anew: a second publication, version 2, one more event.
            assert (await client.post(f"{url}/freeze", headers=bearer(token))).status_code == 200
            second = await client.post(f"{url}/publish", headers=bearer(token))
            assert second.json()["published"]["selection_version"] == 2
            seen.clear()
            again_events = await eventually(lambda: _published(namespace, seen), what="the second publication")
            assert [e.data["selection_version"] for e in again_events] == [2]
