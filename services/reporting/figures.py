"""An area's figures as pure functions: of the submission views in it, and of DLA's registry of its LAOs.

Figures are always *recomputed* from what the area holds (never incremented), with sums that do not depend
on the order of their terms (`math.fsum`), so the live read models and a rebuild from the event log give
the same numbers whatever order the events arrived in.

Shape of an area's figures (district, province or nation):

    submissions      applications in the area, each counted once (by its current revision)
    counts           {received, validated, returned, rejected, scored}: the current revision's status
    score_sum, average_score, tiers {outstanding, efficient, not_selected}: of the scored ones
    score_histogram  ten bins of the score as a share of its maximum: [0-10 %), [10-20 %), ... [90-100 %]
    size_groups      {group: {scored, score_sum, average_score, tiers}}: scored ones by the rubric's size group
    expected         the registry's municipalities of the campaign's eligible types; None without a registry
    expected_submitted  how many of those have submitted (matched by LAO code)
    missing          (districts only) the expected municipalities that have not submitted, by name
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from services.reporting.projection import STATUSES, TIERS, utc_ms
from shared import thai
from shared.events import RegistryUpdated

Document = dict[str, Any]
HISTOGRAM_BINS = 10
UNKNOWN_SIZE_GROUP = "unknown"


def empty_figures() -> Document:
    return {"submissions": 0, "counts": dict.fromkeys(STATUSES, 0), "score_sum": 0.0, "average_score": None,
            "tiers": dict.fromkeys(TIERS, 0), "score_histogram": [0] * HISTOGRAM_BINS, "size_groups": {},
            "expected": None, "expected_submitted": None}


def _average(score_sum: float, scored: int) -> float | None:
    return round(score_sum / scored, 2) if scored else None


def histogram_bin(total: float, max_total: float) -> int:
    """Which tenth of the maximum a score falls in; a full score is in the top bin."""
    if max_total <= 0:
        return 0
    return max(0, min(HISTOGRAM_BINS - 1, math.floor(total / max_total * HISTOGRAM_BINS)))


def area_figures(views: Iterable[Document]) -> Document:
    """The figures of the submission views given (those of one area, current revisions only)."""
    figures = empty_figures()
    sums: list[float] = []
    group_sums: dict[str, list[float]] = {}
    for view in views:
        status = view.get("status")
        if status not in figures["counts"]:
            continue  # only notifications seen so far
        figures["submissions"] += 1
        figures["counts"][status] += 1
        score = view.get("score")
        if status != "scored" or not score:
            continue
        total = float(score["total"])
        sums.append(total)
        tier = score.get("tier")
        if tier in figures["tiers"]:
            figures["tiers"][tier] += 1
        figures["score_histogram"][histogram_bin(total, float(score.get("max_total") or 0))] += 1
        group = score.get("size_group") or UNKNOWN_SIZE_GROUP
        entry = figures["size_groups"].setdefault(group, _empty_group())
        entry["scored"] += 1
        if tier in entry["tiers"]:
            entry["tiers"][tier] += 1
        group_sums.setdefault(group, []).append(total)
    figures["score_sum"] = math.fsum(sums)
    for group, values in group_sums.items():
        figures["size_groups"][group]["score_sum"] = math.fsum(values)
    return _finish(figures)


def _empty_group() -> Document:
    return {"scored": 0, "score_sum": 0.0, "average_score": None, "tiers": dict.fromkeys(TIERS, 0)}


def _finish(figures: Document) -> Document:
    figures["average_score"] = _average(figures["score_sum"], figures["counts"]["scored"])
    for entry in figures["size_groups"].values():
        entry["average_score"] = _average(entry["score_sum"], entry["scored"])
    figures["size_groups"] = dict(sorted(figures["size_groups"].items()))
    return figures


def merge(parts: Sequence[Document]) -> Document:
    """The figures of a larger area from those of its parts (the nation from its provinces)."""
    figures = empty_figures()
    group_sums: dict[str, list[float]] = {}
    expected: list[int] = []
    expected_submitted: list[int] = []
    for part in parts:
        figures["submissions"] += part["submissions"]
        for status in STATUSES:
            figures["counts"][status] += part["counts"].get(status, 0)
        for tier in TIERS:
            figures["tiers"][tier] += part["tiers"].get(tier, 0)
        for index, count in enumerate(part.get("score_histogram") or []):
            figures["score_histogram"][index] += count
        for group, entry in (part.get("size_groups") or {}).items():
            merged = figures["size_groups"].setdefault(group, _empty_group())
            merged["scored"] += entry["scored"]
            for tier in TIERS:
                merged["tiers"][tier] += entry["tiers"].get(tier, 0)
            group_sums.setdefault(group, []).append(entry["score_sum"])
        if part.get("expected") is not None:
            expected.append(part["expected"])
            expected_submitted.append(part.get("expected_submitted") or 0)
    figures["score_sum"] = math.fsum(part["score_sum"] for part in parts)
    for group, values in group_sums.items():
        figures["size_groups"][group]["score_sum"] = math.fsum(values)
    if expected:
        figures["expected"], figures["expected_submitted"] = sum(expected), sum(expected_submitted)
    return _finish(figures)


# -- the registry: which municipalities are expected -------------------------------------------------------

def registry_key(document: Document) -> tuple[datetime, str]:
    return document["imported_at"], document["import_id"]


def apply_registry(current: Document | None, data: RegistryUpdated) -> Document | None:
    """A province's registry after `registry.updated`: the newest import replaces the list whole (each event
    carries the complete list); an older or repeated import changes nothing (None)."""
    new = {
        "_id": data.province_code,
        "province_code": data.province_code,
        "province_name": data.province_name,
        "import_id": data.import_id,
        "imported_at": utc_ms(data.imported_at),
        "laos": sorted((lao.model_dump(mode="json") for lao in data.laos), key=lambda lao: lao["code"]),
    }
    if current is not None and registry_key(new) <= registry_key(current):
        return None
    new["version"] = (current or {}).get("version", 0) + 1
    return new


def expected_laos(registry: Document | None, eligible_types: Sequence[str],
                  district_code: str | None = None) -> list[Document] | None:
    """The registry's LAOs that may take part (by stored type, never by code), in one district or the whole
    province; None when no registry of the province has been loaded."""
    if registry is None:
        return None
    return [lao for lao in registry["laos"] if lao.get("type") in eligible_types
            and (district_code is None or lao.get("district_code") == district_code)]


def _name_key(name: str) -> str:
    return thai.expand_lao_name(name).replace(" ", "")


def coverage(expected: list[Document] | None, views: Iterable[Document]) -> Document:
    """Expected municipalities, how many of them submitted, and which have not (for the offices to chase)."""
    if expected is None:
        return {"expected": None, "expected_submitted": None, "missing": []}
    submitted: set[str] = set()
    named: set[str] = set()
    for view in views:
        if view.get("status") is None:
            continue
        lao = view.get("lao") or {}
        if lao.get("code"):
            submitted.add(lao["code"])
        elif lao.get("name"):
            # Not identified yet (being validated, or waiting for an office): a municipality that sent a
            # response under its own name has submitted, whatever state the response is in.
            named.add(_name_key(lao["name"]))
    missing = [{"code": lao["code"], "name": lao["name"], "type": lao.get("type"),
                "district_code": lao.get("district_code"), "district_name": lao.get("district_name")}
               for lao in expected
               if lao["code"] not in submitted and _name_key(lao.get("name") or "") not in named]
    return {"expected": len(expected), "expected_submitted": len(expected) - len(missing), "missing": missing}
