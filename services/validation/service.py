"""Validation's composition root: consumes submission.received, publishes the verdict; owns DLA's LAO registry
(imports publish registry.updated)."""

from __future__ import annotations

from services.validation.api import router
from services.validation.handlers import HANDLES, ValidationHandlers
from services.validation.registry.api import router as registry_router
from services.validation.registry.repository import RegistryRepository
from shared.bus import bind
from shared.runtime import Component, Context, ServiceSpec


async def setup(context: Context) -> Component:
    assert context.relay is not None
    results = context.store.collection("results")
    registry = RegistryRepository(context.store.collection("registry_laos"),
                                  context.store.collection("registry_imports"))
    await registry.create_indexes()
    handlers = ValidationHandlers(results, context.campaigns, context.relay, registry,
                                  context.store.collection("lao_attachments"))
    await handlers.create_indexes()
    return Component(
        handlers=bind(HANDLES, handlers),
        # Registry imports (CLI or API) leave their registry.updated events in their import record.
        outbox_collections=[results, registry.imports],
        state={"results": results, "registry": registry},
    )


SPEC = ServiceSpec(
    name="validation",
    default_port=8002,
    title="Smart City selection — validation",
    description="ตรวจสอบคุณสมบัติ กำหนดเวลา และความครบถ้วนของข้อมูล / Eligibility, deadline and completeness checks.",
    setup=setup,
    routers=[router, registry_router],
)
