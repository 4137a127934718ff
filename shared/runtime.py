"""The process shell every service runs in: settings, logging, store, bus, outbox relay, consumer and
the HTTP app (health, readiness, metrics), started in order and stopped gracefully on SIGTERM.

A service describes itself with a `ServiceSpec`; `serve(spec)` is its whole entry point.
"""

from __future__ import annotations

import asyncio
import hmac
import os
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

import uvicorn
from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import SecretStr
from pymongo.asynchronous.collection import AsyncCollection

from shared import metrics
from shared.availability import install_unavailable_handler
from shared.bus import Bus, Handler, check_bindings
from shared.campaign import CampaignBook, load_campaigns
from shared.errors import Refused, install_error_handlers, install_http_errors, install_refusals
from shared.logging import configure_logging, get_logger
from shared.outbox import OutboxRelay, create_outbox_index
from shared.settings import Settings
from shared.store import Store

log = get_logger(__name__)


@dataclass
class Context:
    """What a service's setup receives: its configured dependencies, nothing global."""

    settings: Settings
    store: Store
    bus: Bus
    campaigns: CampaignBook
    relay: OutboxRelay | None = None


@dataclass
class Component:
    """What a service's setup returns: its handlers, its outbox collections, and in `state` the service's own
    typed parts that its HTTP routes read (a dataclass; each service's `api/deps.py` hands them to routes)."""

    handlers: Mapping[str, Handler] = field(default_factory=dict)
    outbox_collections: Sequence[AsyncCollection[dict[str, Any]]] = ()
    on_stop: Callable[[], Awaitable[None]] | None = None
    state: Any = None


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    default_port: int
    title: str
    description: str
    setup: Callable[[Context], Awaitable[Component]]
    routers: Sequence[APIRouter] = ()
    version: str = "1.0.0"
    configure_app: Callable[[FastAPI], None] | None = None
    # Messages in hand at once, unless BUS_PREFETCH says otherwise (None: the setting's default).
    default_prefetch: int | None = None
    # The error code of a request that does not fit a route's model (422), distinct per service.
    invalid_request_code: str = "invalid_request"


def load_settings(spec: ServiceSpec) -> Settings:
    values: dict[str, Any] = {"service_name": spec.name}
    if "HTTP_PORT" not in os.environ:
        values["http_port"] = spec.default_port
    if "BUS_PREFETCH" not in os.environ and spec.default_prefetch is not None:
        values["bus_prefetch"] = spec.default_prefetch
    return Settings(**values)


async def _wait_for(what: str, check: Callable[[], Awaitable[Any]], timeout: float) -> None:
    """Infrastructure may still be starting: try again for a while, then fail loudly."""
    deadline = time.monotonic() + timeout
    delay = 0.2
    while True:
        try:
            result = await check()
            if result is not False:
                return
            error: Exception = RuntimeError(f"{what} did not answer")
        except Exception as caught:
            error = caught
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} not reachable after {timeout:.0f}s: {error}") from error
        log.warning("waiting for infrastructure", what=what, error=str(error))
        await asyncio.sleep(delay)
        delay = min(delay * 2, 2.0)


