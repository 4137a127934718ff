"""Rankings from scoring's own copy of what it scored, on the real broker and store: size groups from DLA's
size class or, flagged, from the LAO type; only each submission's newest revision ranked; ties broken as
documented; national and per-province rankings; bilingual refusals."""

from __future__ import annotations

from typing import Any

from services.scoring.repository import ScoringStore
from tests.integration.scoring_fixtures import returned, running_scoring, validated, varied_body
from tests.support import Namespace, eventually, http_client

CHAIYAPHUM, KHON_KAEN = ("36", "ชัยภูมิ"), ("40", "ขอนแก่น")


async def _scored(store: ScoringStore, count: int) -> bool | None:
    return await store.scores.count_documents({}) >= count or None


def _group(body: dict[str, Any], key: str) -> dict[str, Any]:
    return next(group for group in body["groups"] if group["size_group"] == key)


async def test_rankings_within_size_groups_rank_the_newest_revision_and_break_ties_as_documented(
        namespace: Namespace) -> None:
    tie = varied_body(20)
    early = dict(tie, submitted_at="2025-11-20T09:00:00+07:00")
    late = dict(tie, submitted_at="2025-11-20T09:00:01+07:00")
    weak, strong = varied_body(0), varied_body(5)
    strong["partners"] = ["ก", "ข", "ค", "ง", "จ"]
    async with running_scoring(namespace) as (scoring, publisher):
        store: ScoringStore = scoring.component.state.store
        for event in [
            validated(1, submission_id="sub_registry_large", province=CHAIYAPHUM, lao_type="เทศบาลเมือง",
                      size_class="large"),
            validated(2, submission_id="sub_fallback_large", province=KHON_KAEN, lao_type="เทศบาลนคร"),
            validated(3, submission_id="sub_tie_late", body=late, province=CHAIYAPHUM, lao_type="เทศบาลตำบล"),
            validated(4, submission_id="sub_tie_early", body=early, province=KHON_KAEN, lao_type="เทศบาลตำบล"),
            validated(5, submission_id="sub_returned_later", province=CHAIYAPHUM, lao_type="เทศบาลตำบล"),
            validated(6, submission_id="sub_revised", body=weak, province=CHAIYAPHUM, lao_type="เทศบาลเมือง"),
            validated(6, submission_id="sub_revised", body=strong, revision=2, province=CHAIYAPHUM,
                      lao_type="เทศบาลเมือง"),
            returned("sub_returned_later", 2),
        ]:
            await publisher.publish(event)
        await eventually(lambda: _scored(store, 7), what="seven scores")
        await eventually(lambda: store.revision("sub_returned_later", 2), what="the returned revision noted")

        async with http_client(scoring.url) as client:
            national = (await client.get("/v1/campaigns/fy2568/rankings")).json()
            assert national["rubric_version"] == "fy2568-v1" and national["active"] is True
            assert national["tie_breaks"] == ["total", "section:outcomes", "section:committee", "section:services",
                                              "section:readiness", "section:data_platform", "section:sustainability",
                                              "section:investment", "submitted_at", "submission_id"]
            assert [g["size_group"] for g in national["groups"]] == ["large", "medium", "small"]

            large = {e["submission_id"]: e for e in _group(national, "large")["entries"]}
            assert large["sub_registry_large"]["size_group_flagged"] is False   # DLA's size class
            assert large["sub_fallback_large"]["size_group_flagged"] is True    # from the LAO type
            assert _group(national, "large")["name_th"] == "ขนาดใหญ่"

            (revised,) = _group(national, "medium")["entries"]
            assert (revised["submission_id"], revised["revision"], revised["rank"]) == ("sub_revised", 2, 1)
            assert revised["provisional"] is True and revised["tier"] in ("outstanding", "efficient", "not_selected")

            small = _group(national, "small")["entries"]
            assert [(e["rank"], e["submission_id"], e["decided_by"]) for e in small] == [
                (1, "sub_tie_early", None), (2, "sub_tie_late", "submitted_at")]
            assert small[0]["total"] == small[1]["total"] and small[0]["sections"] == small[1]["sections"]
            assert [(n["submission_id"], n["reason"]) for n in national["not_ranked"]] == [
                ("sub_returned_later", "newest_revision_returned")]
            assert national["not_ranked"][0]["reason_th"] and national["not_ranked"][0]["reason_en"]

            chaiyaphum = (await client.get("/v1/campaigns/fy2568/rankings",
                                           params={"province": "ชัยภูมิ", "size_group": "small"})).json()
            assert chaiyaphum["scope"] == {"size_group": "small", "province_code": "36"}
            assert [(e["rank"], e["national_rank"], e["submission_id"]) for e in
                    _group(chaiyaphum, "small")["entries"]] == [(1, 2, "sub_tie_late")]

            scores = (await client.get("/v1/scores/sub_revised")).json()
            assert [(s["revision"], s["rubric_version"]) for s in scores] == [(2, "fy2568-v1"), (1, "fy2568-v1")]
            assert scores[0]["total"] > scores[1]["total"]

            for path, params, status, code in [
                ("/v1/campaigns/fy2568/rankings", {"size_group": "huge"}, 422, "unknown_size_group"),
                ("/v1/campaigns/fy2568/rankings", {"province": "แอตแลนติส"}, 422, "unknown_province"),
                ("/v1/campaigns/fy2568/rankings", {"rubric_version": "fy2568-v9"}, 404, "unknown_rubric"),
                ("/v1/campaigns/fy2599/rankings", {}, 404, "unknown_campaign"),
            ]:
                refused = await client.get(path, params=params)
                assert (refused.status_code, refused.json()["error"]) == (status, code), refused.text
                assert refused.json()["message_th"] and refused.json()["message_en"]


async def test_the_registry_size_class_decides_the_group_and_the_score_says_which_lao_it_read(
        namespace: Namespace) -> None:
    async with running_scoring(namespace) as (scoring, publisher):
        store: ScoringStore = scoring.component.state.store
        await publisher.publish(validated(1, submission_id="sub_small_city", lao_type="เทศบาลนคร", size_class="small"))
        scored = await eventually(lambda: store.score("sub_small_city/r1/fy2568-v1"), what="the score")
        assert (scored["size_group"], scored["size_group_flagged"]) == ("small", False)
        assert scored["lao"]["size_class"] == "small" and scored["rubric_digest"]
