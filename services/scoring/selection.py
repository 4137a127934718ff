"""DLA's final selection of a campaign (docs/scoring.md, "Final selection"), done by an administrator with the
`selection` scope, every step audited:

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
from datetime import UTC, datetime
from typing import Any, Literal

from services.scoring.errors import Refused
from services.scoring.frozen import ensure_open
from services.scoring.ranking import Ranked, rankings
from services.scoring.repository import Document, ScoringStore
from services.scoring.rescoring import active_rubric
from services.scoring.rubric import RubricBook, UnknownRubric
from services.scoring.standings import group_names, standings
from shared.campaign import Campaign, CampaignBook, UnknownCampaign
from shared.events import Envelope, SelectionEntry, SelectionPublished
from shared.outbox import OutboxRelay, push_outbox

PRODUCER = "scoring"
TIERS: tuple[str, ...] = ("outstanding", "efficient", "not_selected")
TIER_NAMES = {
    "outstanding": ("ที่มีความโดดเด่น", "outstanding"),
    "efficient": ("ที่มีประสิทธิภาพ", "efficient"),
    "not_selected": ("ไม่ได้รับการคัดเลือก", "not selected"),
}
Status = Literal["open", "frozen", "published"]
MIN_REASON = 10
__all__ = ["ensure_open", "freeze", "override", "propose", "publish", "selection_view", "unfreeze"]


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


def _refused_reason(reason: str) -> None:
    if len(" ".join(reason.split())) < MIN_REASON:
        raise Refused(422, "reason_required",
                      f"ต้องระบุเหตุผลเป็นลายลักษณ์อักษร (อย่างน้อย {MIN_REASON} ตัวอักษร)",
                      f"A written reason is required (at least {MIN_REASON} characters).")


def _campaign(campaigns: CampaignBook, campaign: str) -> Campaign:
    try:
        return campaigns.get(campaign)
    except UnknownCampaign:
        raise Refused(404, "unknown_campaign", f"ไม่พบรอบการคัดเลือก {campaign}",
                      f"No campaign {campaign!r}; known: {', '.join(campaigns.keys())}.") from None


async def _snapshot(store: ScoringStore, campaigns: CampaignBook, rubrics: RubricBook,
                    campaign: str) -> tuple[str, list[Document], dict[str, dict[str, str]]]:
    """The rankings under the active rubric version, with the proposal: the entries a freeze keeps."""
    config = _campaign(campaigns, campaign)
    try:
        rubric = (await active_rubric(store, campaigns, rubrics, campaign)).rubric
    except (UnknownCampaign, UnknownRubric) as error:
        raise Refused(409, "no_rubric", "ยังไม่มีเกณฑ์การให้คะแนนสำหรับรอบนี้",
                      f"No rubric is active for this campaign: {error}") from None
    ranked, _ = await standings(store, campaign, rubric.version)
    names = group_names(rubric)
    groups = rankings(ranked, rubric.tie_break_sections, group_order=list(names))
    proposal = propose(groups, config)
    contacts = await _contacts(store, [(r.standing.submission_id, r.standing.revision)
                                       for entries in groups.values() for r in entries])
    entries: list[Document] = []
    for group, ranked_entries in groups.items():
        for entry in ranked_entries:
            standing = entry.standing
            entries.append({
                "submission_id": standing.submission_id,
                "revision": standing.revision,
                "lao": dict(standing.lao),
                "contact": contacts.get(standing.submission_id) or {},
                "size_group": group,
                "size_group_flagged": standing.size_group_flagged,
                "rank": entry.rank,
                "total": standing.total,
                "max_total": standing.max_total,
                "sections": dict(standing.sections),
                "score_tier": standing.tier,
                "provisional": standing.provisional,
                "proposed_tier": proposal[standing.submission_id],
            })
    return rubric.version, entries, names


async def _contacts(store: ScoringStore, revisions: Sequence[tuple[str, int]]) -> dict[str, dict[str, Any]]:
    ids = [f"{submission_id}/r{revision}" for submission_id, revision in revisions]
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        cursor = store.submissions.find({"_id": {"$in": ids[start:start + 500]}}, {"submission_id": 1, "contact": 1})
        async for document in cursor:
            contact = document.get("contact") or {}
            found[document["submission_id"]] = {"name": contact.get("name"), "email": contact.get("email")}
    return found


def _decided(entry: Document, overrides: Mapping[str, Document]) -> str:
    override = overrides.get(entry["submission_id"])
    return str(override["tier"]) if override else str(entry["proposed_tier"])


def status_of(selection: Document | None) -> Status:
    """open: not frozen; frozen: being decided; published: frozen and this very decision published."""
    if selection is None or not selection.get("frozen"):
        return "open"
    published = selection.get("published") or {}
    return "published" if published.get("state_version") == selection["state_version"] else "frozen"


async def selection_view(store: ScoringStore, campaigns: CampaignBook, rubrics: RubricBook,
                         campaign: str) -> dict[str, Any]:
    """The campaign's selection as the admin API and the workspace show it: while open, the proposal the
    rankings would give now; while frozen, the snapshot with its overrides; the published one, if any."""
    config = _campaign(campaigns, campaign)
    selection = await store.selection(campaign)
    status = status_of(selection)
    if selection is not None and selection.get("frozen"):
        rubric_version, entries, names = selection["rubric_version"], selection["entries"], selection["group_names"]
        overrides = selection.get("overrides") or {}
    else:
        rubric_version, entries, names = await _snapshot(store, campaigns, rubrics, campaign)
        overrides = {}
    groups: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        override = overrides.get(entry["submission_id"])
        shown = {key: value for key, value in entry.items() if key != "contact"}
        shown.update({"tier": _decided(entry, overrides),
                      "override": None if override is None else {
                          "tier": override["tier"], "reason": override["reason"], "by": override["by"],
                          "at": override["at"]}})
        groups.setdefault(entry["size_group"], []).append(shown)
    counts = {tier: {group: sum(1 for e in listed if e["tier"] == tier) for group, listed in groups.items()}
              for tier in ("outstanding", "efficient")}
    published = (selection or {}).get("published")
    return {
        "campaign": campaign,
        "status": status,
        "rubric_version": rubric_version,
        "frozen_at": (selection or {}).get("frozen_at") if status == "frozen" else None,
        "frozen_by": (selection or {}).get("frozen_by") if status == "frozen" else None,
        "quotas": {tier: dict(places) for tier, places in config.selection_quotas.items()},
        "selected": counts,
        "provisional": sum(1 for entry in entries if entry.get("provisional")),
        "overrides": len(overrides),
        "published": None if not published else {
            "selection_version": published["selection_version"], "published_at": published["published_at"],
            "published_by": published["published_by"], "event_id": published["event_id"]},
        "groups": [{
            "size_group": group,
            "name_th": names.get(group, {}).get("th", group),
            "name_en": names.get(group, {}).get("en", group),
            "quota": {tier: config.quota(tier, group) for tier in ("outstanding", "efficient")},
            "entries": listed,
        } for group, listed in groups.items()],
    }


async def _audit(store: ScoringStore, campaign: str, action: str, actor: str, at: datetime, **details: Any) -> None:
    await store.record_selection_action({"campaign": campaign, "action": action, "by": actor, "at": at, **details})


def _concurrent() -> Refused:
    return Refused(409, "concurrent_change", "มีผู้ดูแลระบบอีกคนแก้ไขการคัดเลือกพร้อมกัน โปรดโหลดใหม่แล้วลองอีกครั้ง",
                   "Another administrator changed the selection at the same time; reload and try again.")


async def freeze(store: ScoringStore, campaigns: CampaignBook, rubrics: RubricBook, campaign: str, *,
                 actor: str) -> dict[str, Any]:
    """Freeze the campaign's results: the snapshot of the rankings and the proposal. Refused while frozen."""
    _campaign(campaigns, campaign)
    selection = await store.selection(campaign)
    if selection is not None and selection.get("frozen"):
        raise Refused(409, "already_frozen", "ผลคะแนนของรอบนี้ถูกตรึงไว้แล้ว", "This campaign's results are frozen already.")
    rubric_version, entries, names = await _snapshot(store, campaigns, rubrics, campaign)
    if not entries:
        raise Refused(409, "nothing_ranked", "ยังไม่มีแบบรายงานที่ได้รับการจัดอันดับในรอบนี้",
                      "No submission of this campaign is ranked yet.")
    now = datetime.now(UTC)
    state = {"frozen": True, "frozen_at": now, "frozen_by": actor, "rubric_version": rubric_version,
             "entries": entries, "group_names": names, "overrides": {}}
    if selection is None:
        if not await store.insert_selection({"_id": campaign, "state_version": 1, **state}):
            raise _concurrent()
    elif not await store.update_selection(campaign, selection["state_version"], {"$set": state}):
        raise _concurrent()
    await _audit(store, campaign, "freeze", actor, now, rubric_version=rubric_version, entries=len(entries))
    return await selection_view(store, campaigns, rubrics, campaign)


