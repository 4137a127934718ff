"""Reporting against the real broker and store: real envelopes in over RabbitMQ, figures out over HTTP."""

from __future__ import annotations

import contextlib
import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from prometheus_client.parser import text_string_to_metric_families

from services.intake.submission import Submission
from services.reporting.service import SPEC
from shared.bus import Bus
from shared.events import (
    ContactSummary,
    Envelope,
    EventData,
    LaoSummary,
    SubmissionReceived,
    SubmissionRejected,
    SubmissionReturned,
    SubmissionScored,
    SubmissionValidated,
)
from tests.support import InProcessService, Namespace, eventually

CAMPAIGN = "fy2568"
T0 = datetime(2025, 11, 24, 3, 0, tzinfo=UTC)
PROVINCES = {"36": ("ชัยภูมิ", "3601", "เมืองชัยภูมิ"), "40": ("ขอนแก่น", "4001", "เมืองขอนแก่น"),
             "50": ("เชียงใหม่", "5001", "เมืองเชียงใหม่")}
CONTACT = ContactSummary(name="ผู้ประสานงาน", email="smartcity@example.go.th")


class Lao:
    """One municipality's events, in the order the pipeline would produce them."""

    def __init__(self, number: int, province: str | None) -> None:
        self.submission_id = f"{CAMPAIGN}-lao-{number}"
        self.name = f"เทศบาลตำบลทดสอบ {number}"
        self.province = province
        self.clock = T0 + timedelta(hours=number)

    def lao(self, resolved: bool) -> LaoSummary:
        if not resolved or self.province is None:
            return LaoSummary(name=self.name)
        name, district, district_name = PROVINCES[self.province]
        return LaoSummary(name=self.name, type="เทศบาลตำบล", province_code=self.province, province_name=name,
                          district_code=district, district_name=district_name)

    def _envelope(self, data: EventData) -> Envelope:
        self.clock += timedelta(minutes=1)
        envelope = Envelope.build(data, producer="test", correlation_id=self.submission_id)
        return envelope.model_copy(update={"occurred_at": self.clock})

    def _ref(self, revision: int) -> dict[str, Any]:
        return {"submission_id": self.submission_id, "revision": revision, "campaign": CAMPAIGN,
                "contact": CONTACT}

    def received(self, revision: int = 1) -> Envelope:
        submission = Submission.model_validate({
            "campaign": CAMPAIGN, "source": "api", "source_response_id": f"{self.submission_id}-r{revision}",
            "lao": {"name": self.name, "province": PROVINCES[self.province][0] if self.province else "?"},
        })
        # Intake has not resolved the place yet: validation does, so the view moves from "unknown".
        return self._envelope(SubmissionReceived(
            **self._ref(revision), source="api", source_response_id=submission.source_response_id,
            received_at=self.clock, lao=self.lao(resolved=False), submission=submission))

    def validated(self, revision: int = 1) -> Envelope:
        submission = Submission.model_validate({"campaign": CAMPAIGN, "source": "api", "source_response_id": "x",
                                                "lao": {"name": self.name, "province": "?"}})
        return self._envelope(SubmissionValidated(**self._ref(revision), lao=self.lao(resolved=True),
                                                  submission=submission))

    def returned(self, revision: int = 1) -> Envelope:
        return self._envelope(SubmissionReturned(**self._ref(revision), lao=self.lao(resolved=True), issues=[]))

    def rejected(self, revision: int = 1) -> Envelope:
        return self._envelope(SubmissionRejected(**self._ref(revision), lao=self.lao(resolved=True), issues=[]))

    def scored(self, total: float, tier: str, revision: int = 1) -> Envelope:
        return self._envelope(SubmissionScored(
            **self._ref(revision), lao=self.lao(resolved=True), rubric_version="fy2568-v1", total=total,
            max_total=100, tier=tier, size_group="small", criteria=[]))


@contextlib.asynccontextmanager
async def reporting(namespace: Namespace) -> AsyncIterator[tuple[httpx.AsyncClient, Bus, InProcessService]]:
    bus = Bus(namespace.settings("test-publisher"), "test-publisher")
    async with InProcessService(SPEC, namespace.settings("reporting")) as service, \
            httpx.AsyncClient(base_url=service.url, timeout=10) as client:
        await bus.connect()
        try:
            yield client, bus, service
        finally:
            await bus.close()


