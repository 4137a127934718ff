"""Every consumer reads each event it is bound to with a model that ignores what it does not know: an event
from a newer producer, with a field added at any level (top, the LAO, the submission, each project, each
issue or criterion), is read exactly as the same event without it.

The bindings themselves come from each consumer's `HANDLES` (shared/topology.py), so a new binding is covered
here as soon as it has a sample below (a missing sample fails the test)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from shared import events
from shared.events import EventData
from shared.topology import CONSUMERS, subscriptions

ROOT = Path(__file__).resolve().parents[2]
SUBMISSION = json.loads((ROOT / "docs/examples/submission.json").read_text(encoding="utf-8"))
LAO = {"name": "เทศบาลเมืองชัยภูมิ", "code": "4360101", "type": "เทศบาลเมือง", "province_code": "36",
       "province_name": "ชัยภูมิ", "district_code": "3601", "district_name": "เมืองชัยภูมิ", "size_class": "medium",
       "registry_verified": True}
CONTACT = {"name": "สมชาย ใจดี", "email": "smartcity@example.go.th"}
REF = {"submission_id": "sub_0001", "revision": 2, "campaign": "fy2568"}
ISSUE = {"code": "PHONE_FORMAT", "field": "contact.phone", "severity": "return", "message_th": "เบอร์โทรไม่ถูกต้อง",
         "message_en": "The phone number is not valid."}
CRITERION = {"key": "plan", "section": "readiness", "title_th": "มีแผน", "title_en": "Has a plan", "points": 5,
             "max_points": 5, "inputs": {"readiness.has_plan": True}, "reason_th": "มีแผน → 5 คะแนน",
             "reason_en": "Has a plan → 5 points"}
NOTIFICATION = {"notification_id": "n_1", "submission_id": "sub_0001", "revision": 1, "campaign": "fy2568",
                "template": "received", "channel": "email", "recipient": "s***@example.go.th", "attempts": 1}
AREA_NOTIFICATION = {"notification_id": "a_1", "campaign": "fy2568", "slot": "reminder-7d", "template": "reminder",
                     "channel": "email", "recipient": "d***@example.go.th", "recipient_kind": "district",
                     "areas": ["3601"], "attempts": 1}
AT = "2025-11-24T10:15:00+07:00"

SAMPLES: dict[str, dict[str, Any]] = {
    events.SUBMISSION_RECEIVED: {**REF, "source": "api", "source_response_id": "resp-0001", "received_at": AT,
                                 "lao": LAO, "contact": CONTACT, "submission": SUBMISSION},
    events.SUBMISSION_VALIDATED: {**REF, "lao": LAO, "contact": CONTACT, "warnings": [ISSUE],
                                  "submission": SUBMISSION},
    events.SUBMISSION_RETURNED: {**REF, "lao": LAO, "contact": CONTACT, "issues": [ISSUE]},
    events.SUBMISSION_REJECTED: {**REF, "lao": LAO, "contact": CONTACT, "issues": [{**ISSUE, "severity": "reject"}]},
    events.SUBMISSION_SCORED: {**REF, "lao": LAO, "contact": CONTACT, "rubric_version": "fy2568-v1", "total": 72.5,
                               "max_total": 100, "tier": "efficient", "size_group": "medium",
                               "size_group_th": "ขนาดกลาง", "size_group_en": "medium", "criteria": [CRITERION],
                               "manual_pending": ["committee"]},
    events.NOTIFICATION_SENT: NOTIFICATION,
    events.NOTIFICATION_FAILED: {**NOTIFICATION, "error": "SMTP 451"},
    events.NOTIFICATION_AREA_SENT: AREA_NOTIFICATION,
    events.NOTIFICATION_AREA_FAILED: {**AREA_NOTIFICATION, "error": "SMTP 451"},
    events.SCHEDULE_NOTICE_DUE: {"campaign": "fy2568", "slot": "reminder-7d", "template": "reminder", "due_at": AT,
                                 "recipient_kind": "district", "channel": "email", "recipient_hash": "ab12",
                                 "areas": ["3601"]},
    events.REGISTRY_UPDATED: {"import_id": "imp_1", "imported_at": AT, "province_code": "36",
                              "province_name": "ชัยภูมิ",
                              "laos": [{"code": "4360101", "name": "เทศบาลเมืองชัยภูมิ", "type": "เทศบาลเมือง",
                                        "province_code": "36", "district_code": "3601", "size_class": "medium"}],
                              "removed_codes": ["4360199"]},
    events.SCORING_RESCORE_RUN_REQUESTED: {"run_id": "run_1", "campaign": "fy2568", "rubric_version": "fy2568-v2",
                                           "requested_by": "admin", "requested_at": AT},
    events.SCORING_RESCORE_REQUESTED: {**REF, "run_id": "run_1", "rubric_version": "fy2568-v2"},
    events.SCORING_REVIEW_RECORDED: {**REF, "change_id": "chg_1", "reviewer_id": "rev_1", "criteria": ["committee"]},
    events.VALIDATION_LAO_ATTACH_REQUESTED: {"attachment_id": "att_1", "submission_id": "sub_0001",
                                             "campaign": "fy2568", "lao_code": "4360101",
                                             "requested_by": "อำเภอเมืองชัยภูมิ (district:3601)",
                                             "reason": "โทรยืนยันกับเทศบาลแล้ว", "requested_at": AT},
    events.SELECTION_PUBLISHED: {"campaign": "fy2568", "selection_version": 1, "rubric_version": "fy2568-v1",
                                 "frozen_at": AT, "published_at": AT, "published_by": "admin",
                                 "quotas": {"outstanding": {"medium": 4}}, "group_names": {"medium": "ขนาดกลาง"},
                                 "entries": [{"submission_id": "sub_0001", "revision": 2, "lao": LAO,
                                              "contact": CONTACT, "size_group": "medium", "rank": 1,
                                              "total": 72.5, "max_total": 100, "sections": {"readiness": 20},
                                              "proposed_tier": "outstanding", "tier": "outstanding"}]},
}
MODELS: dict[str, type[EventData]] = {**events.EVENT_MODELS, **events.COMMAND_MODELS}


# Maps keyed by data, not fields (a criterion's inputs, points per section, quotas, group names): not objects
# of a contract, so nothing is added inside them.
MAPS = frozenset({"inputs", "sections", "quotas", "group_names"})


def with_unknown_fields(value: Any, path: str = "data") -> Any:
    """The same value with a field no reader knows added to every object of the contract, at every depth."""
    if isinstance(value, dict):
        widened = {key: item if key in MAPS else with_unknown_fields(item, f"{path}.{key}")
                   for key, item in value.items()}
        widened["question_added_next_year"] = {"answer": f"ใหม่ที่ {path}", "score": 3}
        return widened
    if isinstance(value, list):
        return [with_unknown_fields(item, f"{path}[{index}]") for index, item in enumerate(value)]
    return value


def objects_in(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + sum(objects_in(item) for key, item in value.items() if key not in MAPS)
    if isinstance(value, list):
        return sum(objects_in(item) for item in value)
    return 0


BINDINGS = sorted({(service, event_type) for service in CONSUMERS for event_type in subscriptions()[service]})


def test_every_bound_event_type_has_a_sample_and_its_sample_is_valid() -> None:
    bound = {event_type for _, event_type in BINDINGS}
    assert bound <= set(SAMPLES), f"add a sample for {sorted(bound - set(SAMPLES))}"
    for event_type, sample in SAMPLES.items():
        MODELS[event_type].model_validate(sample)


@pytest.mark.parametrize(("service", "event_type"), BINDINGS, ids=[f"{s}:{t}" for s, t in BINDINGS])
def test_each_consumer_reads_its_events_with_a_field_added_at_every_level(service: str, event_type: str) -> None:
    handles = __import__(f"services.{service}.handlers", fromlist=["HANDLES"]).HANDLES
    model = next(model for model in handles if model.EVENT_TYPE == event_type)
    sample = copy.deepcopy(SAMPLES[event_type])
    widened = with_unknown_fields(sample)
    assert json.dumps(widened, ensure_ascii=False).count("question_added_next_year") == objects_in(sample)
    assert model.model_validate(widened).model_dump() == model.model_validate(sample).model_dump()


def test_the_envelope_itself_ignores_what_it_does_not_know() -> None:
    data = events.SubmissionRejected.model_validate(SAMPLES[events.SUBMISSION_REJECTED])
    envelope = events.Envelope.build(data, producer="validation", correlation_id="sub_0001")
    raw = {**envelope.model_dump(mode="json"), "trace_parent": "00-abc-def-01"}
    assert events.Envelope.model_validate(raw).read(events.SubmissionRejected) == data
