"""All of scoring's MongoDB access: its own collections (store.py: revisions, scores, rubric publications,
reviewers, assignments, the review audit trail, administrators, the final selection) and the reviewers'
workspace's (workspace.py: sign-in links, sessions, drafts, declarations of conflict of interest)."""

from services.scoring.repository.store import Document, ScoringStore, revision_id, score_id
from services.scoring.repository.workspace import WorkspaceStore

__all__ = ["Document", "ScoringStore", "WorkspaceStore", "revision_id", "score_id"]
