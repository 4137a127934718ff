"""Intake's composition root: its collections, its indexes, its mappings, who may send, its use cases, its
routes, its outbox."""

from __future__ import annotations

from fastapi import FastAPI

from services.intake.api import routers
from services.intake.api.deps import Parts
from services.intake.api.limits import install_body_limit
from services.intake.application.acceptance import Acceptance
from services.intake.application.imports import Imports
from services.intake.application.queries import Queries
from services.intake.auth import Authenticator
from services.intake.mapping import load_mappings
from services.intake.ratelimit import RateLimiter
from services.intake.repository import ApiKeys, ReplayGuard, SubmissionStore
from shared.logging import get_logger
from shared.runtime import Component, Context, ServiceSpec
from shared.secrets import digest_key

log = get_logger(__name__)


async def setup(context: Context) -> Component:
    settings = context.settings
    assert context.relay is not None
    store = SubmissionStore(context.store.collection("revisions"))
    await store.create_indexes()
    api_keys = ApiKeys(context.store.collection("api_keys"), digest_key(settings))
    await api_keys.create_indexes()
    replays = ReplayGuard(context.store.collection("signatures"), settings.intake_signature_max_age_seconds)
    await replays.create_indexes()
    authenticator = Authenticator(settings, api_keys, replays)
    if not settings.intake_auth_required:
        log.warning("INTAKE AUTHENTICATION IS OFF: any client may submit; development and tests only")
    mappings = load_mappings(settings.intake_mappings_dir)
    log.info("intake ready", mappings=mappings.names(), form_sources=sorted(authenticator.secrets),
             auth_required=settings.intake_auth_required)
    wake = context.relay.notify
    return Component(outbox_collections=[store.revisions], state=Parts(
        store=store,
        api_keys=api_keys,
        auth=authenticator,
        limiter=RateLimiter(settings.intake_rate_per_second, settings.intake_rate_burst),
        mappings=mappings,
        acceptance=Acceptance(store, mappings, context.campaigns, wake=wake,
                              store_timeout_seconds=settings.store_timeout_seconds),
        imports=Imports(store, mappings, context.campaigns, wake=wake),
        queries=Queries(store, mappings),
    ))


def configure(app: FastAPI) -> None:
    install_body_limit(app)


SPEC = ServiceSpec(
    name="intake",
    default_port=8001,
    title="Smart City selection — intake API",
    description=(
        "รับแบบรายงานผลการพัฒนาเมืองน่าอยู่อัจฉริยะ (Smart City) ของเทศบาลจากแบบฟอร์มต้นทาง: "
        "Google Forms (สคริปต์เชื่อมต่อ), ไฟล์ CSV จาก Google Sheets และ API\n\n"
        "Takes municipalities' Smart City report forms from upstream forms: the Google Forms connector "
        "(`POST /v1/forms/{mapping}/responses`, signed with the source's shared secret), a Google Sheets CSV "
        "export (`POST /v1/imports`) and the canonical JSON API (`POST /v1/submissions`), the last two with an API "
        "key. Whichever way a response comes, it is normalised into the same canonical submission (Thai digits, "
        "abbreviations, B.E. dates, phone numbers, budgets, yes/no answers), stored with its raw answers before it "
        "is acknowledged, and announced as `submission.received`. Every error says what is wrong in Thai and "
        "English. Guide for operators and form owners: docs/intake.md."
    ),
    setup=setup,
    routers=routers,
    configure_app=configure,
    invalid_request_code="invalid_submission",
)
