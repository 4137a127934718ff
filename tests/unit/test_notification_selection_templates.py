"""The final-selection messages: a winner's congratulations (Thai, then English), a respectful note with the
points per section to a municipality not selected, an office's summary of its area by tier and size group;
corrected results; Thai digits; the section titles file; the check at start; what makes a summary change."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from services.notification.application.notices import Applicant
from services.notification.recipients import Recipient, Routing, RoutingProblem
from services.notification.selection import area_summary, entries_in, group_name, selection_key
from services.notification.templates import (
    BUILTIN_DIR,
    DIVIDER,
    SELECTION_TEMPLATES,
    TEMPLATES,
    Message,
    TemplateBook,
    TemplateProblem,
)
from shared.campaign import load_campaigns
from shared.events import ContactSummary, LaoSummary, SelectionEntry, SelectionPublished

BOOK = TemplateBook()
CAMPAIGN = load_campaigns(None).get("fy2568")
PUBLISHED_AT = datetime(2026, 1, 16, 3, 0, tzinfo=UTC)  # 16 Jan 2569, 10:00 Thai time
SECTIONS = {"committee": 12.0, "readiness": 14.0, "services": 9.5, "smart_people": 2.0}


def _lao(code: str, name: str, province: tuple[str, str], district: tuple[str, str]) -> LaoSummary:
    return LaoSummary(name=name, code=code, type="เทศบาลตำบล", province_code=province[0],
                      province_name=province[1], district_code=district[0], district_name=district[1])


CHAIYAPHUM, KHONKAEN = ("36", "ชัยภูมิ"), ("40", "ขอนแก่น")
MUANG = _lao("4360101", "เทศบาลเมืองชัยภูมิ", CHAIYAPHUM, ("3601", "เมืองชัยภูมิ"))
NON_SAMRAN = _lao("5360116", "เทศบาลตำบลโนนสำราญ", CHAIYAPHUM, ("3601", "เมืองชัยภูมิ"))
BAN_KHWAO = _lao("5360201", "เทศบาลตำบลบ้านเขว้า", CHAIYAPHUM, ("3602", "บ้านเขว้า"))
KHONKAEN_CITY = _lao("3400101", "เทศบาลนครขอนแก่น", KHONKAEN, ("4001", "เมืองขอนแก่น"))


def _entry(lao: LaoSummary, tier: str, *, group: str = "small", rank: int = 1, total: float = 71.5) -> SelectionEntry:
    return SelectionEntry(submission_id=f"fy2568-{lao.code}", revision=1, lao=lao,
                          contact=ContactSummary(name="สมชาย ใจดี", email="coordinator@example.go.th"),
                          size_group=group, rank=rank, total=total, max_total=100, sections=SECTIONS,
                          proposed_tier=tier, tier=tier)  # type: ignore[arg-type]


ENTRIES = [
    _entry(MUANG, "outstanding", group="medium", rank=1, total=86.5),
    _entry(NON_SAMRAN, "efficient", rank=2),
    _entry(BAN_KHWAO, "not_selected", rank=5, total=48.25),
    _entry(KHONKAEN_CITY, "outstanding", group="large", rank=1, total=90),
]


def _event(entries: list[SelectionEntry] = ENTRIES, version: int = 1) -> SelectionPublished:
    return SelectionPublished(campaign="fy2568", selection_version=version, rubric_version="fy2568-v1",
                              frozen_at=PUBLISHED_AT, published_at=PUBLISHED_AT, published_by="admin", quotas={},
                              group_names={"large": "ขนาดใหญ่", "medium": "ขนาดกลาง", "small": "ขนาดเล็ก"},
                              group_names_en={"large": "large", "medium": "medium", "small": "small"},
                              entries=entries)


def _common(book: TemplateBook = BOOK) -> dict[str, Any]:
    return {"selection": _event(), "campaign": CAMPAIGN, "campaign_th": CAMPAIGN.title_th,
            "campaign_en": CAMPAIGN.title_en}


def render_entry(entry: SelectionEntry, *, book: TemplateBook = BOOK, corrected: bool = False,
                 previous_tier: str | None = None) -> Message:
    """As the handler renders a municipality's result."""
    template = "selection_not_selected" if entry.tier == "not_selected" else "selection_winner"
    return book.render(template, recipient=Applicant(name=entry.contact.name), entry=entry, lao=entry.lao,
                       contact=entry.contact, group_th=group_name(_event().group_names, entry.size_group),
                       group_en=group_name(_event().group_names_en, entry.size_group),
                       sections=book.section_points(entry.sections), corrected=corrected,
                       previous_tier=previous_tier, **_common(book))


