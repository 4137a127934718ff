"""Property-based tests of every service's OpenAPI with schemathesis: each service's real app on a socket, with
the real broker and store and its authentication on, answers generated requests (valid and invalid, with each
kind of credential and without) with no 5xx and nothing outside its documented responses.

Run alone, with the figures (requests per route, failures) printed at the end and written to
test-artifacts/openapi-fuzz.json:

    .venv/bin/python -m pytest -q tests/integration/test_openapi_fuzz.py
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from services.intake.service import SPEC as INTAKE
from services.notification.service import SPEC as NOTIFICATION
from services.reporting.sample import CAMPAIGN, history
from services.reporting.service import SPEC as REPORTING
from services.reporting.tokens import Scope
from services.scoring.service import SPEC as SCORING
from services.validation.service import SPEC as VALIDATION
from shared.bus import Bus
from shared.runtime import ServiceSpec
from tests.integration.scoring_fixtures import validated
from tests.integration.test_intake_openapi import _reach_the_store
from tests.integration.test_registry_import import SIZES, upload
from tests.integration.test_reporting import publish_all
from tests.support import ARTIFACTS, InProcessService, Namespace, eventually

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
EXAMPLES_PER_OPERATION = 50
READ_TOKEN = "internal-read-token-for-fuzzing-0123"
ADMIN_TOKEN = "admin-token-for-fuzzing-0123456789"
FORM_SECRET = "reference-form=schemathesis-secret-0123456789"
# Headers a credential replaces: a generated value would otherwise be sent instead of (or beside) it.
_CREDENTIAL_HEADERS = ("authorization", "x-api-key", "x-smartcity")

Credentials = dict[str, dict[str, str]]


@dataclass
class RouteFigures:
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    undeclared: Counter[int] = field(default_factory=Counter)
    failure: str | None = None


@dataclass
class Seeded:
    """What a service holds once seeded: the credentials it accepts (beside none at all) and, per path
    parameter, a value that names something it holds."""

    credentials: Credentials
    known: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Regression:
    """A request that once answered 5xx, sent as it was found: it must now be a bilingual 4xx."""

    credential: str
    method: str
    path: str
    body: Any
    status: int


@dataclass
class Target:
    spec: ServiceSpec
    settings: dict[str, Any]
    seed: Callable[[InProcessService], Awaitable[Seeded]]
    prepare: Callable[[Any, Seeded], None] | None = None
    # Statuses a route answers without declaring them yet, each with why (a documentation gap, not a crash):
    # their responses are checked by everything but the status-code conformance.
    undeclared: dict[tuple[str, int], str] = field(default_factory=dict)
    regressions: tuple[Regression, ...] = ()


FIGURES: dict[str, dict[str, RouteFigures]] = {}


def _explore(service: str, base_url: str, raw_schema: dict[str, Any], seeded: Seeded,
             target: Target) -> dict[str, RouteFigures]:
    """Every operation: the documented examples, then valid and invalid generated requests, with each
    credential and without, half of them aimed at things the service holds; each response is checked."""
    schema = schemathesis.openapi.from_dict(raw_schema)
    figures: dict[str, RouteFigures] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        route = f"{operation.method.upper()} {operation.path}"
        counted = figures.setdefault(route, RouteFigures())
        cases = operation.as_strategy() | operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)
        try:
            _operation_test(route, cases, base_url, seeded, target, counted)()
        except (Exception, BaseExceptionGroup) as error:  # one report for every operation that failed
            counted.failure = str(error)
    FIGURES[service] = figures
    return figures


def _operation_test(route: str, cases: Any, base_url: str, seeded: Seeded, target: Target,
                    counted: RouteFigures) -> Callable[[], None]:
    undeclared = {status for (where, status) in target.undeclared if where in (route, "*")}

    # "none" last: hypothesis leans towards the first choice, and most routes need a credential to go deeper.
    @given(case=cases, kind=st.sampled_from([*seeded.credentials, "none"]), deeper=st.booleans())
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    def check(case: Any, kind: str, deeper: bool) -> None:
        _without_framing_headers(case)
        headers = seeded.credentials.get(kind, {})
        if headers:
            case.headers = {k: v for k, v in (case.headers or {}).items()
                            if not k.lower().startswith(_CREDENTIAL_HEADERS)}
        if deeper:
            for name, value in seeded.known.items():
                if name in (case.path_parameters or {}):
                    case.path_parameters[name] = value
            if target.prepare is not None:
                target.prepare(case, seeded)
        response = case.call(base_url=base_url, headers=headers, timeout=30)
        counted.requests += 1
        counted.statuses[response.status_code] += 1
        checks = CHECKS
        if response.status_code in undeclared:
            counted.undeclared[response.status_code] += 1
            checks = [c for c in CHECKS if c is not status_code_conformance]
        case.validate_response(response, checks=checks, headers=headers)

    test: Callable[[], None] = check
    return test


# -- the five services --------------------------------------------------------------------------------------

def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _publisher(service: InProcessService) -> Bus:
    return Bus(service.settings.model_copy(update={"service_name": "test-publisher"}), "test-publisher")


async def _seed_intake(service: InProcessService) -> Seeded:
    return Seeded({"api key": {"X-API-Key": await service.component.state.api_keys.create("schemathesis")}})


def _prepare_intake(case: Any, _: Seeded) -> None:
    _reach_the_store(case)


async def _seed_validation(service: InProcessService) -> Seeded:
    """DLA's sample registry, imported through the admin API."""
    async with httpx.AsyncClient(base_url=service.url, timeout=30) as client:
        imported = await upload(client, sizes=SIZES, headers=_bearer(ADMIN_TOKEN))
    assert imported.status_code == 201, imported.text
    return Seeded({"admin": _bearer(ADMIN_TOKEN), "internal read": _bearer(READ_TOKEN)},
                  {"code": "4360101", "import_id": imported.json()["_id"], "submission_id": "sub_fuzz"})


