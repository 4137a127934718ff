"""The workspace's own collections in scoring's database (never another service's):

    workspace_links         one-time sign-in links: `_id` = keyed digest of the code (never the code), kind
                            (reviewer, admin), subject, who issued it, when it expires, when it was used
    workspace_sessions      sessions: `_id` = keyed digest of the cookie's id, kind, subject, scopes, the CSRF
                            secret, expiry (TTL index: the store removes expired ones)
    workspace_drafts        a reviewer's unsent points and comment per criterion (never counted in a score)
    conflict_declarations   the audit of declared conflicts of interest: who, when, which submission, why
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection

from services.scoring.repository.store import Document, ScoringStore
from shared.secrets import keyed_digest

# Used and expired links stay this long for the record, then the store removes them.
LINK_RECORD_SECONDS = 30 * 24 * 3600


def draft_id(reviewer_id: str, submission_id: str, criterion: str) -> str:
    return f"{reviewer_id}:{submission_id}:{criterion}"


class WorkspaceStore:
    def __init__(self, store: ScoringStore) -> None:
        self.scoring = store
        self.digest_key = store.digest_key
        db = store.reviewers.database
        self.links: AsyncCollection[Document] = db["workspace_links"]
        self.sessions: AsyncCollection[Document] = db["workspace_sessions"]
        self.drafts: AsyncCollection[Document] = db["workspace_drafts"]
        self.conflicts: AsyncCollection[Document] = db["conflict_declarations"]

    async def create_indexes(self) -> None:
        await self.links.create_index("expires_at", expireAfterSeconds=LINK_RECORD_SECONDS, name="ttl")
        await self.sessions.create_index("expires_at", expireAfterSeconds=0, name="ttl")
        await self.drafts.create_index([("reviewer_id", 1), ("submission_id", 1)], name="reviewer_submission")
        await self.conflicts.create_index([("reviewer_id", 1), ("submission_id", 1)], name="reviewer_submission")
        await self.conflicts.create_index("at", name="at")

    # -- sign-in links (kept by the keyed digest of their code, never the code) ---------------------------

    def _link_key(self, code: str) -> str:
        return keyed_digest(self.digest_key, "workspace-link", code)

    async def insert_link(self, code: str, fields: Document) -> None:
        await self.links.insert_one({"_id": self._link_key(code), **fields})

    async def link(self, code: str) -> Document | None:
        return await self.links.find_one({"_id": self._link_key(code)})

    async def claim_link(self, link: Document, now: datetime) -> Document | None:
        """Mark the link used, only if it is unused and unexpired still; None when another request used it."""
        return await self.links.find_one_and_update(
            {"_id": link["_id"], "used_at": None, "expires_at": {"$gt": now}}, {"$set": {"used_at": now}})

    # -- sessions (kept by the keyed digest of the cookie's id, never the id) ----------------------------

    def _session_key(self, session_id: str) -> str:
        return keyed_digest(self.digest_key, "workspace-session", session_id)

    async def insert_session(self, session_id: str, fields: Document) -> None:
        await self.sessions.insert_one({"_id": self._session_key(session_id), **fields})

    async def session(self, session_id: str) -> Document | None:
        return await self.sessions.find_one({"_id": self._session_key(session_id)})

    async def delete_session(self, session_id: str) -> None:
        await self.sessions.delete_one({"_id": self._session_key(session_id)})

    # -- drafts ---------------------------------------------------------------------------------------

    async def drafts_of(self, reviewer_id: str, submission_id: str) -> dict[str, Document]:
        found = await self.drafts.find({"reviewer_id": reviewer_id, "submission_id": submission_id}).to_list(None)
        return {draft["criterion"]: draft for draft in found}

    async def reviewers_drafts(self, reviewer_id: str) -> dict[str, set[str]]:
        """Per submission, the criteria this reviewer holds a draft of."""
        held: dict[str, set[str]] = {}
        async for draft in self.drafts.find({"reviewer_id": reviewer_id}, {"submission_id": 1, "criterion": 1}):
            held.setdefault(draft["submission_id"], set()).add(draft["criterion"])
        return held

    async def save_draft(self, *, reviewer_id: str, submission_id: str, revision: int, criterion: str,
                         points: str, comment: str, at: datetime) -> None:
        await self.drafts.replace_one(
            {"_id": draft_id(reviewer_id, submission_id, criterion)},
            {"reviewer_id": reviewer_id, "submission_id": submission_id, "revision": revision,
             "criterion": criterion, "points": points, "comment": comment, "saved_at": at}, upsert=True)

    async def drop_draft(self, reviewer_id: str, submission_id: str, criterion: str) -> None:
        await self.drafts.delete_one({"_id": draft_id(reviewer_id, submission_id, criterion)})

    async def drop_drafts(self, reviewer_id: str, submission_id: str) -> None:
        await self.drafts.delete_many({"reviewer_id": reviewer_id, "submission_id": submission_id})

    # -- conflicts of interest ------------------------------------------------------------------------

    async def declare_conflict(self, document: Document) -> None:
        await self.conflicts.insert_one(document)

    async def conflict_declared(self, reviewer_id: str, submission_id: str) -> Document | None:
        """The reviewer's declaration of a conflict of interest with this submission, if they made one."""
        return await self.conflicts.find_one({"reviewer_id": reviewer_id, "submission_id": submission_id})

    async def declarations(self, *, reviewer_id: str | None = None, submission_id: str | None = None,
                           limit: int = 1000) -> list[Document]:
        query: dict[str, Any] = {}
        if reviewer_id is not None:
            query["reviewer_id"] = reviewer_id
        if submission_id is not None:
            query["submission_id"] = submission_id
        return await self.conflicts.find(query, sort=[("at", 1), ("_id", 1)], limit=limit).to_list(None)
