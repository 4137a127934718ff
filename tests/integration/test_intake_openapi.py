"""Property-based test of intake's OpenAPI with schemathesis: generated requests against the real app on a
socket, with the real broker and store and authentication on, find no 5xx and no response that breaks the
documented schema (status codes, content types, headers, bodies)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
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

from services.intake.examples import FORM_RESPONSE
from services.intake.service import SPEC
from tests.support import InProcessService, Namespace

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]
EXAMPLES_PER_OPERATION = 60


def _explore(base_url: str, raw_schema: dict[str, Any], headers: dict[str, str]) -> list[str]:
    """Every /v1 operation: the documented examples, then valid and invalid generated requests, with and without
    the API key; each response validated against the schema."""
    schema = schemathesis.openapi.from_dict(raw_schema)
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if not operation.path.startswith("/v1/"):
            continue  # health and metrics belong to the shared runtime, not to intake's API

        cases = operation.as_strategy() | operation.as_strategy(generation_mode=GenerationMode.NEGATIVE)

        @given(case=cases, authenticated=st.booleans(), deeper=st.booleans())
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
        def check(case: Any, authenticated: bool, deeper: bool) -> None:
            _without_framing_headers(case)
            if authenticated:
                # A generated signature would take precedence over the key: send the key alone.
                case.headers = {k: v for k, v in (case.headers or {}).items()
                                if not k.lower().startswith("x-smartcity")}
            if deeper:
                _reach_the_store(case)
            case.call_and_validate(base_url=base_url, headers=headers if authenticated else {}, checks=CHECKS,
                                   timeout=30)

        try:
            check()
        except (Exception, BaseExceptionGroup) as error:  # one report for every operation that failed
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    return failures


def _reach_the_store(case: Any) -> None:
    """Half the cases go past the first refusal (unknown mapping, campaign or question) to normalisation and
    storage, with the generated values in place of the reference answers."""
    if "mapping" in (case.path_parameters or {}):
        case.path_parameters["mapping"] = "reference-form"
    if "name" in (case.path_parameters or {}):
        case.path_parameters["name"] = "reference-form"
    if isinstance(case.body, dict):
        if "campaign" in case.body or case.operation.path == "/v1/submissions":
            case.body["campaign"] = "fy2568"
        if isinstance(case.body.get("answers"), dict):
            case.body["answers"] = {**FORM_RESPONSE["answers"], **case.body["answers"]}
            case.body.pop("campaign", None)
        if case.operation.path == "/v1/imports":
            case.body["mapping"] = "reference-form"
            case.body.pop("campaign", None)


async def test_the_intake_api_answers_no_5xx_and_nothing_outside_its_openapi(namespace: Namespace) -> None:
    config = namespace.settings(
        "intake", intake_auth_required=True, intake_rate_per_second=10_000, intake_rate_burst=100_000,
        intake_form_secrets=SecretStr("reference-form=schemathesis-secret-0123456789"),
    )
    async with InProcessService(SPEC, config) as intake:
        key = await intake.component.state.api_keys.create("schemathesis")
        async with httpx.AsyncClient(base_url=intake.url) as client:
            raw_schema = (await client.get("/openapi.json")).json()
        failures = await asyncio.to_thread(_explore, intake.url, raw_schema, {"X-API-Key": key})
    assert not failures, "\n\n".join(failures)


async def test_the_openapi_documents_every_intake_operation_with_thai_examples(namespace: Namespace) -> None:
    async with InProcessService(SPEC, namespace.settings("intake")) as intake, \
            httpx.AsyncClient(base_url=intake.url) as client:
        document = (await client.get("/openapi.json")).json()
    paths = document["paths"]
    assert {"/v1/submissions", "/v1/forms/{mapping}/responses", "/v1/imports", "/v1/submissions/{submission_id}",
            "/v1/submissions/{submission_id}/revisions/{revision}", "/v1/mappings", "/v1/mappings/{name}"} <= set(paths)
    for path, method in (("/v1/submissions", "post"), ("/v1/forms/{mapping}/responses", "post"),
                         ("/v1/imports", "post")):
        responses = paths[path][method]["responses"]
        assert {"401", "403", "413", "422", "429"} <= set(responses), path
        assert "Retry-After" in responses["429"]["headers"]
    examples = paths["/v1/submissions"]["post"]["requestBody"]["content"]["application/json"]["examples"]
    assert examples["thai_answers"]["value"]["readiness"]["has_plan"] == "ใช่"
    form_example = document["components"]["schemas"]["FormResponse"]["examples"][0]
    assert form_example["answers"]["จังหวัด"] == "ชัยภูมิ"
    assert {"ApiKey", "FormSignature"} <= set(document["components"]["securitySchemes"])
    assert "จังหวัด" in str(paths["/v1/imports"]["post"]["responses"]["422"])


# Headers that frame the HTTP message itself: a generated `Content-Length: Q` is refused by the HTTP server
# (uvicorn's `400 Invalid HTTP request received.`) before any application code, so it says nothing of the API.
_FRAMING_HEADERS = frozenset({"content-length", "transfer-encoding", "host", "connection", "expect"})


def _without_framing_headers(case: Any) -> None:
    if case.headers:
        case.headers = {k: v for k, v in case.headers.items() if k.lower() not in _FRAMING_HEADERS}
