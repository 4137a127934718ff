"""Scoring's composition root: consumes submission.validated, publishes submission.scored."""

from __future__ import annotations

from services.scoring.api import router
from services.scoring.handlers import ScoringHandlers
from services.scoring.rubric import RubricBook
from shared import events
from shared.errors import install_error_handlers
from shared.runtime import Component, Context, ServiceSpec


async def setup(context: Context) -> Component:
    assert context.relay is not None
    scores = context.store.collection("scores")
    rubrics = RubricBook()
    handlers = ScoringHandlers(scores, context.campaigns, rubrics, context.relay)
    await handlers.create_indexes()
    return Component(
        handlers={events.SUBMISSION_VALIDATED: handlers.on_validated},
        outbox_collections=[scores],
        state={"scores": scores, "rubrics": rubrics},
    )


SPEC = ServiceSpec(
    name="scoring",
    default_port=8003,
    title="Smart City selection — scoring",
    description="ให้คะแนนตามเกณฑ์ที่กำหนดเป็นรุ่น พร้อมคำอธิบายรายเกณฑ์ / Versioned rubric, explained per criterion.",
    setup=setup,
    routers=[router],
    configure_app=install_error_handlers,
)
