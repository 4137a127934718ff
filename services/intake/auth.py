"""Who is sending: form connectors sign each request with their source's shared secret (HMAC-SHA256 over
`timestamp + "." + body`), other API clients present an API key (stored only as its keyed digest,
HMAC-SHA256 with TOKEN_DIGEST_KEY: shared/secrets.py).

Signatures are compared in constant time, a timestamp more than five minutes from the server's clock is
refused, and a signature is accepted once (a replay is refused; seen signatures expire by a TTL index).
Refusals say what is wrong in Thai and English and never echo a secret or a key.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from fastapi import Request
from pydantic import SecretStr

from shared.errors import Forbidden, Refused
from shared.settings import Settings

if TYPE_CHECKING:
    from services.intake.repository import ApiKeys, ReplayGuard

SIGNATURE_HEADER = "X-Smartcity-Signature"
TIMESTAMP_HEADER = "X-Smartcity-Timestamp"
SOURCE_HEADER = "X-Smartcity-Source"
API_KEY_HEADER = "X-API-Key"

Scope = Literal["submit", "import", "read"]
SCOPES: tuple[Scope, ...] = ("submit", "import", "read")
_SCOPE_WORDS_TH = {"submit": "ส่งข้อมูล", "import": "นำเข้าไฟล์", "read": "อ่านข้อมูล"}
_SOURCE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")


def _unauthorised(code: str, message_th: str, message_en: str) -> Refused:
    """401: who sent this? The answer names the header to send."""
    return Refused(401, code, message_th, message_en,
                   headers={"WWW-Authenticate": f'ApiKey header="{API_KEY_HEADER}"'})


@dataclass(frozen=True)
class Sender:
    kind: Literal["form", "api_key", "open"]
    name: str

    @property
    def rate_key(self) -> str:
        return f"{self.kind}:{self.name}"


def parse_form_secrets(value: SecretStr | None) -> dict[str, SecretStr]:
    """`source=secret,source=secret` → {source: secret}; errors name the source, never the secret."""
    if value is None:
        return {}
    result: dict[str, SecretStr] = {}
    for number, pair in enumerate((p.strip() for p in value.get_secret_value().split(",")), start=1):
        if not pair:
            continue
        name, separator, secret = pair.partition("=")
        name, secret = name.strip(), secret.strip()
        if not separator or not _SOURCE_NAME.match(name):
            raise ValueError(f"INTAKE_FORM_SECRETS: entry {number} is not source=secret "
                             "(a source is letters, digits, '.', '_' or '-')")
        if len(secret) < 16:
            raise ValueError(f"INTAKE_FORM_SECRETS: the secret of {name!r} is shorter than 16 characters")
        result[name] = SecretStr(secret)
    return result


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature a connector sends: `sha256=` and the hex HMAC-SHA256 of `timestamp.body`."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return "sha256=" + digest


class Authenticator:
    def __init__(self, settings: Settings, api_keys: ApiKeys, replays: ReplayGuard, *,
                 clock: Callable[[], float] = time.time) -> None:
        self.required = settings.intake_auth_required
        self.secrets = parse_form_secrets(settings.intake_form_secrets)
        self.max_age = settings.intake_signature_max_age_seconds
        self.api_keys = api_keys
        self.replays = replays
        self.clock = clock

    async def sender(self, request: Request, *, scope: Scope, default_source: str | None = None,
                     body: bytes | None = None) -> Sender:
        """The authenticated sender of this request; refused with 401 (who are you?) or 403 (not you, not this).
        A signature is accepted where the body is at hand (`body`), an API key everywhere; with authentication
        off, a request without credentials is let through as its client address."""
        headers = request.headers
        if body is not None and headers.get(SIGNATURE_HEADER):
            return await self._signed(request, body, default_source)
        key = headers.get(API_KEY_HEADER) or _bearer(headers.get("authorization"))
        if key:
            return await self._api_key(key, scope)
        if not self.required:
            return Sender("open", request.client.host if request.client else "unknown")
        raise _unauthorised(
            "auth_missing",
            "ต้องยืนยันตัวตนผู้ส่ง: ใส่ API key ในส่วนหัว X-API-Key"
            + (" หรือลงลายมือชื่อคำขอ (X-Smartcity-Timestamp และ X-Smartcity-Signature)" if body is not None else ""),
            "Authentication required: send an API key in the X-API-Key header"
            + (", or sign the request (X-Smartcity-Timestamp and X-Smartcity-Signature)" if body is not None else "")
            + ".",
        )

    async def _signed(self, request: Request, body: bytes, default_source: str | None) -> Sender:
        source = request.headers.get(SOURCE_HEADER) or default_source or ""
        secret = self.secrets.get(source)
        if secret is None:
            if not self.required:
                return Sender("open", source or "unknown")
            raise Forbidden(
                "source_not_enabled",
                f"ระบบรับข้อมูลยังไม่ได้ตั้งรหัสลับสำหรับแหล่งข้อมูล '{source}' โปรดติดต่อผู้ดูแลระบบ",
                f"No shared secret is configured for the source {source!r}: ask the operator to add it to "
                "INTAKE_FORM_SECRETS.",
            )
        stamp = request.headers.get(TIMESTAMP_HEADER, "").strip()
        if not stamp.isdigit():
            raise _unauthorised(
                "timestamp_invalid",
                "ต้องมีส่วนหัว X-Smartcity-Timestamp เป็นเวลาแบบ Unix (วินาที) ของตอนที่ลงลายมือชื่อ",
                "X-Smartcity-Timestamp must be the Unix time (seconds) at which the request was signed.",
            )
        skew = self.clock() - int(stamp)
        if abs(skew) > self.max_age:
            minutes = self.max_age // 60
            raise _unauthorised(
                "timestamp_expired",
                f"เวลาที่ลงลายมือชื่อห่างจากเวลาของระบบเกิน {minutes} นาที "
                f"({'เก่าเกินไป' if skew > 0 else 'อยู่ในอนาคต'}): ลงลายมือชื่อใหม่ก่อนส่ง และตรวจนาฬิกาของเครื่องผู้ส่ง",
                f"The signed timestamp is more than {minutes} minutes {'old' if skew > 0 else 'in the future'}: "
                "sign each request when it is sent, and check the sender's clock.",
            )
        given = request.headers.get(SIGNATURE_HEADER, "").strip().lower().removeprefix("sha256=")
        expected = sign(secret.get_secret_value(), stamp, body).removeprefix("sha256=")
        if not hmac.compare_digest(expected.encode(), given.encode()):
            raise _unauthorised(
                "signature_invalid",
                f"ลายมือชื่อไม่ถูกต้อง: ตรวจว่ารหัสลับในสคริปต์ตรงกับที่ตั้งไว้สำหรับแหล่งข้อมูล '{source}' "
                "และข้อมูลไม่ถูกแก้ไขหลังลงลายมือชื่อ",
                f"The signature does not match: check that the sender's secret is the one configured for the "
                f"source {source!r}, and that the body was not changed after signing (HMAC-SHA256 over "
                "timestamp + '.' + body).",
            )
        if not await self.replays.first_use(expected):
            raise _unauthorised(
                "signature_replayed",
                "คำขอนี้เคยถูกส่งมาแล้ว (ลายมือชื่อซ้ำ): ต้องลงลายมือชื่อใหม่ทุกครั้งที่ส่ง",
                "This exact signed request was already received: sign every request (and every retry) anew.",
            )
        return Sender("form", source)

    async def _api_key(self, key: str, scope: Scope) -> Sender:
        found = await self.api_keys.find(key.strip())
        if found is None:
            raise _unauthorised("api_key_invalid", "ไม่รู้จัก API key นี้ (หรือถูกลบไปแล้ว)", "Unknown API key.")
        if found.get("revoked_at") is not None:
            raise Forbidden("api_key_revoked", f"API key '{found['name']}' ถูกยกเลิกแล้ว",
                            f"The API key {found['name']!r} was revoked.")
        if scope not in found.get("scopes", []):
            raise Forbidden("scope_missing",
                            f"API key '{found['name']}' ไม่มีสิทธิ์{_SCOPE_WORDS_TH[scope]}",
                            f"The API key {found['name']!r} may not {scope}; its scopes: "
                            f"{', '.join(found.get('scopes', [])) or 'none'}.")
        return Sender("api_key", found["name"])


def _bearer(value: str | None) -> str | None:
    if value and value.lower().startswith("bearer "):
        return value[7:].strip() or None
    return None
