"""Intake's composition root: its collection, its indexes, its routes, its outbox."""

from __future__ import annotations

from fastapi import FastAPI

from services.intake.api import router
from services.intake.limits import install_body_limit
from services.intake.repository import SubmissionStore
from shared.errors import install_error_handlers
from shared.runtime import Component, Context, ServiceSpec


async def setup(context: Context) -> Component:
    store = SubmissionStore(context.store.collection("revisions"))
    await store.create_indexes()
    return Component(outbox_collections=[store.revisions], state={"store": store})


def configure(app: FastAPI) -> None:
    install_error_handlers(app)
    install_body_limit(app)


SPEC = ServiceSpec(
    name="intake",
    default_port=8001,
    title="Smart City selection — intake API",
    description=(
        "รับแบบรายงานผลการพัฒนาเมืองน่าอยู่อัจฉริยะ (Smart City) ของเทศบาลจากแบบฟอร์มต้นทาง\n\n"
        "Takes municipalities' Smart City report forms from upstream forms (Google Forms connector, CSV "
        "import, API). Every response is stored before it is acknowledged; each is announced as "
        "`submission.received`."
    ),
    setup=setup,
    routers=[router],
    configure_app=configure,
)
