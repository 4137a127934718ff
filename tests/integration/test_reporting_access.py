"""Scoped access to the reporting API with real tokens in the real store: a district token sees its district,
a province token its province, a national token everything; anything else is 403, no token 401."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator

import httpx

from services.reporting.repository import TokenBook
from services.reporting.sample import CAMPAIGN, history
from services.reporting.service import SPEC
from services.reporting.tokens import Scope
from shared.bus import Bus
from tests.integration.test_reporting import publish_all
from tests.support import ROOT, InProcessService, Namespace

V1 = f"/v1/campaigns/{CAMPAIGN}"


@contextlib.asynccontextmanager
async def guarded_reporting(namespace: Namespace) -> AsyncIterator[tuple[httpx.AsyncClient, TokenBook]]:
    """Reporting with tokens required (as in production), seeded with the sample history."""
    settings = namespace.settings("reporting", reporting_auth_required=True, reporting_token_cache_seconds=0)
    bus = Bus(namespace.settings("test-publisher"), "test-publisher")
    async with InProcessService(SPEC, settings) as service, \
            httpx.AsyncClient(base_url=service.url, timeout=10) as client:
        await bus.connect()
        try:
            tokens: TokenBook = service.component.state.tokens
            national, _ = await tokens.create(Scope.parse("national"), "test")
            client.headers["authorization"] = f"Bearer {national}"
            await publish_all(client, bus, history())  # /metrics, which publish_all reads, needs no token
            del client.headers["authorization"]
            yield client, tokens
        finally:
            await bus.close()


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def statuses(client: httpx.AsyncClient, token: str, paths: list[str]) -> dict[str, int]:
    return {path: (await client.get(path, headers=bearer(token))).status_code for path in paths}


PATHS = [
    f"{V1}/national",
    f"{V1}/provinces/36",
    f"{V1}/provinces/40",
    f"{V1}/districts/3601",
    f"{V1}/districts/3602",
    f"{V1}/districts/4001",
    f"/v1/submissions/{CAMPAIGN}-4360101",  # in 3601
    f"/v1/submissions/{CAMPAIGN}-5360201",  # in 3602
    f"/v1/submissions/{CAMPAIGN}-3400101",  # in 4001
    f"{V1}/exports/provinces.csv",
    f"{V1}/exports/districts.xlsx?province=40",
    f"{V1}/submissions?province=40",
    f"{V1}/rankings?size_group=medium&district=3602",
]


async def test_each_scope_sees_its_own_area_and_gets_403_elsewhere(namespace: Namespace) -> None:
    async with guarded_reporting(namespace) as (client, tokens):
        national, _ = await tokens.create(Scope.parse("national"), "กองพัฒนาฯ")
        province, _ = await tokens.create(Scope.parse("province:36"), "สถ.จ.ชัยภูมิ")
        district, _ = await tokens.create(Scope.parse("district:3601"), "สถ.อ.เมืองชัยภูมิ")
        seen = {scope: await statuses(client, token, PATHS)
                for scope, token in (("national", national), ("province", province), ("district", district))}

    assert set(seen["national"].values()) == {200}
    assert [path for path, status in seen["province"].items() if status == 200] == [
        f"{V1}/provinces/36", f"{V1}/districts/3601", f"{V1}/districts/3602",
        f"/v1/submissions/{CAMPAIGN}-4360101", f"/v1/submissions/{CAMPAIGN}-5360201",
        f"{V1}/rankings?size_group=medium&district=3602"]
    assert [path for path, status in seen["district"].items() if status == 200] == [
        f"{V1}/districts/3601", f"/v1/submissions/{CAMPAIGN}-4360101"]
    for scope in ("province", "district"):
        assert set(seen[scope].values()) == {200, 403}


async def test_lists_rankings_and_exports_are_narrowed_to_the_scope(namespace: Namespace) -> None:
    async with guarded_reporting(namespace) as (client, tokens):
        province, _ = await tokens.create(Scope.parse("province:36"), "สถ.จ.ชัยภูมิ")
        district, _ = await tokens.create(Scope.parse("district:3601"), "สถ.อ.เมืองชัยภูมิ")
        in_36 = (await client.get(f"{V1}/submissions", headers=bearer(province))).json()
        in_3601 = (await client.get(f"{V1}/submissions", headers=bearer(district))).json()
        ranked = (await client.get(f"{V1}/rankings", params={"size_group": "medium"},
                                   headers=bearer(province))).json()
        exported = (await client.get(f"{V1}/exports/submissions.csv", params={"lang": "en"},
                                     headers=bearer(district))).content.decode("utf-8-sig")
        who = (await client.get("/v1/whoami", headers=bearer(district))).json()

    assert {item["province_code"] for item in in_36["items"]} == {"36"} and in_36["total"] == 5
    assert {item["district_code"] for item in in_3601["items"]} == {"3601"} and in_3601["total"] == 3
    assert [(item["rank"], item["lao_code"]) for item in ranked["items"]] == [(1, "4360101")]
    assert len(exported.strip().splitlines()) == 1 + 3
    assert who == {"scope": "district:3601", "level": "district", "code": "3601", "name_th": "เมืองชัยภูมิ",
                   "name_en": "Mueang Chaiyaphum"}


async def test_no_token_an_unknown_one_and_a_revoked_one_get_401(namespace: Namespace) -> None:
    async with guarded_reporting(namespace) as (client, tokens):
        token, document = await tokens.create(Scope.parse("province:36"), "สถ.จ.ชัยภูมิ")
        before = await client.get(f"{V1}/provinces/36", headers=bearer(token))
        none = await client.get(f"{V1}/provinces/36")
        unknown = await client.get(f"{V1}/provinces/36", headers=bearer("srt_not-a-token"))
        assert await tokens.revoke(document["_id"][:12]) == 1
        revoked = await client.get(f"{V1}/provinces/36", headers=bearer(token))
        health = await client.get("/health/live")
        stored = await tokens.collection.find_one({"_id": document["_id"]})
    assert before.status_code == 200
    for response in (none, unknown, revoked):
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["message_th"] and response.json()["message_en"]
    assert health.status_code == 200
    assert stored is not None and token not in str(stored)  # only its SHA-256 is kept


async def test_the_token_command_prints_a_working_token_once(namespace: Namespace) -> None:
    async with guarded_reporting(namespace) as (client, _):
        env = {**os.environ, **namespace.env("reporting")}

        def command(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([sys.executable, "-m", "services.reporting.tokens", *args], env=env, cwd=ROOT,
                                  capture_output=True, text=True, timeout=60)

        created = await asyncio.to_thread(command, "create", "--scope", "district:3602", "--name", "สถ.อ.บ้านเขว้า")
        assert created.returncode == 0, created.stderr
        token = created.stdout.strip().splitlines()[-1]
        listed = await asyncio.to_thread(command, "list")
        refused = await asyncio.to_thread(command, "create", "--scope", "province:99", "--name", "x")
        own = await client.get(f"{V1}/districts/3602", headers=bearer(token))
        other = await client.get(f"{V1}/districts/3601", headers=bearer(token))
    assert token.startswith("srt_")
    assert "district:3602" in listed.stdout and token not in listed.stdout
    assert refused.returncode == 2 and "no province with DOPA code 99" in refused.stderr
    assert (own.status_code, other.status_code) == (200, 403)


async def test_the_versioned_api_is_described_in_openapi_with_filters_and_pagination(namespace: Namespace) -> None:
    async with guarded_reporting(namespace) as (client, _):
        spec = (await client.get("/openapi.json")).json()
    paths = spec["paths"]
    for path in ("/v1/campaigns/{campaign}/national", "/v1/campaigns/{campaign}/provinces/{code}",
                 "/v1/campaigns/{campaign}/districts/{code}", "/v1/campaigns/{campaign}/submissions",
                 "/v1/campaigns/{campaign}/rankings", "/v1/campaigns/{campaign}/exports/{name}",
                 "/v1/campaigns/{campaign}/provinces/{code}/package.pdf", "/v1/submissions/{submission_id}"):
        assert path in paths, path
    listed = {p["name"] for p in paths["/v1/campaigns/{campaign}/submissions"]["get"]["parameters"]}
    assert {"province", "district", "status", "tier", "size_group", "q", "sort", "limit", "offset"} <= listed
    assert {"401", "403"} <= set(paths["/v1/campaigns/{campaign}/national"]["get"]["responses"])