async def _frozen(store: ScoringStore, campaign: str) -> Document:
    selection = await store.selection(campaign)
    if selection is None or not selection.get("frozen"):
        raise Refused(409, "not_frozen", "ต้องตรึงผลคะแนนก่อน จึงจะคัดเลือกได้",
                      "Freeze the results first: the selection is decided on frozen results.")
    return selection


async def unfreeze(store: ScoringStore, campaigns: CampaignBook, rubrics: RubricBook, campaign: str, *,
                   actor: str, reason: str) -> dict[str, Any]:
    """Open the results again (reviews and re-scores allowed); the snapshot and its overrides are dropped."""
    _campaign(campaigns, campaign)
    _refused_reason(reason)
    selection = await _frozen(store, campaign)
    now = datetime.now(UTC)
    if not await store.update_selection(campaign, selection["state_version"], {
            "$set": {"frozen": False, "entries": [], "overrides": {}},
            "$unset": {"frozen_at": "", "frozen_by": ""}}):
        raise _concurrent()
    await _audit(store, campaign, "unfreeze", actor, now, reason=" ".join(reason.split()),
                 overrides_dropped=len(selection.get("overrides") or {}))
    return await selection_view(store, campaigns, rubrics, campaign)


async def override(store: ScoringStore, campaigns: CampaignBook, rubrics: RubricBook, campaign: str, *,
                   actor: str, submission_id: str, tier: str, reason: str) -> dict[str, Any]:
    """Decide one entry's tier otherwise than proposed (or back to the proposal), with a written reason."""
    _campaign(campaigns, campaign)
    if tier not in TIERS:
        raise Refused(422, "unknown_tier", f"ไม่รู้จักระดับ {tier}; ใช้ได้: {', '.join(TIERS)}",
                      f"Unknown tier {tier!r}; use one of: {', '.join(TIERS)}.")
    _refused_reason(reason)
    selection = await _frozen(store, campaign)
    entry = next((e for e in selection["entries"] if e["submission_id"] == submission_id), None)
    if entry is None:
        raise Refused(404, "not_in_selection", f"แบบรายงาน {submission_id} ไม่อยู่ในผลที่ตรึงไว้",
                      f"Submission {submission_id} is not among the frozen results.")
    now = datetime.now(UTC)
    before = _decided(entry, selection.get("overrides") or {})
    reason = " ".join(reason.split())
    if tier == entry["proposed_tier"]:
        update: Document = {"$unset": {f"overrides.{submission_id}": ""}}
    else:
        update = {"$set": {f"overrides.{submission_id}": {"tier": tier, "reason": reason, "by": actor, "at": now}}}
    if not await store.update_selection(campaign, selection["state_version"], update):
        raise _concurrent()
    await _audit(store, campaign, "override", actor, now, submission_id=submission_id, tier_before=before,
                 tier_after=tier, proposed_tier=entry["proposed_tier"], reason=reason)
    return await selection_view(store, campaigns, rubrics, campaign)


