"""Validation's composition root: consumes submission.received, publishes the verdict."""

from __future__ import annotations

from services.validation.api import router
from services.validation.handlers import ValidationHandlers
from shared import events
from shared.errors import install_error_handlers
from shared.runtime import Component, Context, ServiceSpec


async def setup(context: Context) -> Component:
    assert context.relay is not None
    results = context.store.collection("results")
    handlers = ValidationHandlers(results, context.campaigns, context.relay)
    await handlers.create_indexes()
    return Component(
        handlers={events.SUBMISSION_RECEIVED: handlers.on_received},
        outbox_collections=[results],
        state={"results": results},
    )


SPEC = ServiceSpec(
    name="validation",
    default_port=8002,
    title="Smart City selection — validation",
    description="ตรวจสอบคุณสมบัติ กำหนดเวลา และความครบถ้วนของข้อมูล / Eligibility, deadline and completeness checks.",
    setup=setup,
    routers=[router],
    configure_app=install_error_handlers,
)
