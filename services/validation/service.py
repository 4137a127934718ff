"""Validation's composition root: consumes submission.received (and offices' LAO attachments), publishes the
verdict; owns DLA's LAO registry (imports publish registry.updated)."""

from __future__ import annotations

from services.validation.api import routers
from services.validation.api.deps import Parts
from services.validation.application import Validation
from services.validation.handlers import HANDLES, ValidationHandlers
from services.validation.registry.repository import RegistryRepository
from services.validation.repository import ValidationStore
from shared.bus import bind
from shared.runtime import Component, Context, ServiceSpec


async def setup(context: Context) -> Component:
    assert context.relay is not None
    results = ValidationStore.in_store(context.store)
    await results.create_indexes()
    registry = RegistryRepository.in_store(context.store)
    await registry.create_indexes()
    handlers = ValidationHandlers(Validation(results, registry, context.campaigns, context.relay))
    return Component(
        handlers=bind(HANDLES, handlers),
        # Registry imports (CLI or API) leave their registry.updated events in their import record.
        outbox_collections=[results.results, registry.imports],
        state=Parts(results=results, registry=registry, relay=context.relay),
    )


SPEC = ServiceSpec(
    name="validation",
    default_port=8002,
    title="Smart City selection — validation",
    description="ตรวจสอบคุณสมบัติ กำหนดเวลา และความครบถ้วนของข้อมูล / Eligibility, deadline and completeness checks.",
    setup=setup,
    routers=routers,
)
