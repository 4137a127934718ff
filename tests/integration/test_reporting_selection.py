"""DLA's final selection in reporting, on the real broker and store: `selection.published` makes the tiers final
in the submission views, the figures, the rankings and the exports (with who decided), is idempotent and never
goes back to an older publication; the announcement PDF lists exactly the selected LAOs by tier and size group,
with their provinces, a B.E. date in Thai digits and the signature block (read back with pdftotext, pages kept
as PNG under test-artifacts/announcement/)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from services.reporting.sample import CAMPAIGN, history
from shared.events import ContactSummary, Envelope, LaoSummary, SelectionEntry, SelectionPublished
from tests.integration.test_reporting import publish_all, reporting
from tests.integration.test_reporting_package import _needs, ink, pages_as_png, squeeze, text_of
from tests.support import ARTIFACTS, Namespace

OUT = ARTIFACTS / "announcement"
V1 = f"/v1/campaigns/{CAMPAIGN}"
PUBLISHED_AT = datetime(2026, 1, 16, 3, 0, tzinfo=UTC)  # 16 Jan 2569, 10:00 Thai time
BY = "นายสมชาย ใจดี (adm_0123456789)"


def selection(scored: list[dict[str, Any]], tiers: dict[str, str], version: int = 1,
              reasons: dict[str, str] | None = None) -> Envelope:
    """`selection.published` over reporting's scored submissions, each given its final tier."""
    entries = []
    for rank, item in enumerate(sorted(scored, key=lambda i: -i["score_total"]), start=1):
        tier = tiers.get(item["submission_id"], "not_selected")
        entries.append(SelectionEntry(
            submission_id=item["submission_id"], revision=item["current_revision"],
            lao=LaoSummary(name=item["lao_name"], code=item["lao_code"], type=item["lao_type"],
                           province_code=item["province_code"], province_name=item["province_name"],
                           district_code=item["district_code"], district_name=item["district_name"]),
            contact=ContactSummary(email="lao@example.go.th"), size_group=item["size_group"], rank=rank,
            total=item["score_total"], max_total=item["max_total"], proposed_tier=item["tier"], tier=tier,
            override_reason=(reasons or {}).get(item["submission_id"])))
    data = SelectionPublished(campaign=CAMPAIGN, selection_version=version, rubric_version="fy2568-v1",
                              frozen_at=PUBLISHED_AT, published_at=PUBLISHED_AT, published_by=BY,
                              quotas={"outstanding": {"large": 4, "medium": 4, "small": 4},
                                      "efficient": {"large": 6, "medium": 6, "small": 6}},
                              group_names={"large": "ขนาดใหญ่", "medium": "ขนาดกลาง", "small": "ขนาดเล็ก"},
                              entries=entries)
    return Envelope.build(data, producer="scoring", correlation_id=f"selection:{CAMPAIGN}")


