"""The documents reporting makes for a reader, within their scope: every report table as CSV or XLSX
(services/reporting/exports.py) and the province's and the district's document packages as HTML for the PDF
(services/reporting/package.py). The tables and the packages read the same read models the JSON routes serve."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Literal

from services.reporting import exports, package
from services.reporting.application.reports import Reports, campaign_not_found
from services.reporting.application.scope import outside_scope, require_district, require_province, scoped_filter
from services.reporting.places import district_names, province_names
from services.reporting.repository import PROVINCE_LIST_LIMIT, ReadModels, SubmissionFilter
from services.reporting.tokens import Scope
from shared.campaign import CampaignBook, UnknownCampaign
from shared.errors import Invalid, NotFound
from shared.thai import THAI_TZ

Document = dict[str, Any]
EXPORT_TABLES = ("provinces", "size-groups", "districts", "submissions", "projects", "rankings", "missing",
                 "criteria")


@dataclass(frozen=True)
class ExportFile:
    body: bytes
    media_type: str
    filename: str


@dataclass(frozen=True)
class PackageHtml:
    html: str
    filename: str


class Documents:
    def __init__(self, read_models: ReadModels, campaigns: CampaignBook, reports: Reports) -> None:
        self.read_models = read_models
        self.campaigns = campaigns
        self.reports = reports

    # -- exports ----------------------------------------------------------------------------

    async def export(self, scope: Scope, campaign: str, name: str, *, lang: Literal["th", "en"],
                     province: str | None, district: str | None, status: str | None, size_group: str | None,
                     submission_id: str | None) -> ExportFile:
        """`name` is `<table>.<csv|xlsx>` (EXPORT_TABLES); `province` and `district` narrow each table as the
        JSON routes do."""
        table_name, _, fmt = name.rpartition(".")
        if table_name not in EXPORT_TABLES or fmt not in ("csv", "xlsx"):
            raise NotFound("not_found", f"ไม่พบตาราง {name}",
                           f"No export {name}: tables {', '.join(EXPORT_TABLES)}, as .csv or .xlsx")
        await self.reports.require_campaign(campaign)
        table = await self._table(scope, campaign, table_name, province, district, status, size_group,
                                  submission_id)
        body = exports.render(table, "csv" if fmt == "csv" else "xlsx", lang)
        area = district or province or ("all" if scope.level == "national" else scope.code)
        return ExportFile(body, exports.MEDIA_TYPES[fmt], f"{campaign}-{table.name}-{area}.{fmt}")

    async def _table(self, scope: Scope, campaign: str, table: str, province: str | None, district: str | None,
                     status: str | None, size_group: str | None, submission_id: str | None) -> exports.Table:
        read_models = self.read_models
        if table == "criteria":
            view = await read_models.submission(submission_id or "")
            if view is None or view.get("campaign") != campaign:
                raise NotFound("not_found", "ไม่พบข้อมูลการส่ง", f"No submission {submission_id} (give `submission`)")
            lao = view.get("lao") or {}
            if not scope.allows_place(lao.get("province_code"), lao.get("district_code")):
                raise outside_scope(scope, "การส่งนี้", "this submission")
            return exports.criteria_table(view)
        if table == "provinces":
            if not scope.allows_national():
                raise outside_scope(scope, "ภาพรวมระดับประเทศ", "the national view")
            return exports.provinces_table(await read_models.national_view(campaign) or {"provinces": []})
        province, district = scoped_filter(scope, province, district)
        if table == "size-groups":
            if district is not None:
                document = await read_models.district(campaign, district)
            elif province is not None:
                document = await read_models.province(campaign, province)
            else:
                document = await read_models.national_view(campaign)
            figures = document or {}
            names = await read_models.size_group_names(campaign, figures.get("size_groups", {}))
            return exports.size_groups_table(figures, names)
        if table in ("districts", "missing"):
            if district is not None:
                found = await read_models.district(campaign, district)
                documents = [found] if found else []
            elif province is not None:
                documents = await read_models.province_districts(campaign, province)
            else:
                documents = await read_models.campaign_districts(campaign)
            return exports.districts_table(documents) if table == "districts" else exports.missing_table(documents)
        where = SubmissionFilter(province=province, district=district, status=status, size_group=size_group)
        if table == "rankings":
            if not size_group:
                raise Invalid("size_group_required", "ต้องระบุกลุ่มขนาด (size_group)", "Give `size_group` for a ranking")
            _, ranked = await read_models.ranking(campaign, size_group, where, limit=PROVINCE_LIST_LIMIT)
            return exports.rankings_table(ranked)
        _, views = await read_models.list_submissions(campaign, where, limit=PROVINCE_LIST_LIMIT * 5)
        if table == "projects":
            return exports.projects_table(views)
        return exports.submissions_table(views)

    # -- document packages ------------------------------------------------------------------

    async def province_package(self, scope: Scope, campaign: str, code: str,
                               sender: package.Sender) -> PackageHtml:
        """The province's package for DLA: cover letter, summary table, every report form."""
        require_province(scope, code, unknown_allowed=False)
        document = await self.read_models.province(campaign, code) or {}
        _, views = await self.read_models.list_submissions(campaign, SubmissionFilter(province=code),
                                                           limit=PROVINCE_LIST_LIMIT)
        districts = await self.read_models.province_districts(campaign, code)
        missing = [lao for d in districts for lao in d.get("missing", [])]
        area = package.Area("province", code, province_names(code)[0], province_names(code)[0], document,
                            package.sort_views(views), missing)
        return self._package(campaign, area, sender, f"package-{campaign}-province-{code}.pdf")

    async def district_package(self, scope: Scope, campaign: str, code: str,
                               sender: package.Sender) -> PackageHtml:
        """The district's package for its province."""
        require_district(scope, code)
        document = await self.read_models.district(campaign, code) or {}
        _, views = await self.read_models.list_submissions(campaign, SubmissionFilter(district=code),
                                                           limit=PROVINCE_LIST_LIMIT)
        area = package.Area("district", code, district_names(code)[0], province_names(code[:2])[0], document,
                            package.sort_views(views), list(document.get("missing", [])))
        return self._package(campaign, area, sender, f"package-{campaign}-district-{code}.pdf")

    def _package(self, campaign_key: str, area: package.Area, sender: package.Sender,
                 filename: str) -> PackageHtml:
        try:
            campaign = self.campaigns.get(campaign_key)
        except UnknownCampaign:
            raise campaign_not_found(campaign_key) from None
        return PackageHtml(package.package_html(area, campaign, sender, today()), filename)


def today() -> date:
    """Today in Thailand: the date a letter is given when none is asked for."""
    return datetime.now(UTC).astimezone(THAI_TZ).date()
