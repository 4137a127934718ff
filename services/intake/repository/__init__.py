"""All of intake's MongoDB access: the revisions of every application with their outbox events
(`revisions.py`), and the API keys and signatures that say who may send (`credentials.py`)."""

from services.intake.repository.credentials import ApiKeys, ReplayGuard
from services.intake.repository.revisions import Accepted, RevisionRaceLost, SubmissionStore

__all__ = ["Accepted", "ApiKeys", "ReplayGuard", "RevisionRaceLost", "SubmissionStore"]
