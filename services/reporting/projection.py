"""The per-submission read model as a pure function of the events seen: `apply(view, envelope)`.

Every part of the view is a *maximum* over the events that concern it (the highest revision, the
highest-ranked status of a revision, the latest score of a revision, ...), never a running tally, so the
view that results from a set of events does not depend on the order they arrive in, and an event applied
twice changes nothing. Duplicates are recognised by event id (a bounded list of recent ids, and each
revision's history), and `apply` answers None when an event changes nothing.

Shape of a view (stored as one document of `submission_views`, `_id` = submission id):

    submission_id, campaign
    lao                  latest known LaoSummary: the current revision's, validation's over intake's;
                         province and district codes borrowed from an earlier revision when unresolved
    province_key         lao.province_code, or "unknown"
    province_keys_seen   every province_key the view ever had (its aggregates are recomputed on each event)
    district_key         lao.district_code, or None while the district is not known
    district_keys_seen   every district code the view ever had (as for provinces)
    current_revision     highest revision seen in a submission.* event (None when only notifications)
    unidentified         why validation could not tell which LAO the current revision is from
                         (UNIDENTIFIED_REASONS), or None: the offices' work list
    status, score        those of the current revision
    revisions            {"<n>": {revision, status, status_rank, received_at, issues, score, lao, form,
                                  history, set_by}}   form = the canonical submission (the report form),
                                  validation's copy over intake's
    notifications        [{notification_id, revision, template, channel, status, attempts, error,
                           occurred_at, event_id}]
    selection            DLA's final decision on the submission from the newest `selection.published` seen
                         ({selection_version, revision, tier, proposed_tier, override_reason, rank, size_group,
                         published_at, published_by, event_id}), or absent; while it is about the current
                         revision, `score.tier` is that final tier (`score.final` true, the threshold tier kept
                         as `score.provisional_tier`)
    last_event_at        latest occurred_at seen
    applied_event_ids    the last APPLIED_IDS_KEPT event ids applied
    version              incremented by each change, for optimistic concurrency
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

from shared import events
from shared.events import (
    Envelope,
    EventData,
    NotificationOutcome,
    SelectionEntry,
    SelectionPublished,
    SubmissionReceived,
    SubmissionRef,
    SubmissionRejected,
    SubmissionReturned,
    SubmissionScored,
    SubmissionValidated,
)

APPLIED_IDS_KEPT = 200
NOTIFICATIONS_KEPT = 200
UNKNOWN_PROVINCE = "unknown"

STATUS_RANK: dict[str, int] = {"received": 1, "validated": 2, "returned": 2, "rejected": 2, "scored": 3}
STATUSES: tuple[str, ...] = ("received", "validated", "returned", "rejected", "scored")
TIERS: tuple[str, ...] = ("outstanding", "efficient", "not_selected")
INTERNAL_FIELDS = frozenset({"_id", "applied_event_ids", "version", "province_keys_seen", "district_keys_seen"})

# Validation's findings that leave a response without its LAO, by the reason the offices' work list gives.
UNIDENTIFIED_CODES: dict[str, str] = {
    "LAO_MATCH_AMBIGUOUS": "ambiguous",
    "LAO_NOT_IN_REGISTRY": "not_in_registry",
    "LAO_CODE_NOT_IN_REGISTRY": "not_in_registry",
    "LAO_CODE_NAME_MISMATCH": "code_and_name_disagree",
    "LAO_NAME_MISSING": "no_name_no_code",
}
UNIDENTIFIED_REASONS: dict[str, tuple[str, str]] = {
    "ambiguous": ("ชื่อตรงกับ อปท. มากกว่าหนึ่งแห่งในทะเบียน", "the name matches more than one LAO of the registry"),
    "not_in_registry": ("ไม่พบชื่อหรือรหัสในทะเบียน อปท.", "neither the name nor the code is in the LAO registry"),
    "code_and_name_disagree": ("รหัสและชื่อที่ระบุเป็นของ อปท. คนละแห่ง",
                               "the code and the name given belong to different LAOs"),
    "no_name_no_code": ("ไม่ได้ระบุทั้งชื่อและรหัส อปท.", "neither the LAO's name nor its code is given"),
}

# Where an event's LaoSummary ranks: validation resolved the codes against the registry, intake only guessed.
_LAO_RANK = {events.SUBMISSION_RECEIVED: 1}
_NOTIFICATION_RANK = {"sent": 2, "failed": 1}


class InconsistentEvent(ValueError):
    """The event contradicts the view it belongs to (e.g. another campaign for the same submission id)."""


Document = dict[str, Any]
Key = tuple[int, datetime, str]


def utc_ms(value: datetime) -> datetime:
    """UTC, cut to milliseconds: what MongoDB keeps, so a stored view compares equal to a fresh one."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