async def _scored(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    page = (await client.get(f"{V1}/submissions", params={"status": "scored", "limit": 500})).json()
    items: list[dict[str, Any]] = page["items"]
    return items


async def test_the_published_selection_is_final_everywhere_and_announced(namespace: Namespace) -> None:
    async with reporting(namespace) as (client, bus, _):
        await publish_all(client, bus, history())
        scored = await _scored(client)
        assert len(scored) >= 5 and not any(item["final"] for item in scored)
        by_score = sorted(scored, key=lambda i: -i["score_total"])
        top, second, third = by_score[0], by_score[1], by_score[2]
        tiers = {top["submission_id"]: "outstanding", second["submission_id"]: "efficient",
                 third["submission_id"]: "efficient"}
        reason = "คณะกรรมการลงพื้นที่แล้วพบผลการดำเนินงานเด่นชัด"
        first = selection(scored, tiers, reasons={third["submission_id"]: reason})
        assert (await client.get(f"{V1}/selection")).status_code == 404
        await publish_all(client, bus, [first, first])  # a redelivery changes nothing

        view = (await client.get(f"/v1/submissions/{top['submission_id']}")).json()
        assert view["score"]["tier"] == "outstanding" and view["score"]["final"] is True
        assert view["score"]["provisional_tier"] == top["tier"]
        assert view["selection"]["published_by"] == BY and view["selection"]["selection_version"] == 1
        assert (await client.get(f"/v1/submissions/{third['submission_id']}")).json()[
            "selection"]["override_reason"] == reason
        after = {item["submission_id"]: item for item in await _scored(client)}
        assert all(item["final"] and item["decided_by"] == BY for item in after.values())
        assert {sid: item["tier"] for sid, item in after.items() if item["tier"] != "not_selected"} == tiers
        national = (await client.get(f"{V1}/national")).json()
        assert national["tiers"] == {"outstanding": 1, "efficient": 2, "not_selected": len(scored) - 3}

        group = top["size_group"]
        ranking = (await client.get(f"{V1}/rankings", params={"size_group": group})).json()
        assert next(i for i in ranking["items"] if i["submission_id"] == top["submission_id"])["final"] is True
        csv = (await client.get(f"{V1}/exports/rankings.csv", params={"size_group": group})).text
        assert "ผลการคัดเลือกของ สถ. (ที่สุด)" in csv and BY in csv

        decided = (await client.get(f"{V1}/selection")).json()
        assert decided["selected"] == {"outstanding": 1, "efficient": 2}
        assert all("contact" not in entry for entry in decided["entries"])

        # An older publication arriving late never replaces a newer one.
        second_version = selection(scored, {**tiers, third["submission_id"]: "not_selected"}, version=2)
        await publish_all(client, bus, [second_version, selection(scored, {}, version=1)])
        assert (await client.get(f"/v1/submissions/{third['submission_id']}")).json()[
            "score"]["tier"] == "not_selected"
        decided = (await client.get(f"{V1}/selection")).json()
        assert decided["selection_version"] == 2 and decided["selected"] == {"outstanding": 1, "efficient": 1}
        national = (await client.get(f"{V1}/national")).json()
        assert national["tiers"]["efficient"] == 1

        await check_announcement(client, [top, second])

        # The province's document package says whose decision its tiers are.
        _, pdftotext = _needs()
        package = await client.get(f"{V1}/provinces/{top['province_code']}/package.pdf")
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "package-after-selection.pdf").write_bytes(package.content)
        summary = text_of(pdftotext, OUT / "package-after-selection.pdf", 2, 2)
        assert squeeze("ผลการคัดเลือกที่กรมส่งเสริมการปกครองท้องถิ่นประกาศเมื่อ ๑๖ มกราคม ๒๕๖๙") in summary


async def check_announcement(client: httpx.AsyncClient, selected: list[dict[str, Any]]) -> None:
    pdftoppm, pdftotext = _needs()
    response = await client.get(f"{V1}/selection/announcement.pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    OUT.mkdir(parents=True, exist_ok=True)
    pdf = OUT / "announcement.pdf"
    pdf.write_bytes(response.content)
    pages = pages_as_png(pdftoppm, pdf, dpi=80)
    assert pages and all(ink(page) > 0.005 for page in pages)
    text = text_of(pdftotext, pdf)
    for expected in ("ประกาศกรมส่งเสริมการปกครองท้องถิ่น", "เรื่องผลการคัดเลือกองค์กรปกครองส่วนท้องถิ่น",
                     "ประจำปีงบประมาณพ.ศ.๒๕๖๘", "ที่มีความโดดเด่นจำนวน๑แห่ง", "ที่มีประสิทธิภาพจำนวน๑แห่ง",
                     "จึงประกาศให้ทราบโดยทั่วกัน", "ประกาศณวันที่๑๖มกราคมพ.ศ.๒๕๖๙", "อธิบดีกรมส่งเสริมการปกครองท้องถิ่น"):
        assert squeeze(expected) in text, expected
    for item in selected:
        assert squeeze(item["lao_name"]) in text and squeeze(item["province_name"]) in text
    # Nobody else: the LAOs not selected are not in the announcement.
    listed = {item["lao_name"] for item in await _scored(client) if item["tier"] != "not_selected"}
    assert listed == {item["lao_name"] for item in selected}
    for item in await _scored(client):
        if item["tier"] == "not_selected":
            assert squeeze(item["lao_name"]) not in text, item["lao_name"]
    # A date given for the signing replaces the publication's.
    dated = await client.get(f"{V1}/selection/announcement.pdf", params={"date": "2026-01-20"})
    other = OUT / "announcement-dated.pdf"
    other.write_bytes(dated.content)
    assert squeeze("ประกาศ ณ วันที่ ๒๐ มกราคม พ.ศ. ๒๕๖๙") in text_of(pdftotext, other)