def render_area(areas: tuple[str, ...], *, book: TemplateBook = BOOK, corrected: bool = False,
                entries: list[SelectionEntry] = ENTRIES) -> Message:
    office = Recipient(kind="province" if areas and len(areas[0]) == 2 else "district", channel="email",
                       address="office@example.go.th", office="สถ.จ.ชัยภูมิ", areas=areas)
    summary = area_summary(areas, entries_in(areas, entries), _event().group_names)
    return book.render("selection_area", recipient=office, summary=summary, corrected=corrected, **_common(book))


def _thai_and_english(mail: Message) -> tuple[str, str]:
    thai, _, english = mail.body.partition(DIVIDER)
    assert english, "the English part follows the Thai part"
    return thai, english.rpartition(DIVIDER)[2]


# -- a winner ------------------------------------------------------------------------------------------------


def test_a_winner_is_congratulated_in_thai_then_english_with_tier_size_group_rank_and_points() -> None:
    mail = render_entry(ENTRIES[1])
    assert mail.subject == ("ขอแสดงความยินดี เทศบาลตำบลโนนสำราญ ได้รับการคัดเลือก ระดับที่มีประสิทธิภาพ / "
                            "Congratulations: เทศบาลตำบลโนนสำราญ is selected (efficient)")
    thai, english = _thai_and_english(mail)
    assert thai.startswith("เรียน คุณสมชาย ใจดี\n\nขอแสดงความยินดีกับเทศบาลตำบลโนนสำราญ ที่ได้รับการคัดเลือก")
    assert "(Smart City) ที่มีประสิทธิภาพ จากการคัดเลือกองค์กรปกครองส่วนท้องถิ่น" in thai
    for line in ("  ระดับ: ที่มีประสิทธิภาพ (efficient)", "  กลุ่มขนาด: ขนาดเล็ก", "  อันดับในกลุ่มขนาดเล็ก: 2",
                 "  คะแนนรวม: 71.5 / 100 คะแนน", "  หน่วยงาน: เทศบาลตำบลโนนสำราญ อำเภอเมืองชัยภูมิ จังหวัดชัยภูมิ",
                 "  ประกาศผลในระบบเมื่อ: 16 มกราคม 2569 เวลา 10:00 น. (ครั้งที่ 1)"):
        assert line in thai
    assert "กรมส่งเสริมการปกครองท้องถิ่นจะประกาศผลการคัดเลือกอย่างเป็นทางการ" in thai
    assert english.strip().startswith("Dear สมชาย ใจดี,\n\nCongratulations: เทศบาลตำบลโนนสำราญ has been selected in "
                                      "the efficient tier of the Selection of LAOs with outstanding Smart City")
    for line in ("  Tier: efficient (ที่มีประสิทธิภาพ)", "  Size group: small", "  Rank in the small group: 2",
                 "  Total: 71.5 / 100 points", "  LAO: เทศบาลตำบลโนนสำราญ, เมืองชัยภูมิ district, ชัยภูมิ province"):
        assert line in english
    assert "will follow with the official announcement" in english
    assert "ฉบับแก้ไข" not in mail.body and "Corrected" not in mail.body


def test_an_outstanding_winner_reads_its_tier_in_thai_and_english() -> None:
    thai, english = _thai_and_english(render_entry(ENTRIES[0]))
    assert "  ระดับ: ที่มีความโดดเด่น (outstanding)" in thai and "  อันดับในกลุ่มขนาดกลาง: 1" in thai
    assert "  Tier: outstanding (ที่มีความโดดเด่น)" in english