# -- which events ---------------------------------------------------------------------------------

_SUBMISSION_MODELS: dict[str, type[SubmissionRef]] = {
    model.EVENT_TYPE: model
    for model in (SubmissionReceived, SubmissionValidated, SubmissionReturned, SubmissionRejected,
                  SubmissionScored)
}
_NOTIFICATION_MODELS: dict[str, type[NotificationOutcome]] = {
    events.NOTIFICATION_SENT: events.NotificationSent,
    events.NOTIFICATION_FAILED: events.NotificationFailed,
}
KNOWN_SCHEMA_VERSION = 1


def handles(envelope: Envelope) -> bool:
    """Whether the read model knows this event (type and schema version); others are ignored."""
    return envelope.schema_version == KNOWN_SCHEMA_VERSION and (
        envelope.event_type in _SUBMISSION_MODELS or envelope.event_type in _NOTIFICATION_MODELS
    )


def read(envelope: Envelope) -> SubmissionRef | NotificationOutcome | None:
    """The event's data with its contract model, or None for an event the read model does not know."""
    if not handles(envelope):
        return None
    model: type[EventData] = (_SUBMISSION_MODELS.get(envelope.event_type)
                              or _NOTIFICATION_MODELS[envelope.event_type])
    data = envelope.read(model)
    assert isinstance(data, SubmissionRef | NotificationOutcome)
    return data


# -- apply ----------------------------------------------------------------------------------------

def apply(view: Document | None, envelope: Envelope) -> Document | None:
    """The view after the event, or None when the event changes nothing (unknown, duplicate, superseded)."""
    data = read(envelope)
    if data is None:
        return None
    if view is not None and envelope.event_id in view.get("applied_event_ids", ()):
        return None
    if view is not None and (view["submission_id"] != data.submission_id or view["campaign"] != data.campaign):
        raise InconsistentEvent(
            f"event {envelope.event_id} names submission {data.submission_id} of campaign {data.campaign}; "
            f"the view holds {view['submission_id']} of {view['campaign']}"
        )
    new = copy.deepcopy(view) if view is not None else _new_view(data.submission_id, data.campaign)
    occurred_at = utc_ms(envelope.occurred_at)
    if isinstance(data, SubmissionRef):
        _apply_submission_event(new, data, envelope, occurred_at)
    else:
        _apply_notification(new, data, envelope, occurred_at)
    _derive(new)
    if view is not None and _meaningful(new) == _meaningful(view):
        return None
    if view is None or view.get("last_event_at") is None or occurred_at > view["last_event_at"]:
        new["last_event_at"] = occurred_at
    new["applied_event_ids"] = [*new["applied_event_ids"], envelope.event_id][-APPLIED_IDS_KEPT:]
    new["version"] = new["version"] + 1
    return new


def apply_selection(view: Document | None, entry: SelectionEntry, selection: SelectionPublished,
                    envelope: Envelope) -> Document | None:
    """The view with DLA's final decision on it, or None when nothing changes: no such view (reporting never saw
    the submission), the event applied already, or a publication as new or newer is on the view already."""
    if view is None or envelope.event_id in view.get("applied_event_ids", ()):
        return None
    held = view.get("selection")
    if held is not None and held["selection_version"] >= selection.selection_version:
        return None
    new = copy.deepcopy(view)
    new["selection"] = {
        "selection_version": selection.selection_version, "revision": entry.revision, "tier": entry.tier,
        "proposed_tier": entry.proposed_tier, "override_reason": entry.override_reason, "rank": entry.rank,
        "size_group": entry.size_group, "published_at": utc_ms(selection.published_at),
        "published_by": selection.published_by, "event_id": envelope.event_id,
    }
    _derive(new)
    new["applied_event_ids"] = [*new["applied_event_ids"], envelope.event_id][-APPLIED_IDS_KEPT:]
    new["version"] = new["version"] + 1
    return new


def public(view: Document) -> Document:
    """The view without the fields that exist for the projection's own bookkeeping."""
    return {key: value for key, value in view.items() if key not in INTERNAL_FIELDS}


