"""Scoring's refusals: one exception that carries the HTTP status and what to tell the person, in Thai and
English, turned into the shared error body (shared/errors.py) by one handler."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from shared.errors import FieldError, error_response, install_error_handlers


class Refused(Exception):
    def __init__(self, status: int, code: str, message_th: str, message_en: str, *,
                 errors: Sequence[FieldError] = (), headers: dict[str, str] | None = None) -> None:
        super().__init__(message_en)
        self.status = status
        self.code = code
        self.message_th = message_th
        self.message_en = message_en
        self.errors = list(errors)
        self.headers = headers


def install(app: FastAPI) -> None:
    install_error_handlers(app)

    @app.exception_handler(Refused)
    async def refused(_: Request, exc: Refused) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message_th, exc.message_en, exc.errors, exc.headers)
