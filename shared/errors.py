"""Errors a person reads: every HTTP error body names the field and says what is wrong in Thai and English."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

# Thai wording per pydantic error type; `{...}` placeholders come from the error's context.
_THAI: dict[str, str] = {
    "missing": "ต้องระบุข้อมูลนี้",
    "extra_forbidden": "ไม่รู้จักช่องข้อมูลนี้ โปรดตรวจสอบชื่อช่อง",
    "string_type": "ต้องเป็นข้อความ",
    "string_too_short": "ต้องมีอย่างน้อย {min_length} ตัวอักษร",
    "string_too_long": "ยาวเกิน {max_length} ตัวอักษร",
    "string_pattern_mismatch": "รูปแบบไม่ถูกต้อง (ต้องตรงกับ {pattern})",
    "literal_error": "ค่าไม่ถูกต้อง ต้องเป็นหนึ่งใน {expected}",
    "bool_parsing": "ต้องเป็น ใช่/ไม่ใช่ (true/false)",
    "bool_type": "ต้องเป็น ใช่/ไม่ใช่ (true/false)",
    "int_parsing": "ต้องเป็นจำนวนเต็ม",
    "int_type": "ต้องเป็นจำนวนเต็ม",
    "int_from_float": "ต้องเป็นจำนวนเต็ม",
    "decimal_parsing": "ต้องเป็นตัวเลข",
    "decimal_type": "ต้องเป็นตัวเลข",
    "decimal_max_digits": "ตัวเลขยาวเกินไป",
    "decimal_max_places": "ทศนิยมได้ไม่เกิน {decimal_places} ตำแหน่ง",
    "greater_than_equal": "ต้องไม่น้อยกว่า {ge}",
    "less_than_equal": "ต้องไม่เกิน {le}",
    "too_long": "มีได้ไม่เกิน {max_length} รายการ",
    "too_short": "ต้องมีอย่างน้อย {min_length} รายการ",
    "list_type": "ต้องเป็นรายการ (list)",
    "dict_type": "ต้องเป็นออบเจกต์ (object)",
    "model_type": "ต้องเป็นออบเจกต์ (object)",
    "model_attributes_type": "ต้องเป็นออบเจกต์ (object)",
    "datetime_parsing": "วันเวลาไม่ถูกต้อง (ตัวอย่าง 2025-11-24T10:15:00+07:00)",
    "datetime_from_date_parsing": "วันเวลาไม่ถูกต้อง (ตัวอย่าง 2025-11-24T10:15:00+07:00)",
    "datetime_type": "วันเวลาไม่ถูกต้อง (ตัวอย่าง 2025-11-24T10:15:00+07:00)",
    "json_invalid": "เนื้อหาไม่ใช่ JSON ที่ถูกต้อง",
    "url": "ไม่ใช่ลิงก์เว็บที่ถูกต้อง (ต้องขึ้นต้นด้วย http:// หรือ https://)",
    "yes_no": "ต้องตอบ ใช่ หรือ ไม่ใช่",
    "dimension": "ไม่รู้จักด้านของเมืองอัจฉริยะนี้ (ต้องเป็นหนึ่งใน 7 ด้าน)",
    "depa_mark": "ต้องเป็น ใช่ / ไม่ใช่ / อยู่ระหว่างยื่นขอ",
    "project_status": "ต้องเป็น ดำเนินการแล้วเสร็จ / อยู่ระหว่างดำเนินการ / อยู่ระหว่างวางแผน",
    "money": "ไม่ใช่จำนวนเงินที่อ่านได้ (ตัวอย่าง 1,500,000 หรือ 1.5 ล้านบาท)",
    "count": "ไม่ใช่จำนวนคนที่อ่านได้ (ตัวอย่าง 1,200 หรือ ประมาณ 1,200 คน)",
    "campaign_unknown": "ไม่พบรอบการคัดเลือกนี้",
    "value_error": "ค่าไม่ถูกต้อง",
}
_THAI_FALLBACK = "ข้อมูลไม่ถูกต้อง"


class FieldError(BaseModel):
    field: str
    code: str
    message_th: str
    message_en: str


class ErrorBody(BaseModel):
    error: str
    message_th: str
    message_en: str
    errors: list[FieldError] = []


def field_path(loc: Sequence[int | str]) -> str:
    """("body", "projects", 0, "name") → "projects[0].name"."""
    path = ""
    for part in loc:
        if part == "body" and not path:
            continue
        if isinstance(part, int):
            path += f"[{part}]"
        elif str(part).startswith(("function-", "literal[", "nullable")):
            continue  # pydantic's internal validator names, meaningless to a person
        else:
            path += ("." if path else "") + str(part)
    return path or "(body)"


def thai_message(code: str, context: dict[str, Any] | None) -> str:
    template = _THAI.get(code, _THAI_FALLBACK)
    try:
        return template.format(**(context or {}))
    except (KeyError, IndexError):
        return template


def field_errors(errors: Sequence[Any]) -> list[FieldError]:
    seen: set[tuple[str, str]] = set()
    result = []
    for error in errors:
        path, code = field_path(error.get("loc", ())), error.get("type", "value_error")
        if (path, code) in seen:
            continue
        seen.add((path, code))
        result.append(FieldError(field=path, code=code, message_th=thai_message(code, error.get("ctx")),
                                 message_en=str(error.get("msg", "invalid value"))))
    return result


def error_response(status: int, error: str, message_th: str, message_en: str,
                   errors: list[FieldError] | None = None, headers: dict[str, str] | None = None) -> JSONResponse:
    body = ErrorBody(error=error, message_th=message_th, message_en=message_en, errors=errors or [])
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


class Problem(Exception):
    """What a use case (a service's application layer) refuses, with no HTTP in it: a code distinct per service
    and cause (docs/api.md lists them) and what to tell the person in Thai and English. Its kind says how the
    HTTP layer answers (`NotFound` 404, `Conflict` 409, `Forbidden` 403, `Invalid` and `Problem` itself 422),
    decided once here, in `install_refusals`."""

    def __init__(self, code: str, message_th: str, message_en: str, *,
                 errors: Sequence[FieldError] = ()) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_th = message_th
        self.message_en = message_en
        self.errors = list(errors)

    @property
    def error(self) -> str:
        """The code under the name the error body gives it (`error`)."""
        return self.code


class NotFound(Problem):
    """The thing asked for does not exist (or is outside what the caller may see)."""


class Conflict(Problem):
    """The request contradicts the current state (already done, frozen, superseded)."""


class Forbidden(Problem):
    """The caller is known but may not do this."""


class Invalid(Problem):
    """The request is well formed but its values cannot be taken."""


class Refused(Problem):
    """The one way an HTTP route refuses, in every service: a `Problem` with its HTTP status (and headers) said
    by the route itself. `shared.runtime` turns it into the shared error body. A 401 carries
    `WWW-Authenticate: Bearer` unless `headers` say otherwise."""

    def __init__(self, status: int, code: str, message_th: str, message_en: str, *,
                 errors: Sequence[FieldError] = (), headers: dict[str, str] | None = None) -> None:
        super().__init__(code, message_th, message_en, errors=errors)
        self.status = status
        self.headers = headers


_STATUS: dict[type[Problem], int] = {NotFound: 404, Conflict: 409, Forbidden: 403, Invalid: 422, Problem: 422}


def status_of(problem: Problem) -> int:
    """The HTTP status a problem is answered with."""
    if isinstance(problem, Refused):
        return problem.status
    for kind in type(problem).__mro__:
        if kind in _STATUS:
            return _STATUS[kind]
    return 422


def refused_response(exc: Problem) -> JSONResponse:
    status = status_of(exc)
    headers = exc.headers if isinstance(exc, Refused) else None
    if headers is None and status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    return error_response(status, exc.code, exc.message_th, exc.message_en, exc.errors, headers)


def install_refusals(app: FastAPI) -> None:
    """`Problem` and `Refused` as the shared error body (installed in every service by shared/runtime.py)."""

    @app.exception_handler(Problem)
    async def refused(_: Request, exc: Problem) -> JSONResponse:
        return refused_response(exc)


def install_error_handlers(app: FastAPI, code: str = "invalid_request") -> None:
    """A request body or query that does not fit the route's model: 422 with each field's error, under the
    service's own `code` (intake's `invalid_submission`, scoring's `invalid_request`, ...)."""

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(
            422, code,
            "ข้อมูลที่ส่งมาไม่ถูกต้อง โปรดแก้ไขตามรายการด้านล่าง",
            "The request is not valid; fix the fields listed below.",
            field_errors(exc.errors()),
        )


_HTTP_ERRORS = {
    400: ("invalid_body", "อ่านเนื้อหาคำขอไม่ได้: ต้องเป็น JSON ที่เข้ารหัสแบบ UTF-8",
          "The request body cannot be read: send JSON encoded as UTF-8."),
    404: ("not_found", "ไม่พบปลายทางนี้ (ดูรายการใน docs/api.md)", "No such endpoint (see docs/api.md)."),
    405: ("method_not_allowed", "ปลายทางนี้ไม่รับคำขอแบบนี้ (ดูรายการใน docs/api.md)",
          "This endpoint does not take this method (see docs/api.md)."),
}
_UNREADABLE_UPLOAD = ("invalid_body", "อ่านไฟล์ที่อัปโหลดไม่ได้: ต้องส่งแบบ multipart/form-data ที่ถูกต้อง",
                      "The upload cannot be read: send valid multipart/form-data.")


def install_http_errors(app: FastAPI) -> None:
    """The framework's own refusals (unreadable body, no such route, wrong method) in Thai and English too,
    in every service (shared/runtime.py installs it)."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400 and "multipart" in str(exc.detail).lower():
            code, message_th, message_en = _UNREADABLE_UPLOAD
        else:
            code, message_th, message_en = _HTTP_ERRORS.get(
                exc.status_code, ("http_error", "คำขอไม่ถูกต้อง", str(exc.detail)))
        return error_response(exc.status_code, code, message_th, message_en,
                              headers=dict(exc.headers) if exc.headers else None)
