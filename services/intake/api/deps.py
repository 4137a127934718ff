"""What intake's routes take as parameters: the service's parts (what setup builds, typed), the authenticated
and rate-limited sender of each kind of request, and the use cases."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from services.intake.application.acceptance import Acceptance
from services.intake.application.imports import Imports
from services.intake.application.queries import Queries
from services.intake.auth import API_KEY_HEADER, SIGNATURE_HEADER, Authenticator, Scope, Sender
from services.intake.mapping import MappingBook
from services.intake.ratelimit import RateLimiter
from services.intake.repository import ApiKeys, SubmissionStore
from shared.errors import Refused
from shared.runtime import part, parts_of


@dataclass(frozen=True)
class Parts:
    """Intake's `Component.state`."""

    store: SubmissionStore
    api_keys: ApiKeys
    auth: Authenticator
    limiter: RateLimiter
    mappings: MappingBook
    acceptance: Acceptance
    imports: Imports
    queries: Queries


def _parts(request: Request) -> Parts:
    parts: Parts = parts_of(request)
    return parts


# Documented as security schemes; read by the authenticator from the request itself.
_api_key = APIKeyHeader(
    name=API_KEY_HEADER, scheme_name="ApiKey", auto_error=False,
    description="An API key from `python -m services.intake.apikeys create --name ...` (also accepted as "
                "`Authorization: Bearer <key>`).",
)
_signature = APIKeyHeader(
    name=SIGNATURE_HEADER, scheme_name="FormSignature", auto_error=False,
    description="Form connectors: `sha256=` + hex HMAC-SHA256 over `X-Smartcity-Timestamp + \".\" + body`, with "
                "the source's shared secret. Send `X-Smartcity-Timestamp` (Unix seconds, within 5 minutes of "
                "the server's clock) and, when the source is not the mapping's name, `X-Smartcity-Source`. "
                "Each signature is accepted once.",
)


async def _admit(request: Request, *, scope: Scope, body: bytes | None = None,
                 default_source: str | None = None) -> Sender:
    """The sender of this request, authenticated, within its rate (429 with Retry-After beyond it)."""
    parts = _parts(request)
    sender = await parts.auth.sender(request, scope=scope, body=body, default_source=default_source)
    wait = parts.limiter.take(sender.rate_key)
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        raise Refused(429, "rate_limited",
                      f"ส่งคำขอถี่เกินไป โปรดรอ {seconds} วินาทีแล้วลองใหม่",
                      f"Too many requests from this sender: retry after {seconds} s.",
                      headers={"Retry-After": str(seconds)})
    return sender


async def submit_sender(request: Request, _key: Annotated[str | None, Depends(_api_key)],
                        _sig: Annotated[str | None, Depends(_signature)]) -> Sender:
    return await _admit(request, scope="submit", body=await request.body())


async def form_sender(request: Request, mapping: str, _key: Annotated[str | None, Depends(_api_key)],
                      _sig: Annotated[str | None, Depends(_signature)]) -> Sender:
    return await _admit(request, scope="submit", body=await request.body(), default_source=mapping)


async def import_sender(request: Request, _key: Annotated[str | None, Depends(_api_key)]) -> Sender:
    # Before the upload is read: an unknown sender never gets a file spooled.
    return await _admit(request, scope="import")


async def reader(request: Request, _key: Annotated[str | None, Depends(_api_key)]) -> Sender:
    return await _admit(request, scope="read")


SubmitSender = Annotated[Sender, Depends(submit_sender)]
FormSender = Annotated[Sender, Depends(form_sender)]
ImportSender = Annotated[Sender, Depends(import_sender)]
Reader = Annotated[Sender, Depends(reader)]


AcceptanceDep = Annotated[Acceptance, Depends(part(Parts, lambda parts: parts.acceptance))]
ImportsDep = Annotated[Imports, Depends(part(Parts, lambda parts: parts.imports))]
QueriesDep = Annotated[Queries, Depends(part(Parts, lambda parts: parts.queries))]
