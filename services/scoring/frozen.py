"""Whether a campaign's results may change: not while they are frozen for the final selection
(services/scoring/selection.py)."""

from __future__ import annotations

from services.scoring.errors import Refused
from services.scoring.repository import ScoringStore


async def ensure_open(store: ScoringStore, campaign: str) -> None:
    """Refuses (409) while the campaign's results are frozen: a review or a re-score would change what DLA is
    deciding on. An unfreeze (audited, with a reason) opens them again."""
    selection = await store.selection(campaign)
    if selection is not None and selection.get("frozen"):
        raise Refused(409, "results_frozen",
                      "ผลคะแนนของรอบนี้ถูกตรึงไว้เพื่อการคัดเลือกขั้นสุดท้าย จะแก้ไขได้เมื่อผู้ดูแลระบบยกเลิกการตรึง",
                      "This campaign's results are frozen for the final selection; they can change again only "
                      "after an administrator unfreezes them.")