async def publish(store: ScoringStore, campaigns: CampaignBook, rubrics: RubricBook, relay: OutboxRelay | None,
                  campaign: str, *, actor: str) -> dict[str, Any]:
    """Publish the decided selection: `selection.published` in the same write as the selection's new state.
    Publishing the same frozen decision twice is refused (409), so nobody is told twice."""
    config = _campaign(campaigns, campaign)
    selection = await _frozen(store, campaign)
    published = selection.get("published") or {}
    if status_of(selection) == "published":
        raise Refused(409, "already_published", "การคัดเลือกนี้ประกาศไปแล้ว",
                      "This selection is published already; unfreeze and freeze again to decide anew.")
    overrides = selection.get("overrides") or {}
    now = datetime.now(UTC)
    version = int(published.get("selection_version", 0)) + 1
    event = SelectionPublished(
        campaign=campaign, selection_version=version, rubric_version=selection["rubric_version"],
        frozen_at=selection["frozen_at"], published_at=now, published_by=actor,
        quotas={tier: dict(places) for tier, places in config.selection_quotas.items()},
        group_names={group: name.get("th", group) for group, name in selection["group_names"].items()},
        entries=[SelectionEntry.model_validate({
            **entry, "tier": _decided(entry, overrides),
            "override_reason": (overrides.get(entry["submission_id"]) or {}).get("reason")})
            for entry in selection["entries"]])
    envelope = Envelope.build(event, producer=PRODUCER, correlation_id=f"selection:{campaign}")
    update = push_outbox(envelope)
    update["$set"]["published"] = {"selection_version": version, "published_at": now, "published_by": actor,
                                   "event_id": envelope.event_id,
                                   "state_version": selection["state_version"] + 1}
    if not await store.update_selection(campaign, selection["state_version"], update):
        raise _concurrent()
    await _audit(store, campaign, "publish", actor, now, selection_version=version, event_id=envelope.event_id,
                 selected={tier: sum(1 for e in event.entries if e.tier == tier) for tier in TIERS})
    if relay is not None:
        relay.notify()
    return await selection_view(store, campaigns, rubrics, campaign)


async def selection_audit(store: ScoringStore, campaign: str) -> list[dict[str, Any]]:
    return [{key: value for key, value in record.items() if key != "_id"}
            for record in await store.selection_actions(campaign)]
