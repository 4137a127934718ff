"""What reporting's setup hands its routes (`Parts`, the typed `Component.state`) and the route parameters that
reach them: the reader's scope from the bearer token (national when auth is off, in development), whom the
token was issued to, and the use cases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from services.reporting.application import Documents, FinalSelection, OfficeWork, Reports
from services.reporting.repository import Attachments, ReadModels, TokenBook
from services.reporting.tokens import NATIONAL, Scope
from shared.errors import Refused
from shared.runtime import part, parts_of, settings_of


@dataclass(frozen=True)
class Parts:
    read_models: ReadModels
    tokens: TokenBook
    lao_attachments: Attachments
    reports: Reports
    documents: Documents
    office_work: OfficeWork
    selection: FinalSelection


def _parts(request: Request) -> Parts:
    parts: Parts = parts_of(request)
    return parts


def _bearer(request: Request) -> str | None:
    kind, _, token = request.headers.get("authorization", "").partition(" ")
    if kind.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def reader_scope(request: Request) -> Scope:
    """The scope of the request's token: 401 without a valid one."""
    if not settings_of(request).reporting_auth_required:
        return NATIONAL
    token = _bearer(request)
    if token is None:
        raise Refused(401, "token_required", "ต้องส่งโทเค็นในส่วนหัว Authorization: Bearer <โทเค็น>",
                      "Send a token as `Authorization: Bearer <token>`")
    scope = await _parts(request).tokens.resolve(token)
    if scope is None:
        raise Refused(401, "token_invalid", "โทเค็นไม่ถูกต้องหรือถูกยกเลิกแล้ว", "The token is unknown or revoked")
    return scope


async def token_holder(request: Request) -> str | None:
    """The name the token was issued to (an audit names a person's office, not only a scope)."""
    token = _bearer(request)
    return None if token is None else await _parts(request).tokens.holder(token)


ReaderScope = Annotated[Scope, Depends(reader_scope)]
TokenHolder = Annotated[str | None, Depends(token_holder)]
ReportsDep = Annotated[Reports, Depends(part(Parts, lambda parts: parts.reports))]
DocumentsDep = Annotated[Documents, Depends(part(Parts, lambda parts: parts.documents))]
OfficeWorkDep = Annotated[OfficeWork, Depends(part(Parts, lambda parts: parts.office_work))]
SelectionDep = Annotated[FinalSelection, Depends(part(Parts, lambda parts: parts.selection))]
