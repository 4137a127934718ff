"""Acceptance: a province officer imports a realistic FY2568 responses sheet (tests/acceptance/sheets_export.py)
into the whole system, validated against a DLA registry sample. No row is refused; every municipality ends in
the status its own responses call for; importing the file again adds nothing; the responses whose LAO cannot
be identified are the offices' work list, and one attached by the province is judged again and scored; no
municipality that submitted is listed as not having submitted."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from tests.acceptance.sheets_export import Export, RegistryLao, export, registry
from tests.e2e.conftest import System
from tests.support import eventually

REGISTRY_TOKEN = "registry-admin-token-for-acceptance-0123"
SERVICE_ENV = {"validation": {"REGISTRY_ADMIN_TOKEN": REGISTRY_TOKEN}}
FINAL = {"scored", "returned", "rejected"}


async def _import_registry(client: httpx.AsyncClient, system: System, laos: bytes, sizes: bytes) -> None:
    answer = await client.post(f"{system.url('validation')}/v1/registry/imports",
                               headers={"Authorization": f"Bearer {REGISTRY_TOKEN}"},
                               files={"file": ("dlads_05_01.csv", laos, "text/csv"),
                                      "size_classes": ("lao-size-classes.csv", sizes, "text/csv")})
    assert answer.status_code == 201, answer.text

    async def reporting_has_it() -> bool:
        province = await client.get(f"{system.url('reporting')}/v1/campaigns/fy2568/provinces/36")
        return province.status_code == 200 and province.json().get("expected") is not None

    # The registry reaches reporting through the bus (registry.updated); figures need it before they count.
    await eventually(reporting_has_it, timeout=60, what="the registry in reporting")


async def _import(client: httpx.AsyncClient, system: System, sheet: Export) -> dict[str, Any]:
    answer = await client.post(f"{system.url('intake')}/v1/imports", data={"mapping": "reference-form"},
                               files={"file": ("FY2568 responses - Form Responses 1.csv", sheet.content, "text/csv")},
                               timeout=300)
    assert answer.status_code == 200, answer.text
    summary: dict[str, Any] = answer.json()
    return summary


async def _all_views(client: httpx.AsyncClient, system: System) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    while True:
        page = (await client.get(f"{system.url('reporting')}/v1/campaigns/fy2568/submissions",
                                 params={"limit": 500, "offset": len(items)})).json()
        items.extend(page["items"])
        if len(items) >= page["total"] or not page["items"]:
            return items


async def _settled(client: httpx.AsyncClient, system: System, applications: int) -> list[dict[str, Any]]:
    async def check() -> list[dict[str, Any]] | None:
        national = (await client.get(f"{system.url('reporting')}/v1/campaigns/fy2568/national")).json()
        counts = national.get("counts", {})
        if national.get("submissions") != applications or counts.get("received") or counts.get("validated"):
            return None
        return await _all_views(client, system)

    return await eventually(check, timeout=240, interval=1.0, what=f"{applications} applications, all final")


def _by_lao(views: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {view["lao_code"]: view for view in views if view.get("lao_code")}


async def test_a_realistic_sheet_is_imported_whole_and_every_municipality_ends_as_its_responses_call_for(
        system: System) -> None:
    laos, registry_csv, sizes_csv = registry()
    sheet = export(laos=laos)
    assert sheet.rows >= 250
    async with httpx.AsyncClient(timeout=30) as client:
        await _import_registry(client, system, registry_csv, sizes_csv)

        summary = await _import(client, system, sheet)
        assert summary["rejected"] == 0 and summary["stopped"] is None, summary
        assert summary["rows"] == sheet.rows
        assert summary["duplicates"] == sheet.rows - sheet.distinct_responses
        assert summary["imported"] == len(sheet.truths)
        assert summary["imported"] + summary["new_revisions"] + summary["older"] + summary["duplicates"] == sheet.rows
        assert summary["to_correct"] > 0 and all(e["row"] and e["message_th"] for e in summary["errors"])

        views = await _settled(client, system, len(sheet.truths))
        by_lao = _by_lao(views)
        wrong = {}
        for key, truth in sheet.truths.items():
            if key.startswith("name:"):
                continue
            view = by_lao.get(key)
            shown = view["status"] if view else None
            if shown != truth.status:
                wrong[key] = (truth.status, shown, truth.note)
        assert not wrong, f"LAOs not in the status their responses call for (expected, shown, why): {wrong}"

        # The same file again (a second download imported by mistake): nothing new anywhere.
        again = await _import(client, system, sheet)
        assert (again["imported"], again["new_revisions"], again["duplicates"], again["rejected"]) == (
            0, 0, sheet.rows, 0)

        await _unidentified_are_the_offices_work(client, system, sheet, laos)
        await _nobody_who_submitted_is_missing(client, system, sheet, laos)


async def _unidentified_are_the_offices_work(client: httpx.AsyncClient, system: System, sheet: Export,
                                             laos: list[RegistryLao]) -> None:
    reporting = system.url("reporting")
    listed = (await client.get(f"{reporting}/v1/campaigns/fy2568/unidentified")).json()
    expected = {key.removeprefix("name:"): truth.unidentified for key, truth in sheet.truths.items()
                if truth.unidentified}
    reasons = sorted(item["reason"] for item in listed["items"])
    assert reasons == sorted(expected.values()), listed
    assert all(item["status"] == "returned" and item["reason_th"] and item["issues"] for item in listed["items"])
    in_chaiyaphum = (await client.get(f"{reporting}/v1/campaigns/fy2568/unidentified",
                                      params={"province": "36"})).json()
    assert in_chaiyaphum["count"] == listed["count"]  # every one of them names Chaiyaphum

    # The province calls the municipality and attaches its response to the right LAO.
    ambiguous = next(item for item in listed["items"] if item["reason"] == "ambiguous")
    candidates = [lao for lao in laos if lao.name == "เทศบาลตำบลโนนทอง" and lao.province == "ชัยภูมิ"]
    assert len(candidates) == 2
    chosen = candidates[1]
    refused = await client.post(
        f"{reporting}/v1/campaigns/fy2568/unidentified/{ambiguous['submission_id']}/attach",
        json={"lao_code": "5369999", "reason": "โทรยืนยันกับปลัดเทศบาลแล้ว"})
    assert (refused.status_code, refused.json()["error"]) == (422, "lao_code_unknown")
    attached = await client.post(
        f"{reporting}/v1/campaigns/fy2568/unidentified/{ambiguous['submission_id']}/attach",
        json={"lao_code": chosen.code, "reason": "โทรยืนยันกับปลัดเทศบาลแล้ว อยู่อำเภอ" + chosen.district})
    assert attached.status_code == 202, attached.text

    async def judged_again() -> dict[str, Any] | None:
        view = (await client.get(f"{reporting}/v1/submissions/{ambiguous['submission_id']}")).json()
        return view if view.get("status") == "scored" else None

    view = await eventually(judged_again, timeout=60, what="the attached response judged again and scored")
    assert view["lao"]["code"] == chosen.code and view["lao"]["district_name"] == chosen.district
    codes = [issue["code"] for issue in view["revisions"][0]["issues"]]
    assert "LAO_ATTACHED_BY_OFFICE" in codes
    left = (await client.get(f"{reporting}/v1/campaigns/fy2568/unidentified")).json()
    assert left["count"] == listed["count"] - 1
    again = await client.post(
        f"{reporting}/v1/campaigns/fy2568/unidentified/{ambiguous['submission_id']}/attach",
        json={"lao_code": chosen.code, "reason": "ส่งซ้ำโดยไม่ตั้งใจ"})
    assert (again.status_code, again.json()["error"]) == (409, "not_unidentified")


async def _nobody_who_submitted_is_missing(client: httpx.AsyncClient, system: System, sheet: Export,
                                           laos: list[RegistryLao]) -> None:
    submitted = {key for key in sheet.truths if not key.startswith("name:")}
    districts = sorted({lao.code[1:5] for lao in laos if lao.code[1:3] == "36" and lao.type.startswith("เทศบาล")})
    answers = await asyncio.gather(*(client.get(
        f"{system.url('reporting')}/v1/campaigns/fy2568/districts/{code}") for code in districts))
    listed_missing = {lao["code"] for answer in answers for lao in answer.json()["missing"]}
    assert listed_missing, "the registry's municipalities that did not answer are listed"
    assert not listed_missing & submitted, f"submitted but listed as not submitted: {listed_missing & submitted}"