def _prepare_validation(case: Any, _: Seeded) -> None:
    if case.operation.path == "/v1/registry/laos" and isinstance(case.query, dict):
        case.query["province"] = "36"


async def _seed_scoring(service: InProcessService) -> Seeded:
    """A scored submission from Khon Kaen, and a reviewer from Chaiyaphum assigned to it."""
    store = service.component.state.store
    bus = _publisher(service)
    await bus.connect()
    try:
        await bus.publish(validated(1, submission_id="sub_fuzz", province=("40", "ขอนแก่น")))
    finally:
        await bus.close()
    await eventually(lambda: store.score("sub_fuzz/r1/fy2568-v1"), what="the seeded score")
    async with httpx.AsyncClient(base_url=service.url, headers=_bearer(ADMIN_TOKEN), timeout=10) as client:
        reviewer = (await client.post("/v1/admin/reviewers", json={"name": "กรรมการทดสอบ", "province": "36"})).json()
        assigned = await client.post("/v1/admin/assignments", json={"reviewer_id": reviewer["reviewer_id"],
                                                                    "submission_ids": ["sub_fuzz"]})
        assert assigned.json()["assigned"] == ["sub_fuzz"], assigned.text
    # No reviewer_id among the known values: disabling the one reviewer would lock the reviewer routes.
    return Seeded({"admin": _bearer(ADMIN_TOKEN), "internal read": _bearer(READ_TOKEN),
                   "reviewer": _bearer(reviewer["token"])},
                  {"campaign": CAMPAIGN, "version": "fy2568-v1", "submission_id": "sub_fuzz"})


async def _seed_notification(_: InProcessService) -> Seeded:
    return Seeded({"admin": _bearer(ADMIN_TOKEN), "internal read": _bearer(READ_TOKEN)}, {"campaign": CAMPAIGN})


async def _seed_reporting(service: InProcessService) -> Seeded:
    """A national, a province and a district token, and the sample history published for them to read."""
    tokens = service.component.state.tokens
    made = {scope: (await tokens.create(Scope.parse(scope), "schemathesis"))[0]
            for scope in ("national", "province:36", "district:3601")}
    bus = _publisher(service)
    await bus.connect()
    try:
        async with httpx.AsyncClient(base_url=service.url, headers=_bearer(made["national"]), timeout=10) as client:
            await publish_all(client, bus, history())
    finally:
        await bus.close()
    return Seeded({scope: _bearer(token) for scope, token in made.items()},
                  {"campaign": CAMPAIGN, "submission_id": f"{CAMPAIGN}-4360101", "name": "provinces.csv"})


def _prepare_reporting(case: Any, _: Seeded) -> None:
    if "code" in (case.path_parameters or {}):
        case.path_parameters["code"] = "3601" if "/districts/" in case.operation.path else "36"


# The framework's refusal of a JSON body that is not UTF-8: answered in Thai and English in every service
# (shared/errors.py install_http_errors); intake declares it in its routes' responses, these services do not.
_UNREADABLE_BODY = "400 invalid_body for a body that is not UTF-8 JSON: bilingual, not declared per route"

