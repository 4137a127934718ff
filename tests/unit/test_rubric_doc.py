"""The default rubric's document for officials is generated from the rubric file, so it cannot drift: the
committed document must equal what the generator writes today, and it must say it is a default."""

from __future__ import annotations

from pathlib import Path

from services.scoring.rubric import default_rubric_dir, load_rubric
from services.scoring.rubric.doc import explain_rule, main, render, source_of

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = ROOT / "docs" / "rubric-fy2568.md"
RUBRIC_FILE = default_rubric_dir() / "fy2568-v1.toml"


def test_the_committed_rubric_document_is_what_the_rubric_file_generates() -> None:
    expected = render(load_rubric(RUBRIC_FILE), source_of(RUBRIC_FILE))
    assert DOCUMENT.read_text(encoding="utf-8") == expected, (
        "docs/rubric-fy2568.md is out of date: python -m services.scoring.rubric.doc fy2568-v1 > docs/rubric-fy2568.md")


def test_the_check_option_fails_on_a_stale_document(tmp_path: Path) -> None:
    stale = tmp_path / "rubric.md"
    stale.write_text(DOCUMENT.read_text(encoding="utf-8").replace("| 8 |", "| 9 |", 1), encoding="utf-8")
    assert main(["fy2568-v1", "--check", str(stale)]) == 1
    assert main(["fy2568-v1", "--check", str(DOCUMENT)]) == 0


def test_the_document_says_plainly_it_is_a_default_to_be_replaced_by_dlas_rubric() -> None:
    text = DOCUMENT.read_text(encoding="utf-8")
    assert "It is not DLA's rubric and is to be replaced by DLA's own." in text
    assert "ไม่ใช่เกณฑ์ของกรมส่งเสริมการปกครองท้องถิ่น และจะถูกแทนที่ด้วยเกณฑ์ของกรมฯ" in text


def test_every_criterion_and_its_points_appear_in_the_document() -> None:
    rubric = load_rubric(RUBRIC_FILE)
    text = DOCUMENT.read_text(encoding="utf-8")
    for _, criterion in rubric.iter_criteria():
        how_th, how_en = explain_rule(criterion)
        assert f"| `{criterion.key}` {criterion.title_th} / {criterion.title_en} | {int(criterion.points)} |" in text
        assert how_th in text and how_en in text
    assert "| ที่มีความโดดเด่น / outstanding | 70 |" in text
    assert "| `small` | ขนาดเล็ก | small | เทศบาลตำบล |" in text


def test_bands_are_described_with_what_below_the_lowest_band_gives() -> None:
    rubric = load_rubric(RUBRIC_FILE)
    how_th, how_en = explain_rule(rubric.criterion("budget"))
    assert "ตั้งแต่ 500,000 บาท → 2; ตั้งแต่ 2,000,000 บาท → 4; ตั้งแต่ 10,000,000 บาท → 6; น้อยกว่า 500,000 บาท → 0" \
        in how_th
    assert "below 500,000 baht → 0" in how_en
