"""Sender authentication at intake, switched on: form connectors sign with their source's shared secret, other
clients present API keys stored hashed; refusals say what is wrong without leaking secrets."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import io
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from services.intake import apikeys
from services.intake.auth import sign
from services.intake.examples import FORM_RESPONSE
from services.intake.service import SPEC
from shared.secrets import keyed_digest
from tests.support import InProcessService, Namespace, canonical_submission

SECRET = "s3cr3t-for-reference-form-0123456789"
OTHER_SECRET = "another-source-secret-abcdefghij"
FORM = "/v1/forms/reference-form/responses"


@contextlib.asynccontextmanager
async def secured(namespace: Namespace, **settings: Any) -> AsyncIterator[tuple[InProcessService, httpx.AsyncClient]]:
    values: dict[str, Any] = {
        "intake_auth_required": True,
        "intake_form_secrets": SecretStr(f"reference-form={SECRET}, chaiyaphum-copy={OTHER_SECRET}"),
        **settings,
    }
    async with InProcessService(SPEC, namespace.settings("intake", **values)) as intake, \
            httpx.AsyncClient(base_url=intake.url) as client:
        yield intake, client


def signed(body: dict[str, Any], secret: str = SECRET, *, at: float | None = None,
           source: str | None = None) -> tuple[bytes, dict[str, str]]:
    content = json.dumps(body, ensure_ascii=False).encode()
    stamp = str(int(at if at is not None else time.time()))
    headers = {"content-type": "application/json", "X-Smartcity-Timestamp": stamp,
               "X-Smartcity-Signature": sign(secret, stamp, content)}
    if source:
        headers["X-Smartcity-Source"] = source
    return content, headers


def assert_no_secret(response: httpx.Response, *secrets: str) -> None:
    for secret in (SECRET, OTHER_SECRET, *secrets):
        assert secret not in response.text
    assert response.json()["message_th"] and response.json()["message_en"]


async def test_a_response_signed_with_its_sources_secret_is_accepted(namespace: Namespace) -> None:
    async with secured(namespace) as (_, client):
        content, headers = signed(FORM_RESPONSE)
        accepted = await client.post(FORM, content=content, headers=headers)
        assert accepted.status_code == 202, accepted.text
        # A copy of the form that names its own source signs with that source's secret.
        content, headers = signed({**FORM_RESPONSE, "response_id": "copy-1"}, OTHER_SECRET, source="chaiyaphum-copy")
        assert (await client.post(FORM, content=content, headers=headers)).status_code in (200, 202)


async def test_a_wrong_signature_is_refused_without_leaking_the_secret(namespace: Namespace) -> None:
    async with secured(namespace) as (_, client):
        content, headers = signed(FORM_RESPONSE, "not-the-secret-at-all-0000")
        refused = await client.post(FORM, content=content, headers=headers)
        assert refused.status_code == 401
        assert refused.json()["error"] == "signature_invalid"
        expected = sign(SECRET, headers["X-Smartcity-Timestamp"], content).removeprefix("sha256=")
        assert_no_secret(refused, expected)

        # A body changed after signing does not match either.
        content, headers = signed(FORM_RESPONSE)
        tampered = content.replace("ชัยภูมิ".encode(), "ขอนแก่น".encode(), 1)
        assert (await client.post(FORM, content=tampered, headers=headers)).json()["error"] == "signature_invalid"


async def test_a_timestamp_older_than_five_minutes_is_refused(namespace: Namespace) -> None:
    async with secured(namespace) as (_, client):
        content, headers = signed(FORM_RESPONSE, at=time.time() - 301)
        refused = await client.post(FORM, content=content, headers=headers)
        assert (refused.status_code, refused.json()["error"]) == (401, "timestamp_expired")
        assert "5 minutes" in refused.json()["message_en"] and "5 นาที" in refused.json()["message_th"]
        content, headers = signed(FORM_RESPONSE, at=time.time() + 400)  # a sender's clock running fast
        assert (await client.post(FORM, content=content, headers=headers)).json()["error"] == "timestamp_expired"
        content, headers = signed(FORM_RESPONSE, at=time.time() - 240)  # within the window
        assert (await client.post(FORM, content=content, headers=headers)).status_code == 202


async def test_a_replayed_signature_is_refused(namespace: Namespace) -> None:
    async with secured(namespace) as (_, client):
        content, headers = signed(FORM_RESPONSE)
        assert (await client.post(FORM, content=content, headers=headers)).status_code == 202
        replayed = await client.post(FORM, content=content, headers=headers)
        assert (replayed.status_code, replayed.json()["error"]) == (401, "signature_replayed")
        # The connector's retry signs anew: accepted, and a duplicate of the first.
        content, headers = signed(FORM_RESPONSE, at=time.time() + 1)
        retried = await client.post(FORM, content=content, headers=headers)
        assert (retried.status_code, retried.json()["duplicate"]) == (200, True)


async def test_requests_without_credentials_are_refused_and_told_what_to_send(namespace: Namespace) -> None:
    async with secured(namespace) as (_, client):
        for refused in (await client.post(FORM, json=FORM_RESPONSE),
                        await client.post("/v1/submissions", json=canonical_submission()),
                        await client.post("/v1/imports", data={"mapping": "reference-form"},
                                          files={"file": ("x.csv", b"a\r\n")}),
                        await client.get("/v1/submissions/sub_x")):
            assert refused.status_code == 401, refused.text
            assert refused.json()["error"] == "auth_missing"
            assert "X-API-Key" in refused.json()["message_en"]
            assert refused.headers["WWW-Authenticate"].startswith("ApiKey")


async def test_a_source_without_a_configured_secret_is_refused_with_403(namespace: Namespace) -> None:
    async with secured(namespace) as (_, client):
        content, headers = signed(FORM_RESPONSE, "whatever-secret-the-script-has", source="unknown-province")
        refused = await client.post(FORM, content=content, headers=headers)
        assert (refused.status_code, refused.json()["error"]) == (403, "source_not_enabled")
        assert "INTAKE_FORM_SECRETS" in refused.json()["message_en"]
        assert_no_secret(refused, "whatever-secret-the-script-has")


async def test_api_keys_are_stored_hashed_and_grant_only_their_scopes(namespace: Namespace) -> None:
    async with secured(namespace) as (intake, client):
        keys = intake.component.state.api_keys
        writer = await keys.create("district-office", ("submit",))
        reader = await keys.create("dashboard", ("read",))
        stored = await keys.collection.find_one({"name": "district-office"})
        assert stored["_id"] == keyed_digest(keys.digest_key, "intake-api-key", writer)
        assert stored["_id"] != hashlib.sha256(writer.encode()).hexdigest()
        assert writer not in json.dumps(stored, default=str)

        submitted = await client.post("/v1/submissions", json=canonical_submission(),
                                      headers={"X-API-Key": writer})
        assert submitted.status_code == 202, submitted.text
        read = await client.get(submitted.json()["status_url"], headers={"Authorization": f"Bearer {reader}"})
        assert read.status_code == 200

        no_scope = await client.get(submitted.json()["status_url"], headers={"X-API-Key": writer})
        assert (no_scope.status_code, no_scope.json()["error"]) == (403, "scope_missing")
        assert "district-office" in no_scope.json()["message_en"]
        unknown = await client.get(submitted.json()["status_url"], headers={"X-API-Key": "sck_guess"})
        assert (unknown.status_code, unknown.json()["error"]) == (401, "api_key_invalid")
        assert_no_secret(unknown, writer, reader)

        assert await keys.revoke("dashboard")
        revoked = await client.get(submitted.json()["status_url"], headers={"X-API-Key": reader})
        assert (revoked.status_code, revoked.json()["error"]) == (403, "api_key_revoked")


async def test_the_api_key_tool_prints_a_new_key_once_and_lists_keys_without_them(
        namespace: Namespace, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for name, value in namespace.env("intake").items():
        monkeypatch.setenv(name, value)
    assert await asyncio.to_thread(apikeys.main, ["create", "--name", "importer-ops", "--scope", "import"]) == 0
    created = capsys.readouterr()
    key = created.out.strip()
    assert key.startswith("sck_") and "shown only now" in created.err
    assert await asyncio.to_thread(apikeys.main, ["list"]) == 0
    listed = capsys.readouterr().out
    assert "importer-ops" in listed and "import" in listed and key not in listed
    assert await asyncio.to_thread(apikeys.main, ["create", "--name", "importer-ops"]) == 1

    async with secured(namespace) as (_, client):
        imported = await client.post("/v1/imports", data={"mapping": "reference-form"},
                                     files={"file": ("x.csv", "ประทับเวลา,ชื่อองค์กรปกครองส่วนท้องถิ่น,จังหวัด\r\n".encode())},
                                     headers={"X-API-Key": key})
        assert imported.status_code == 200, imported.text
    assert await asyncio.to_thread(apikeys.main, ["revoke", "--name", "importer-ops"]) == 0


async def test_the_importer_tool_sends_its_api_key(namespace: Namespace, tmp_path: Any) -> None:
    from rich.console import Console

    from services.intake import importer

    path = tmp_path / "r.csv"
    path.write_text("ประทับเวลา,ชื่อองค์กรปกครองส่วนท้องถิ่น,จังหวัด\r\n25/11/2568 10:00:00,ทม.ชัยภูมิ,ชัยภูมิ\r\n",
                    encoding="utf-8")
    async with secured(namespace) as (intake, _):
        key = await intake.component.state.api_keys.create("ops", ("import",))
        out = Console(file=io.StringIO())
        denied = await asyncio.to_thread(importer.main, [str(path), "--mapping", "reference-form", "--url", intake.url],
                                         console=out, out=out)
        assert denied == 2 and "X-API-Key" in out.file.getvalue()  # type: ignore[attr-defined]
        allowed = await asyncio.to_thread(importer.main, [str(path), "--mapping", "reference-form", "--url",
                                                          intake.url, "--api-key", key],
                                          console=Console(file=io.StringIO()), out=Console(file=io.StringIO()))
        assert allowed == 0