TARGETS: dict[str, Target] = {
    "intake": Target(
        INTAKE, {"intake_auth_required": True, "intake_rate_per_second": 10_000, "intake_rate_burst": 100_000,
                 "intake_form_secrets": SecretStr(FORM_SECRET)},
        _seed_intake, _prepare_intake),
    "validation": Target(
        VALIDATION, {"registry_admin_token": SecretStr(ADMIN_TOKEN), "internal_read_token": SecretStr(READ_TOKEN)},
        _seed_validation, _prepare_validation,
        undeclared={("POST /v1/registry/imports", 400):
                    "400 invalid_body for a body that is not valid multipart: bilingual, not declared in the route"}),
    "scoring": Target(
        SCORING, {"scoring_admin_token": SecretStr(ADMIN_TOKEN), "internal_read_token": SecretStr(READ_TOKEN)},
        _seed_scoring,
        undeclared={("*", 400): _UNREADABLE_BODY},
        regressions=(
            # Points too large to hold to two decimals: decimal.InvalidOperation, a 500 (services/scoring/review.py).
            Regression("reviewer", "PUT", "/v1/reviewer/submissions/sub_fuzz/review",
                       {"entries": [{"criterion": "document_review", "points": -3.5888224083248504e+161,
                                     "comment": "ทดสอบ"}]}, 422),
        )),
    "notification": Target(
        NOTIFICATION, {"notification_admin_token": SecretStr(ADMIN_TOKEN),
                       "internal_read_token": SecretStr(READ_TOKEN)},
        _seed_notification,
        undeclared={("GET /v1/campaigns/{campaign}/progress", 404):
                    "404 campaign_unknown (bilingual) for a campaign it does not know, not in the route's responses"}),
    "reporting": Target(
        REPORTING, {"reporting_auth_required": True, "reporting_token_cache_seconds": 0},
        _seed_reporting, _prepare_reporting,
        undeclared={("*", 400): _UNREADABLE_BODY},
        regressions=(
            # An offset past 64 bits reached the store's skip: OverflowError, a 500 (services/reporting/api/models.py).
            Regression("national", "GET",
                       f"/v1/campaigns/{CAMPAIGN}/districts/3601?offset=31288031264069613449272885248", None, 422),
            Regression("national", "GET",
                       f"/v1/campaigns/{CAMPAIGN}/submissions?offset=9223372036854775808", None, 422),
        )),
}


@pytest.fixture(scope="module", autouse=True)
def figures_report(pytestconfig: pytest.Config) -> Iterator[None]:
    """After the module: the requests tried and the failures per route, on the terminal and in a file."""
    started = time.monotonic()
    yield
    if not FIGURES:
        return
    lines = ["", "OpenAPI fuzzing (schemathesis): requests per route, status codes seen, failures"]
    total = failed = 0
    for service, routes in FIGURES.items():
        for route, counted in routes.items():
            total += counted.requests
            failed += counted.failure is not None
            codes = " ".join(f"{code}×{n}" for code, n in sorted(counted.statuses.items()))
            mark = "FAILED" if counted.failure else "ok"
            gaps = ", ".join(f"{code} undeclared×{n}" for code, n in sorted(counted.undeclared.items()))
            lines.append(f"  {service:<12} {route:<66} {counted.requests:>4}  {mark:<6} {codes}"
                         + (f"  ({gaps})" if gaps else ""))
    lines.append(f"  {sum(len(r) for r in FIGURES.values())} routes, {total} requests, {failed} routes failing, "
                 f"{time.monotonic() - started:.0f}s")
    reporter = pytestconfig.pluginmanager.getplugin("terminalreporter")
    capture = pytestconfig.pluginmanager.getplugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            for line in lines:
                reporter.write_line(line)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "openapi-fuzz.json").write_text(json.dumps(
        {service: {route: {"requests": c.requests, "statuses": dict(c.statuses), "undeclared": dict(c.undeclared),
                           "failure": c.failure}
                   for route, c in routes.items()} for service, routes in FIGURES.items()},
        ensure_ascii=False, indent=2))


@pytest.mark.parametrize("service", list(TARGETS))
async def test_every_operation_answers_no_5xx_and_nothing_outside_its_openapi(namespace: Namespace,
                                                                              service: str) -> None:
    target = TARGETS[service]
    async with InProcessService(target.spec, namespace.settings(service, **target.settings)) as running, \
            httpx.AsyncClient(base_url=running.url, timeout=30) as client:
        seeded = await target.seed(running)
        raw_schema = (await client.get("/openapi.json")).json()
        figures = await asyncio.to_thread(_explore, service, running.url, raw_schema, seeded, target)
        regressions = {}
        for regression in target.regressions:
            response = await client.request(regression.method, regression.path, json=regression.body,
                                            headers=seeded.credentials[regression.credential])
            body = response.json()
            regressions[f"{regression.method} {regression.path}"] = (
                response.status_code, bool(body.get("message_th")) and bool(body.get("message_en")))
    failures = [f"{route}: {counted.failure}" for route, counted in figures.items() if counted.failure]
    assert not failures, "\n\n".join(failures)
    assert regressions == {f"{r.method} {r.path}": (r.status, True) for r in target.regressions}


# Headers that frame the HTTP message itself: a generated `Content-Length: Q` is refused by the HTTP server
# (uvicorn's `400 Invalid HTTP request received.`) before any application code, so it says nothing of the API.
_FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "host", "connection", "expect"})


def _without_framing_headers(case: Any) -> None:
    if case.headers:
        case.headers = {k: v for k, v in case.headers.items() if k.lower() not in _FRAMING_HEADERS}
