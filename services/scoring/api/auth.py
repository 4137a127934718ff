"""Who is asking at scoring's API: the administrator (SCORING_ADMIN_TOKEN, compared in constant time, or an
administrator's account with its scopes, `python -m services.scoring.admins`) or a reviewer (a token of their
own, stored only as its keyed digest: HMAC-SHA256 with TOKEN_DIGEST_KEY, shared/secrets.py).
Refusals are bilingual and never echo what was presented."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import Depends, Request

from services.scoring.api.deps import Store
from services.scoring.application.admins import ADMIN_TOKEN_PREFIX, AdminScope
from services.scoring.repository import ScoringStore
from shared.errors import Refused
from shared.runtime import SettingsDep
from shared.settings import Settings

_BEARER = {"WWW-Authenticate": "Bearer"}


def _presented(request: Request, who_th: str, who_en: str) -> str:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Refused(401, "unauthorized", f"ต้องแนบโทเค็น{who_th} (Authorization: Bearer …)",
                      f"A {who_en} token is required (Authorization: Bearer …).", headers=_BEARER)
    return token.strip()


async def admin_actor(request: Request, settings: Settings, store: ScoringStore, scope: AdminScope) -> str:
    """Who the administrator is, as audit records name them: `admin` for SCORING_ADMIN_TOKEN, else the
    account's name and id. Refused when the token is unknown or the account lacks the scope."""
    presented = _presented(request, "ผู้ดูแลระบบ", "admin")
    configured = settings.scoring_admin_token
    if configured is not None and hmac.compare_digest(presented.encode(), configured.get_secret_value().encode()):
        return "admin"
    account = await store.admin_by_token(presented) if presented.startswith(ADMIN_TOKEN_PREFIX) else None
    if account is None:
        if configured is None:
            raise Refused(403, "forbidden", "ปิดการดูแลระบบผ่าน API ไว้ (ยังไม่ได้ตั้งค่า SCORING_ADMIN_TOKEN)",
                          "The scoring admin API is disabled (SCORING_ADMIN_TOKEN is not set).")
        raise Refused(403, "forbidden", "โทเค็นผู้ดูแลระบบไม่ถูกต้อง", "The admin token is not valid.")
    return actor_of(account, scope)


def actor_of(account: dict[str, Any], scope: AdminScope) -> str:
    """The audit name of an administrator's account that holds `scope`; refused when it does not."""
    if scope not in account.get("scopes", ()):
        raise Refused(403, "scope_missing", f"บัญชีผู้ดูแลระบบนี้ไม่มีสิทธิ์ {scope}",
                      f"This administrator account does not hold the {scope!r} scope.")
    return f"{account['name']} ({account['_id']})"


async def require_admin(request: Request, settings: SettingsDep, store: Store) -> str:
    """The administrator of the committee's work (scope `committee`)."""
    return await admin_actor(request, settings, store, "committee")


async def require_selection_admin(request: Request, settings: SettingsDep, store: Store) -> str:
    """The administrator of the final selection (scope `selection`)."""
    return await admin_actor(request, settings, store, "selection")


async def require_reviewer(request: Request, store: Store) -> dict[str, Any]:
    """The reviewer whose token this is (active reviewers only)."""
    presented = _presented(request, "กรรมการ", "reviewer")
    reviewer = await store.reviewer_by_token(presented)
    if reviewer is None:
        # 401, not 403: the token names nobody (unknown or revoked); say so without echoing it.
        raise Refused(401, "unauthorized", "โทเค็นกรรมการไม่ถูกต้องหรือถูกยกเลิกแล้ว",
                      "The reviewer token is not valid or has been revoked.", headers=_BEARER)
    return reviewer


Admin = Annotated[str, Depends(require_admin)]
SelectionAdmin = Annotated[str, Depends(require_selection_admin)]
Reviewer = Annotated[dict[str, Any], Depends(require_reviewer)]
