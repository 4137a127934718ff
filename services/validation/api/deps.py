"""What validation's routes are given: the service's parts (`Parts`, what setup puts in `Component.state`), the
route parameters that hand them out, and the registry administrator's check."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from pydantic import SecretStr

from services.validation.registry.repository import RegistryRepository
from services.validation.repository import ValidationStore
from shared.errors import Refused
from shared.outbox import OutboxRelay
from shared.runtime import internal_reader, part
from shared.settings import Settings


@dataclass(frozen=True)
class Parts:
    results: ValidationStore
    registry: RegistryRepository
    relay: OutboxRelay


Results = Annotated[ValidationStore, Depends(part(Parts, lambda parts: parts.results))]
Registry = Annotated[RegistryRepository, Depends(part(Parts, lambda parts: parts.registry))]
Relay = Annotated[OutboxRelay, Depends(part(Parts, lambda parts: parts.relay))]


def _registry_admin_token(settings: Settings) -> SecretStr | None:
    return settings.registry_admin_token


# Outcomes name the LAO and what its response lacks: in production they need INTERNAL_READ_TOKEN or
# REGISTRY_ADMIN_TOKEN.
internal_read = internal_reader(_registry_admin_token)


def refuse_unless_admin(request: Request, settings: Settings) -> None:
    """Returns when the request carries the configured registry admin token (compared in constant time);
    otherwise refuses with the bilingual 401 (no bearer token) or 403 (a wrong one, or none configured)."""
    scheme, _, presented = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not presented.strip():
        raise Refused(401, "unauthorized", "ต้องแนบโทเค็นผู้ดูแลระบบ (Authorization: Bearer …)",
                      "An admin token is required (Authorization: Bearer …).", headers={"WWW-Authenticate": "Bearer"})
    configured = settings.registry_admin_token
    if configured is None:
        raise Refused(403, "forbidden", "ปิดการนำเข้าทะเบียน อปท. ผ่าน API ไว้ (ยังไม่ได้ตั้งค่า REGISTRY_ADMIN_TOKEN)",
                      "Registry imports through the API are disabled (REGISTRY_ADMIN_TOKEN is not set).")
    if not hmac.compare_digest(presented.strip().encode(), configured.get_secret_value().encode()):
        raise Refused(403, "forbidden", "โทเค็นผู้ดูแลระบบไม่ถูกต้อง", "The admin token is not valid.")