def _new_view(submission_id: str, campaign: str) -> Document:
    return {
        "submission_id": submission_id,
        "campaign": campaign,
        "lao": None,
        "province_key": UNKNOWN_PROVINCE,
        "province_keys_seen": [],
        "district_key": None,
        "district_keys_seen": [],
        "current_revision": None,
        "status": None,
        "score": None,
        "unidentified": None,
        "revisions": {},
        "notifications": [],
        "last_event_at": None,
        "applied_event_ids": [],
        "version": 0,
    }


def _meaningful(view: Document) -> Document:
    return {key: value for key, value in view.items()
            if key not in ("_id", "applied_event_ids", "version", "last_event_at")}


def _newer(candidate: Key, current: Document | None) -> bool:
    """Whether a value set by `candidate` replaces the one set by `current`: higher rank, then later
    occurrence, then the larger event id (an arbitrary but fixed tie-break, so order never matters)."""
    if current is None:
        return True
    return candidate > (current["rank"], current["at"], current["event_id"])


def _mark(key: Key) -> Document:
    return {"rank": key[0], "at": key[1], "event_id": key[2]}


# -- submission.* ---------------------------------------------------------------------------------

def _new_revision(revision: int) -> Document:
    return {
        "revision": revision,
        "status": None,
        "status_rank": 0,
        "received_at": None,
        "issues": [],
        "score": None,
        "lao": None,
        "form": None,
        "history": [],
        "set_by": {},
    }


def _apply_submission_event(view: Document, data: SubmissionRef, envelope: Envelope, at: datetime) -> None:
    entry = view["revisions"].setdefault(str(data.revision), _new_revision(data.revision))
    if any(step["event_id"] == envelope.event_id for step in entry["history"]):
        return  # already applied (older than the bounded id list)
    entry["history"] = sorted(
        [*entry["history"], {"event_type": envelope.event_type, "event_id": envelope.event_id, "occurred_at": at}],
        key=lambda step: (step["occurred_at"], step["event_id"]),
    )
    set_by = entry["set_by"]
    status = envelope.event_type.removeprefix("submission.")
    status_key: Key = (STATUS_RANK[status], at, envelope.event_id)
    # A lower-ranked event arriving late (received after validated) never takes the status back.
    if _newer(status_key, set_by.get("status")):
        entry["status"], entry["status_rank"] = status, STATUS_RANK[status]
        set_by["status"] = _mark(status_key)

    lao = getattr(data, "lao", None)
    lao_key: Key = (_LAO_RANK.get(envelope.event_type, 2), at, envelope.event_id)
    if lao is not None and _newer(lao_key, set_by.get("lao")):
        entry["lao"] = lao.model_dump(mode="json")
        set_by["lao"] = _mark(lao_key)

    form = getattr(data, "submission", None)
    if form is not None and _newer(lao_key, set_by.get("form")):
        entry["form"] = form.model_dump(mode="json")
        set_by["form"] = _mark(lao_key)

    issues: list[Any] | None = None
    if isinstance(data, SubmissionReceived):
        entry["received_at"] = utc_ms(data.received_at)
    elif isinstance(data, SubmissionValidated):
        issues = data.warnings
    elif isinstance(data, SubmissionReturned | SubmissionRejected):
        issues = data.issues
    elif isinstance(data, SubmissionScored):
        # Scoring may score one revision several times (validation, reviewers' points, a re-score under a new
        # rubric version): the newest score wins, the score's own version breaking a tie of the same instant.
        score_key: Key = (0, at, f"{data.score_version:06d}:{envelope.event_id}")
        if _newer(score_key, set_by.get("score")):
            entry["score"] = {
                "total": data.total,
                "max_total": data.max_total,
                "tier": data.tier,
                "size_group": data.size_group,
                "size_group_th": data.size_group_th,
                "size_group_en": data.size_group_en,
                "size_group_flagged": data.size_group_flagged,
                "rubric_version": data.rubric_version,
                "criteria": [criterion.model_dump(mode="json") for criterion in data.criteria],
                "trigger": data.trigger,
                "score_version": data.score_version,
                "manual_pending": list(data.manual_pending),
                "scored_at": at,
            }
            set_by["score"] = _mark(score_key)
    if issues is not None:
        issues_key: Key = (0, at, envelope.event_id)
        if _newer(issues_key, set_by.get("issues")):
            entry["issues"] = [issue.model_dump(mode="json") for issue in issues]
            set_by["issues"] = _mark(issues_key)


# -- notification.* -------------------------------------------------------------------------------