async def handled(client: httpx.AsyncClient) -> int:
    """Messages reporting has handled and acked, as its own /metrics says."""
    text = (await client.get("/metrics")).text
    return int(sum(
        sample.value for family in text_string_to_metric_families(text)
        if family.name == "smartcity_messages_consumed"
        for sample in family.samples
        if sample.name.endswith("_total") and sample.labels.get("service") == "reporting"
    ))


async def publish_all(client: httpx.AsyncClient, bus: Bus, envelopes: list[Envelope]) -> None:
    """Publish, then wait until reporting has handled every one of them (duplicates leave no other trace)."""
    before = await handled(client)
    for envelope in envelopes:
        await bus.publish(envelope)

    async def done() -> bool:
        return await handled(client) >= before + len(envelopes)

    await eventually(done, what=f"{len(envelopes)} events handled")


async def figures(client: httpx.AsyncClient) -> dict[str, Any]:
    """National and per-province figures, without the timestamps of when they were computed."""
    national = (await client.get(f"/v1/campaigns/{CAMPAIGN}/national")).json()
    provinces = {code: (await client.get(f"/v1/campaigns/{CAMPAIGN}/provinces/{code}")).json()
                 for code in [*PROVINCES, "unknown"]}
    for document in [national, *provinces.values()]:
        document.pop("updated_at", None)
    return {"national": national, "provinces": provinces}


def counts(**given: int) -> dict[str, int]:
    return {status: given.get(status, 0) for status in ("received", "validated", "returned", "rejected", "scored")}


def scenario() -> list[Envelope]:
    """Seven municipalities in three provinces (and one not yet placed): every outcome of the pipeline."""
    a, b, c = Lao(1, "36"), Lao(2, "36"), Lao(3, "36")
    d, e = Lao(4, "40"), Lao(5, "40")
    f, g = Lao(6, "50"), Lao(7, None)
    return [
        a.received(), a.validated(), a.scored(81.5, "outstanding"),
        b.received(), b.validated(), b.scored(60.3, "efficient"),
        c.received(), c.returned(),
        d.received(), d.validated(),
        e.received(), e.rejected(),
        f.received(), f.validated(), f.scored(70, "efficient"),
        g.received(),
    ]


async def test_counts_and_average_scores_per_province_and_nation(namespace: Namespace) -> None:
    events = scenario()
    async with reporting(namespace) as (client, bus, _):
        await publish_all(client, bus, events)
        result = await figures(client)

    national = result["national"]
    assert national["submissions"] == 7
    assert national["counts"] == counts(received=1, validated=1, returned=1, rejected=1, scored=3)
    assert national["average_score"] == round((81.5 + 60.3 + 70) / 3, 2) == 70.6
    assert national["tiers"] == {"outstanding": 1, "efficient": 2, "not_selected": 0}
    rows = {row["province_code"]: row for row in national["provinces"]}
    assert set(rows) == {"36", "40", "50", "unknown"}
    assert rows["36"]["province_name_th"] == "ชัยภูมิ"
    assert (rows["40"]["submissions"], rows["unknown"]["submissions"]) == (2, 1)

    chaiyaphum = result["provinces"]["36"]
    assert chaiyaphum["province_name_th"] == "ชัยภูมิ" and chaiyaphum["province_name_en"] == "Chaiyaphum"
    assert chaiyaphum["submissions"] == 3
    assert chaiyaphum["counts"] == counts(returned=1, scored=2)
    assert chaiyaphum["average_score"] == 70.9
    assert sorted((i["lao_name"], i["status"], i["score_total"]) for i in chaiyaphum["items"]) == [
        ("เทศบาลตำบลทดสอบ 1", "scored", 81.5), ("เทศบาลตำบลทดสอบ 2", "scored", 60.3),
        ("เทศบาลตำบลทดสอบ 3", "returned", None)]
    khon_kaen = result["provinces"]["40"]
    assert khon_kaen["counts"] == counts(validated=1, rejected=1) and khon_kaen["average_score"] is None
    assert result["provinces"]["50"]["average_score"] == 70.0
    # Every submission was first received unplaced; only the one validation never placed remains "unknown".
    unknown = result["provinces"]["unknown"]
    assert unknown["counts"] == counts(received=1)
    assert [i["submission_id"] for i in unknown["items"]] == [f"{CAMPAIGN}-lao-7"]


