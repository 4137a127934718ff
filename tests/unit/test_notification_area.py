"""An office's area and its progress, from notification's own copies of the registry and of submissions."""

from __future__ import annotations

from typing import Any

from services.notification.area import area_name, build_report, covers, name_key

ELIGIBLE = ("เทศบาลนคร", "เทศบาลเมือง", "เทศบาลตำบล")
REGISTRY = [{"_id": "36", "laos": [
    {"code": "4360101", "name": "เทศบาลเมืองชัยภูมิ", "type": "เทศบาลเมือง", "district_code": "3601"},
    {"code": "5360116", "name": "เทศบาลตำบลโนนสำราญ", "type": "เทศบาลตำบล", "district_code": "3601"},
    {"code": "5360201", "name": "เทศบาลตำบลบ้านเขว้า", "type": "เทศบาลตำบล", "district_code": "3602"},
    {"code": "6360105", "name": "องค์การบริหารส่วนตำบลนาฝาย", "type": "องค์การบริหารส่วนตำบล", "district_code": "3601"},
]}]


def _entry(name: str, status: str, code: str | None = None, district: str | None = "3601") -> dict[str, Any]:
    return {"submission_id": f"fy2568-{name}", "revision": 1, "status": status,
            "lao": {"name": name, "code": code, "province_code": "36", "district_code": district,
                    "name_key": name_key(name)}}


def test_a_submission_without_a_code_meets_the_registry_by_its_expanded_name() -> None:
    assert name_key("ทต. โนนสำราญ") == name_key("เทศบาลตำบลโนนสำราญ")
    report = build_report(("3601",), REGISTRY, [_entry("ทต. โนนสำราญ", "validated"),
                                                _entry("ทม.ชัยภูมิ", "scored", code="4360101")], ELIGIBLE)
    assert report.not_submitted == [] and report.chase == []
    assert report.expected == 2 and report.submitted == 2
    assert report.counts == {"received": 0, "returned": 0, "validated": 1, "scored": 1, "rejected": 0}


def test_rejected_and_received_ones_are_not_chased_returned_ones_are() -> None:
    report = build_report(("36",), REGISTRY, [_entry("เทศบาลเมืองชัยภูมิ", "rejected", "4360101"),
                                              _entry("เทศบาลตำบลโนนสำราญ", "returned", "5360116"),
                                              _entry("เทศบาลตำบลบ้านเขว้า", "received", "5360201", "3602")],
                          ELIGIBLE)
    assert [(r.name, r.status) for r in report.chase] == [("เทศบาลตำบลโนนสำราญ", "returned")]


def test_only_eligible_types_of_the_area_are_expected() -> None:
    report = build_report(("3601",), REGISTRY, [], ELIGIBLE)
    assert sorted(str(r.code) for r in report.not_submitted) == ["4360101", "5360116"]
    wider = build_report(("3601",), REGISTRY, [], (*ELIGIBLE, "องค์การบริหารส่วนตำบล"))
    assert wider.expected == 3


def test_without_the_registry_only_submissions_are_known() -> None:
    report = build_report(("3601",), [], [_entry("เทศบาลตำบลโนนสำราญ", "returned")], ELIGIBLE)
    assert not report.registry_loaded and report.expected is None and report.not_submitted == []
    assert [r.status for r in report.chase] == ["returned"]


def test_areas_are_provinces_districts_or_the_whole_country() -> None:
    assert covers(("36",), "36", "3601") and covers(("3601",), "36", "3601") and covers((), None, None)
    assert not covers(("3602",), "36", "3601") and not covers(("3601",), "36", None)
    assert area_name(("3601",)) == ("อำเภอเมืองชัยภูมิ จังหวัดชัยภูมิ", "Mueang Chaiyaphum district, Chaiyaphum")
    assert area_name(("1001",))[0] == "เขตพระนคร กรุงเทพมหานคร"
    assert area_name(()) == ("ทั้งประเทศ", "the whole country")