def test_a_corrected_result_says_so_and_what_was_told_before() -> None:
    mail = render_entry(ENTRIES[0], corrected=True, previous_tier="efficient")
    assert mail.subject.startswith("[ฉบับแก้ไข / Corrected] ขอแสดงความยินดี")
    thai, english = _thai_and_english(mail)
    assert ("ฉบับแก้ไข: ผลการคัดเลือกที่แจ้งไปก่อนหน้านี้ (ที่มีประสิทธิภาพ) ได้รับการแก้ไขแล้ว "
            "โปรดถือตามผลในอีเมลฉบับนี้แทน") in thai
    assert "Corrected result: the selection result we sent you earlier (efficient) has been corrected" in english
    assert mail.short.startswith("[ฉบับแก้ไข] ")


def test_thai_digits_write_the_thai_text_in_thai_digits_and_keep_the_english() -> None:
    thai, english = _thai_and_english(render_entry(ENTRIES[1], book=TemplateBook(thai_digits=True)))
    assert "  อันดับในกลุ่มขนาดเล็ก: ๒" in thai and "  คะแนนรวม: ๗๑.๕ / ๑๐๐ คะแนน" in thai
    assert "ประกาศผลในระบบเมื่อ: ๑๖ มกราคม ๒๕๖๙ เวลา ๑๐:๐๐ น. (ครั้งที่ ๑)" in thai
    assert "  Rank in the small group: 2" in english and "  Total: 71.5 / 100 points" in english


# -- not selected --------------------------------------------------------------------------------------------


def test_a_municipality_not_selected_is_thanked_with_its_points_per_section_and_never_ranked() -> None:
    mail = render_entry(ENTRIES[2])
    assert mail.subject == ("ขอขอบคุณที่ร่วมการคัดเลือกเมืองน่าอยู่อัจฉริยะ: เทศบาลตำบลบ้านเขว้า / "
                            "Thank you for taking part in the Smart City selection")
    thai, english = _thai_and_english(mail)
    assert "กรมส่งเสริมการปกครองท้องถิ่นขอขอบคุณเทศบาลตำบลบ้านเขว้า ที่ได้ร่วมนำเสนอผลการพัฒนา" in thai
    assert "ยังไม่อยู่ในรายชื่อที่ได้รับการคัดเลือก" in thai and "ขอเป็นกำลังใจ" in thai
    # The sections in the order of sections.toml, a key it does not know last and as it is.
    assert ("  1. ความพร้อมและแผนพัฒนาเมืองอัจฉริยะ | 14 คะแนน\n"
            "  2. บริการเมืองอัจฉริยะที่ดำเนินการ ครอบคลุม 7 ด้าน | 9.5 คะแนน\n"
            "  3. การพิจารณาของคณะกรรมการ | 12 คะแนน\n"
            "  4. smart_people | 2 คะแนน\n"
            "  คะแนนรวม: 48.25 / 100 คะแนน") in thai
    assert ("  1. Readiness and approved smart city plan | 14 points\n"
            "  2. Smart city services in operation across the seven dimensions | 9.5 points\n"
            "  3. Committee review | 12 points\n"
            "  4. smart_people | 2 points\n"
            "  Total: 48.25 / 100 points") in english
    assert "Thank you for presenting" in english and "hopes to see your work again" in english
    for word in ("อันดับ", "Rank", "rank", "fail", "lost", "ไม่ผ่าน", "แพ้"):
        assert word not in mail.body


def test_a_not_selected_note_in_thai_digits() -> None:
    thai, _ = _thai_and_english(render_entry(ENTRIES[2], book=TemplateBook(thai_digits=True)))
    assert "  ๒. บริการเมืองอัจฉริยะที่ดำเนินการ ครอบคลุม 7 ด้าน | ๙.๕ คะแนน" in thai
    assert "  คะแนนรวม: ๔๘.๒๕ / ๑๐๐ คะแนน" in thai


# -- an office's summary -------------------------------------------------------------------------------------


