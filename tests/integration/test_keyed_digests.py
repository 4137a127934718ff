"""Tokens stored keyed (HMAC-SHA256 with TOKEN_DIGEST_KEY): a key or token stored as plain SHA-256 before the
key existed still authenticates once through the real route and is then stored keyed; a new one is keyed
from the start. Intake, reporting and scoring on real sockets with the real store."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import httpx

from services.intake.service import SPEC as INTAKE
from services.reporting.service import SPEC as REPORTING
from services.reporting.tokens import Scope
from shared.secrets import token_digest
from tests.integration.scoring_fixtures import ADMIN, running_scoring
from tests.support import InProcessService, Namespace, http_client

DIGEST_KEY = "token-digest-key-for-tests-0000000000001"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


async def test_a_legacy_intake_api_key_authenticates_once_then_is_stored_keyed(namespace: Namespace) -> None:
    settings = namespace.settings("intake", intake_auth_required=True, token_digest_key=DIGEST_KEY)
    async with InProcessService(INTAKE, settings) as intake, httpx.AsyncClient(base_url=intake.url) as client:
        keys = intake.component.state.api_keys
        legacy_key = "sck_legacy-key-stored-as-plain-sha256-000000"
        await keys.collection.insert_one({"_id": sha256(legacy_key), "name": "legacy-office", "scopes": ["read"],
                                          "hint": legacy_key[:8], "created_at": datetime.now(UTC),
                                          "revoked_at": None})
        for _ in range(2):  # the first finds the legacy digest and moves it; the second finds the keyed one
            read = await client.get("/v1/submissions/none-such", headers={"X-API-Key": legacy_key})
            assert read.status_code == 404, read.text
        stored = await keys.collection.find({"name": "legacy-office"}).to_list(None)
        assert [document["_id"] for document in stored] == [token_digest(settings, "intake-api-key", legacy_key)]

        new_key = await keys.create("new-office", ("read",))
        stored_new = await keys.collection.find_one({"name": "new-office"})
        assert stored_new["_id"] == token_digest(settings, "intake-api-key", new_key) != sha256(new_key)
        assert (await client.get("/v1/submissions/none-such", headers={"X-API-Key": new_key})).status_code == 404
        unknown = await client.get("/v1/submissions/none-such", headers={"X-API-Key": "sck_guess"})
        assert unknown.status_code == 401


async def test_a_legacy_reporting_token_authenticates_once_then_is_stored_keyed(namespace: Namespace) -> None:
    settings = namespace.settings("reporting", reporting_auth_required=True, reporting_token_cache_seconds=0,
                                  token_digest_key=DIGEST_KEY)
    async with InProcessService(REPORTING, settings) as service, \
            httpx.AsyncClient(base_url=service.url, timeout=10) as client:
        book = service.component.state.tokens
        legacy_token = "srt_legacy-token-stored-as-plain-sha256-0000"
        await book.collection.insert_one({"_id": sha256(legacy_token), "scope": "province:36", "name": "legacy",
                                          "created_at": datetime.now(UTC), "revoked_at": None})
        for _ in range(2):
            whoami = await client.get("/v1/whoami", headers={"authorization": f"Bearer {legacy_token}"})
            assert whoami.status_code == 200, whoami.text
        assert await book.collection.find_one({"_id": sha256(legacy_token)}) is None
        moved = await book.collection.find_one({"_id": token_digest(settings, "reporting-token", legacy_token)})
        assert moved is not None and moved["scope"] == "province:36"

        token, document = await book.create(Scope.parse("national"), "new")
        assert document["_id"] == token_digest(settings, "reporting-token", token) != sha256(token)
        refused = await client.get("/v1/whoami", headers={"authorization": "Bearer srt_guess"})
        assert refused.status_code == 401


async def test_a_legacy_reviewer_token_authenticates_once_then_is_stored_keyed(namespace: Namespace) -> None:
    async with running_scoring(namespace, token_digest_key=DIGEST_KEY) as (scoring, _):
        store = scoring.component.state.store
        reviewers = store.reviewers
        async with http_client(scoring.url) as client:
            created = await client.post("/v1/admin/reviewers", headers=ADMIN,
                                        json={"name": "นางสาวเก่า ทดสอบ", "province": "36"})
            assert created.status_code == 201, created.text
            body = created.json()
            stored = await reviewers.find_one({"_id": body["reviewer_id"]})
            assert stored["token_sha256"] == store.token_digest(body["token"]) != sha256(body["token"])
            assert stored["token_sha256"] == token_digest(
                namespace.settings("scoring", token_digest_key=DIGEST_KEY), "reviewer-token", body["token"])

            # As a reviewer registered before the digest was keyed is stored: plain SHA-256.
            legacy_token = "rvw_legacy-token-stored-as-plain-sha256-0000"
            await reviewers.update_one({"_id": body["reviewer_id"]}, {"$set": {"token_sha256": sha256(legacy_token)}})
            for _ in range(2):
                me = await client.get("/v1/reviewer/me", headers={"Authorization": f"Bearer {legacy_token}"})
                assert me.status_code == 200, me.text
            stored = await reviewers.find_one({"_id": body["reviewer_id"]})
            assert stored["token_sha256"] == store.token_digest(legacy_token)
            refused = await client.get("/v1/reviewer/me", headers={"Authorization": "Bearer rvw_guess"})
            assert refused.status_code == 401
