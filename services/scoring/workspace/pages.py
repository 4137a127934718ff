"""The workspace's pages: Jinja2 templates (autoescaped), the formatting they use (baht, counts, Thai dates,
points), the security headers every page carries, and refusals rendered as pages in Thai and English."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from shared import thai
from shared.errors import Problem, status_of

HERE = Path(__file__).parent
STYLESHEET = (HERE / "static" / "workspace.css").read_bytes()

# No script at all: the pages are plain forms. Styles from this origin only; nothing may frame them.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}

STATUS_NAMES = {"completed": ("ดำเนินการแล้วเสร็จ", "completed"), "in_progress": ("อยู่ระหว่างดำเนินการ", "in progress"),
                "planned": ("อยู่ระหว่างวางแผน", "planned")}
DEPA_NAMES = {"yes": ("ได้รับแล้ว", "received"), "applying": ("อยู่ระหว่างยื่นขอ", "applying"),
              "no": ("ยังไม่ได้รับ", "not received")}
TIER_NAMES = {"outstanding": ("ที่มีความโดดเด่น", "outstanding"), "efficient": ("ที่มีประสิทธิภาพ", "efficient"),
              "not_selected": ("ยังไม่ผ่านเกณฑ์", "not selected")}


def number(value: Any, places: int = 0) -> str:
    if value is None or value == "":
        return "–"
    amount = Decimal(str(value))
    if places == 0 and amount == amount.to_integral_value():
        return f"{int(amount):,}"
    return f"{amount:,.{places or 2}f}"


def baht(value: Any) -> str:
    if value is None:
        return "–"
    amount = Decimal(str(value))
    return f"{int(amount):,} บาท" if amount == amount.to_integral_value() else f"{amount:,.2f} บาท"


def points(value: Any) -> str:
    if value is None:
        return "–"
    amount = Decimal(str(value)).quantize(Decimal("0.01"))
    return f"{int(amount)}" if amount == amount.to_integral_value() else f"{amount.normalize():f}"


def thai_datetime(value: Any) -> str:
    """`24 พ.ย. 2568 10:15 น.` (Thai time, Buddhist-era year)."""
    if value is None:
        return "–"
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return str(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(thai.THAI_TZ)
    return f"{local.day} {thai.MONTHS_TH_SHORT[local.month - 1]} {thai.be_year(local.year)} {local:%H:%M} น."


def _pair(names: dict[str, tuple[str, str]], index: int) -> Callable[[Any], str]:
    return lambda key: names.get(str(key), (str(key), str(key)))[index] if key is not None else "–"


ENV = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=select_autoescape(["html"]),
                  undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
ENV.filters.update({
    "number": number, "baht": baht, "points": points, "thai_datetime": thai_datetime,
    "dimension_th": _pair(thai.DIMENSIONS, 0), "dimension_en": _pair(thai.DIMENSIONS, 1),
    "status_th": _pair(STATUS_NAMES, 0), "status_en": _pair(STATUS_NAMES, 1),
    "depa_th": _pair(DEPA_NAMES, 0), "depa_en": _pair(DEPA_NAMES, 1),
    "tier_th": _pair(TIER_NAMES, 0), "tier_en": _pair(TIER_NAMES, 1),
})


def page(template: str, status: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("session", None)
    context.setdefault("csrf", "")
    html = ENV.get_template(template).render(**context)
    return HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)


def redirect(location: str) -> Response:
    """After a POST: see the page again (303, so a reload does not post twice)."""
    return Response(status_code=303, headers={**SECURITY_HEADERS, "Location": location})


def refusal_page(request: Request, refused: Problem) -> HTMLResponse:
    session = getattr(request.state, "workspace_session", None)
    return page("message.html", status_of(refused), title_th="ทำรายการไม่ได้", title_en="Cannot do that",
                message_th=refused.message_th, message_en=refused.message_en, code=refused.code,
                errors=refused.errors, session=session, csrf=session.csrf_token if session else "")


class PageRoute(APIRoute):
    """A route of the workspace: a refusal (from the handler or a dependency) answers as a page, not as JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except Problem as refused:
                return refusal_page(request, refused)

        return handle