def _apply_notification(view: Document, data: NotificationOutcome, envelope: Envelope, at: datetime) -> None:
    status = envelope.event_type.removeprefix("notification.")
    key: Key = (_NOTIFICATION_RANK[status], at, envelope.event_id)
    entry = {
        "notification_id": data.notification_id,
        "revision": data.revision,
        "template": data.template,
        "channel": data.channel,
        "status": status,
        "attempts": data.attempts,
        "error": data.error,
        "occurred_at": at,
        "event_id": envelope.event_id,
        "rank": key[0],
    }
    kept = [n for n in view["notifications"] if n["notification_id"] != data.notification_id]
    existing = next((n for n in view["notifications"] if n["notification_id"] == data.notification_id), None)
    # One entry per notification: "sent" outranks "failed" whatever the order they arrive in.
    if existing is not None and not _newer(key, {"rank": existing["rank"], "at": existing["occurred_at"],
                                                 "event_id": existing["event_id"]}):
        return
    view["notifications"] = sorted([*kept, entry], key=lambda n: (n["occurred_at"], n["event_id"]))[
        -NOTIFICATIONS_KEPT:]


# -- derived fields -------------------------------------------------------------------------------

def _derive(view: Document) -> None:
    """The top-level fields, computed from the revisions alone (so they too are order-independent)."""
    revisions: dict[str, Document] = view["revisions"]
    if revisions:
        current = max(int(number) for number in revisions)
        entry = revisions[str(current)]
        view["current_revision"] = current
        # An older revision's late events update its own entry, never the current status or score.
        view["status"] = entry["status"]
        view["score"] = _final(entry["score"], view.get("selection"), current)
        view["lao"] = _best_lao(revisions)
        view["unidentified"] = unidentified_reason(entry)
    view["province_key"] = (view["lao"] or {}).get("province_code") or UNKNOWN_PROVINCE
    if view["province_key"] not in view["province_keys_seen"]:
        view["province_keys_seen"] = sorted([*view["province_keys_seen"], view["province_key"]])
    view["district_key"] = (view["lao"] or {}).get("district_code")
    seen = view.setdefault("district_keys_seen", [])
    if view["district_key"] is not None and view["district_key"] not in seen:
        view["district_keys_seen"] = sorted([*seen, view["district_key"]])


def _final(score: Document | None, selection: Document | None, revision: int) -> Document | None:
    """The current revision's score, its tier DLA's final one when the published selection decided on it."""
    if score is None or selection is None or selection["revision"] != revision:
        return score
    return {**score, "provisional_tier": score["tier"], "tier": selection["tier"], "final": True}


def unidentified_reason(entry: Document) -> str | None:
    """Why a judged revision has no LAO (None when it has one, or is not judged yet): the most specific reason."""
    if entry.get("status") == "received":
        return None
    codes = [issue.get("code") for issue in entry.get("issues") or []]
    found = [UNIDENTIFIED_CODES[code] for code in codes if code in UNIDENTIFIED_CODES]
    if "no_name_no_code" in found and ((entry.get("lao") or {}).get("code") or
                                      ((entry.get("form") or {}).get("lao") or {}).get("code")):
        found.remove("no_name_no_code")  # a code without a name is found by its code
    for reason in UNIDENTIFIED_REASONS:
        if reason in found:
            return reason
    return None


_PROVINCE_FIELDS = ("province_code", "province_name", "district_code", "district_name")
_DISTRICT_FIELDS = ("district_code", "district_name")


def _best_lao(revisions: dict[str, Document]) -> Document | None:
    def order(entry: Document) -> tuple[int, int, datetime, str]:
        mark = entry["set_by"]["lao"]
        return entry["revision"], mark["rank"], mark["at"], mark["event_id"]

    candidates = sorted((e for e in revisions.values() if e["lao"] is not None), key=order, reverse=True)
    if not candidates:
        return None
    best = dict(candidates[0]["lao"])
    # A newer revision intake could not place keeps the place an earlier revision was resolved to.
    if best.get("province_code") is None:
        placed = next((c["lao"] for c in candidates if c["lao"].get("province_code")), None)
        if placed is not None:
            best.update({field: placed.get(field) for field in _PROVINCE_FIELDS})
    if best.get("province_code") is not None and best.get("district_code") is None:
        placed = next((c["lao"] for c in candidates if c["lao"].get("province_code") == best["province_code"]
                       and c["lao"].get("district_code")), None)
        if placed is not None:
            best.update({field: placed.get(field) for field in _DISTRICT_FIELDS})
    return best

