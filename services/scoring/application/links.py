"""One-time sign-in links to the web workspace, as the admin API and the `reviewers` / `admins` commands issue
them: for an active reviewer or administrator, valid once for 72 hours, the code shown once and stored only as
its keyed digest (services/scoring/workspace/sessions.py exchanges it for a session)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Literal

from services.scoring.repository import Document, ScoringStore, WorkspaceStore
from shared.errors import Conflict, NotFound

Kind = Literal["reviewer", "admin"]
KINDS: tuple[Kind, ...] = ("reviewer", "admin")
LINK_LIFETIME = timedelta(hours=72)
SIGN_IN_PATH = "/workspace/sign-in"


async def active_subject(store: ScoringStore, kind: Kind, subject_id: str) -> Document:
    """The reviewer or administrator a link or a session is for: refused when unknown (NotFound) or disabled
    (Conflict)."""
    if kind == "reviewer":
        subject = await store.reviewer(subject_id)
        if subject is None:
            raise NotFound("reviewer_unknown", f"ไม่พบกรรมการ {subject_id}", f"No reviewer {subject_id!r}.")
        if not subject.get("active"):
            raise Conflict("reviewer_disabled", "บัญชีกรรมการนี้ถูกระงับแล้ว โปรดติดต่อฝ่ายเลขานุการคณะกรรมการ",
                           "This reviewer's account is disabled; contact the committee's secretariat.")
        return subject
    subject = await store.admin(subject_id)
    if subject is None:
        raise NotFound("admin_unknown", f"ไม่พบผู้ดูแลระบบ {subject_id}", f"No administrator {subject_id!r}.")
    if not subject.get("active"):
        raise Conflict("admin_disabled", "บัญชีผู้ดูแลระบบนี้ถูกระงับแล้ว", "This administrator's account is disabled.")
    return subject


async def issue_link(workspace: WorkspaceStore, kind: Kind, subject_id: str,
                     issued_by: str) -> tuple[str, datetime]:
    """A one-time sign-in link for a reviewer or an administrator: its path with the code (shown once,
    never stored) and when it expires. The subject must exist and be active."""
    if kind not in KINDS:
        raise ValueError(f"unknown session kind {kind!r}")
    await active_subject(workspace.scoring, kind, subject_id)
    code = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    expires_at = now + LINK_LIFETIME
    await workspace.insert_link(code, {"kind": kind, "subject_id": subject_id, "issued_by": issued_by,
                                       "issued_at": now, "expires_at": expires_at, "used_at": None})
    return f"{SIGN_IN_PATH}?code={code}", expires_at
