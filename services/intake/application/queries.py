"""Reading back what intake holds: every revision of one application, one revision as received (the raw
answers beside the canonical submission), and the form mappings intake reads responses by."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.intake.mapping import FormMapping, MappingBook
from services.intake.repository import SubmissionStore
from shared.errors import NotFound


@dataclass(frozen=True)
class RevisionEntry:
    revision: int
    source: str
    source_response_id: str
    received_at: datetime
    published: bool  # submission.received has been handed to the bus


@dataclass(frozen=True)
class History:
    submission_id: str
    campaign: str
    current_revision: int
    revisions: tuple[RevisionEntry, ...]  # newest first


def find_mapping(book: MappingBook, name: str) -> FormMapping:
    """The mapping of this name, or NotFound naming the ones intake knows."""
    found = book.get(name)
    if found is None:
        known = ", ".join(book.names())
        raise NotFound("mapping_unknown", f"ไม่พบไฟล์จับคู่แบบฟอร์ม '{name}' (มี: {known})",
                       f"No form mapping {name!r}; known: {known}.")
    return found


def _not_found(submission_id: str) -> NotFound:
    return NotFound("not_found", f"ไม่พบข้อมูลการส่ง {submission_id}", f"No submission {submission_id}")


class Queries:
    def __init__(self, store: SubmissionStore, mappings: MappingBook) -> None:
        self.store = store
        self.mappings = mappings

    async def history(self, submission_id: str) -> History:
        documents = await self.store.history(submission_id)
        if not documents:
            raise _not_found(submission_id)
        return History(
            submission_id=submission_id,
            campaign=documents[0]["campaign"],
            current_revision=documents[0]["revision"],
            revisions=tuple(RevisionEntry(
                revision=d["revision"], source=d["source"], source_response_id=d["source_response_id"],
                received_at=d["received_at"], published=not d.get("outbox"),
            ) for d in documents),
        )

    async def revision(self, submission_id: str, revision: int) -> dict[str, Any]:
        """The stored revision: `raw` as sent, `canonical` as normalised."""
        document = await self.store.revision(submission_id, revision)
        if document is None:
            raise _not_found(submission_id)
        return document

    def all_mappings(self) -> list[FormMapping]:
        return self.mappings.all()

    def mapping(self, name: str) -> FormMapping:
        return find_mapping(self.mappings, name)
