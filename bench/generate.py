"""Realistic generated submissions: real provinces and districts (geothai), Thai names and answers,
several projects, a share of ineligible and of fixable ones, and resubmissions."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import geothai

DIMENSIONS = ["environment", "energy", "mobility", "economy", "living", "people", "governance"]
PROJECT_WORDS = ["ระบบแจ้งเหตุผ่าน LINE OA", "ไฟส่องสว่างพลังงานแสงอาทิตย์", "รถรับส่งอัจฉริยะ", "ตลาดชุมชนออนไลน์",
                 "ศูนย์ข้อมูลเมือง", "เซ็นเซอร์ตรวจวัดฝุ่น PM2.5", "ระบบคัดแยกขยะ", "คลินิกการแพทย์ทางไกล"]
PARTNERS = ["มหาวิทยาลัยราชภัฏ", "สำนักงานส่งเสริมเศรษฐกิจดิจิทัล", "หอการค้าจังหวัด", "การไฟฟ้าส่วนภูมิภาค",
            "วิสาหกิจชุมชน"]
# The country's LAOs by type (domain.md): municipalities compete, the others are ineligible.
LAO_TYPES = [("เทศบาลนคร", 30), ("เทศบาลเมือง", 195), ("เทศบาลตำบล", 2247), ("องค์การบริหารส่วนตำบล", 5300),
             ("องค์การบริหารส่วนจังหวัด", 76)]


@dataclass(frozen=True)
class Lao:
    name: str
    type: str
    province: str
    district: str
    email: str


def laos(count: int, seed: int = 2568, *, ineligible_share: float | None = None) -> list[Lao]:
    """`count` distinct LAOs spread over the country's real districts.

    By default the national mix of types (most LAOs are อบต., not eligible); with `ineligible_share`, the
    applicants' mix: municipalities, and that share of ineligible LAOs that apply all the same.
    """
    rng = random.Random(seed)
    districts = [d for p in geothai.provinces() for d in geothai.districts(p.code)]
    if ineligible_share is None:
        population = [name for name, weight in LAO_TYPES for _ in range(weight)]
    else:
        municipal = [name for name, weight in LAO_TYPES if name.startswith("เทศบาล") for _ in range(weight)]
        others = round(len(municipal) * ineligible_share / (1 - ineligible_share))
        population = municipal + ["องค์การบริหารส่วนตำบล"] * others
    found: list[Lao] = []
    for i in range(count):
        district = districts[i % len(districts)]
        province = geothai.province(district.province_code)
        assert province is not None
        lao_type = rng.choice(population)
        base = district.name_th.removeprefix("เขต").removeprefix("เมือง") or district.name_th
        found.append(Lao(name=f"{lao_type}{base} {i}", type=lao_type, province=province.name_th,
                         district=district.name_th, email=f"lao{i}@bench.example.go.th"))
    return found


def submission(lao: Lao, n: int, rng: random.Random, *, fixable: bool = False, revision: int = 1) -> dict[str, Any]:
    dims = rng.sample(DIMENSIONS, rng.randint(1, 5))
    projects = []
    for p in range(rng.randint(1, 5)):
        projects.append({
            "name": f"{rng.choice(PROJECT_WORDS)} ระยะที่ {p + 1}",
            "dimensions": [rng.choice(dims)],
            "description": "โครงการพัฒนาเมืองน่าอยู่อัจฉริยะเพื่อยกระดับคุณภาพชีวิตของประชาชนในพื้นที่",
            "budget_thb": rng.choice([150000, 450000, "1.5 ล้านบาท", "๒,๐๐๐,๐๐๐ บาท", 3200000]),
            "status": rng.choice(["completed", "in_progress", "planned", "ดำเนินการแล้วเสร็จ"]),
            "beneficiaries": rng.randint(100, 60000),
            "outcomes": "ลดเวลาตอบสนองเหตุจาก 3 วันเหลือ 6 ชั่วโมง" if rng.random() < 0.7 else None,
            "evidence_urls": [f"https://drive.google.com/file/d/{n}-{p}/view"],
        })
    body: dict[str, Any] = {
        "campaign": "fy2568",
        "source": "api",
        "source_response_id": f"bench-{n}-r{revision}",
        # A resubmission is sent after the first response (intake orders revisions by the form's own time).
        "submitted_at": f"2025-11-{rng.randint(1, 20) if revision == 1 else rng.randint(21, 24):02d}"
                        f"T{rng.randint(8, 22):02d}:15:00+07:00",
        "lao": {"name": lao.name, "type": lao.type, "province": lao.province, "district": lao.district},
        "contact": {"name": "สมชาย ใจดี", "position": "ปลัดเทศบาล", "phone": "044-811-234", "email": lao.email},
        "readiness": {"has_plan": rng.random() < 0.7, "plan_url": "https://example.go.th/plan.pdf",
                      "depa_mark": rng.choice(["yes", "no", "applying"]), "data_platform": rng.random() < 0.5},
        "dimensions": dims,
        "projects": projects,
        "partners": rng.sample(PARTNERS, rng.randint(0, 4)),
    }
    if fixable:
        body["projects"] = []  # returned for correction: no project described
    return body


def stream(count: int, *, seed: int = 2568, fixable_share: float = 0.1, resubmit_share: float = 0.2,
           ineligible_share: float | None = 0.05) -> Iterator[dict[str, Any]]:
    """`count` first submissions, and `resubmit_share` of them again as revision 2, interleaved later."""
    rng = random.Random(seed)
    population = laos(count, seed, ineligible_share=ineligible_share)
    resubmit = set(rng.sample(range(count), int(count * resubmit_share)))
    pending: list[int] = []
    for i, lao in enumerate(population):
        yield submission(lao, i, rng, fixable=rng.random() < fixable_share)
        if i in resubmit:
            pending.append(i)
        if pending and rng.random() < resubmit_share * 1.2:
            j = pending.pop(0)
            yield submission(population[j], j, rng, revision=2)
    for j in pending:
        yield submission(population[j], j, rng, revision=2)
