"""DLA's final selection of a campaign (docs/scoring.md, "Final selection"), done by an administrator with the
`selection` scope, every step audited (application/selection.py; this module is the rules without the I/O):

    open       the rankings move with every review and re-score; nothing is decided
    freeze     the rankings under the active rubric version are copied into the selection (the snapshot), with
               a proposal per size group from the campaign's quotas; reviews and re-scores of the campaign are
               refused until an unfreeze, so what is decided is what was frozen
    override   one entry's tier changed from the proposal, only with a written reason
    publish    the decided selection written as `selection.published` (outbox, in the same write as the state):
               notification tells everyone, reporting shows it as final
    unfreeze   back to open, with a reason (a publication already made stays published until the next one)

The proposal (pure, `propose`): within each size group, in ranking order, the first entries whose score reaches
the outstanding threshold fill the group's outstanding places; the next ones reaching at least the efficient
threshold (outstanding ones beyond the places included) fill its efficient places; everyone else is not
selected. An entry of the unknown size group is never proposed (it has no places): DLA may still override.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from services.scoring.ranking import Ranked
from shared.campaign import Campaign

TIERS: tuple[str, ...] = ("outstanding", "efficient", "not_selected")
TIER_NAMES = {
    "outstanding": ("ที่มีความโดดเด่น", "outstanding"),
    "efficient": ("ที่มีประสิทธิภาพ", "efficient"),
    "not_selected": ("ไม่ได้รับการคัดเลือก", "not selected"),
}
Status = Literal["open", "frozen", "published"]
MIN_REASON = 10


def propose(groups: Mapping[str, Sequence[Ranked]], campaign: Campaign) -> dict[str, str]:
    """The proposed tier of every ranked submission, by submission id (pure; see the module's docstring)."""
    proposal: dict[str, str] = {}
    for group, entries in groups.items():
        places = {tier: campaign.quota(tier, group) for tier in ("outstanding", "efficient")}
        for entry in entries:
            reached = entry.standing.tier
            tier = "not_selected"
            if reached == "outstanding" and places["outstanding"] > 0:
                tier = "outstanding"
            elif reached in ("outstanding", "efficient") and places["efficient"] > 0:
                tier = "efficient"
            if tier != "not_selected":
                places[tier] -= 1
            proposal[entry.standing.submission_id] = tier
    return proposal


def decided(entry: Mapping[str, Any], overrides: Mapping[str, Mapping[str, Any]]) -> str:
    """An entry's tier as decided: its override's, else the proposal's."""
    override = overrides.get(entry["submission_id"])
    return str(override["tier"]) if override else str(entry["proposed_tier"])


def status_of(selection: Mapping[str, Any] | None) -> Status:
    """open: not frozen; frozen: being decided; published: frozen and this very decision published."""
    if selection is None or not selection.get("frozen"):
        return "open"
    published = selection.get("published") or {}
    return "published" if published.get("state_version") == selection["state_version"] else "frozen"