def create_app(spec: ServiceSpec, settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store = Store(settings)
        bus = Bus(settings, spec.name)
        await _wait_for("MongoDB", store.ping, timeout=60)
        await _wait_for("RabbitMQ", bus.connect, timeout=60)
        context = Context(settings=settings, store=store, bus=bus,
                          campaigns=load_campaigns(settings.campaigns_dir))
        # The relay exists before setup so handlers can wake it after each write.
        relay = OutboxRelay(bus, [], service=spec.name, poll_seconds=settings.outbox_poll_seconds)
        context.relay = relay
        component = await spec.setup(context)
        for collection in component.outbox_collections:
            await create_outbox_index(collection)
        relay.collections = list(component.outbox_collections)
        if relay.collections:
            relay.start()
        app.state.context = context
        app.state.component = component
        check_bindings(spec.name, component.handlers)
        if component.handlers:
            await bus.consume(component.handlers, probe=store.probe)
        log.info("service started", port=settings.http_port)
        try:
            yield
        finally:
            log.info("service stopping")
            await bus.stop_consuming(settings.shutdown_grace_seconds)
            if relay.collections:
                await relay.stop(settings.shutdown_grace_seconds)
            if component.on_stop is not None:
                await component.on_stop()
            await bus.close()
            await store.close()
            log.info("service stopped")

    # The API's own description is off in production unless API_DOCS_ENABLED=true (docs/operations.md).
    docs = settings.serves_api_docs
    app = FastAPI(title=spec.title, description=spec.description, version=spec.version, lifespan=lifespan,
                  docs_url="/docs" if docs else None, redoc_url="/redoc" if docs else None,
                  openapi_url="/openapi.json" if docs else None)
    install_refusals(app)
    install_error_handlers(app, spec.invalid_request_code)
    install_unavailable_handler(app)
    install_http_errors(app)
    app.include_router(_operations_router(spec, settings))
    _add_http_metrics(app, spec.name)
    for router in spec.routers:
        app.include_router(router)
    if spec.configure_app is not None:
        spec.configure_app(app)
    return app


def _operations_router(spec: ServiceSpec, settings: Settings) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/health/live", summary="The process is up")
    async def live() -> dict[str, str]:
        return {"status": "ok", "service": spec.name}

    @router.get("/health/ready", summary="Broker and store answer", responses={503: {"description": "Not ready"}})
    async def ready(request: Request) -> JSONResponse:
        context: Context | None = getattr(request.app.state, "context", None)
        store_ok = bool(context) and await context.store.ping()  # type: ignore[union-attr]
        bus_ok = bool(context) and context.bus.is_ready  # type: ignore[union-attr]
        # Paused after the store went away: not ready until the bus has seen a durable write and resumed.
        consuming = bool(context) and not context.bus.is_paused  # type: ignore[union-attr]
        ok = store_ok and bus_ok and consuming
        return JSONResponse(
            {"status": "ready" if ok else "not_ready", "service": spec.name,
             "checks": {"mongodb": store_ok, "rabbitmq": bus_ok, "consuming": consuming}},
            status_code=200 if ok else 503,
        )

    @router.get("/metrics", summary="Prometheus metrics (METRICS_TOKEN as a bearer token when set)",
                response_class=Response, responses={401: {"description": "No or wrong token"},
                                                    403: {"description": "Refused in production"}})
    async def prometheus(request: Request) -> Response:
        if settings.metrics_token is not None:
            if not bearer_matches(request, settings.metrics_token):
                raise Refused(401, "unauthorized", "ต้องแนบโทเค็น METRICS_TOKEN (Authorization: Bearer …)",
                                  "The metrics token is required (Authorization: Bearer …).")
        elif settings.is_production and not settings.metrics_public:
            raise Refused(403, "metrics_disabled",
                              "ปิด /metrics ไว้ในระบบจริง: ตั้งค่า METRICS_TOKEN (หรือ METRICS_PUBLIC=true "
                              "เมื่อเปิดให้เฉพาะเครือข่ายภายใน)",
                              "/metrics is off in production: set METRICS_TOKEN (or METRICS_PUBLIC=true for a "
                              "scraper on an internal interface only).")
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def context_of(request: Request) -> Context:
    """The running service's context (settings, store, bus, campaigns): for each service's `api/deps.py`."""
    context: Context = request.app.state.context
    return context


def parts_of(request: Request) -> Any:
    """The running service's own parts (`Component.state`, a dataclass of the service's `api/deps.py`), which
    that module's dependencies type and hand to routes."""
    return request.app.state.component.state


P = TypeVar("P")
T = TypeVar("T")


def part(parts: type[P], pick: Callable[[P], T]) -> Callable[[Request], T]:
    """A route dependency handing out one of the service's parts, e.g. in api/deps.py
    `Store = Annotated[ScoringStore, Depends(part(Parts, lambda parts: parts.store))]`: each part is named once,
    and type-checked against the service's `Parts`."""

    def dependency(request: Request) -> T:
        found: P = parts_of(request)
        return pick(found)

    return dependency


def settings_of(request: Request) -> Settings:
    return context_of(request).settings


def campaigns_of(request: Request) -> CampaignBook:
    return context_of(request).campaigns


# Route parameters every service may take (a service's own parts come from its api/deps.py).
SettingsDep = Annotated[Settings, Depends(settings_of)]
CampaignsDep = Annotated[CampaignBook, Depends(campaigns_of)]


def bearer_matches(request: Request, *accepted: SecretStr | None) -> bool:
    """Whether the request's bearer token is one of `accepted` (each compared in constant time)."""
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    token = presented.strip().encode()
    if scheme.lower() != "bearer" or not token:
        return False
    # Every configured token is compared, so the time taken does not tell which one came close.
    matches = [hmac.compare_digest(token, secret.get_secret_value().encode()) for secret in accepted if secret]
    return any(matches)


def internal_reader(admin_token: Callable[[Settings], SecretStr | None]) -> Callable[[Request], Awaitable[None]]:
    """A route dependency for an internal read API: in production (or anywhere INTERNAL_READ_TOKEN is set) the
    caller sends INTERNAL_READ_TOKEN or the service's admin token (`admin_token` picks it from the settings)."""

    async def require(request: Request) -> None:
        settings: Settings = request.app.state.context.settings
        if not settings.is_production and settings.internal_read_token is None:
            return
        accepted = (settings.internal_read_token, admin_token(settings))
        if not any(accepted):
            raise Refused(403, "reads_disabled",
                              "ปิดการอ่านข้อมูลนี้ผ่าน API ไว้ (ยังไม่ได้ตั้งค่า INTERNAL_READ_TOKEN)",
                              "This read API is disabled (INTERNAL_READ_TOKEN is not set).")
        if not bearer_matches(request, *accepted):
            raise Refused(401, "unauthorized",
                              "ต้องแนบโทเค็นสำหรับอ่านข้อมูลภายในที่ถูกต้อง (Authorization: Bearer …)",
                              "A valid internal read token is required (Authorization: Bearer …).")

    return require


def _add_http_metrics(app: FastAPI, service: str) -> None:
    @app.middleware("http")
    async def record(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        started = time.perf_counter()
        response = await call_next(request)
        # The router records the matched route in the scope; its template keeps label cardinality low.
        route = getattr(request.scope.get("route"), "path", "unmatched")
        metrics.HTTP_SECONDS.labels(service, request.method, route).observe(time.perf_counter() - started)
        metrics.HTTP_REQUESTS.labels(service, request.method, route, str(response.status_code)).inc()
        return response


def serve(spec: ServiceSpec) -> None:
    settings = load_settings(spec)
    configure_logging(spec.name, json_logs=settings.is_production, level=settings.log_level)
    app = create_app(spec, settings)
    # uvicorn turns SIGTERM/SIGINT into: stop accepting, finish requests, run the lifespan shutdown.
    uvicorn.run(app, host=settings.http_host, port=settings.http_port, log_level="warning",
                access_log=False, timeout_graceful_shutdown=int(settings.shutdown_grace_seconds))
