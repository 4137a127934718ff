"""Who is asking: the administrator (SCORING_ADMIN_TOKEN, compared in constant time) or a reviewer (a token
of their own, stored only as its keyed digest: HMAC-SHA256 with TOKEN_DIGEST_KEY, shared/secrets.py).
Refusals are bilingual and never echo what was presented."""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated, Any

from fastapi import Depends, Request

from services.scoring.errors import Refused
from services.scoring.repository import ScoringStore
from shared.secrets import keyed_digest
from shared.settings import Settings

TOKEN_PREFIX = "rvw_"
_BEARER = {"WWW-Authenticate": "Bearer"}


def new_token() -> str:
    """A reviewer's token: shown once when created, never stored."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_hash(digest_key: bytes, token: str) -> str:
    """The digest under which a reviewer's token is stored (field `token_sha256`, named before it was keyed)."""
    return keyed_digest(digest_key, "reviewer-token", token)


def _presented(request: Request, who_th: str, who_en: str) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Refused(401, "unauthorized", f"ต้องแนบโทเค็น{who_th} (Authorization: Bearer …)",
                      f"A {who_en} token is required (Authorization: Bearer …).", headers=_BEARER)
    return token.strip()


async def require_admin(request: Request) -> str:
    """The administrator; the API refuses every admin call while SCORING_ADMIN_TOKEN is not set."""
    presented = _presented(request, "ผู้ดูแลระบบ", "admin")
    settings: Settings = request.app.state.context.settings
    configured = settings.scoring_admin_token
    if configured is None:
        raise Refused(403, "forbidden", "ปิดการดูแลระบบผ่าน API ไว้ (ยังไม่ได้ตั้งค่า SCORING_ADMIN_TOKEN)",
                      "The scoring admin API is disabled (SCORING_ADMIN_TOKEN is not set).")
    if not hmac.compare_digest(presented.encode(), configured.get_secret_value().encode()):
        raise Refused(403, "forbidden", "โทเค็นผู้ดูแลระบบไม่ถูกต้อง", "The admin token is not valid.")
    return "admin"


async def require_reviewer(request: Request) -> dict[str, Any]:
    """The reviewer whose token this is (active reviewers only)."""
    presented = _presented(request, "กรรมการ", "reviewer")
    store: ScoringStore = request.app.state.component.state["store"]
    reviewer = await store.reviewer_by_token(presented)
    if reviewer is None:
        # 401, not 403: the token names nobody (unknown or revoked); say so without echoing it.
        raise Refused(401, "unauthorized", "โทเค็นกรรมการไม่ถูกต้องหรือถูกยกเลิกแล้ว",
                      "The reviewer token is not valid or has been revoked.", headers=_BEARER)
    return reviewer


Admin = Annotated[str, Depends(require_admin)]
Reviewer = Annotated[dict[str, Any], Depends(require_reviewer)]
