"""What scoring shows of its results through the read API: the rubrics, the version active for a campaign, every
score of a submission, rankings within size groups (nationally or in a province) and how rankings moved
between two rubric versions."""

from __future__ import annotations

from typing import Any

from services.scoring.application.campaigns import ActiveRubric, active_rubric
from services.scoring.repository import Document, ScoringStore
from services.scoring.rubric import UNKNOWN_SIZE_GROUP, Rubric, RubricBook, UnknownRubric
from services.scoring.standings import comparison, comparison_view, rankings_view, standings
from shared.campaign import CampaignBook, UnknownCampaign
from shared.errors import Invalid, NotFound
from shared.geo import resolve_province


def known_rubric(rubrics: RubricBook, version: str) -> Rubric:
    try:
        return rubrics.get(version)
    except UnknownRubric:
        raise NotFound("unknown_rubric", f"ไม่พบเกณฑ์รุ่น {version}; รุ่นที่มี: {', '.join(rubrics.versions())}",
                       f"No rubric {version!r}; known versions: {', '.join(rubrics.versions())}.") from None


def rubric_view(rubrics: RubricBook, version: str) -> dict[str, Any]:
    """One rubric: sections, criteria, rules, tiers, size groups, with its maximum, digest and tie-breaks."""
    found = known_rubric(rubrics, version)
    return {**found.model_dump(mode="json"), "max_total": found.max_total, "digest": found.digest,
            "tie_break_sections": found.tie_break_sections}


async def active_of(store: ScoringStore, campaigns: CampaignBook, rubrics: RubricBook, campaign: str) -> ActiveRubric:
    """The campaign's active rubric; refused when there is no such campaign or no rubric for it."""
    if campaign not in campaigns:
        raise NotFound("unknown_campaign", f"ไม่พบรอบการคัดเลือก {campaign}", f"No campaign {campaign!r}.")
    try:
        return await active_rubric(store, campaigns, rubrics, campaign)
    except (UnknownRubric, UnknownCampaign) as error:
        raise NotFound("no_rubric", f"ยังไม่มีเกณฑ์การให้คะแนนสำหรับรอบ {campaign}", str(error)) from None


async def campaign_rubric(store: ScoringStore, campaigns: CampaignBook, rubrics: RubricBook,
                          campaign: str) -> dict[str, Any]:
    """The rubric version a campaign is scored under now, and why."""
    active = await active_of(store, campaigns, rubrics, campaign)
    return {"campaign": campaign, **active.as_json(),
            "campaign_file_version": campaigns.get(campaign).rubric_version}


async def scores_of(store: ScoringStore, submission_id: str) -> list[Document]:
    """Every score of a submission (each revision × rubric version), newest revision first."""
    documents = await store.scores_of(submission_id)
    if not documents:
        raise NotFound("not_found", f"ไม่พบคะแนนของ {submission_id}", f"No score for {submission_id}")
    return documents


async def campaign_rankings(store: ScoringStore, campaigns: CampaignBook, rubrics: RubricBook, campaign: str, *,
                            size_group: str | None, province: str | None,
                            rubric_version: str | None) -> dict[str, Any]:
    """Rankings within size groups under the version asked for (the active one if none), nationally or among
    one province's LAOs (each still with its national rank)."""
    active_version = (await active_of(store, campaigns, rubrics, campaign)).rubric.version
    version = rubric_version or active_version
    chosen = known_rubric(rubrics, version)
    if size_group is not None and size_group not in {*chosen.size_groups.names, UNKNOWN_SIZE_GROUP}:
        known = ", ".join([*chosen.size_groups.names, UNKNOWN_SIZE_GROUP])
        raise Invalid("unknown_size_group", f"ไม่รู้จักกลุ่มขนาด {size_group}; ใช้ได้: {known}",
                      f"Unknown size group {size_group!r}; use one of: {known}.")
    province_code = None
    if province is not None:
        found = resolve_province(province)
        if found is None and province != "unknown":
            raise Invalid("unknown_province", f"ไม่รู้จักจังหวัด {province}",
                          f"Unknown province {province!r} (use the 2-digit code or the name).")
        province_code = found.code if found else "unknown"
    ranked, left_out = await standings(store, campaign, version)
    return rankings_view(chosen, ranked, left_out, campaign=campaign, active=version == active_version,
                         size_group=size_group, province=province_code)


async def compare_rankings(store: ScoringStore, campaigns: CampaignBook, rubrics: RubricBook, campaign: str, *,
                           version_from: str, version_to: str) -> dict[str, Any]:
    """How rankings moved between two rubric versions, per size group."""
    await active_of(store, campaigns, rubrics, campaign)
    before_rubric, after_rubric = known_rubric(rubrics, version_from), known_rubric(rubrics, version_to)
    before, _ = await standings(store, campaign, version_from)
    after, _ = await standings(store, campaign, version_to)
    moves = comparison(before, after, before_rubric, after_rubric)
    return comparison_view(moves, campaign=campaign, version_from=version_from, version_to=version_to,
                           rubric_after=after_rubric)
