"""No reporting route lets a province's token read another province, nor a district's token another district:
reporting runs on a real socket with real tokens, seeded through its bus with the sample history (Chaiyaphum 36
and Khon Kaen 40) and with unidentified responses in three districts. Every route asked for the other area's
data answers 403 (by id too: the project answers 404 only for what does not exist), and for the token's own
area 200 (202 for an attachment)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx
import pytest

from services.intake.submission import Submission
from services.reporting.application import EXPORT_TABLES
from services.reporting.repository import TokenBook
from services.reporting.sample import CAMPAIGN, history
from services.reporting.service import SPEC
from services.reporting.tokens import Scope
from shared.bus import Bus
from shared.events import ContactSummary, Envelope, Issue, LaoSummary, SubmissionReceived, SubmissionReturned
from tests.browser.tools import need_weasyprint
from tests.integration.test_reporting import publish_all
from tests.support import Infra, InProcessService, Namespace

V1 = f"/v1/campaigns/{CAMPAIGN}"
AT = datetime(2025, 11, 24, 10, 0, tzinfo=UTC)
# The sample history's submissions (services/reporting/sample.py): scored ones in 3601 and 4001, one in 3602.
IN_3601, IN_3602, IN_4001 = f"{CAMPAIGN}-4360101", f"{CAMPAIGN}-5360201", f"{CAMPAIGN}-3400101"
# Unidentified responses (the name matches two LAOs) placed in these districts; LAO 5360102 is in 3601.
UNIDENTIFIED = {"sub_unid_3601": ("36", "3601"), "sub_unid_3602": ("36", "3602"), "sub_unid_4001": ("40", "4001")}
ATTACH = {"lao_code": "5360102", "reason": "โทรยืนยันกับปลัดเทศบาลแล้ว"}


def _unidentified(submission_id: str, province_code: str, district_code: str) -> list[Envelope]:
    lao = LaoSummary(name="เทศบาลตำบลหนองบัว", province_code=province_code, district_code=district_code)
    contact = ContactSummary(name="สมชาย ใจดี", email="clerk@example.go.th")
    form = Submission.model_validate({"campaign": CAMPAIGN, "source": "api", "source_response_id": submission_id,
                                      "submitted_at": AT.isoformat(), "lao": {"name": lao.name}})
    issue = Issue(code="LAO_MATCH_AMBIGUOUS", field="lao.name", severity="return",
                  message_th="ชื่อตรงกับ อปท. มากกว่าหนึ่งแห่ง", message_en="The name matches more than one LAO")
    return [Envelope.build(SubmissionReceived(submission_id=submission_id, revision=1, campaign=CAMPAIGN,
                                              source="api", source_response_id=submission_id, received_at=AT,
                                              lao=lao, contact=contact, submission=form),
                           producer="intake", correlation_id=submission_id),
            Envelope.build(SubmissionReturned(submission_id=submission_id, revision=1, campaign=CAMPAIGN, lao=lao,
                                              contact=contact, issues=[issue]),
                           producer="validation", correlation_id=submission_id)]


Request = tuple[str, str, dict[str, str]]  # method, path, query


@dataclass
class Seeded:
    client: httpx.AsyncClient
    tokens: dict[str, str] = field(default_factory=dict)

    async def ask(self, who: str, request: Request) -> httpx.Response:
        method, path, params = request
        headers = {"authorization": f"Bearer {self.tokens[who]}"}
        if method == "POST":
            return await self.client.post(path, params=params, json=ATTACH, headers=headers)
        return await self.client.get(path, params=params, headers=headers)


@pytest.fixture(scope="module")
async def seeded(infra: Infra) -> AsyncIterator[Seeded]:
    """One reporting for the module (tokens required, as in production), its read model built from its bus."""
    namespace = Namespace(infra)
    settings = namespace.settings("reporting", reporting_auth_required=True, reporting_token_cache_seconds=0)
    bus = Bus(namespace.settings("test-publisher"), "test-publisher")
    try:
        async with InProcessService(SPEC, settings) as service, \
                httpx.AsyncClient(base_url=service.url, timeout=60) as client:
            await bus.connect()
            book: TokenBook = service.component.state.tokens
            seeded = Seeded(client)
            for who, scope in (("national", "national"), ("province", "province:36"),
                               ("district", "district:3601")):
                seeded.tokens[who], _ = await book.create(Scope.parse(scope), f"test {scope}")
            extra = [e for sub_id, (p, d) in UNIDENTIFIED.items() for e in _unidentified(sub_id, p, d)]
            await publish_all(client, bus, [*history(), *extra])  # /metrics, which it reads, is open in tests
            yield seeded
    finally:
        await bus.close()
        await namespace.cleanup()


def get(path: str, **params: str) -> Request:
    return ("GET", path, params)


def export(table: str, fmt: str = "csv", **params: str) -> Request:
    return get(f"{V1}/exports/{table}.{fmt}", **params)


# Per export table: (the token's own area, the other area) for the province token (36, other: 40) and the
# district token (3601, other: 3602 of the same province). `provinces` is the national table: no own case.
PROVINCE_EXPORTS: dict[str, tuple[Request | None, Request]] = {
    "provinces": (None, export("provinces")),
    "size-groups": (export("size-groups", province="36"), export("size-groups", province="40")),
    "districts": (export("districts", "xlsx", district="3601"), export("districts", "xlsx", district="4001")),
    "submissions": (export("submissions", province="36"), export("submissions", province="40")),
    "projects": (export("projects"), export("projects", province="40")),
    "rankings": (export("rankings", size_group="large", province="36"),
                 export("rankings", size_group="large", province="40")),
    "missing": (export("missing", province="36"), export("missing", district="4007")),
    "criteria": (export("criteria", submission=IN_3601), export("criteria", submission=IN_4001)),
}
DISTRICT_EXPORTS: dict[str, tuple[Request | None, Request]] = {
    "provinces": (None, export("provinces")),
    "size-groups": (export("size-groups", district="3601"), export("size-groups", district="3602")),
    "districts": (export("districts", district="3601"), export("districts", province="40")),
    "submissions": (export("submissions", "xlsx", district="3601"), export("submissions", district="3602")),
    "projects": (export("projects", district="3601"), export("projects", district="3602")),
    "rankings": (export("rankings", size_group="medium", district="3601"),
                 export("rankings", size_group="small", district="3602")),
    "missing": (export("missing"), export("missing", district="3602")),
    "criteria": (export("criteria", submission=IN_3601), export("criteria", submission=IN_3602)),
}
PROVINCE_ROUTES: dict[str, tuple[Request | None, Request]] = {
    "submission by id": (get(f"/v1/submissions/{IN_3601}"), get(f"/v1/submissions/{IN_4001}")),
    **{f"export {table}": cases for table, cases in PROVINCE_EXPORTS.items()},
    "province package": (get(f"{V1}/provinces/36/package.pdf"), get(f"{V1}/provinces/40/package.pdf")),
    "ranking": (get(f"{V1}/rankings", size_group="large", province="36"),
                get(f"{V1}/rankings", size_group="large", province="40")),
    "ranking of a district": (get(f"{V1}/rankings", size_group="medium", district="3601"),
                              get(f"{V1}/rankings", size_group="large", district="4001")),
    "unidentified": (get(f"{V1}/unidentified"), get(f"{V1}/unidentified", province="40")),
    "attach unidentified": (("POST", f"{V1}/unidentified/sub_unid_3601/attach", {}),
                            ("POST", f"{V1}/unidentified/sub_unid_4001/attach", {})),
}
DISTRICT_ROUTES: dict[str, tuple[Request | None, Request]] = {
    "submission by id": (get(f"/v1/submissions/{IN_3601}"), get(f"/v1/submissions/{IN_3602}")),
    **{f"export {table}": cases for table, cases in DISTRICT_EXPORTS.items()},
    "province package": (None, get(f"{V1}/provinces/36/package.pdf")),
    "district package": (get(f"{V1}/districts/3601/package.pdf"), get(f"{V1}/districts/3602/package.pdf")),
    "ranking": (get(f"{V1}/rankings", size_group="medium", district="3601"),
                get(f"{V1}/rankings", size_group="small", district="3602")),
    "unidentified": (get(f"{V1}/unidentified", province="36"), get(f"{V1}/unidentified", province="40")),
    "attach unidentified": (("POST", f"{V1}/unidentified/sub_unid_3601/attach", {}),
                            ("POST", f"{V1}/unidentified/sub_unid_3602/attach", {})),
}


def test_every_export_table_has_its_cases() -> None:
    assert set(PROVINCE_EXPORTS) == set(EXPORT_TABLES) == set(DISTRICT_EXPORTS)


async def _check(seeded: Seeded, who: str, own: Request | None, other: Request) -> None:
    refused = await seeded.ask(who, other)
    assert refused.status_code == 403, (other, refused.text)
    assert refused.json()["error"] == "outside_scope" and refused.json()["message_th"]
    # The same request is answered for a national token: the 403 is the scope's, not a missing thing's.
    assert (await seeded.ask("national", other)).status_code in (200, 202), other
    if own is None:
        return
    if own[1].endswith(".pdf"):
        need_weasyprint()
    answered = await seeded.ask(who, own)
    assert answered.status_code == (202 if own[0] == "POST" else 200), (own, answered.text)


@pytest.mark.parametrize("route", list(PROVINCE_ROUTES))
async def test_a_province_token_reads_its_own_province_and_not_another(seeded: Seeded, route: str) -> None:
    own, other = PROVINCE_ROUTES[route]
    await _check(seeded, "province", own, other)


@pytest.mark.parametrize("route", list(DISTRICT_ROUTES))
async def test_a_district_token_reads_its_own_district_and_not_another(seeded: Seeded, route: str) -> None:
    own, other = DISTRICT_ROUTES[route]
    await _check(seeded, "district", own, other)


async def test_what_a_token_is_answered_by_default_holds_nothing_of_another_area(seeded: Seeded) -> None:
    province_list = (await seeded.ask("province", get(f"{V1}/unidentified"))).json()
    district_list = (await seeded.ask("district", get(f"{V1}/unidentified"))).json()
    ranked = (await seeded.ask("province", get(f"{V1}/rankings", size_group="large"))).json()
    exported: dict[str, str] = {}
    for table in ("submissions", "projects", "districts", "missing", "size-groups"):
        response = await seeded.ask("district", export(table, lang="en"))
        assert response.status_code == 200, (table, response.text)
        exported[table] = response.content.decode("utf-8-sig")
    assert {item["submission_id"] for item in province_list["items"]} == {"sub_unid_3601", "sub_unid_3602"}
    assert [item["submission_id"] for item in district_list["items"]] == ["sub_unid_3601"]
    assert ranked["total"] == 0 and ranked["items"] == []  # the one large municipality is Khon Kaen's
    for table, text in exported.items():
        for elsewhere in ("5360201", "3400101", "4400701", "3602", "4001"):
            assert elsewhere not in text, (table, elsewhere)
