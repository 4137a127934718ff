"""Reporting's district, province and national views, size groups, rankings and the rebuild from the event
log, against the real broker and store: events in over RabbitMQ, figures out over HTTP."""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
from typing import Any

import httpx

from services.reporting import rebuild
from services.reporting.sample import CAMPAIGN, REGISTRY_36, history, municipalities, registry_event
from shared.events import Envelope
from tests.integration.test_reporting import publish_all, reporting
from tests.support import ROOT, Namespace


async def area_figures(client: httpx.AsyncClient) -> dict[str, Any]:
    """Every view the sample touches, without the time each was computed."""
    paths = [f"/v1/campaigns/{CAMPAIGN}/national", *(f"/v1/campaigns/{CAMPAIGN}/provinces/{code}"
                                                      for code in ("36", "40", "50", "unknown")),
             *(f"/v1/campaigns/{CAMPAIGN}/districts/{code}" for code in ("3601", "3602", "3603", "4001", "4007"))]
    result = {}
    for path in paths:
        response = await client.get(path)
        assert response.status_code == 200, response.text
        result[path] = _untimed(response.json())
    return result


def _untimed(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _untimed(v) for k, v in value.items() if k != "updated_at"}
    if isinstance(value, list):
        return [_untimed(v) for v in value]
    return value


def counts(**given: int) -> dict[str, int]:
    return {status: given.get(status, 0) for status in ("received", "validated", "returned", "rejected", "scored")}


async def test_district_province_and_national_views_with_expected_municipalities(namespace: Namespace) -> None:
    async with reporting(namespace) as (client, bus, _):
        await publish_all(client, bus, history())
        figures = await area_figures(client)
        mueang = (await client.get(f"/v1/campaigns/{CAMPAIGN}/districts/3601")).json()

    chaiyaphum = figures[f"/v1/campaigns/{CAMPAIGN}/provinces/36"]
    assert chaiyaphum["submissions"] == 5
    assert chaiyaphum["counts"] == counts(received=1, returned=1, rejected=1, scored=2)
    # Six municipalities of 36 in the registry (its อบต. is not eligible), four of them submitted.
    assert (chaiyaphum["expected"], chaiyaphum["expected_submitted"]) == (6, 4)
    districts = {row["district_code"]: row for row in chaiyaphum["districts"]}
    assert len(districts) == 16  # every district of ชัยภูมิ, with or without submissions
    assert (districts["3601"]["district_name_th"], districts["3601"]["submissions"]) == ("เมืองชัยภูมิ", 3)
    assert (districts["3602"]["expected"], districts["3602"]["counts"]["returned"]) == (2, 1)
    assert districts["3604"]["expected"] is None and districts["3604"]["submissions"] == 0

    assert mueang["counts"] == counts(rejected=1, scored=2)
    assert (mueang["expected"], mueang["expected_submitted"]) == (3, 2)
    assert [lao["name"] for lao in mueang["missing"]] == ["เทศบาลตำบลนาฝาย"]
    assert {item["lao_code"] for item in mueang["items"]} == {"4360101", "5360101", "6360103"}

    national = figures[f"/v1/campaigns/{CAMPAIGN}/national"]
    assert national["submissions"] == 10
    assert national["counts"] == counts(received=1, validated=1, returned=1, rejected=1, scored=6)
    assert (national["expected"], national["expected_submitted"]) == (9, 7)  # no registry of 50 yet
    assert national["tiers"] == {"outstanding": 4, "efficient": 1, "not_selected": 1}
    groups = national["size_groups"]
    assert {g: groups[g]["scored"] for g in groups} == {"large": 2, "medium": 3, "small": 1}
    assert groups["medium"]["average_score"] == round((81.5 + 73 + 47.5) / 3, 2)
    assert sum(national["score_histogram"]) == 6 and national["score_histogram"][8] == 2  # 81.5 and 88.25
    rows = {row["province_code"]: row for row in national["provinces"]}
    assert rows["50"]["expected"] is None and rows["40"]["expected"] == 3


async def test_rankings_within_size_group_take_the_newest_score(namespace: Namespace) -> None:
    async with reporting(namespace) as (client, bus, _):
        await publish_all(client, bus, history())
        medium = (await client.get(f"/v1/campaigns/{CAMPAIGN}/rankings", params={"size_group": "medium"})).json()
        page_two = (await client.get(f"/v1/campaigns/{CAMPAIGN}/rankings",
                                     params={"size_group": "medium", "limit": 1, "offset": 1})).json()
        in_40 = (await client.get(f"/v1/campaigns/{CAMPAIGN}/rankings",
                                  params={"size_group": "medium", "province": "40"})).json()
        missing_group = await client.get(f"/v1/campaigns/{CAMPAIGN}/rankings")

    assert [(i["rank"], i["lao_name"], i["score_total"]) for i in medium["items"]] == [
        (1, "เทศบาลเมืองชัยภูมิ", 81.5), (2, "เทศบาลเมืองบ้านไผ่", 73.0), (3, "เทศบาลเมืองแม่โจ้", 47.5)]
    assert medium["items"][1]["rubric_version"] == "fy2568-v2"  # the re-score under v2 replaced 55 under v1
    assert (page_two["total"], [i["rank"] for i in page_two["items"]]) == (3, [2])
    assert [(i["rank"], i["lao_code"]) for i in in_40["items"]] == [(2, "4400701")]  # its place nationally
    assert missing_group.status_code == 422


