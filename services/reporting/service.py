"""Reporting's composition root: its read-model collections, their indexes, its handlers and routes."""

from __future__ import annotations

from fastapi import FastAPI

from services.reporting.api import router
from services.reporting.repository import ReadModels
from shared.errors import install_error_handlers
from shared.events import EVENT_MODELS
from shared.runtime import Component, Context, ServiceSpec


async def setup(context: Context) -> Component:
    read_models = ReadModels(
        context.store.collection("submission_views"),
        context.store.collection("province_views"),
        context.store.collection("national_views"),
    )
    await read_models.create_indexes()
    # Every event type of the contracts; the bus acks any other type it is bound to without a handler.
    handlers = dict.fromkeys(EVENT_MODELS, read_models.handle)
    return Component(handlers=handlers, state={"read_models": read_models})


def configure(app: FastAPI) -> None:
    install_error_handlers(app)


SPEC = ServiceSpec(
    name="reporting",
    default_port=8005,
    title="Smart City selection — reporting API",
    description=(
        "รายงานสถานะและผลคะแนนของการส่งแบบรายงาน ภาพรวมรายจังหวัดและระดับประเทศ\n\n"
        "Read models built from every submission and notification event: one submission's status, revisions, "
        "validation issues and score; each province's and the nation's counts by status and average score. "
        "Events seen twice or out of order never change the figures."
    ),
    setup=setup,
    routers=[router],
    configure_app=configure,
)
