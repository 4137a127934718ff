"""The per-submission read model as a pure function: order and repetition of events never change it."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from services.intake.submission import Submission
from services.reporting.projection import apply, public
from shared.events import (
    ContactSummary,
    CriterionScore,
    Envelope,
    EventData,
    Issue,
    LaoSummary,
    NotificationFailed,
    NotificationSent,
    SubmissionReceived,
    SubmissionRejected,
    SubmissionReturned,
    SubmissionScored,
    SubmissionValidated,
)

SID = "fy2568-sub-1"
T0 = datetime(2025, 11, 24, 3, 0, tzinfo=UTC)
UNRESOLVED = LaoSummary(name="ทม. ชัยภูมิ", code="4360101")
RESOLVED = LaoSummary(name="เทศบาลเมืองชัยภูมิ", code="4360101", type="เทศบาลเมือง", province_code="36",
                      province_name="ชัยภูมิ", district_code="3601", district_name="เมืองชัยภูมิ")
CONTACT = ContactSummary(name="สมชาย", email="smartcity@example.go.th")
SUBMISSION = Submission.model_validate({
    "campaign": "fy2568", "source": "api", "source_response_id": "resp-1",
    "lao": {"name": "เทศบาลเมืองชัยภูมิ", "province": "ชัยภูมิ"},
})
ISSUE = Issue(code="plan_url_missing", field="readiness.plan_url", severity="return",
              message_th="ต้องแนบลิงก์แผน", message_en="Attach the plan's link")
_ids = itertools.count(1)


def envelope(data: EventData, minutes: float) -> Envelope:
    built = Envelope.build(data, producer="test", correlation_id=SID)
    return built.model_copy(update={"occurred_at": T0 + timedelta(minutes=minutes),
                                    "event_id": f"e{next(_ids):04d}"})


def received(revision: int = 1, minutes: float = 0, lao: LaoSummary = UNRESOLVED) -> Envelope:
    return envelope(SubmissionReceived(
        submission_id=SID, revision=revision, campaign="fy2568", source="api", source_response_id="resp-1",
        received_at=T0 + timedelta(minutes=minutes), lao=lao, contact=CONTACT, submission=SUBMISSION), minutes)


def validated(revision: int = 1, minutes: float = 1) -> Envelope:
    warning = ISSUE.model_copy(update={"severity": "warning"})
    return envelope(SubmissionValidated(submission_id=SID, revision=revision, campaign="fy2568", lao=RESOLVED,
                                        contact=CONTACT, warnings=[warning], submission=SUBMISSION), minutes)


def returned(revision: int = 1, minutes: float = 1) -> Envelope:
    return envelope(SubmissionReturned(submission_id=SID, revision=revision, campaign="fy2568", lao=RESOLVED,
                                       contact=CONTACT, issues=[ISSUE]), minutes)


def rejected(revision: int = 1, minutes: float = 1) -> Envelope:
    return envelope(SubmissionRejected(submission_id=SID, revision=revision, campaign="fy2568", lao=RESOLVED,
                                       contact=CONTACT, issues=[ISSUE]), minutes)


def scored(revision: int = 1, minutes: float = 2, total: float = 72.5, rubric: str = "fy2568-v1") -> Envelope:
    criterion = CriterionScore(key="plan", section="readiness", title_th="แผน", title_en="Plan", points=10,
                               max_points=10, inputs={"has_plan": True}, reason_th="มีแผน", reason_en="Has a plan")
    return envelope(SubmissionScored(
        submission_id=SID, revision=revision, campaign="fy2568", lao=RESOLVED, contact=CONTACT,
        rubric_version=rubric, total=total, max_total=100, tier="efficient", size_group="medium",
        criteria=[criterion]), minutes)


def notification(kind: type[NotificationSent] | type[NotificationFailed], minutes: float,
                 notification_id: str = "n1", template: str = "received") -> Envelope:
    return envelope(kind(notification_id=notification_id, submission_id=SID, revision=1, campaign="fy2568",
                         template=template, channel="email", recipient="s***@example.go.th", attempts=1,
                         error="smtp down" if kind is NotificationFailed else None), minutes)


def run(*envelopes: Envelope) -> dict[str, Any]:
    view: dict[str, Any] | None = None
    for item in envelopes:
        view = apply(view, item) or view
    assert view is not None
    return view


def comparable(view: dict[str, Any]) -> dict[str, Any]:
    """The view as a reader sees it (bookkeeping of arrival order left out)."""
    return public({k: v for k, v in view.items() if k != "last_event_at"})


def test_normal_flow_received_validated_scored() -> None:
    first = apply(None, received())
    assert first is not None
    assert (first["status"], first["current_revision"], first["version"]) == ("received", 1, 1)
    assert first["province_key"] == "unknown"  # intake could not place it
    view = run(received(), validated(), scored())
    assert (view["status"], view["current_revision"], view["version"]) == ("scored", 1, 3)
    assert view["lao"]["province_code"] == "36" and view["province_key"] == "36"
    assert view["province_keys_seen"] == ["36", "unknown"]
    entry = view["revisions"]["1"]
    assert entry["status_rank"] == 3
    assert entry["received_at"] == T0
    assert [i["severity"] for i in entry["issues"]] == ["warning"]
    assert entry["score"]["total"] == 72.5 and entry["score"]["tier"] == "efficient"
    assert entry["score"]["criteria"][0]["reason_en"] == "Has a plan"
    assert entry["score"]["trigger"] == "validation"
    assert view["score"] == entry["score"]
    assert [s["event_type"] for s in entry["history"]] == [
        "submission.received", "submission.validated", "submission.scored"]


def test_a_duplicate_event_changes_nothing() -> None:
    events = [received(), validated(), scored()]
    view = run(*events)
    for event in events:
        assert apply(view, event) is None
    # Even once the event id has left the bounded list, the revision's history recognises it.
    forgetful = {**view, "applied_event_ids": []}
    assert apply(forgetful, events[1]) is None


def test_every_order_of_the_same_events_gives_the_same_view() -> None:
    events = [received(), validated(), scored(), received(2, 5), returned(2, 6)]
    views = [comparable(run(*order)) for order in itertools.permutations(events)]
    assert all(view == views[0] for view in views)
    assert (views[0]["current_revision"], views[0]["status"]) == (2, "returned")


def test_validated_before_received_is_not_downgraded() -> None:
    view = run(validated(), received())
    assert view["status"] == "validated"
    assert view["revisions"]["1"]["received_at"] == T0  # the late event still fills in what it knows
    assert view["lao"] == RESOLVED.model_dump(mode="json")  # validation's resolved LAO beats intake's


def test_an_older_revisions_late_events_never_change_the_current_status() -> None:
    view = run(received(1, 0), validated(1, 1), received(2, 10))
    late = apply(view, scored(1, 3))
    assert late is not None
    assert (late["current_revision"], late["status"], late["score"]) == (2, "received", None)
    assert late["revisions"]["1"]["status"] == "scored"
    assert late["revisions"]["1"]["score"]["total"] == 72.5
    # Revision 2's receipt carried no province: the place resolved for revision 1 stays.
    assert late["province_key"] == "36"


def test_returned_then_revision_two_validated() -> None:
    view = run(received(1, 0), returned(1, 1))
    assert view["status"] == "returned"
    assert view["revisions"]["1"]["issues"][0]["code"] == "plan_url_missing"
    view = run(received(1, 0), returned(1, 1), received(2, 30), validated(2, 31))
    assert (view["current_revision"], view["status"]) == (2, "validated")
    assert view["revisions"]["1"]["status"] == "returned"  # the history stays
    assert [i["severity"] for i in view["revisions"]["2"]["issues"]] == ["warning"]


def test_rejected_is_a_validation_outcome() -> None:
    view = run(received(), rejected())
    assert (view["status"], view["revisions"]["1"]["status_rank"]) == ("rejected", 2)


def test_a_later_rescoring_replaces_the_score_whatever_the_arrival_order() -> None:
    first, again = scored(minutes=2, total=60, rubric="v1"), scored(minutes=50, total=80, rubric="v2")
    for order in ([first, again], [again, first]):
        view = run(received(), validated(), *order)
        assert (view["score"]["total"], view["score"]["rubric_version"]) == (80, "v2")


def test_notifications_are_listed_without_changing_the_status() -> None:
    view = run(received(), validated(), scored())
    after = apply(view, notification(NotificationSent, 3))
    assert after is not None
    assert after["status"] == "scored" and after["revisions"] == view["revisions"]
    assert [(n["template"], n["status"]) for n in after["notifications"]] == [("received", "sent")]
    # A failed attempt reported late never hides that the notification was sent.
    assert apply(after, notification(NotificationFailed, 2)) is None
    retried = run(notification(NotificationFailed, 2, "n2", "scored"),
                  notification(NotificationSent, 4, "n2", "scored"))
    assert [(n["template"], n["status"]) for n in retried["notifications"]] == [("scored", "sent")]
    assert retried["status"] is None and retried["current_revision"] is None


def test_an_unknown_event_is_ignored() -> None:
    view = run(received())
    unknown = Envelope(event_type="submission.archived", producer="test", correlation_id=SID,
                       data={"submission_id": SID})
    assert apply(view, unknown) is None
    assert apply(None, unknown) is None
    newer_contract = received().model_copy(update={"schema_version": 2})
    assert apply(view, newer_contract) is None