async def test_lists_filter_sort_and_paginate(namespace: Namespace) -> None:
    async with reporting(namespace) as (client, bus, _):
        await publish_all(client, bus, history())
        url = f"/v1/campaigns/{CAMPAIGN}/submissions"
        everything = (await client.get(url, params={"limit": 4})).json()
        last_page = (await client.get(url, params={"limit": 4, "offset": 8})).json()
        scored = (await client.get(url, params={"status": "scored", "sort": "score"})).json()
        named = (await client.get(url, params={"q": "บ้านไผ่"})).json()
        returned_in_36 = (await client.get(f"/v1/campaigns/{CAMPAIGN}/provinces/36",
                                           params={"status": "returned"})).json()
    assert (everything["total"], len(everything["items"]), len(last_page["items"])) == (10, 4, 2)
    assert [i["score_total"] for i in scored["items"]] == [91.0, 88.25, 81.5, 73.0, 62.0, 47.5]
    assert [i["lao_code"] for i in named["items"]] == ["4400701"]
    assert returned_in_36["items_total"] == 1 and returned_in_36["submissions"] == 5


async def test_registry_and_submissions_in_any_order_and_twice_give_the_same_figures(namespace: Namespace) -> None:
    events = history()
    older_import = registry_event("36", REGISTRY_36[:2], import_id="import-0",
                                  imported_at=events[0].occurred_at.replace(year=2024))
    async with reporting(namespace) as (client, bus, _):
        shuffled = list(events)
        random.Random(11).shuffle(shuffled)
        await publish_all(client, bus, shuffled)
        once = await area_figures(client)
        # Everything again, in another order, with an older registry import arriving last.
        again = list(events)
        random.Random(12).shuffle(again)
        await publish_all(client, bus, [*again, older_import])
        twice = await area_figures(client)
    assert twice == once
    assert once[f"/v1/campaigns/{CAMPAIGN}/provinces/36"]["expected"] == 6


async def test_a_newer_registry_import_changes_the_expected_municipalities(namespace: Namespace) -> None:
    events = history()
    newer = registry_event("36", [*REGISTRY_36, ("5360401", "เทศบาลตำบลหนองบัวแดง", "3601")],
                           import_id="import-2", imported_at=events[0].occurred_at.replace(year=2026))
    async with reporting(namespace) as (client, bus, _):
        await publish_all(client, bus, [*events, newer])
        district = (await client.get(f"/v1/campaigns/{CAMPAIGN}/districts/3601")).json()
        national = (await client.get(f"/v1/campaigns/{CAMPAIGN}/national")).json()
    assert district["expected"] == 4 and len(district["missing"]) == 2
    assert national["expected"] == 10


async def test_the_rebuild_from_the_event_log_gives_exactly_the_live_figures(namespace: Namespace) -> None:
    extra = municipalities()["5360102"]
    extra.received().validated().scored(70.0).scored(74.0, trigger="review", score_version=2)
    events: list[Envelope] = [*history(), *extra.events]
    async with reporting(namespace) as (client, bus, service):
        shuffled = list(events)
        random.Random(5).shuffle(shuffled)
        await publish_all(client, bus, shuffled + shuffled[:7])  # out of order, some twice
        live = service.component.state.read_models
        outcome = await rebuild.run(live, CAMPAIGN)
        assert outcome.identical, outcome.differences
        assert outcome.events == len(events)
        assert outcome.compared == {"submission_views": 11, "registry": 2, "district_views": 7,
                                    "province_views": 3, "national_views": 1}
        before = await area_figures(client)
        # The command an operator runs, as its own process against the same store.
        env = {**os.environ, **namespace.env("reporting")}
        command = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-m", "services.reporting.rebuild", "--campaign", CAMPAIGN, "--replace"],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert command.returncode == 0, command.stdout + command.stderr
        assert "identical to the live ones" in command.stdout
        after = await area_figures(client)
    assert after == before


async def test_a_rebuild_reports_a_read_model_that_lost_an_event(namespace: Namespace) -> None:
    async with reporting(namespace) as (client, bus, service):
        await publish_all(client, bus, history())
        live = service.component.state.read_models
        await live.provinces.update_one({"_id": f"{CAMPAIGN}/40"}, {"$inc": {"counts.scored": -1}})
        outcome = await rebuild.run(live, CAMPAIGN)
    assert outcome.differences == [f"province_views/{CAMPAIGN}/40: differs in counts"]
