"""Campaigns are data files: fy2568 as DLA's letters set it, and a second campaign beside it from the
CAMPAIGNS_DIR directory, without code changes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from shared.campaign import BUILTIN_DIR, CampaignBook, UnknownCampaign, load_campaigns
from shared.thai import THAI_TZ

TEST_CAMPAIGNS = Path(__file__).resolve().parents[1] / "data" / "campaigns"


def test_fy2568_is_configured_as_dla_letters_set_it() -> None:
    fy2568 = load_campaigns().get("fy2568")
    assert fy2568.submission_deadline == datetime(2025, 11, 25, 23, 0, tzinfo=THAI_TZ)
    assert fy2568.opens_at == datetime(2025, 10, 21, 0, 0, tzinfo=THAI_TZ)
    assert fy2568.province_deadline.date().isoformat() == "2025-11-28"
    assert fy2568.eligible_lao_types == ("เทศบาลนคร", "เทศบาลเมือง", "เทศบาลตำบล")
    assert (fy2568.late_policy, fy2568.rubric_version) == ("reject", "fy2568-v1")
    assert fy2568.max_project_budget_thb == 500_000_000


def test_the_deadline_second_is_on_time_and_the_next_is_late() -> None:
    fy2568 = load_campaigns().get("fy2568")
    assert not fy2568.is_late(datetime.fromisoformat("2025-11-25T16:00:00+00:00"))
    assert fy2568.is_late(datetime.fromisoformat("2025-11-25T16:00:01+00:00"))


def test_a_second_campaign_from_campaigns_dir_runs_beside_fy2568() -> None:
    book = load_campaigns(str(TEST_CAMPAIGNS))
    assert book.keys() == ["fy2568", "pilot2569"]
    pilot, fy2568 = book.get("pilot2569"), book.get("fy2568")
    assert pilot.late_policy == "accept_flagged" and fy2568.late_policy == "reject"
    assert "องค์การบริหารส่วนตำบล" in pilot.eligible_lao_types
    assert "pilot2569" in book and "fy2570" not in book


def test_unknown_campaign_is_a_lookup_error() -> None:
    with pytest.raises(UnknownCampaign):
        load_campaigns().get("fy2499")


def _write(directory: Path, name: str, text: str) -> None:
    (directory / name).write_text(text, encoding="utf-8")


_BASE = """key = "{key}"
title_th = "ทดสอบ"
title_en = "Test"
opens_at = 2025-10-21T00:00:00+07:00
submission_deadline = {deadline}
district_deadline = 2025-11-25T23:59:59+07:00
province_deadline = 2025-11-28T23:59:59+07:00
eligible_lao_types = ["เทศบาลเมือง"]
late_policy = "reject"
rubric_version = "fy2568-v1"
"""


def test_a_campaign_file_with_dates_out_of_order_is_refused(tmp_path: Path) -> None:
    _write(tmp_path, "bad.toml", _BASE.format(key="bad", deadline="2025-11-30T23:00:00+07:00"))
    with pytest.raises(ValueError, match=r"bad\.toml"):
        CampaignBook([tmp_path])


def test_a_campaign_file_must_be_named_after_its_key(tmp_path: Path) -> None:
    _write(tmp_path, "other.toml", _BASE.format(key="fy2599", deadline="2025-11-25T23:00:00+07:00"))
    with pytest.raises(ValueError, match=r"fy2599\.toml"):
        CampaignBook([tmp_path])


def test_a_later_directory_overrides_a_builtin_campaign(tmp_path: Path) -> None:
    _write(tmp_path, "fy2568.toml", _BASE.format(key="fy2568", deadline="2025-11-25T23:30:00+07:00"))
    book = CampaignBook([BUILTIN_DIR, tmp_path])
    assert book.get("fy2568").submission_deadline.minute == 30