def test_a_province_office_gets_its_selected_municipalities_by_tier_and_size_group_and_the_others_counted() -> None:
    mail = render_area(("36",))
    assert mail.subject == ("ผลการคัดเลือกเมืองน่าอยู่อัจฉริยะ จังหวัดชัยภูมิ: ได้รับการคัดเลือก 2 แห่ง / "
                            "Smart City selection in Chaiyaphum province: 2 selected")
    thai, english = _thai_and_english(mail)
    assert thai.startswith("เรียน สถ.จ.ชัยภูมิ\n\nขอแจ้งผลการคัดเลือกในการคัดเลือกองค์กรปกครองส่วนท้องถิ่น")
    assert ("  เทศบาลที่เข้ารับการพิจารณา: 3 แห่ง\n  ได้รับการคัดเลือก: 2 แห่ง\n"
            "  ยังไม่ได้รับการคัดเลือกในปีนี้: 1 แห่ง") in thai
    assert ("ระดับที่มีความโดดเด่น (1 แห่ง)\n  กลุ่มขนาดกลาง\n"
            "    1. เทศบาลเมืองชัยภูมิ อำเภอเมืองชัยภูมิ จังหวัดชัยภูมิ\n\n"
            "ระดับที่มีประสิทธิภาพ (1 แห่ง)\n  กลุ่มขนาดเล็ก\n"
            "    1. เทศบาลตำบลโนนสำราญ อำเภอเมืองชัยภูมิ จังหวัดชัยภูมิ") in thai
    assert "บ้านเขว้า" not in mail.body and "ขอนแก่น" not in mail.body
    assert ("Outstanding (ที่มีความโดดเด่น): 1\n  Medium group\n"
            "    1. เทศบาลเมืองชัยภูมิ, เมืองชัยภูมิ district, ชัยภูมิ province") in english
    assert "  Selected: 2\n  Not selected this year: 1" in english


def test_a_district_office_with_nobody_selected_hears_how_many_took_part() -> None:
    thai, english = _thai_and_english(render_area(("3602",)))
    assert "สำหรับเทศบาลในอำเภอบ้านเขว้า จังหวัดชัยภูมิ" in thai
    assert "  ได้รับการคัดเลือก: 0 แห่ง\n  ยังไม่ได้รับการคัดเลือกในปีนี้: 1 แห่ง" in thai
    assert "ระดับที่มีความโดดเด่น (0 แห่ง)\n  (ไม่มี)" in thai and "(none)" in english


def test_a_national_summary_lists_every_province() -> None:
    thai, _ = _thai_and_english(render_area(()))
    assert "สำหรับเทศบาลในทั้งประเทศ" in thai
    assert ("ระดับที่มีความโดดเด่น (2 แห่ง)\n  กลุ่มขนาดใหญ่\n    1. เทศบาลนครขอนแก่น อำเภอเมืองขอนแก่น จังหวัดขอนแก่น\n"
            "  กลุ่มขนาดกลาง\n    1. เทศบาลเมืองชัยภูมิ") in thai


def test_a_corrected_summary_says_the_list_changed() -> None:
    mail = render_area(("36",), corrected=True)
    assert mail.subject.startswith("[ฉบับแก้ไข / Corrected] ผลการคัดเลือก")
    assert "ฉบับแก้ไข: รายชื่อที่แจ้งไปก่อนหน้านี้มีการเปลี่ยนแปลง" in mail.body
    assert "Corrected: the list we sent you earlier has changed" in mail.body


def test_the_line_text_of_a_summary_is_short() -> None:
    mail = render_area(("36",))
    assert mail.short.startswith("ผลการคัดเลือกเมืองน่าอยู่อัจฉริยะ จังหวัดชัยภูมิ: ได้รับการคัดเลือก 2 แห่ง")
    assert "  ที่มีความโดดเด่น กลุ่มขนาดกลาง: เทศบาลเมืองชัยภูมิ อำเภอเมืองชัยภูมิ" in mail.short
    assert len(mail.short) < 1000


