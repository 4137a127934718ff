"""The reader's scope on every request: from the bearer token, or national when auth is off (development)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from services.reporting.tokens import NATIONAL, Scope, TokenBook
from shared.errors import error_response
from shared.settings import Settings


class Refused(Exception):
    """A request the reader may not make: 401 without a valid token, 403 outside the token's scope."""

    def __init__(self, status: int, error: str, message_th: str, message_en: str) -> None:
        super().__init__(message_en)
        self.status, self.error, self.message_th, self.message_en = status, error, message_th, message_en


def outside_scope(scope: Scope, what_th: str, what_en: str) -> Refused:
    return Refused(403, "outside_scope", f"สิทธิ์ของโทเค็นนี้ ({scope}) ไม่ครอบคลุม{what_th}",
                   f"This token's scope ({scope}) does not cover {what_en}")


async def reader_scope(request: Request) -> Scope:
    settings: Settings = request.app.state.context.settings
    if not settings.reporting_auth_required:
        return NATIONAL
    header = request.headers.get("authorization", "")
    kind, _, token = header.partition(" ")
    if kind.lower() != "bearer" or not token.strip():
        raise Refused(401, "token_required", "ต้องส่งโทเค็นในส่วนหัว Authorization: Bearer <โทเค็น>",
                      "Send a token as `Authorization: Bearer <token>`")
    tokens: TokenBook = request.app.state.component.state["tokens"]
    scope = await tokens.resolve(token.strip())
    if scope is None:
        raise Refused(401, "token_invalid", "โทเค็นไม่ถูกต้องหรือถูกยกเลิกแล้ว", "The token is unknown or revoked")
    return scope


ReaderScope = Annotated[Scope, Depends(reader_scope)]


def install(app: FastAPI) -> None:
    @app.exception_handler(Refused)
    async def refused(_: Request, exc: Refused) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        return error_response(exc.status, exc.error, exc.message_th, exc.message_en, headers=headers)
