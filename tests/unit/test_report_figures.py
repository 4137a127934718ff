"""Area figures and the registry's expected municipalities as pure functions: order never matters."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime
from typing import Any

from services.reporting.figures import (
    apply_registry,
    area_figures,
    coverage,
    expected_laos,
    histogram_bin,
    merge,
)
from services.reporting.projection import apply
from services.reporting.sample import REGISTRY_36, history, municipalities, registry_event
from shared.events import RegistryUpdated

ELIGIBLE = ("เทศบาลนคร", "เทศบาลเมือง", "เทศบาลตำบล")


def view(status: str | None, total: float | None = None, group: str = "small", code: str = "x") -> dict[str, Any]:
    score = None if total is None else {"total": total, "max_total": 100, "tier": "efficient", "size_group": group}
    return {"status": status, "score": score, "lao": {"code": code}}


def test_counts_averages_tiers_size_groups_and_the_distribution() -> None:
    views = [view("scored", 81.5, "medium"), view("scored", 60.3), view("returned"), view("received"),
             view(None), view("scored", 100, "large")]
    figures = area_figures(views)
    assert figures["submissions"] == 5  # the notification-only view is not a submission
    assert figures["counts"] == {"received": 1, "validated": 0, "returned": 1, "rejected": 0, "scored": 3}
    assert figures["average_score"] == round((81.5 + 60.3 + 100) / 3, 2)
    assert figures["score_histogram"] == [0, 0, 0, 0, 0, 0, 1, 0, 1, 1]
    assert list(figures["size_groups"]) == ["large", "medium", "small"]
    assert figures["size_groups"]["small"] == {"scored": 1, "score_sum": 60.3, "average_score": 60.3,
                                               "tiers": {"outstanding": 0, "efficient": 1, "not_selected": 0}}


def test_sums_do_not_depend_on_the_order_of_their_terms() -> None:
    totals = [0.1, 0.2, 0.3, 70.15, 33.33, 12.07, 99.99]
    results = {area_figures([view("scored", t) for t in order])["score_sum"]
               for order in itertools.permutations(totals)}
    assert len(results) == 1


def test_the_nation_is_the_sum_of_its_provinces() -> None:
    a = area_figures([view("scored", 80, "large"), view("returned")])
    b = area_figures([view("scored", 50), view("validated")])
    b.update(expected=4, expected_submitted=2)
    nation = merge([a, b])
    assert nation == merge([b, a])
    assert (nation["submissions"], nation["counts"]["scored"], nation["average_score"]) == (4, 2, 65.0)
    assert (nation["expected"], nation["expected_submitted"]) == (4, 2)  # a has no registry: not counted
    assert nation["size_groups"]["large"]["scored"] == 1
    assert merge([a])["expected"] is None


def test_a_full_score_is_in_the_top_bin() -> None:
    assert [histogram_bin(t, 100) for t in (0, 9.99, 10, 55, 99.9, 100, 120)] == [0, 0, 1, 5, 9, 9, 9]
    assert histogram_bin(5, 0) == 0


def registry(import_id: str, at: datetime, laos: list[tuple[str, str, str]] = REGISTRY_36) -> RegistryUpdated:
    return registry_event("36", laos, import_id=import_id, imported_at=at).read(RegistryUpdated)


def test_the_newest_registry_import_wins_whatever_the_order() -> None:
    old = registry("a", datetime(2025, 10, 1, tzinfo=UTC), REGISTRY_36[:2])
    new = registry("b", datetime(2025, 11, 1, tzinfo=UTC))
    forward = apply_registry(apply_registry(None, old), new)
    first_new = apply_registry(None, new)
    assert forward is not None and first_new is not None
    assert apply_registry(first_new, old) is None and apply_registry(first_new, new) is None
    assert forward["laos"] == first_new["laos"] and forward["import_id"] == "b"


def test_expected_municipalities_by_stored_type_and_who_has_not_submitted() -> None:
    document = apply_registry(None, registry("a", datetime(2025, 10, 1, tzinfo=UTC)))
    assert expected_laos(None, ELIGIBLE) is None
    expected = expected_laos(document, ELIGIBLE, "3601")
    assert expected is not None
    assert [lao["code"] for lao in expected] == ["4360101", "5360101", "5360102"]  # not the อบต. 6360103
    result = coverage(expected, [view("scored", 70, code="4360101"), view("received", code="5360101"),
                                 view(None, code="5360102")])
    assert (result["expected"], result["expected_submitted"]) == (3, 2)
    assert [lao["name"] for lao in result["missing"]] == ["เทศบาลตำบลนาฝาย"]
    assert coverage(None, [])["expected"] is None


def test_the_sample_history_projects_the_same_in_any_order() -> None:
    events = [e for e in history() if e.event_type.startswith("submission.")]
    views: list[dict[str, dict[str, Any]]] = []
    for seed in range(3):
        order = list(events)
        random.Random(seed).shuffle(order)
        built: dict[str, dict[str, Any]] = {}
        for envelope in order + order[:5]:
            sid = envelope.correlation_id
            built[sid] = apply(built.get(sid), envelope) or built[sid]
        views.append({sid: {k: v for k, v in view.items() if k not in ("version", "applied_event_ids",
                                                                        "last_event_at")}
                      for sid, view in built.items()})
    assert views[0] == views[1] == views[2]
    assert area_figures(views[0].values())["counts"]["scored"] == 6
    assert len(municipalities()) == 12
