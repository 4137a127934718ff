"""Who is at the workspace: one-time sign-in links, the sessions they open, and CSRF tokens.

- A link's code is 32 random bytes, valid once for 72 hours, stored only as its keyed digest (purpose
  `workspace-link`). Opening the link shows a page with a button (a link prefetcher or a mail scanner that
  follows it consumes nothing); the button's POST exchanges the code.
- A session is a random id in the cookie `smartcity_workspace` (HttpOnly; Secure outside development and test;
  SameSite=Strict; Path=/workspace; 8 hours), stored only as its keyed digest (purpose `workspace-session`)
  with its expiry (a TTL index removes it) and a CSRF secret of its own.
- Sessions are generic: a kind (`reviewer` or `admin`), the subject's id and, for an administrator, their
  scopes. `issue_link` (application/links.py) and the dependencies `reviewer_session` / `admin_session` serve
  both kinds; every request checks again that the subject is still active.
- CSRF: every form carries `csrf` = HMAC-SHA256(session's secret, session id); before sign-in, the sign-in form
  carries the keyed digest (purpose `workspace-csrf`) of a short-lived SameSite=Strict cookie. Every POST checks
  its token and, when the browser says where the request comes from, Origin / Referer / Sec-Fetch-Site.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import urlsplit

from fastapi import Depends, Request, Response
from starlette.datastructures import FormData

from services.scoring.api.deps import Workspace
from services.scoring.application.links import Kind, active_subject
from services.scoring.repository import Document, WorkspaceStore
from shared.errors import NotFound, Problem, Refused
from shared.secrets import keyed_digest
from shared.settings import Settings

COOKIE = "smartcity_workspace"
SIGN_IN_COOKIE = "smartcity_workspace_sign_in"
COOKIE_PATH = "/workspace"
SESSION_LIFETIME = timedelta(hours=8)
SIGN_IN_FORM_LIFETIME = timedelta(minutes=30)
# Where a session of each kind starts (the administrators' pages are not part of the reviewers' workspace).
LANDING: dict[Kind, str] = {"reviewer": "/workspace/", "admin": "/workspace/admin/"}
MAX_CODE = 128


@dataclass(frozen=True)
class Session:
    """A signed-in session as the routes see it (`session_id` is the cookie's value, never stored)."""

    session_id: str
    kind: Kind
    subject_id: str
    scopes: tuple[str, ...]
    csrf_secret: str
    expires_at: datetime

    @property
    def csrf_token(self) -> str:
        return hmac.new(self.csrf_secret.encode(), b"csrf\0" + self.session_id.encode(), hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class ReviewerSession:
    session: Session
    reviewer: Document


@dataclass(frozen=True)
class AdminSession:
    session: Session
    admin: Document


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def secure_cookies(settings: Settings) -> bool:
    """Secure cookies everywhere but development and test, which run on plain http://127.0.0.1."""
    return settings.environment not in ("development", "test")


async def _subject(workspace: WorkspaceStore, kind: Kind, subject_id: str, *, unknown_status: int) -> Document:
    """The session's (or link's) reviewer or administrator, still active: refused with `unknown_status` when
    unknown, 403 when disabled."""
    try:
        return await active_subject(workspace.scoring, kind, subject_id)
    except Problem as problem:
        status = unknown_status if isinstance(problem, NotFound) else 403
        raise Refused(status, problem.code, problem.message_th, problem.message_en) from None


async def check_link(workspace: WorkspaceStore, code: str) -> Document:
    """The link this code opens, without using it; refused when unknown (400), used or expired (410)."""
    if not code or len(code) > MAX_CODE:
        raise _unknown_link()
    link = await workspace.link(code)
    if link is None:
        raise _unknown_link()
    if link.get("used_at") is not None:
        raise Refused(410, "link_used", "ลิงก์เข้าสู่ระบบนี้ถูกใช้ไปแล้ว (ใช้ได้ครั้งเดียว) โปรดขอลิงก์ใหม่จากฝ่ายเลขานุการคณะกรรมการ",
                      "This sign-in link has been used already (it works once); ask the committee's secretariat "
                      "for a new one.")
    if _aware(link["expires_at"]) <= datetime.now(UTC):
        raise Refused(410, "link_expired", "ลิงก์เข้าสู่ระบบนี้หมดอายุแล้ว (ใช้ได้ภายใน 72 ชั่วโมง) โปรดขอลิงก์ใหม่",
                      "This sign-in link has expired (links work for 72 hours); ask for a new one.")
    return link


async def subject_name(workspace: WorkspaceStore, link: Document) -> str:
    """The name of whom a link is for, as its sign-in page greets them."""
    store = workspace.scoring
    subject = await (store.reviewer(link["subject_id"]) if link["kind"] == "reviewer"
                     else store.admin(link["subject_id"]))
    return str((subject or {}).get("name", ""))


def _unknown_link() -> Refused:
    return Refused(400, "link_unknown", "ลิงก์เข้าสู่ระบบไม่ถูกต้อง โปรดเปิดลิงก์จากข้อความที่ได้รับอีกครั้ง หรือขอลิงก์ใหม่",
                   "This sign-in link is not valid; open the link from your message again, or ask for a new one.")


async def exchange(workspace: WorkspaceStore, code: str) -> Session:
    """Use a link's code (once) and open a session for its subject."""
    link = await check_link(workspace, code)
    now = datetime.now(UTC)
    claimed = await workspace.claim_link(link, now)
    if claimed is None:  # another tab or device used it a moment ago
        raise Refused(410, "link_used", "ลิงก์เข้าสู่ระบบนี้ถูกใช้ไปแล้ว (ใช้ได้ครั้งเดียว) โปรดขอลิงก์ใหม่",
                      "This sign-in link has been used already (it works once); ask for a new one.")
    kind: Kind = link["kind"]
    subject = await _subject(workspace, kind, link["subject_id"], unknown_status=403)
    session_id = secrets.token_urlsafe(32)
    scopes = tuple(subject.get("scopes") or ()) if kind == "admin" else ()
    session = Session(session_id=session_id, kind=kind, subject_id=link["subject_id"], scopes=scopes,
                      csrf_secret=secrets.token_hex(32), expires_at=now + SESSION_LIFETIME)
    await workspace.insert_session(session_id, {
        "kind": kind, "subject_id": session.subject_id, "scopes": list(scopes), "csrf_secret": session.csrf_secret,
        "created_at": now, "expires_at": session.expires_at, "link_issued_by": link.get("issued_by"),
    })
    return session


async def find_session(workspace: WorkspaceStore, session_id: str | None) -> Session | None:
    if not session_id or len(session_id) > MAX_CODE:
        return None
    document = await workspace.session(session_id)
    if document is None or _aware(document["expires_at"]) <= datetime.now(UTC):
        return None
    return Session(session_id=session_id, kind=document["kind"], subject_id=document["subject_id"],
                   scopes=tuple(document.get("scopes") or ()), csrf_secret=document["csrf_secret"],
                   expires_at=_aware(document["expires_at"]))


async def end_session(workspace: WorkspaceStore, session: Session) -> None:
    await workspace.delete_session(session.session_id)


def set_session_cookie(response: Response, settings: Settings, session: Session) -> None:
    response.set_cookie(COOKIE, session.session_id, max_age=int(SESSION_LIFETIME.total_seconds()),
                        path=COOKIE_PATH, secure=secure_cookies(settings), httponly=True, samesite="strict")


def clear_cookie(response: Response, settings: Settings, name: str = COOKIE) -> None:
    response.delete_cookie(name, path=COOKIE_PATH, secure=secure_cookies(settings), httponly=True,
                           samesite="strict")


# -- the dependencies -------------------------------------------------------------------------------------

def _signed_out() -> Refused:
    return Refused(401, "signed_out", "ยังไม่ได้เข้าสู่ระบบ หรือหมดเวลาใช้งานแล้ว (8 ชั่วโมง) โปรดเปิดลิงก์เข้าสู่ระบบที่ได้รับ "
                   "หรือขอลิงก์ใหม่จากฝ่ายเลขานุการคณะกรรมการ",
                   "You are not signed in, or your session has ended (8 hours); open the sign-in link you "
                   "received, or ask the committee's secretariat for a new one.")


async def current_session(request: Request, workspace: WorkspaceStore, kind: Kind) -> tuple[Session, Document]:
    session = await find_session(workspace, request.cookies.get(COOKIE))
    if session is None:
        raise _signed_out()
    if session.kind != kind:
        raise Refused(403, "wrong_kind", "หน้านี้ไม่ใช่ของบัญชีที่เข้าสู่ระบบไว้", "This page is not for the account signed in.")
    subject = await _subject(workspace, kind, session.subject_id, unknown_status=401)
    request.state.workspace_session = session  # for the refusal page's sign-out form
    return session, subject


async def reviewer_session(request: Request, workspace: Workspace) -> ReviewerSession:
    session, reviewer = await current_session(request, workspace, "reviewer")
    return ReviewerSession(session, reviewer)


async def admin_session(request: Request, workspace: Workspace) -> AdminSession:
    """An administrator's session; the scopes are the account's current ones."""
    session, admin = await current_session(request, workspace, "admin")
    scopes = tuple(admin.get("scopes") or ())
    return AdminSession(Session(session.session_id, session.kind, session.subject_id, scopes, session.csrf_secret,
                                session.expires_at), admin)


WorkspaceReviewer = Annotated[ReviewerSession, Depends(reviewer_session)]
WorkspaceAdmin = Annotated[AdminSession, Depends(admin_session)]


# -- CSRF -------------------------------------------------------------------------------------------------

def _forbidden_csrf() -> Refused:
    return Refused(403, "csrf_failed", "แบบฟอร์มนี้หมดอายุหรือไม่ได้ส่งมาจากหน้าของระบบ โปรดโหลดหน้าใหม่แล้วลองอีกครั้ง",
                   "This form has expired or did not come from the workspace's own page; reload the page and try "
                   "again.")


def check_origin(request: Request) -> None:
    """When the browser says where a POST comes from, it must be this site. `Origin: null` (what browsers send
    under Referrer-Policy: no-referrer) says nothing, so the token alone decides then."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        raise _forbidden_csrf()
    host = request.headers.get("host", "")
    for header in ("origin", "referer"):
        value = request.headers.get(header)
        if not value or value == "null":
            continue
        if urlsplit(value).netloc.lower() != host.lower():
            raise _forbidden_csrf()


async def checked_form(request: Request, session: Session) -> FormData:
    """The POST's form, once its CSRF token and origin are checked."""
    check_origin(request)
    form = await request.form()
    token = form.get("csrf")
    if not isinstance(token, str) or not hmac.compare_digest(token.encode(), session.csrf_token.encode()):
        raise _forbidden_csrf()
    return form


def sign_in_token(workspace: WorkspaceStore, nonce: str) -> str:
    return keyed_digest(workspace.digest_key, "workspace-csrf", "sign-in\0" + nonce)


def set_sign_in_cookie(response: Response, settings: Settings, nonce: str) -> None:
    response.set_cookie(SIGN_IN_COOKIE, nonce, max_age=int(SIGN_IN_FORM_LIFETIME.total_seconds()), path=COOKIE_PATH,
                        secure=secure_cookies(settings), httponly=True, samesite="strict")


async def checked_sign_in_form(request: Request, workspace: WorkspaceStore) -> FormData:
    check_origin(request)
    form = await request.form()
    nonce = request.cookies.get(SIGN_IN_COOKIE)
    token = form.get("csrf")
    if not nonce or not isinstance(token, str) or not hmac.compare_digest(
            token.encode(), sign_in_token(workspace, nonce).encode()):
        raise _forbidden_csrf()
    return form


def form_text(form: FormData, name: str, limit: int = 2000) -> str:
    value: Any = form.get(name)
    return value[:limit] if isinstance(value, str) else ""
