"""Scoring's own collections (the workspace's are in repository/workspace.py), and nothing of any other
service's:

    submissions     its copy of every revision it was told about (`_id` = submission/r<revision>): the
                    validated ones with their canonical submission, LAO and contact (what re-scoring and
                    review read), the returned and rejected ones as markers that supersede older revisions
    scores          one per revision × rubric version (`_id` = submission/r<revision>/<version>), the current
                    score with every criterion's explanation, `score_version`, the earlier versions in
                    `history`, and the causes already applied (idempotency)
    rescore_runs    each publication of a rubric version for a campaign: who, when, which; the newest run
                    names the campaign's active version
    reviewers       committee members: name, province, the keyed digest of their token (`token_sha256`,
                    HMAC-SHA256 since TOKEN_DIGEST_KEY; older ones plain SHA-256 until first used; never the token)
    assignments     which reviewer scores which submission
    review_changes  the audit trail: one record per change of a reviewer's points (who, when, old, new, why)
    admins          DLA's administrators: name, scopes, the keyed digest of their token (never the token)
    selections      one per campaign: the final selection's state (open, frozen, published), the frozen
                    snapshot of the rankings, the overrides with their reasons, each publication's event (outbox)
    selection_audit every freeze, unfreeze, override and publication: who, when, why
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.scoring.review import Change, RecordedChange
from shared.events import Envelope
from shared.outbox import push_outbox
from shared.secrets import keyed_digest, legacy_digest
from shared.store import GroupedInserts

Document = dict[str, Any]


def revision_id(submission_id: str, revision: int) -> str:
    return f"{submission_id}/r{revision}"


def score_id(submission_id: str, revision: int, rubric_version: str) -> str:
    return f"{submission_id}/r{revision}/{rubric_version}"


class ScoringStore:
    def __init__(self, db: AsyncDatabase[Document], digest_key: bytes) -> None:
        self.digest_key = digest_key
        self.submissions: AsyncCollection[Document] = db["submissions"]
        self.scores: AsyncCollection[Document] = db["scores"]
        self.runs: AsyncCollection[Document] = db["rescore_runs"]
        self.reviewers: AsyncCollection[Document] = db["reviewers"]
        self.assignments: AsyncCollection[Document] = db["assignments"]
        self.review_changes: AsyncCollection[Document] = db["review_changes"]
        self.admins: AsyncCollection[Document] = db["admins"]
        self.selections: AsyncCollection[Document] = db["selections"]
        self.selection_audit: AsyncCollection[Document] = db["selection_audit"]
        # Revisions and scores of messages handled side by side (prefetch) go to the store in one write each.
        self._revision_inserts = GroupedInserts(self.submissions)
        self._score_inserts = GroupedInserts(self.scores)

    @property
    def outbox_collections(self) -> list[AsyncCollection[Document]]:
        return [self.submissions, self.scores, self.runs, self.review_changes, self.selections]

    async def create_indexes(self) -> None:
        await self.submissions.create_index([("campaign", 1), ("submission_id", 1), ("revision", -1)],
                                            name="campaign_submission_revision")
        await self.submissions.create_index([("submission_id", 1), ("revision", -1)], name="submission_revision")
        await self.scores.create_index([("submission_id", 1), ("revision", -1), ("rubric_version", 1)],
                                       name="submission_revision_rubric")
        await self.scores.create_index([("campaign", 1), ("rubric_version", 1), ("size_group", 1),
                                        ("total", -1)], name="ranking")
        await self.runs.create_index([("campaign", 1), ("requested_at", -1)], name="campaign_requested")
        await self.reviewers.create_index("token_sha256", unique=True, name="token")
        await self.assignments.create_index([("reviewer_id", 1), ("submission_id", 1)], name="reviewer_submission")
        await self.assignments.create_index("submission_id", name="submission")
        await self.review_changes.create_index([("submission_id", 1), ("revision", 1), ("reviewer_id", 1),
                                                ("seq", 1)], name="submission_revision_reviewer_seq")
        await self.admins.create_index("token_digest", unique=True, name="token")
        await self.admins.create_index("name", unique=True, name="name")
        await self.selection_audit.create_index([("campaign", 1), ("at", 1)], name="campaign_at")

    # -- revisions ------------------------------------------------------------------------------------

    async def keep_revision(self, document: Document) -> bool:
        """Store a revision once; False when it was already there (a redelivered event). A later verdict of the
        same revision (validation judged it again once an office attached it to its LAO: `verdict_at` later)
        takes the place of the earlier one's fields; anything else held with the revision stays."""
        if await self._revision_inserts.insert_new(document):
            return True
        at = document.get("verdict_at")
        if at is None:
            return False
        fields = {name: value for name, value in document.items() if name != "_id"}
        result = await self.submissions.update_one(
            {"_id": document["_id"], "event_id": {"$ne": document["event_id"]},
             "$or": [{"verdict_at": {"$lt": at}}, {"verdict_at": {"$exists": False}}]},
            {"$set": fields})
        return result.modified_count == 1

    async def revision(self, submission_id: str, revision: int) -> Document | None:
        return await self.submissions.find_one({"_id": revision_id(submission_id, revision)}, {"outbox": 0})

    async def newest_revision(self, submission_id: str) -> Document | None:
        return await self.submissions.find_one({"submission_id": submission_id}, {"outbox": 0},
                                               sort=[("revision", -1)])

    async def newest_revisions(self, campaign: str) -> dict[str, Document]:
        """Each submission's newest revision known here (validated or not), without the submission body."""
        newest: dict[str, Document] = {}
        cursor = self.submissions.find({"campaign": campaign},
                                       {"submission_id": 1, "revision": 1, "status": 1, "lao": 1,
                                        "submitted_at": 1, "campaign": 1})
        async for document in cursor:
            held = newest.get(document["submission_id"])
            if held is None or document["revision"] > held["revision"]:
                newest[document["submission_id"]] = document
        return newest

    async def contacts(self, revisions: Sequence[tuple[str, int]]) -> dict[str, Document]:
        """The coordinator's name and e-mail of each given revision, by submission id."""
        ids = [revision_id(submission_id, revision) for submission_id, revision in revisions]
        found: dict[str, Document] = {}
        for start in range(0, len(ids), 500):
            cursor = self.submissions.find({"_id": {"$in": ids[start:start + 500]}}, {"submission_id": 1, "contact": 1})
            async for document in cursor:
                contact = document.get("contact") or {}
                found[document["submission_id"]] = {"name": contact.get("name"), "email": contact.get("email")}
        return found

    async def request_rescores(self, run_id: str, revisions: Sequence[tuple[str, Envelope]]) -> int:
        """Attach each revision's re-score command to its own document (outbox), once per run."""
        if not revisions:
            return 0
        operations = []
        for document_id, envelope in revisions:
            update = push_outbox(envelope)
            update["$addToSet"] = {"rescore_runs": run_id}
            operations.append(UpdateOne({"_id": document_id, "rescore_runs": {"$ne": run_id}}, update))
        result = await self.submissions.bulk_write(operations, ordered=False)
        return result.modified_count

    # -- scores ---------------------------------------------------------------------------------------

    async def score(self, document_id: str) -> Document | None:
        return await self.scores.find_one({"_id": document_id}, {"outbox": 0})

    async def insert_score(self, document: Document) -> bool:
        return await self._score_inserts.insert_new(document)

    async def replace_score(self, document_id: str, score_version: int, update: Document) -> bool:
        """Apply `update` only if the score is still at `score_version` (another writer would have moved it)."""
        result = await self.scores.update_one({"_id": document_id, "score_version": score_version}, update)
        return result.matched_count == 1

    async def scores_of(self, submission_id: str) -> list[Document]:
        return await self.scores.find({"submission_id": submission_id}, {"outbox": 0, "applied": 0},
                                      sort=[("revision", -1), ("rubric_version", 1)]).to_list(None)

    async def scores_under(self, campaign: str, rubric_version: str,
                           wanted: dict[str, int] | None = None) -> dict[str, Document]:
        """Scores under a version keyed by submission id, of the given revisions only when `wanted` is given."""
        found: dict[str, Document] = {}
        cursor = self.scores.find({"campaign": campaign, "rubric_version": rubric_version},
                                  {"criteria": 0, "history": 0, "outbox": 0, "applied": 0})
        async for document in cursor:
            if wanted is not None and wanted.get(document["submission_id"]) != document["revision"]:
                continue
            found[document["submission_id"]] = document
        return found

    async def count_run(self, run_id: str) -> int:
        return await self.scores.count_documents({"applied": f"run:{run_id}"})

    # -- rubric versions ------------------------------------------------------------------------------

    async def latest_run(self, campaign: str) -> Document | None:
        return await self.runs.find_one({"campaign": campaign}, {"outbox": 0},
                                        sort=[("requested_at", -1), ("_id", -1)])

    async def runs_of(self, campaign: str) -> list[Document]:
        return await self.runs.find({"campaign": campaign}, {"outbox": 0},
                                    sort=[("requested_at", -1), ("_id", -1)]).to_list(None)

    async def insert_run(self, document: Document) -> None:
        await self.runs.insert_one(document)

    async def mark_run_fanned_out(self, run_id: str, revisions: int, at: datetime) -> None:
        await self.runs.update_one({"_id": run_id}, {"$set": {"revisions": revisions, "fanned_out_at": at}})

    # -- reviewers and assignments --------------------------------------------------------------------

    async def add_reviewer(self, document: Document) -> None:
        await self.reviewers.insert_one(document)

    async def reviewer(self, reviewer_id: str) -> Document | None:
        return await self.reviewers.find_one({"_id": reviewer_id}, {"token_sha256": 0})

    def token_digest(self, token: str) -> str:
        return keyed_digest(self.digest_key, "reviewer-token", token)

    async def reviewer_by_token(self, token: str) -> Document | None:
        """The active reviewer holding this token: by its keyed digest, else by the plain SHA-256 stored before
        the digest was keyed, which is then replaced by the keyed one."""
        keyed = self.token_digest(token)
        found = await self.reviewers.find_one({"token_sha256": keyed, "active": True}, {"token_sha256": 0})
        if found is not None:
            return found
        legacy = legacy_digest(token)
        found = await self.reviewers.find_one({"token_sha256": legacy, "active": True}, {"token_sha256": 0})
        if found is not None:
            await self.reviewers.update_one({"_id": found["_id"], "token_sha256": legacy},
                                            {"$set": {"token_sha256": keyed}})
        return found

    async def all_reviewers(self) -> list[Document]:
        return await self.reviewers.find({}, {"token_sha256": 0}, sort=[("created_at", 1)]).to_list(None)

    async def disable_reviewer(self, reviewer_id: str, at: datetime, by: str) -> bool:
        result = await self.reviewers.update_one({"_id": reviewer_id},
                                                 {"$set": {"active": False, "disabled_at": at, "disabled_by": by}})
        return result.matched_count == 1

    async def assign(self, document: Document) -> bool:
        try:
            await self.assignments.insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    async def is_assigned(self, reviewer_id: str, submission_id: str) -> bool:
        return await self.assignments.find_one({"reviewer_id": reviewer_id, "submission_id": submission_id},
                                               {"_id": 1}) is not None

    async def assignments_of(self, reviewer_id: str) -> list[Document]:
        return await self.assignments.find({"reviewer_id": reviewer_id},
                                           sort=[("submission_id", 1)]).to_list(None)

    async def unassign(self, reviewer_id: str, submission_id: str) -> None:
        await self.assignments.delete_many({"reviewer_id": reviewer_id, "submission_id": submission_id})

    # -- the audit trail ------------------------------------------------------------------------------

    async def change_records(self, submission_id: str, revision: int) -> list[RecordedChange]:
        documents = await self.review_changes.find({"submission_id": submission_id, "revision": revision},
                                                   {"reviewer_id": 1, "seq": 1, "changes": 1}).to_list(None)
        return [RecordedChange(d["reviewer_id"], d["seq"], tuple(Change.from_json(c) for c in d["changes"]),
                               change_id=d["_id"]) for d in documents]

    async def insert_change(self, document: Document) -> bool:
        """False when another change took this sequence number first."""
        try:
            await self.review_changes.insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    async def audit(self, *, submission_id: str | None = None, reviewer_id: str | None = None,
                    limit: int = 1000) -> list[Document]:
        query: Document = {}
        if submission_id is not None:
            query["submission_id"] = submission_id
        if reviewer_id is not None:
            query["reviewer_id"] = reviewer_id
        return await self.review_changes.find(query, {"outbox": 0, "outbox_pending": 0},
                                              sort=[("at", 1), ("_id", 1)], limit=limit).to_list(None)

    # -- administrators -------------------------------------------------------------------------------

    async def add_admin(self, document: Document) -> bool:
        """False when an administrator of that name exists already."""
        try:
            await self.admins.insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    async def admin(self, admin_id: str) -> Document | None:
        return await self.admins.find_one({"_id": admin_id}, {"token_digest": 0})

    def admin_token_digest(self, token: str) -> str:
        return keyed_digest(self.digest_key, "admin-token", token)

    async def admin_by_token(self, token: str) -> Document | None:
        return await self.admins.find_one({"token_digest": self.admin_token_digest(token), "active": True},
                                          {"token_digest": 0})

    async def all_admins(self) -> list[Document]:
        return await self.admins.find({}, {"token_digest": 0}, sort=[("created_at", 1)]).to_list(None)

    async def disable_admin(self, admin_id: str, at: datetime, by: str) -> bool:
        result = await self.admins.update_one({"_id": admin_id},
                                              {"$set": {"active": False, "disabled_at": at, "disabled_by": by}})
        return result.matched_count == 1

    # -- the final selection --------------------------------------------------------------------------

    async def selection(self, campaign: str) -> Document | None:
        return await self.selections.find_one({"_id": campaign}, {"outbox": 0, "outbox_pending": 0})

    async def insert_selection(self, document: Document) -> bool:
        """False when the campaign's selection document exists already (another freeze won)."""
        try:
            await self.selections.insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    async def update_selection(self, campaign: str, state_version: int, update: Document) -> bool:
        """Apply `update` only if nobody changed the selection since `state_version` was read."""
        update.setdefault("$inc", {})["state_version"] = 1
        result = await self.selections.update_one({"_id": campaign, "state_version": state_version}, update)
        return result.matched_count == 1

    async def record_selection_action(self, document: Document) -> None:
        await self.selection_audit.insert_one(document)

    async def selection_actions(self, campaign: str) -> list[Document]:
        return await self.selection_audit.find({"campaign": campaign}, sort=[("at", 1), ("_id", 1)]).to_list(None)
