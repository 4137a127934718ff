"""Scoring's composition root: its collections and indexes, the rubrics, the handlers of what it consumes
(submission.validated / returned / rejected and its own re-score and review commands), and its HTTP API
(read, admin, reviewer, final selection) and the reviewers' web workspace (/workspace)."""

from __future__ import annotations

from services.scoring import api
from services.scoring.api.deps import Parts
from services.scoring.handlers import HANDLES, ScoringHandlers
from services.scoring.repository import ScoringStore, WorkspaceStore
from services.scoring.rubric import UnknownRubric, load_rubric_book
from services.scoring.workspace import admin_pages as workspace_admin_pages
from services.scoring.workspace import routes as workspace_routes
from shared.bus import bind
from shared.logging import get_logger
from shared.runtime import Component, Context, ServiceSpec
from shared.secrets import digest_key

log = get_logger(__name__)


async def setup(context: Context) -> Component:
    assert context.relay is not None
    store = ScoringStore(context.store.db, digest_key(context.settings))
    await store.create_indexes()
    workspace = WorkspaceStore(store)
    await workspace.create_indexes()
    rubrics = load_rubric_book(context.settings.scoring_rubrics_dir)
    for key in context.campaigns.keys():
        try:
            rubrics.get(context.campaigns.get(key).rubric_version)
        except UnknownRubric as error:
            log.warning("a campaign names a rubric this service does not have", campaign=key, error=str(error))
    handlers = ScoringHandlers(store, context.campaigns, rubrics, context.relay)
    return Component(
        handlers=bind(HANDLES, handlers),
        outbox_collections=store.outbox_collections,
        state=Parts(store=store, workspace=workspace, rubrics=rubrics),
    )


SPEC = ServiceSpec(
    name="scoring",
    default_port=8003,
    title="Smart City selection — scoring",
    description="ให้คะแนนตามเกณฑ์ที่กำหนดเป็นรุ่น พร้อมคำอธิบายรายเกณฑ์ การพิจารณาของคณะกรรมการ และการจัดอันดับตามกลุ่มขนาด / "
                "Versioned rubric explained per criterion, committee review, rankings within size groups.",
    setup=setup,
    routers=[*api.routers, workspace_routes.router, workspace_admin_pages.router],
)
