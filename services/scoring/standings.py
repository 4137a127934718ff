"""Rankings and comparisons as the API and the `compare` command show them, read from scoring's own
collections: each submission's newest revision (older revisions are superseded), its score under the rubric
version asked for, ranked by services/scoring/ranking.py."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from services.scoring.ranking import Movement, Ranked, Standing, compare, rankings, tie_breaks
from services.scoring.repository import Document, ScoringStore
from services.scoring.rubric import UNKNOWN_GROUP_NAME, UNKNOWN_SIZE_GROUP, Rubric


def _lao(document: Mapping[str, Any]) -> dict[str, Any]:
    lao = document.get("lao") or {}
    return {key: lao.get(key) for key in ("name", "code", "type", "province_code", "province_name",
                                          "district_code", "district_name", "size_class")}


async def standings(store: ScoringStore, campaign: str,
                    rubric_version: str) -> tuple[list[Standing], list[dict[str, Any]]]:
    """Every ranked standing under the version, and the submissions left out with the reason."""
    newest = await store.newest_revisions(campaign)
    wanted = {sid: doc["revision"] for sid, doc in newest.items() if doc.get("status") == "validated"}
    scores = await store.scores_under(campaign, rubric_version, wanted)
    ranked: list[Standing] = []
    left_out: list[dict[str, Any]] = []
    for submission_id, document in sorted(newest.items()):
        revision = document["revision"]
        if document.get("status") != "validated":
            left_out.append({
                "submission_id": submission_id, "revision": revision, "lao": _lao(document),
                "reason": f"newest_revision_{document.get('status')}",
                "reason_th": f"ฉบับล่าสุด (ครั้งที่ {revision}) ไม่ผ่านการตรวจสอบ ({document.get('status')})",
                "reason_en": f"The newest revision ({revision}) did not pass validation ({document.get('status')}).",
            })
            continue
        found = scores.get(submission_id)
        if found is None:
            left_out.append({
                "submission_id": submission_id, "revision": revision, "lao": _lao(document),
                "reason": "not_scored_under_version",
                "reason_th": f"ฉบับล่าสุด (ครั้งที่ {revision}) ยังไม่ได้ให้คะแนนตามเกณฑ์รุ่น {rubric_version}",
                "reason_en": f"The newest revision ({revision}) is not scored under {rubric_version} yet.",
            })
            continue
        ranked.append(standing_of(found))
    return ranked, left_out


def standing_of(document: Document) -> Standing:
    return Standing(
        submission_id=document["submission_id"],
        revision=document["revision"],
        size_group=document["size_group"],
        total=document["total"],
        sections=document.get("sections") or {},
        submitted_at=document.get("submitted_at"),
        province_code=(document.get("lao") or {}).get("province_code"),
        size_group_flagged=document.get("size_group_flagged", False),
        max_total=document.get("max_total", 0),
        tier=document["tier"],
        provisional=document.get("provisional", bool(document.get("manual_pending"))),
        lao=_lao(document),
    )


def group_names(rubric: Rubric | None) -> dict[str, dict[str, str]]:
    names = {key: {"th": name.th, "en": name.en} for key, name in (rubric.size_groups.names.items()
                                                                    if rubric else [])}
    names[UNKNOWN_SIZE_GROUP] = {"th": UNKNOWN_GROUP_NAME.th, "en": UNKNOWN_GROUP_NAME.en}
    return names


def _entry(ranked: Ranked) -> dict[str, Any]:
    standing = ranked.standing
    return {
        "rank": ranked.rank,
        "national_rank": ranked.national_rank,
        "decided_by": ranked.decided_by,
        "submission_id": standing.submission_id,
        "revision": standing.revision,
        "lao": dict(standing.lao),
        "total": standing.total,
        "max_total": standing.max_total,
        "tier": standing.tier,
        "provisional": standing.provisional,
        "size_group_flagged": standing.size_group_flagged,
        "sections": dict(standing.sections),
        "submitted_at": standing.submitted_at,
    }


def rankings_view(rubric: Rubric, ranked_standings: list[Standing], left_out: list[dict[str, Any]], *,
                  campaign: str, active: bool, size_group: str | None, province: str | None) -> dict[str, Any]:
    names = group_names(rubric)
    sections = rubric.tie_break_sections
    groups = rankings(ranked_standings, sections, size_group=size_group, province=province,
                      group_order=list(names))
    return {
        "campaign": campaign,
        "rubric_version": rubric.version,
        "active": active,
        "scope": {"size_group": size_group, "province_code": province},
        "tie_breaks": tie_breaks(sections),
        "groups": [{
            "size_group": group,
            "name_th": names.get(group, {}).get("th", group),
            "name_en": names.get(group, {}).get("en", group),
            "count": len(entries),
            "tiers": {tier: sum(1 for e in entries if e.standing.tier == tier)
                      for tier in ("outstanding", "efficient", "not_selected")},
            "entries": [_entry(entry) for entry in entries],
        } for group, entries in groups.items()],
        "not_ranked": [item for item in left_out
                       if province is None or (item["lao"].get("province_code") or "unknown") == province],
    }


def comparison(before: list[Standing], after: list[Standing], rubric_before: Rubric,
               rubric_after: Rubric) -> dict[str, list[Movement]]:
    return compare(before, after, sections_before=rubric_before.tie_break_sections,
                   sections_after=rubric_after.tie_break_sections, group_order=list(group_names(rubric_after)))


def comparison_view(moves: dict[str, list[Movement]], *, campaign: str, version_from: str,
                    version_to: str, rubric_after: Rubric) -> dict[str, Any]:
    names = group_names(rubric_after)
    return {
        "campaign": campaign,
        "from": version_from,
        "to": version_to,
        "groups": [{
            "size_group": group,
            "name_th": names.get(group, {}).get("th", group),
            "name_en": names.get(group, {}).get("en", group),
            "entries": [{
                "submission_id": move.submission_id, "lao": dict(move.lao),
                "rank_before": move.rank_before, "rank_after": move.rank_after, "moved": move.moved,
                "group_before": move.group_before, "total_before": move.total_before,
                "total_after": move.total_after, "tier_before": move.tier_before, "tier_after": move.tier_after,
            } for move in entries],
        } for group, entries in moves.items()],
    }


def _points(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def _movement(move: Movement) -> str:
    if move.rank_before is None:
        return "new"
    if move.rank_after is None:
        return "gone"
    if move.moved is None:
        return f"from {move.group_before}"
    return "=" if move.moved == 0 else f"{move.moved:+d}"


def comparison_text(moves: dict[str, list[Movement]], *, campaign: str, version_from: str, version_to: str,
                    rubric_after: Rubric) -> str:
    """The comparison as a table per size group: rank before → after, places moved, totals, tiers."""
    names = group_names(rubric_after)
    lines = [f"การเปลี่ยนแปลงอันดับ / ranking changes — {campaign}: {version_from} → {version_to}",
             "(ฉบับล่าสุดของแต่ละ อปท. / newest revision of each submission; "
             "อันดับระดับประเทศในกลุ่มขนาด / national rank within size group)"]
    for group, entries in moves.items():
        name = names.get(group, {"th": group, "en": group})
        moved = sum(1 for move in entries if move.moved not in (0, None))
        lines.append("")
        lines.append(f"== {name['th']} / {name['en']} ({group}): {len(entries)} submissions, {moved} moved ==")
        lines.append(f"{'after':>5} {'before':>6} {'move':>6}  {'total before → after':>22}  "
                     f"{'tier before → after':<27}  submission  LAO")
        for move in entries:
            after = "—" if move.rank_after is None else str(move.rank_after)
            before = "—" if move.rank_before is None else str(move.rank_before)
            totals = f"{_points(move.total_before)} → {_points(move.total_after)}"
            tiers = f"{move.tier_before or '—'} → {move.tier_after or '—'}"
            lao = move.lao.get("name") or ""
            if move.lao.get("province_name"):
                lao += f" ({move.lao['province_name']})"
            lines.append(f"{after:>5} {before:>6} {_movement(move):>6}  {totals:>22}  {tiers:<27}  "
                         f"{move.submission_id}  {lao}")
    return "\n".join(lines) + "\n"
