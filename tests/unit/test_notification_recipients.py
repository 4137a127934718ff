"""Who receives what: the office directory from CSV (English or Thai headers), routing from configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.notification.privacy import (
    mask,
    mask_line_id,
    mask_recipient,
    mask_url,
    recipient_hash,
    scrub,
)
from services.notification.recipients import (
    DirectoryProblem,
    Recipient,
    Routing,
    RoutingProblem,
    decode_csv,
    read_directory,
)

LINE_USER = "U" + "0123456789abcdef" * 2
DIRECTORY = f"""level,areas,office,channel,address,name,templates
district,3601,สถ.อ.เมืองชัยภูมิ,email,amphoe.muang@example.go.th,นายสมศักดิ์ รักงาน,
district,"3602; 3603",สถ.อ.บ้านเขว้า,email,amphoe.khwao@example.go.th,,
province,36,สถ.จ.ชัยภูมิ,line,{LINE_USER},,reminder;digest
province,๓๖,สถ.จ.ชัยภูมิ,webhook,https://chaiyaphum.example.go.th/hooks/smartcity?token=abc,,
national,,,email,smartcity@dla.example.go.th,,digest
"""


def test_the_directory_reads_offices_their_areas_channels_and_what_they_want() -> None:
    contacts = read_directory(DIRECTORY)
    assert len(contacts) == 5
    muang, khwao, line, hook, dla = contacts
    assert (muang.kind, muang.areas, muang.channel, muang.name) == ("district", ("3601",), "email",
                                                                    "นายสมศักดิ์ รักงาน")
    assert khwao.areas == ("3602", "3603")
    assert (line.channel, line.address, line.templates) == ("line", LINE_USER, ("reminder", "digest"))
    assert hook.areas == ("36",) and hook.channel == "webhook"  # Thai digits read as codes
    assert (dla.kind, dla.areas, dla.office) == ("national", (), "กรมส่งเสริมการปกครองท้องถิ่น")
    assert line.wants("digest") and not line.wants("returned") and muang.wants("returned")


def test_the_directory_takes_thai_headers_and_values_and_a_bom() -> None:
    text = ("\ufeffระดับ,พื้นที่,หน่วยงาน,ช่องทาง,ผู้รับ\n"
            "อำเภอ,3601,สถ.อ.เมืองชัยภูมิ,อีเมล,amphoe.muang@example.go.th\n"
            "จังหวัด,36,สถ.จ.ชัยภูมิ,ไลน์," + LINE_USER + "\n")
    contacts = read_directory(decode_csv(text.encode("utf-8-sig")))
    assert [(c.kind, c.channel) for c in contacts] == [("district", "email"), ("province", "line")]
    assert read_directory(decode_csv(text.replace("\ufeff", "").encode("cp874")))[0].office == "สถ.อ.เมืองชัยภูมิ"


def test_a_directory_with_bad_rows_is_refused_whole_with_every_problem_and_no_address() -> None:
    text = ("level,areas,office,channel,address\n"
            "district,36,สถ.อ.เมือง,email,someone@example.go.th\n"      # a province code for a district office
            "district,9999,สถ.อ.ไม่มี,email,someone@example.go.th\n"      # no such district
            "province,36,สถ.จ.ชัยภูมิ,fax,someone@example.go.th\n"        # no such channel
            "province,36,สถ.จ.ชัยภูมิ,line,someone.private@example.go.th\n"  # not a LINE id
            "national,36,,email,dla@example.go.th\n"                   # national covers the whole country
            "district,3601,,email,x@example.go.th\n"                    # no office name
            "province,36,สถ.จ.ชัยภูมิ,email,p@example.go.th,,,\n")     # fine
    with pytest.raises(DirectoryProblem) as caught:
        read_directory(text)
    problems = caught.value.problems
    assert [(p.line, p.column) for p in problems] == [(2, "areas"), (3, "areas"), (4, "channel"), (5, "address"),
                                                      (6, "areas"), (7, "office")]
    assert all(p.message_th and p.message_en for p in problems)
    assert "someone.private" not in str(caught.value) and "someone.private" not in repr(problems)


def test_a_directory_without_the_needed_columns_is_refused() -> None:
    with pytest.raises(DirectoryProblem, match="address"):
        read_directory("level,areas,channel\ndistrict,3601,email\n")
    with pytest.raises(DirectoryProblem, match="empty"):
        read_directory("")


def test_the_builtin_routing_tells_applicants_and_offices_what_the_issue_asks() -> None:
    routing = Routing.load()
    for template in ("received", "returned", "rejected", "scored"):
        assert routing.audiences(template) == ("applicant",)
    assert routing.office_levels("reminder") == ("district", "province")
    assert routing.office_levels("digest") == ("district", "province", "national")
    assert routing.route("scored").on_review is True
    assert routing.route("reminder").skip_when_nothing_to_chase is True


def test_an_operators_routing_file_changes_only_what_it_names(tmp_path: Path) -> None:
    path = tmp_path / "routing.toml"
    path.write_text('[returned]\nto = ["applicant", "district"]\n[scored]\non_review = false\n', encoding="utf-8")
    routing = Routing.load(path)
    assert routing.audiences("returned") == ("applicant", "district")
    assert routing.audiences("scored") == ("applicant",) and routing.route("scored").on_review is False
    assert routing.audiences("digest") == ("district", "province", "national")


@pytest.mark.parametrize(("content", "message"), [
    ('[approved]\nto = ["applicant"]\n', "unknown template"),
    ('[returned]\nto = ["mayor"]\n', "unknown audiences"),
    ('[digest]\nto = ["applicant"]\n', "offices, not to an applicant"),
    ('[returned]\nsend = true\n', "unknown settings"),
    ("[returned\n", "routing.toml"),
])
def test_a_wrong_routing_file_is_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "routing.toml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RoutingProblem, match=message):
        Routing.load(path)


def test_recipients_are_masked_by_channel_and_hashed_for_keys() -> None:
    assert mask("smartcity@example.go.th") == "sm***@example.go.th"
    assert mask_line_id(LINE_USER) == "U0123***"
    assert mask_url("https://hooks.example.go.th:8443/smartcity/abc?token=x") == "https://hooks.example.go.th:8443/***"
    assert mask_recipient("webhook", "not a url") == "***"
    assert recipient_hash("A@Example.go.th") == recipient_hash("a@example.go.th")
    assert recipient_hash(LINE_USER, "line") != recipient_hash(LINE_USER, "webhook")
    assert Recipient(kind="province", channel="line", address=LINE_USER).masked == "U0123***"


def test_error_text_loses_every_address_url_and_line_id() -> None:
    text = (f"400 to {LINE_USER}: user not found; POST https://hooks.example.go.th/x?token=secret failed; "
            "<a.person@example.go.th> refused")
    cleaned = scrub(text)
    assert LINE_USER not in cleaned and "token=secret" not in cleaned and "a.person@" not in cleaned
    assert "U0123***" in cleaned and "https://hooks.example.go.th/***" in cleaned and "a.***@example.go.th" in cleaned
