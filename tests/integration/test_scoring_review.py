"""Committee review on the real broker and store: reviewers authenticated by their own tokens (stored hashed),
points only for submissions assigned to them and never in their own province, several reviewers combined,
every change in the audit trail, and each change flowing on as a new submission.scored (trigger "review")."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
from typing import Any

import httpx

from services.scoring.repository import ScoringStore
from shared.events import Envelope, ReviewRecorded
from shared.secrets import keyed_digest
from tests.integration.scoring_fixtures import ADMIN, handled, running_scoring, validated
from tests.support import ROOT, Namespace, drain, eventually, http_client

CHAIYAPHUM, KHON_KAEN = ("36", "ชัยภูมิ"), ("40", "ขอนแก่น")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _reviewer(client: httpx.AsyncClient, name: str, province: str) -> dict[str, Any]:
    response = await client.post("/v1/admin/reviewers", headers=ADMIN, json={"name": name, "province": province})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def _score_version(store: ScoringStore, score_id: str, version: int) -> dict[str, Any] | None:
    document = await store.score(score_id)
    return document if document is not None and document["score_version"] >= version else None


def _criterion(document: dict[str, Any], key: str) -> dict[str, Any]:
    return next(c for c in document["criteria"] if c["key"] == key)


async def test_reviewers_points_are_combined_audited_and_flow_on_as_a_new_score(namespace: Namespace) -> None:
    async with running_scoring(namespace) as (scoring, publisher):
        store: ScoringStore = scoring.component.state.store
        await publisher.publish(validated(1, submission_id="sub_khonkaen", province=KHON_KAEN, lao_type="เทศบาลเมือง"))
        await eventually(lambda: store.score("sub_khonkaen/r1/fy2568-v1"), what="the validated score")
        async with http_client(scoring.url) as client:
            somchai = await _reviewer(client, "นายสมชาย ตรวจดี", "ชัยภูมิ")
            malee = await _reviewer(client, "นางมาลี ใจเย็น", "10")
            dla = await _reviewer(client, "ผู้แทน สถ.", "national")
            assert (somchai["province_code"], malee["province_code"], dla["province_code"]) == ("36", "10", None)
            assignment = await client.post("/v1/admin/assignments", headers=ADMIN, json={
                "reviewer_id": somchai["reviewer_id"],
                "submission_ids": ["sub_khonkaen", "sub_nowhere"]})
            assert assignment.json()["assigned"] == ["sub_khonkaen"]
            assert [r["code"] for r in assignment.json()["refused"]] == ["submission_unknown"]
            for reviewer in (malee, dla):
                await client.post("/v1/admin/assignments", headers=ADMIN,
                                  json={"reviewer_id": reviewer["reviewer_id"], "submission_ids": ["sub_khonkaen"]})

            mine = (await client.get("/v1/reviewer/assignments", headers=bearer(malee["token"]))).json()
            assert [(a["submission_id"], [c["key"] for c in a["criteria"]]) for a in mine] == [
                ("sub_khonkaen", ["document_review", "site_visit"])]
            to_judge = (await client.get("/v1/reviewer/submissions/sub_khonkaen",
                                         headers=bearer(malee["token"]))).json()
            assert to_judge["submission"]["projects"] and "contact" not in to_judge["submission"]
            assert (to_judge["lao"]["province_code"], to_judge["score"]["score_version"]) == ("40", 1)

            first = await client.put("/v1/reviewer/submissions/sub_khonkaen/review", headers=bearer(malee["token"]),
                                     json={"revision": 1, "entries": [
                                         {"criterion": "document_review", "points": 12, "comment": "แผนชัดเจน"}]})
            assert first.status_code == 202, first.text
            await client.put("/v1/reviewer/submissions/sub_khonkaen/review", headers=bearer(dla["token"]),
                             json={"entries": [{"criterion": "document_review", "points": 14.5,
                                                "comment": "หลักฐานครบถ้วน"},
                                               {"criterion": "site_visit", "points": 13, "comment": "ระบบใช้งานจริง"}]})
            scored = await eventually(lambda: _committee_scored(store, 2), what="both reviewers in the score")
            review = _criterion(scored, "document_review")
            assert review["points"] == 13.25  # (12 + 14.5) / 2
            assert (review["inputs"]["min"], review["inputs"]["max"], review["inputs"]["spread"]) == (12, 14.5, 2.5)
            assert {m["comment"] for m in review["inputs"]["marks"]} == {"แผนชัดเจน", "หลักฐานครบถ้วน"}
            assert "ค่าเฉลี่ยของกรรมการ 2 คน" in review["reason_th"] and "mean of 2 reviewers" in review["reason_en"]
            assert _criterion(scored, "site_visit")["points"] == 13
            assert scored["manual_pending"] == [] and scored["provisional"] is False
            assert scored["total"] == scored["auto_total"] + 13.25 + 13

            # A reviewer changes their mind: the audit trail keeps old, new and why; the score follows.
            change = await client.put("/v1/reviewer/submissions/sub_khonkaen/review", headers=bearer(malee["token"]),
                                      json={"entries": [{"criterion": "document_review", "points": 13,
                                                         "comment": "อ่านภาคผนวกเพิ่มเติมแล้ว"}]})
            assert change.json()["changes"] == [{"criterion": "document_review",
                                                 "old": {"points": 12, "comment": "แผนชัดเจน"},
                                                 "new": {"points": 13, "comment": "อ่านภาคผนวกเพิ่มเติมแล้ว"},
                                                 "why": "อ่านภาคผนวกเพิ่มเติมแล้ว"}]
            latest = await eventually(lambda: _review_points(store, 13.75), what="the changed mean in the score")
            same = await client.put("/v1/reviewer/submissions/sub_khonkaen/review", headers=bearer(malee["token"]),
                                    json={"entries": [{"criterion": "document_review", "points": 13,
                                                       "comment": "อ่านภาคผนวกเพิ่มเติมแล้ว"}]})
            assert (same.status_code, same.json()["changes"], same.json()["change_id"]) == (200, [], None)

            audit = (await client.get("/v1/admin/audit", headers=ADMIN,
                                      params={"submission_id": "sub_khonkaen"})).json()
            assert [(a["reviewer_name"], a["seq"], [(c["criterion"], c["old"], c["new"]) for c in a["changes"]])
                    for a in audit] == [
                ("นางมาลี ใจเย็น", 1, [("document_review", None, {"points": 12, "comment": "แผนชัดเจน"})]),
                ("ผู้แทน สถ.", 1, [("document_review", None, {"points": 14.5, "comment": "หลักฐานครบถ้วน"}),
                                   ("site_visit", None, {"points": 13, "comment": "ระบบใช้งานจริง"})]),
                ("นางมาลี ใจเย็น", 2, [("document_review", {"points": 12, "comment": "แผนชัดเจน"},
                                         {"points": 13, "comment": "อ่านภาคผนวกเพิ่มเติมแล้ว"})]),
            ]
            assert all(a["at"] and a["reviewer_id"] and a["rubric_version"] == "fy2568-v1" for a in audit)

        # Each change flowed on as a submission.scored with trigger "review"; earlier scores stay in history.
        seen: list[Envelope] = []

        async def up_to_latest() -> list[Envelope] | None:
            seen.extend(e for e in await drain(namespace) if e.event_type == "submission.scored")
            return seen if seen and seen[-1].data["score_version"] == latest["score_version"] else None

        events = await eventually(up_to_latest, what="the latest score published")
        assert (events[0].data["trigger"], events[0].data["score_version"]) == ("validation", 1)
        assert {e.data["trigger"] for e in events[1:]} == {"review"}
        assert events[-1].data["score_version"] == latest["score_version"] == len(latest["history"]) + 1
        assert latest["history"][0]["criteria"] and latest["history"][0]["trigger"] == "validation"

        # The same review command delivered again changes nothing and publishes nothing.
        redelivered = ReviewRecorded(submission_id="sub_khonkaen", revision=1, campaign="fy2568",
                                     change_id=audit[-1]["change_id"], reviewer_id=malee["reviewer_id"],
                                     criteria=["document_review"])
        count = handled("scoring.review_recorded")
        await publisher.publish(Envelope.build(redelivered, producer="scoring", correlation_id="sub_khonkaen"))
        await eventually(lambda: _more(count), what="the repeated command handled")
        assert (await store.score("sub_khonkaen/r1/fy2568-v1"))["score_version"] == latest["score_version"]  # type: ignore[index]
        assert [e for e in await drain(namespace) if e.event_type == "submission.scored"] == []


async def _more(count: float) -> bool:
    return handled("scoring.review_recorded") > count


async def _committee_scored(store: ScoringStore, reviewers: int) -> dict[str, Any] | None:
    document = await store.score("sub_khonkaen/r1/fy2568-v1")
    if document is None:
        return None
    done = _criterion(document, "document_review")["inputs"].get("reviewers") == reviewers
    return document if done and not document["manual_pending"] else None


async def _review_points(store: ScoringStore, points: float) -> dict[str, Any] | None:
    document = await store.score("sub_khonkaen/r1/fy2568-v1")
    return document if document and _criterion(document, "document_review")["points"] == points else None


async def test_a_reviewer_is_refused_their_own_province_what_is_not_assigned_and_what_the_rubric_forbids(
        namespace: Namespace) -> None:
    async with running_scoring(namespace) as (scoring, publisher):
        store: ScoringStore = scoring.component.state.store
        await publisher.publish(validated(2, submission_id="sub_chaiyaphum", province=CHAIYAPHUM))
        await publisher.publish(validated(3, submission_id="sub_moved", province=KHON_KAEN))
        await eventually(lambda: store.score("sub_moved/r1/fy2568-v1"), what="the scores")
        await eventually(lambda: store.score("sub_chaiyaphum/r1/fy2568-v1"), what="the scores")
        async with http_client(scoring.url) as client:
            reviewer = await _reviewer(client, "นายสมชาย ตรวจดี", "36")
            headers = bearer(reviewer["token"])

            # Conflict of interest at assignment: a Chaiyaphum reviewer is never assigned a Chaiyaphum LAO.
            outcome = (await client.post("/v1/admin/assignments", headers=ADMIN, json={
                "reviewer_id": reviewer["reviewer_id"], "submission_ids": ["sub_chaiyaphum", "sub_moved"]})).json()
            assert outcome["assigned"] == ["sub_moved"]
            (refused,) = outcome["refused"]
            assert refused["code"] == "conflict_of_interest" and "จังหวัดของตนเอง" in refusal_text(refused)

            not_assigned = await client.put("/v1/reviewer/submissions/sub_chaiyaphum/review", headers=headers,
                                            json={"entries": [{"criterion": "site_visit", "points": 10,
                                                               "comment": "ดี"}]})
            assert not_assigned.status_code == 403 and not_assigned.json()["error"] == "not_assigned"
            assert not_assigned.json()["message_th"] and not_assigned.json()["message_en"]

            wrong = await client.put("/v1/reviewer/submissions/sub_moved/review", headers=headers, json={"entries": [
                {"criterion": "has_plan", "points": 1, "comment": "x"},
                {"criterion": "site_visit", "points": 15.5, "comment": "x"},
                {"criterion": "document_review", "points": 5, "comment": ""}]})
            assert wrong.status_code == 422
            assert [(e["field"], e["code"]) for e in wrong.json()["errors"]] == [
                ("entries[0].criterion", "not_a_committee_criterion"), ("entries[1].points", "points_out_of_range"),
                ("entries[2].comment", "comment_missing")]
            assert all(e["message_th"] and e["message_en"] for e in wrong.json()["errors"])

            # A corrected revision places the LAO in the reviewer's own province: refused at entry too.
            await publisher.publish(validated(3, submission_id="sub_moved", revision=2, province=CHAIYAPHUM))
            await eventually(lambda: store.score("sub_moved/r2/fy2568-v1"), what="revision 2 scored")
            conflict = await client.put("/v1/reviewer/submissions/sub_moved/review", headers=headers,
                                        json={"entries": [{"criterion": "site_visit", "points": 10, "comment": "ดี"}]})
            assert conflict.status_code == 403
            assert conflict.json()["error"] == "conflict_of_interest"
            assert "ผลประโยชน์ทับซ้อน" in conflict.json()["message_th"]
            assert "conflict of interest" in conflict.json()["message_en"]
            assert await store.audit(submission_id="sub_moved") == []


def refusal_text(refusal: dict[str, Any]) -> str:
    return f"{refusal['message_th']} {refusal['message_en']}"


async def test_tokens_are_required_stored_hashed_and_refusals_never_echo_them(namespace: Namespace) -> None:
    async with running_scoring(namespace) as (scoring, _):
        store: ScoringStore = scoring.component.state.store
        async with http_client(scoring.url) as client:
            missing = await client.get("/v1/reviewer/me")
            assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
            assert missing.json()["message_th"] and missing.json()["message_en"]
            forged = await client.get("/v1/reviewer/me", headers=bearer("rvw_forged-token-value"))
            assert forged.status_code == 401 and "rvw_forged-token-value" not in forged.text
            wrong_admin = await client.get("/v1/admin/reviewers", headers=bearer("not-the-admin-token-at-all"))
            assert wrong_admin.status_code == 403 and "not-the-admin-token" not in wrong_admin.text
            no_admin = await client.post("/v1/admin/reviewers", json={"name": "x", "province": "36"})
            assert no_admin.status_code == 401

            reviewer = await _reviewer(client, "นางมาลี ใจเย็น", "ขอนแก่น")
            assert (await client.get("/v1/reviewer/me", headers=bearer(reviewer["token"]))).json()["name"] == \
                "นางมาลี ใจเย็น"
            stored = await store.reviewers.find_one({"_id": reviewer["reviewer_id"]})
            assert stored is not None and reviewer["token"] not in str(stored)
            assert stored["token_sha256"] == keyed_digest(store.digest_key, "reviewer-token", reviewer["token"])
            assert stored["token_sha256"] != hashlib.sha256(reviewer["token"].encode()).hexdigest()
            listed = (await client.get("/v1/admin/reviewers", headers=ADMIN)).json()
            assert "token" not in listed[0] and "token_sha256" not in listed[0]
            bad_province = await client.post("/v1/admin/reviewers", headers=ADMIN,
                                             json={"name": "x", "province": "แอตแลนติส"})
            assert bad_province.status_code == 422 and bad_province.json()["message_th"]

            await client.post(f"/v1/admin/reviewers/{reviewer['reviewer_id']}/disable", headers=ADMIN)
            revoked = await client.get("/v1/reviewer/me", headers=bearer(reviewer["token"]))
            assert revoked.status_code == 401


async def test_the_reviewers_command_prints_the_token_once_and_it_works(namespace: Namespace) -> None:
    async with running_scoring(namespace) as (scoring, _):
        env = {**os.environ, "MONGODB_URL": namespace.infra.mongodb_url, "MONGODB_DB_PREFIX": namespace.name}
        added = await asyncio.to_thread(subprocess.run, [
            sys.executable, "-m", "services.scoring.reviewers", "--by", "ผู้ดูแลระบบ", "add", "--name",
            "นายสมชาย ตรวจดี", "--province", "36"], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert added.returncode == 0, added.stderr
        token = added.stdout.strip().splitlines()[-1]
        assert token.startswith("rvw_") and added.stdout.count(token) == 1
        async with http_client(scoring.url) as client:
            me = (await client.get("/v1/reviewer/me", headers=bearer(token))).json()
        assert (me["name"], me["province_code"], me["created_by"]) == ("นายสมชาย ตรวจดี", "36", "ผู้ดูแลระบบ")
        listed = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "services.scoring.reviewers", "list"],
                                         env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert me["reviewer_id"] in listed.stdout and token not in listed.stdout and "token_sha256" not in listed.stdout
