"""DLA's administrators' accounts: each holds a token of its own (shown once, stored only as its keyed digest)
and the scopes it may use, so every freeze, override and publication is audited under a person's name rather
than under the one shared SCORING_ADMIN_TOKEN (`python -m services.scoring.admins`)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from services.scoring.repository import Document, ScoringStore
from shared.errors import Conflict, Invalid, NotFound

ADMIN_TOKEN_PREFIX = "adm_"
# What an administrator's account may do: `committee` = reviewers, assignments, the audit trail and re-scoring;
# `selection` = freeze, override, publish the final selection. SCORING_ADMIN_TOKEN may do everything.
AdminScope = Literal["committee", "selection"]
ADMIN_SCOPES: tuple[AdminScope, ...] = ("committee", "selection")


def new_admin_token() -> str:
    """An administrator's token: shown once when created, never stored."""
    return ADMIN_TOKEN_PREFIX + secrets.token_urlsafe(32)


def public_admin(document: Document) -> dict[str, Any]:
    shown = {"admin_id": document["_id"]}
    shown.update({k: v for k, v in document.items() if k not in ("_id", "token_digest")})
    return shown


async def create_admin(store: ScoringStore, *, name: str, scopes: Sequence[str],
                       created_by: str) -> tuple[dict[str, Any], str]:
    """A new administrator's account and its token (returned once)."""
    name = " ".join(name.split())
    if not name:
        raise Invalid("name_missing", "ต้องระบุชื่อผู้ดูแลระบบ", "The administrator's name is required.")
    unknown = [scope for scope in scopes if scope not in ADMIN_SCOPES]
    if unknown or not scopes:
        raise Invalid("unknown_scope", f"สิทธิ์ที่ใช้ได้: {', '.join(ADMIN_SCOPES)}",
                      f"Give at least one scope of: {', '.join(ADMIN_SCOPES)} (unknown: {', '.join(unknown)}).")
    token = new_admin_token()
    document = {"_id": "adm_" + secrets.token_hex(5), "name": name, "scopes": sorted(set(scopes)),
                "token_digest": store.admin_token_digest(token), "active": True,
                "created_at": datetime.now(UTC), "created_by": created_by}
    if not await store.add_admin(document):
        raise Conflict("name_taken", f"มีผู้ดูแลระบบชื่อ {name} แล้ว", f"An administrator named {name!r} exists.")
    return public_admin(document), token


async def admins(store: ScoringStore) -> list[dict[str, Any]]:
    """Every administrator's account (never a token or its digest)."""
    return [public_admin(admin) for admin in await store.all_admins()]


async def disable_admin(store: ScoringStore, admin_id: str, *, by: str) -> dict[str, Any]:
    """Revoke an administrator's token."""
    if not await store.disable_admin(admin_id, datetime.now(UTC), by):
        raise NotFound("admin_unknown", f"ไม่พบผู้ดูแลระบบ {admin_id}", f"No administrator {admin_id!r}.")
    disabled = await store.admin(admin_id)
    assert disabled is not None
    return public_admin(disabled)
