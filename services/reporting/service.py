"""Reporting's composition root: its read models, token book and attachments, their indexes, its use cases, its
handlers, its API routes and the dashboard's static files."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from services.reporting.api import routers
from services.reporting.api.deps import Parts
from services.reporting.application import Documents, FinalSelection, OfficeWork, Reports, ViewUpdates
from services.reporting.handlers import HANDLES, ReportingHandlers
from services.reporting.repository import Attachments, ReadModels, TokenBook
from shared.bus import bind
from shared.runtime import Component, Context, ServiceSpec
from shared.secrets import digest_key

DASHBOARD_DIR = Path(__file__).parent / "dashboard"


async def setup(context: Context) -> Component:
    read_models = ReadModels(context.store.db, context.campaigns)
    await read_models.create_indexes()
    tokens = TokenBook(context.store.collection("api_tokens"), digest_key(context.settings),
                       context.settings.reporting_token_cache_seconds)
    # Offices' attachments of unidentified responses: the audit record carries its command to validation.
    attachments = Attachments(context.store.collection("lao_attachments"))
    await attachments.create_indexes()
    view_updates = ViewUpdates(read_models)
    reports = Reports(read_models, context.campaigns)
    parts = Parts(
        read_models=read_models, tokens=tokens, lao_attachments=attachments, reports=reports,
        documents=Documents(read_models, context.campaigns, reports),
        office_work=OfficeWork(read_models, attachments, context.relay),
        selection=FinalSelection(read_models, context.campaigns, context.settings.reporting_emblem_svg))
    return Component(handlers=bind(HANDLES, ReportingHandlers(view_updates)),
                     outbox_collections=[attachments.collection], state=parts)


def configure(app: FastAPI) -> None:
    # The dashboard is static HTML/CSS/JS that reads only the API above, with the reader's own token.
    app.mount("/dashboard", StaticFiles(directory=DASHBOARD_DIR, html=True), name="dashboard")

    @app.get("/", include_in_schema=False)
    async def home() -> RedirectResponse:
        return RedirectResponse("/dashboard/")


SPEC = ServiceSpec(
    name="reporting",
    default_port=8005,
    title="Smart City selection — reporting API",
    description=(
        "รายงานสถานะและผลคะแนนของการส่งแบบรายงาน ภาพรวมรายอำเภอ รายจังหวัด และระดับประเทศ ลำดับคะแนนตามกลุ่มขนาด "
        "ส่งออกเป็น CSV/XLSX และชุดเอกสารของจังหวัดเป็น PDF\n\n"
        "Read models built from every event: one submission's status, revisions, validation issues and score; "
        "each district's, province's and the nation's figures (expected municipalities from DLA's registry, "
        "counts by status, scores by size group); rankings within size group; exports and the provinces' "
        "document packages. Events seen twice or out of order never change the figures.\n\n"
        "Every route needs `Authorization: Bearer <token>` (`python -m services.reporting.tokens create`); a "
        "district token sees its district, a province token its province, a national token everything."
    ),
    setup=setup,
    routers=routers,
    configure_app=configure,
    # Handlers in hand together share one recomputation of the areas they touch (application RefreshBatch), so
    # the more in hand, the less the store works per event: the deadline night's burst needs it
    # (docs/performance.md).
    default_prefetch=256,
)
