"""docs/api.md is the API reference: every route of every service is there, under its service, with who may call
it, what it answers and its errors, and nothing is there that no service serves.

The routes are read from each service's real FastAPI app, built by shared/runtime.py from its ServiceSpec as
`serve` builds it (the app is only built, never started: no broker, no store). A route added to a service
without its entry in docs/api.md fails here, with the heading to add.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from importlib import import_module
from pathlib import Path
from typing import Any

import fastapi.routing
import pytest
from fastapi import FastAPI
from starlette.routing import BaseRoute, Mount

from shared.runtime import Component, Context, ServiceSpec, create_app
from shared.settings import Settings

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
SERVICES = ("intake", "validation", "scoring", "notification", "reporting")
# The section of docs/api.md that lists the routes shared/runtime.py gives every service.
EVERY_SERVICE = "every service"
# Each block of a route (its heading down to the next heading) says these, as `- **Who**: …` and so on.
REQUIRED_PARTS = ("Who", "Answers", "Errors")

Route = tuple[str, str]  # (method, path), e.g. ("POST", "/v1/submissions")

_ROUTE = re.compile(r"`(GET|POST|PUT|PATCH|DELETE) (/[^`\s?]*)(?:\?[^`]*)?`")
_SECTION = re.compile(r"^## (.+)$")
_ROUTE_HEADING = re.compile(r"^### (.*`(?:GET|POST|PUT|PATCH|DELETE) /.*)$")


def _settings(name: str) -> Settings:
    # Development with the API description served: every route the service can serve is built.
    return Settings.model_validate({"service_name": name, "amqp_url": "amqp://guest:guest@127.0.0.1:5672/",
                                    "mongodb_url": "mongodb://127.0.0.1:27017", "environment": "development",
                                    "api_docs_enabled": True})


def _flat(routes: list[BaseRoute]) -> Iterable[Any]:
    """The app's routes with included routers flattened (FastAPI ≥ 0.16x keeps an included router as one entry
    and lists its effective routes through `iter_route_contexts`; older versions copy them into `app.routes`)."""
    flatten = getattr(fastapi.routing, "iter_route_contexts", None)
    return flatten(routes) if flatten is not None else routes


def routes_of(app: FastAPI) -> set[Route]:
    found: set[Route] = set()
    for route in _flat(app.routes):
        original = getattr(route, "original_route", route)
        if isinstance(original, Mount):
            # A mounted app (static files): documented as one entry for everything under its path.
            found.add(("GET", f"{route.path.rstrip('/')}/{{path}}"))
            continue
        for method in sorted((getattr(route, "methods", None) or set()) - {"HEAD"}):
            found.add((method, route.path))
    return found


async def _never_started(_: Context) -> Component:
    raise AssertionError("the app is only built here, never started")


def runtime_routes() -> set[Route]:
    """What shared/runtime.py gives every service whatever its own routers: health, metrics, the API's description."""
    bare = ServiceSpec(name="runtime", default_port=8000, title="runtime", description="runtime",
                       setup=_never_started)
    return routes_of(create_app(bare, _settings("runtime")))


def service_routes(name: str) -> set[Route]:
    spec: ServiceSpec = import_module(f"services.{name}.service").SPEC
    return routes_of(create_app(spec, _settings(name)))


def _sections(text: str) -> Iterator[tuple[str, list[str]]]:
    """(the `## ` heading, its lines) for each section of the document."""
    title, lines = "", list[str]()
    for line in text.splitlines():
        match = _SECTION.match(line)
        if match:
            yield title, lines
            title, lines = match.group(1), []
        else:
            lines.append(line)
    yield title, lines


def _section_key(title: str) -> str | None:
    """The service a `## ` heading is about (its first word), EVERY_SERVICE, or None for prose sections."""
    lowered = title.lower()
    if lowered.startswith(EVERY_SERVICE):
        return EVERY_SERVICE
    first = lowered.split(maxsplit=1)[0] if lowered else ""
    return first if first in SERVICES else None


