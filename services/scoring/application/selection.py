"""The final selection's use cases, as the admin API and the workspace's pages do them: see the selection,
freeze, override with a reason, publish, unfreeze (services/scoring/selection.py holds the rules: the proposal,
the states). Every step is recorded in the selection's audit trail: who, when, why."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from services.scoring.application.campaigns import active_rubric_or_conflict, campaign_of
from services.scoring.ranking import rankings
from services.scoring.repository import Document, ScoringStore
from services.scoring.rubric import RubricBook
from services.scoring.selection import MIN_REASON, TIERS, decided, propose, status_of
from services.scoring.standings import group_names, standings
from shared.campaign import CampaignBook
from shared.errors import Conflict, Invalid, NotFound
from shared.events import Envelope, SelectionEntry, SelectionPublished
from shared.outbox import OutboxRelay, push_outbox

PRODUCER = "scoring"


def _refused_reason(reason: str) -> None:
    if len(" ".join(reason.split())) < MIN_REASON:
        raise Invalid("reason_required",
                      f"ต้องระบุเหตุผลเป็นลายลักษณ์อักษร (อย่างน้อย {MIN_REASON} ตัวอักษร)",
                      f"A written reason is required (at least {MIN_REASON} characters).")


async def _snapshot(store: ScoringStore, campaigns: CampaignBook, rubrics: RubricBook,
                    campaign: str) -> tuple[str, list[Document], dict[str, dict[str, str]]]:
    """The rankings under the active rubric version, with the proposal: the entries a freeze keeps."""
    config = campaign_of(campaigns, campaign)
    rubric = await active_rubric_or_conflict(store, campaigns, rubrics, campaign)
    ranked, _ = await standings(store, campaign, rubric.version)
    names = group_names(rubric)
    groups = rankings(ranked, rubric.tie_break_sections, group_order=list(names))
    proposal = propose(groups, config)
    contacts = await store.contacts([(r.standing.submission_id, r.standing.revision)
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


async def selection_view(store: ScoringStore, campaigns: CampaignBook, rubrics: RubricBook,
                         campaign: str) -> dict[str, Any]:
    """The campaign's selection as the admin API and the workspace show it: while open, the proposal the
    rankings would give now; while frozen, the snapshot with its overrides; the published one, if any."""
    config = campaign_of(campaigns, campaign)
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
        shown.update({"tier": decided(entry, overrides),
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


async def campaigns_overview(store: ScoringStore, campaigns: CampaignBook) -> list[dict[str, Any]]:
    """Every campaign with where its selection stands: open, frozen or published, and the places it has."""
    rows = []
    for key in campaigns.keys():
        config = campaigns.get(key)
        state = await store.selection(key)
        rows.append({"key": key, "title_th": config.title_th, "title_en": config.title_en,
                     "status": status_of(state), "published": (state or {}).get("published"),
                     "places": sum(sum(places.values()) for places in config.selection_quotas.values())})
    return rows


async def _audit(store: ScoringStore, campaign: str, action: str, actor: str, at: datetime, **details: Any) -> None:
    await store.record_selection_action({"campaign": campaign, "action": action, "by": actor, "at": at, **details})


def _concurrent() -> Conflict:
    return Conflict("concurrent_change", "มีผู้ดูแลระบบอีกคนแก้ไขการคัดเลือกพร้อมกัน โปรดโหลดใหม่แล้วลองอีกครั้ง",
                    "Another administrator changed the selection at the same time; reload and try again.")


async def freeze(store: ScoringStore, campaigns: CampaignBook, rubrics: RubricBook, campaign: str, *,
                 actor: str) -> dict[str, Any]:
    """Freeze the campaign's results: the snapshot of the rankings and the proposal. Refused while frozen."""
    campaign_of(campaigns, campaign)
    selection = await store.selection(campaign)
    if selection is not None and selection.get("frozen"):
        raise Conflict("already_frozen", "ผลคะแนนของรอบนี้ถูกตรึงไว้แล้ว", "This campaign's results are frozen already.")
    rubric_version, entries, names = await _snapshot(store, campaigns, rubrics, campaign)
    if not entries:
        raise Conflict("nothing_ranked", "ยังไม่มีแบบรายงานที่ได้รับการจัดอันดับในรอบนี้",
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
        raise Conflict("not_frozen", "ต้องตรึงผลคะแนนก่อน จึงจะคัดเลือกได้",
                       "Freeze the results first: the selection is decided on frozen results.")
    return selection


async def unfreeze(store: ScoringStore, campaigns: CampaignBook, rubrics: RubricBook, campaign: str, *,
                   actor: str, reason: str) -> dict[str, Any]:
    """Open the results again (reviews and re-scores allowed); the snapshot and its overrides are dropped."""
    campaign_of(campaigns, campaign)
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
    campaign_of(campaigns, campaign)
    if tier not in TIERS:
        raise Invalid("unknown_tier", f"ไม่รู้จักระดับ {tier}; ใช้ได้: {', '.join(TIERS)}",
                      f"Unknown tier {tier!r}; use one of: {', '.join(TIERS)}.")
    _refused_reason(reason)
    selection = await _frozen(store, campaign)
    entry = next((e for e in selection["entries"] if e["submission_id"] == submission_id), None)
    if entry is None:
        raise NotFound("not_in_selection", f"แบบรายงาน {submission_id} ไม่อยู่ในผลที่ตรึงไว้",
                       f"Submission {submission_id} is not among the frozen results.")
    now = datetime.now(UTC)
    before = decided(entry, selection.get("overrides") or {})
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
    Publishing the same frozen decision twice is refused (a conflict), so nobody is told twice."""
    config = campaign_of(campaigns, campaign)
    selection = await _frozen(store, campaign)
    published = selection.get("published") or {}
    if status_of(selection) == "published":
        raise Conflict("already_published", "การคัดเลือกนี้ประกาศไปแล้ว",
                       "This selection is published already; unfreeze and freeze again to decide anew.")
    overrides = selection.get("overrides") or {}
    now = datetime.now(UTC)
    version = int(published.get("selection_version", 0)) + 1
    event = SelectionPublished(
        campaign=campaign, selection_version=version, rubric_version=selection["rubric_version"],
        frozen_at=selection["frozen_at"], published_at=now, published_by=actor,
        quotas={tier: dict(places) for tier, places in config.selection_quotas.items()},
        group_names={group: name.get("th", group) for group, name in selection["group_names"].items()},
        group_names_en={group: name.get("en", group) for group, name in selection["group_names"].items()},
        entries=[SelectionEntry.model_validate({
            **entry, "tier": decided(entry, overrides),
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
