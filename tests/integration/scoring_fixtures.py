"""What scoring's integration tests share: validated submissions as validation would publish them, scoring
running in-process on the real broker and store with a publisher beside it, a second rubric version, and
reading what scoring published."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from services.intake.submission import Submission
from services.scoring.rubric import default_rubric_dir
from services.scoring.service import SPEC as SCORING
from shared import metrics
from shared.bus import Bus
from shared.events import ContactSummary, Envelope, Issue, LaoSummary, SubmissionReturned, SubmissionValidated
from tests.support import InProcessService, Namespace, canonical_submission

ADMIN_TOKEN = "scoring-admin-token-for-tests-01"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
PROVINCES = [("36", "ชัยภูมิ"), ("40", "ขอนแก่น"), ("50", "เชียงใหม่"), ("83", "ภูเก็ต"), ("30", "นครราชสีมา")]
TYPES = ["เทศบาลนคร", "เทศบาลเมือง", "เทศบาลตำบล"]
PARTNERS = ["มหาวิทยาลัยขอนแก่น", "สำนักงานส่งเสริมเศรษฐกิจดิจิทัล", "การไฟฟ้าส่วนภูมิภาค", "หอการค้าจังหวัด",
            "สำนักงานสาธารณสุขจังหวัด", "วิทยาลัยเทคนิค"]
T0 = datetime(2025, 11, 1, 9, 0, tzinfo=UTC)


def varied_body(i: int) -> dict[str, Any]:
    """A valid submission whose automatic points vary with `i` (projects, partners, DEPA mark, outcomes)."""
    body = canonical_submission(i)
    projects = []
    for p in range(1 + i % 3):
        projects.append({
            "name": f"โครงการที่ {p + 1}", "dimensions": [["governance", "energy", "living"][p], "people"][: 1 + i % 2],
            "budget_thb": 300_000 * (1 + (i * 7 + p) % 9), "status": ["completed", "in_progress"][(i + p) % 2],
            "beneficiaries": 1_500 * (1 + (i * 3 + p) % 11),
            "outcomes": "ลดเวลารอคอยลงครึ่งหนึ่ง" if (i + p) % 3 else None,
        })
    body["projects"] = projects
    body["partners"] = PARTNERS[: i % 7]
    body["readiness"] = {**body["readiness"], "depa_mark": ["yes", "applying", "no"][i % 3],
                         "data_platform": i % 4 != 0}
    body["submitted_at"] = (T0 + timedelta(minutes=i)).isoformat()
    return body


def validated(i: int, *, body: dict[str, Any] | None = None, submission_id: str | None = None, revision: int = 1,
              province: tuple[str, str] | None = None, lao_type: str | None = None,
              size_class: str | None = None) -> Envelope:
    """`submission.validated` as validation publishes it for the i-th municipality."""
    province_code, province_name = province or PROVINCES[i % len(PROVINCES)]
    lao_type = lao_type or TYPES[i % len(TYPES)]
    submission = Submission.model_validate(body or varied_body(i))
    data = SubmissionValidated(
        submission_id=submission_id or f"fy2568-{province_code}-{i:04d}", revision=revision, campaign="fy2568",
        lao=LaoSummary(name=f"{lao_type}ทดสอบ {i}", type=lao_type, province_code=province_code,
                       province_name=province_name, size_class=size_class, registry_verified=size_class is not None),
        contact=ContactSummary(name="สมชาย ใจดี", email=f"lao{i}@example.go.th"),
        submission=submission,
    )
    return Envelope.build(data, producer="validation", correlation_id=data.submission_id)


def returned(submission_id: str, revision: int, province: tuple[str, str] = PROVINCES[0]) -> Envelope:
    data = SubmissionReturned(
        submission_id=submission_id, revision=revision, campaign="fy2568",
        lao=LaoSummary(name="เทศบาลทดสอบ", type="เทศบาลเมือง", province_code=province[0], province_name=province[1]),
        contact=ContactSummary(email="lao@example.go.th"),
        issues=[Issue(code="PROJECTS_MISSING", field="projects", severity="return", message_th="ไม่มีโครงการ",
                      message_en="No project")],
    )
    return Envelope.build(data, producer="validation", correlation_id=submission_id)


def write_second_rubric(directory: Path) -> Path:
    """fy2568-v2: partners weigh more (bands 1/2/3 → 4/6/8) and the tiers are lower (65 / 45)."""
    directory.mkdir(parents=True, exist_ok=True)
    text = (default_rubric_dir() / "fy2568-v1.toml").read_text(encoding="utf-8")
    text = text.replace('version = "fy2568-v1"', 'version = "fy2568-v2"')
    text = text.replace("outstanding_min = 70", "outstanding_min = 65").replace("efficient_min = 50",
                                                                               "efficient_min = 45")
    old_bands = '''  { min = 1, points = 2 },
  { min = 3, points = 5 },
  { min = 5, points = 8 },'''
    assert old_bands in text
    text = text.replace(old_bands, '''  { min = 1, points = 4 },
  { min = 2, points = 6 },
  { min = 3, points = 8 },''')
    path = directory / "fy2568-v2.toml"
    path.write_text(text, encoding="utf-8")
    return directory


@asynccontextmanager
async def running_scoring(namespace: Namespace, **settings: Any) -> AsyncIterator[tuple[InProcessService, Bus]]:
    """Scoring on a real socket, consuming its real queue, and a publisher standing in for validation."""
    publisher = Bus(namespace.settings("test-publisher"), "test-publisher")
    await publisher.connect()
    try:
        async with InProcessService(SCORING, namespace.settings("scoring", scoring_admin_token=ADMIN_TOKEN,
                                                                **settings)) as scoring:
            yield scoring, publisher
    finally:
        await publisher.close()



async def publish_all(publisher: Bus, events: Sequence[Envelope], at_once: int = 50) -> None:
    """Publish with confirms, `at_once` in flight at a time (one by one, 300 confirms take seconds)."""
    for start in range(0, len(events), at_once):
        await asyncio.gather(*(publisher.publish(event) for event in events[start:start + at_once]))


def handled(event_type: str) -> float:
    """How many events of this type scoring has handled and acked in this process so far."""
    return float(metrics.MESSAGES_CONSUMED.labels("scoring", event_type)._value.get())