def test_a_summary_changes_only_when_its_list_does() -> None:
    def fingerprint(entries: list[SelectionEntry]) -> str:
        return area_summary(("36",), entries_in(("36",), entries), {}).fingerprint

    same = fingerprint(ENTRIES)
    # Other points or places in the ranking, or a change in another province: the same list.
    moved = [_entry(MUANG, "outstanding", group="medium", rank=2, total=80), *ENTRIES[1:3],
             _entry(KHONKAEN_CITY, "not_selected", group="large")]
    assert fingerprint(moved) == same
    # A tier changed, or one more not selected: a different list.
    assert fingerprint([ENTRIES[0], _entry(NON_SAMRAN, "outstanding"), *ENTRIES[2:]]) != same
    assert fingerprint([*ENTRIES, _entry(_lao("5360117", "เทศบาลตำบลนาฝาย", CHAIYAPHUM, ("3601", "เมืองชัยภูมิ")),
                                         "not_selected")]) != same


def test_the_keys_name_the_campaign_the_publication_the_subject_and_the_recipient() -> None:
    assert selection_key("fy2568", 2, "fy2568-4360101", "selection_winner", "ab12") == (
        "selection:fy2568:v2:fy2568-4360101:selection_winner:ab12")
    assert selection_key("fy2568", 1, "area-36", "selection_area", None) == (
        "selection:fy2568:v1:area-36:selection_area:-")


# -- the files, the check at start, routing ------------------------------------------------------------------


def test_every_selection_template_is_built_in_and_checked() -> None:
    BOOK.check()
    TemplateBook(thai_digits=True).check()
    for name in SELECTION_TEMPLATES:
        assert name in TEMPLATES and (BUILTIN_DIR / f"{name}.j2").is_file()
    assert (BUILTIN_DIR / "sections.toml").is_file()


def test_an_operators_selection_template_with_a_misspelt_name_stops_the_start(tmp_path: Path) -> None:
    (tmp_path / "selection_winner.j2").write_text(
        "{% block subject %}{{ entry.teir }}{% endblock %}{% block th %}x{% endblock %}{% block en %}y{% endblock %}",
        encoding="utf-8")
    with pytest.raises(TemplateProblem, match="teir"):
        TemplateBook(tmp_path).check()


def test_an_operators_sections_file_replaces_the_builtin_titles(tmp_path: Path) -> None:
    (tmp_path / "sections.toml").write_text(
        '[sections.services]\nth = "บริการ"\nen = "Services"\n[sections.readiness]\nth = "ความพร้อม"\nen = "Readiness"\n',
        encoding="utf-8")
    book = TemplateBook(tmp_path)
    book.check()
    thai, english = _thai_and_english(render_entry(ENTRIES[2], book=book))
    assert "  1. บริการ | 9.5 คะแนน\n  2. ความพร้อม | 14 คะแนน\n  3. committee | 12 คะแนน" in thai
    assert "  1. Services | 9.5 points\n  2. Readiness | 14 points" in english


@pytest.mark.parametrize(("content", "problem"), [
    ("[sections.readiness\n", "sections.toml"),
    ('[sections.readiness]\nth = "ความพร้อม"\n', r"\[sections.readiness\] needs exactly"),
    ('[other]\nx = 1\n', "expected only a"),
])
def test_a_broken_sections_file_is_refused_at_start(tmp_path: Path, content: str, problem: str) -> None:
    (tmp_path / "sections.toml").write_text(content, encoding="utf-8")
    with pytest.raises(TemplateProblem, match=problem):
        TemplateBook(tmp_path)


def test_routing_sends_a_municipalitys_result_to_the_municipality_and_summaries_to_offices(tmp_path: Path) -> None:
    routing = Routing.load()
    assert routing.audiences("selection_winner") == ("applicant",)
    assert routing.audiences("selection_not_selected") == ("applicant",)
    assert routing.office_levels("selection_area") == ("district", "province")
    with pytest.raises(RoutingProblem, match="goes to the municipality only"):
        Routing.parse({"selection_winner": {"to": ["applicant", "province"]}})
    with pytest.raises(RoutingProblem, match="is about an area"):
        Routing.parse({"selection_area": {"to": ["applicant"]}})
    path = tmp_path / "routing.toml"
    path.write_text('[selection_area]\nto = ["district", "province", "national"]\n', encoding="utf-8")
    assert Routing.load(path).office_levels("selection_area") == ("district", "province", "national")