def documented() -> tuple[dict[str, set[Route]], dict[Route, list[str]]]:
    """Per section (a service, or EVERY_SERVICE), the routes of its `### ` headings; and per route heading, the
    parts (`**Who**`, …) its block gives."""
    per_section: dict[str, set[Route]] = {key: set() for key in (EVERY_SERVICE, *SERVICES)}
    parts: dict[Route, list[str]] = {}
    for title, lines in _sections(API_DOC.read_text(encoding="utf-8")):
        key = _section_key(title)
        if key is None:
            continue
        heading: list[Route] = []
        for line in lines:
            if line.startswith("#"):
                match = _ROUTE_HEADING.match(line)
                heading = [(m.group(1), m.group(2)) for m in _ROUTE.finditer(match.group(1))] if match else []
                per_section[key].update(heading)
                for route in heading:
                    parts.setdefault(route, [])
                continue
            part = re.match(r"^- \*\*(\w+)\*\*", line)
            if part:
                for route in heading:
                    parts[route].append(part.group(1))
    return per_section, parts


def _listing(routes: Iterable[Route], prefix: str = "") -> str:
    return "\n".join(f"  {prefix}`{method} {path}`" for path, method in sorted((p, m) for m, p in routes))


@pytest.fixture(scope="module")
def served() -> dict[str, set[Route]]:
    shared = runtime_routes()
    routes = {EVERY_SERVICE: shared}
    for name in SERVICES:
        own = service_routes(name)
        assert shared <= own, f"{name} lacks routes of shared/runtime.py: {sorted(shared - own)}"
        routes[name] = own - shared
    return routes


def test_the_routes_are_read_from_the_real_apps(served: dict[str, set[Route]]) -> None:
    assert ("GET", "/health/ready") in served[EVERY_SERVICE]
    assert ("POST", "/v1/forms/{mapping}/responses") in served["intake"]
    assert ("POST", "/v1/registry/imports") in served["validation"]
    assert ("PUT", "/v1/reviewer/submissions/{submission_id}/review") in served["scoring"]
    assert ("POST", "/v1/directory/imports") in served["notification"]
    assert ("GET", "/dashboard/{path}") in served["reporting"]
    assert all(served.values())


@pytest.mark.parametrize("section", [EVERY_SERVICE, *SERVICES])
def test_every_route_is_documented_under_its_service(served: dict[str, set[Route]], section: str) -> None:
    listed, _ = documented()
    missing = served[section] - listed[section]
    assert not missing, (
        f"{len(missing)} route(s) of {section} are not in docs/api.md. Add each as a heading in the "
        f"'## {section} …' section, with its `- **Who**`, `- **Answers**` and `- **Errors**` lines:\n"
        + _listing(missing, prefix="### "))


@pytest.mark.parametrize("section", [EVERY_SERVICE, *SERVICES])
def test_no_documented_route_is_stale(served: dict[str, set[Route]], section: str) -> None:
    listed, _ = documented()
    stale = listed[section] - served[section]
    assert not stale, (f"docs/api.md lists under '## {section}' route(s) that {section} does not serve "
                       "(removed, renamed, or under the wrong service):\n" + _listing(stale))


def test_every_route_mentioned_anywhere_in_the_document_exists(served: dict[str, set[Route]]) -> None:
    """Prose and tables too: a `METHOD /path` in backticks names a route some service serves (query left aside)."""
    every = set().union(*served.values())
    mentioned = {(m.group(1), m.group(2)) for m in _ROUTE.finditer(API_DOC.read_text(encoding="utf-8"))}
    unknown = mentioned - every
    assert not unknown, "docs/api.md mentions route(s) no service serves:\n" + _listing(unknown)


def test_every_documented_route_says_who_what_and_its_errors() -> None:
    _, parts = documented()
    incomplete = {f"{method} {path}": [p for p in REQUIRED_PARTS if p not in given]
                  for (method, path), given in parts.items() if not set(REQUIRED_PARTS) <= set(given)}
    assert not incomplete, "route entries in docs/api.md without " + ", ".join(
        f"**{p}**" for p in REQUIRED_PARTS) + " lines:\n" + "\n".join(
        f"  {route}: lacks {', '.join(lacking)}" for route, lacking in sorted(incomplete.items()))