async def test_the_same_events_twice_in_another_order_give_identical_figures(namespace: Namespace) -> None:
    events = scenario()
    async with reporting(namespace) as (client, bus, _):
        await publish_all(client, bus, events)
        once = await figures(client)
        again = list(events)
        random.Random(7).shuffle(again)
        await publish_all(client, bus, again)
        twice = await figures(client)
    assert twice == once
    assert once["national"]["submissions"] == 7


async def test_an_older_revision_arriving_after_the_newer_one_changes_no_count(namespace: Namespace) -> None:
    lao, other = Lao(1, "36"), Lao(2, "36")
    revision_one = [lao.received(1), lao.validated(1), lao.scored(90, "outstanding", 1)]
    revision_two = [lao.received(2), lao.validated(2)]
    async with reporting(namespace) as (client, bus, _):
        await publish_all(client, bus, [*revision_two, other.received(), other.validated(),
                                        other.scored(50, "not_selected")])
        before = await figures(client)
        await publish_all(client, bus, revision_one)  # revision 1's events, late
        after = await figures(client)
        view = (await client.get(f"/v1/submissions/{lao.submission_id}")).json()

    assert after == before
    province = after["provinces"]["36"]
    assert province["counts"] == counts(validated=1, scored=1)
    assert province["average_score"] == 50.0  # revision 1's 90 points are superseded by revision 2
    assert (view["current_revision"], view["status"], view["score"]) == (2, "validated", None)
    assert [(r["revision"], r["status"]) for r in view["revisions"]] == [(2, "validated"), (1, "scored")]
    assert view["revisions"][1]["score"]["total"] == 90


async def test_one_submission_and_the_not_found_answers(namespace: Namespace) -> None:
    lao = Lao(3, "50")
    async with reporting(namespace) as (client, bus, _):
        await publish_all(client, bus, [lao.received(), lao.returned()])
        view = (await client.get(f"/v1/submissions/{lao.submission_id}")).json()
        missing = await client.get("/v1/submissions/nope")
        bad_province = await client.get(f"/v1/campaigns/{CAMPAIGN}/provinces/99")
        bad_campaign = await client.get("/v1/campaigns/fy2999/national")
        empty_province = (await client.get(f"/v1/campaigns/{CAMPAIGN}/provinces/10")).json()

    assert (view["status"], view["lao"]["province_code"]) == ("returned", "50")
    assert "applied_event_ids" not in view and "version" not in view
    assert [step["event_type"] for step in view["revisions"][0]["history"]] == [
        "submission.received", "submission.returned"]
    for response in (missing, bad_province, bad_campaign):
        assert response.status_code == 404
        assert response.json()["message_th"] and response.json()["message_en"]
    assert empty_province["province_name_th"] == "กรุงเทพมหานคร"
    assert (empty_province["submissions"], empty_province["items"]) == (0, [])


async def test_a_crash_between_the_view_and_the_aggregates_is_repaired_by_the_redelivery(
        namespace: Namespace) -> None:
    lao = Lao(4, "40")
    received, validated = lao.received(), lao.validated()
    async with reporting(namespace) as (client, bus, service):
        await publish_all(client, bus, [received])
        # As if the process died after writing the view and before the aggregates: the event stays unacked.
        await service.component.state.read_models.write_view(validated)
        stale = (await client.get(f"/v1/campaigns/{CAMPAIGN}/provinces/40")).json()
        await publish_all(client, bus, [validated])  # the broker delivers it again
        repaired = await figures(client)
    assert stale["counts"] == counts()  # the view was placed in 40, the figures not yet
    assert repaired["provinces"]["40"]["counts"] == counts(validated=1)
    assert repaired["provinces"]["unknown"]["counts"] == counts()
    assert repaired["national"]["counts"] == counts(validated=1)
