"""Freshness benchmark (not a timed test): how long a submission takes from intake to being visible in its
province's view in reporting, at a steady load.

    make bench-freshness                                  # 2 submissions/s for 60 s
    python -m bench.freshness --rate 4 --seconds 120      # other loads

The whole system runs as in production (every service its own process, bench/system.py) on the local
RabbitMQ and MongoDB (AMQP_URL / MONGODB_URL, else a SecantusDB server started here). A paced sender POSTs
one new municipality's response to intake every 1/rate seconds; a watcher reads each province's view
(`GET /v1/campaigns/fy2568/provinces/<code>`) every `--poll` seconds, as a dashboard would, and records
when each submission first appears there and when it first shows its final status (scored, returned or
rejected). Times are measured from the moment intake answered 202. The report names the machine and the
store, since SecantusDB is far slower than mongod.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.system import System
from devtools.infra import DEFAULT_AMQP_URL, MongoServer, start_secantus

ROOT = Path(__file__).resolve().parent.parent
CAMPAIGN = "fy2568"
FINAL = ("scored", "returned", "rejected")
# Real provinces and districts, so intake and validation place every response.
PLACES = [("ชัยภูมิ", "36", "เมืองชัยภูมิ"), ("ขอนแก่น", "40", "เมืองขอนแก่น"), ("เชียงใหม่", "50", "เมืองเชียงใหม่"),
          ("ภูเก็ต", "83", "เมืองภูเก็ต"), ("นครราชสีมา", "30", "เมืองนครราชสีมา")]


def say(message: str) -> None:
    print(f"[freshness {datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def response_body(i: int, run: str) -> dict[str, Any]:
    province, _, district = PLACES[i % len(PLACES)]
    return {
        "campaign": CAMPAIGN, "source": "api", "source_response_id": f"{run}-{i:05d}",
        "submitted_at": "2025-11-24T10:15:00+07:00",
        "lao": {"name": f"เทศบาลตำบลทดสอบ{run}{i:05d}", "type": "เทศบาลตำบล", "province": province,
                "district": district},
        "contact": {"name": "ผู้ประสานงาน", "position": "ปลัดเทศบาล", "phone": "044-811-234",
                    "email": f"bench{i}@example.go.th"},
        "readiness": {"has_plan": True, "plan_url": "https://example.go.th/plan.pdf", "depa_mark": "applying",
                      "data_platform": True},
        "dimensions": ["environment", "governance", "living"],
        "projects": [{"name": "ระบบแจ้งเหตุผ่าน LINE OA", "dimensions": ["governance"],
                      "description": "ประชาชนแจ้งเหตุผ่าน LINE", "budget_thb": 450000, "status": "completed",
                      "beneficiaries": 12000, "outcomes": "ลดเวลาตอบสนองเหตุ",
                      "evidence_urls": ["https://drive.google.com/file/d/abc/view"]}],
        "partners": ["มหาวิทยาลัยราชภัฏชัยภูมิ"],
    }


def percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"n": 0, "p50": None, "p90": None, "p99": None, "max": None}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 3)

    return {"n": len(ordered), "p50": at(0.50), "p90": at(0.90), "p99": at(0.99), "max": round(ordered[-1], 3)}


def machine(store: str) -> dict[str, Any]:
    model = "unknown"
    try:
        model = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                     if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpu": model, "cores": os.cpu_count(), "os": platform.platform(), "python": platform.python_version(),
            "store": store, "broker": "RabbitMQ (local)"}


async def run(system: System, rate: float, seconds: float, poll: float) -> dict[str, Any]:
    reporting, intake = system.url("reporting"), system.url("intake")
    accepted: dict[str, float] = {}
    visible: dict[str, float] = {}
    final: dict[str, float] = {}
    intake_seconds: list[float] = []
    count = int(rate * seconds)
    run_id = datetime.now(UTC).strftime("%H%M%S")
    provinces = sorted({code for _, code, _ in PLACES})
    sending = True

    async def send(client: httpx.AsyncClient) -> None:
        nonlocal sending
        start = time.monotonic()
        for i in range(count):
            await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
            sent = time.monotonic()
            response = await client.post(f"{intake}/v1/submissions", json=response_body(i, run_id))
            response.raise_for_status()
            now = time.monotonic()
            intake_seconds.append(now - sent)
            accepted[response.json()["submission_id"]] = now
        sending = False

    depths: dict[str, int] = {}
    last_depth_check = 0.0

    async def watch(client: httpx.AsyncClient) -> None:
        nonlocal last_depth_check
        deadline = None
        while True:
            if time.monotonic() - last_depth_check >= 1.0:  # which queue backs up, once a second
                last_depth_check = time.monotonic()
                for service, depth in (await system.queue_depths()).items():
                    depths[service] = max(depths.get(service, 0), depth)
            for code in provinces:
                body = (await client.get(f"{reporting}/v1/campaigns/{CAMPAIGN}/provinces/{code}",
                                         params={"limit": 2000})).json()
                seen_at = time.monotonic()
                for item in body["items"]:
                    sid = item["submission_id"]
                    visible.setdefault(sid, seen_at)
                    if item["status"] in FINAL:
                        final.setdefault(sid, seen_at)
            if not sending:
                deadline = deadline or time.monotonic() + 120
                if len(final) >= count or time.monotonic() > deadline:
                    return
            await asyncio.sleep(poll)

    async with httpx.AsyncClient(timeout=30) as client:
        started = time.monotonic()
        await asyncio.gather(send(client), watch(client))
        elapsed = time.monotonic() - started
    # A submission seen before intake's answer reached the sender counts as visible at once.
    to_visible = [max(0.0, visible[s] - t) for s, t in accepted.items() if s in visible]
    to_final = [max(0.0, final[s] - t) for s, t in accepted.items() if s in final]
    return {"rate_per_second": rate, "seconds": seconds, "submissions": count, "accepted": len(accepted),
            "visible": len(to_visible), "final": len(to_final), "poll_seconds": poll,
            "elapsed_seconds": round(elapsed, 1), "intake_seconds": percentiles(intake_seconds),
            "to_visible_seconds": percentiles(to_visible), "to_final_status_seconds": percentiles(to_final),
            "max_queue_depth": depths}


def markdown(report: dict[str, Any]) -> str:
    m, r = report["machine"], report["result"]
    rows = [("intake answers 202", r["intake_seconds"]), ("visible in the province's view", r["to_visible_seconds"]),
            ("final status in the province's view", r["to_final_status_seconds"])]
    lines = [f"Freshness at {r['rate_per_second']} submissions/s for {r['seconds']:.0f} s "
             f"({r['accepted']} accepted, {r['visible']} visible, {r['final']} final; the view polled every "
             f"{r['poll_seconds']} s), on {m['cpu']} ({m['cores']} cores), store: {m['store']}.", "",
             "| from intake's 202 to … | n | p50 s | p90 s | p99 s | max s |", "| --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {name} | {v['n']} | {v['p50']} | {v['p90']} | {v['p99']} | {v['max']} |" for name, v in rows]
    lines += ["", "Deepest queue seen: " + ", ".join(f"{k} {v}" for k, v in sorted(r["max_queue_depth"].items()))]
    return "\n".join(lines)


async def main(args: argparse.Namespace) -> int:
    mongo: MongoServer | None = None
    store = "MongoDB at MONGODB_URL"
    mongodb_url = os.environ.get("MONGODB_URL")
    if not mongodb_url:
        mongo = start_secantus(tempfile.mkdtemp(prefix="freshness-mongo-"))
        mongodb_url, store = mongo.url, "SecantusDB (local MongoDB wire server, on disk)"
    system = System(os.environ.get("AMQP_URL", DEFAULT_AMQP_URL), mongodb_url, ROOT / "test-artifacts" / "bench"
                    / "freshness", env_extra={"LOG_LEVEL": "WARNING"})
    try:
        say("starting every service")
        system.start()
        say(f"sending {args.rate}/s for {args.seconds:.0f} s")
        result = await run(system, args.rate, args.seconds, args.poll)
    finally:
        system.stop()
        await system.cleanup()
        if mongo is not None:
            mongo.stop()
    report = {"at": datetime.now(UTC).isoformat(), "machine": machine(store), "result": result}
    out = ROOT / "test-artifacts" / "bench" / "freshness.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(markdown(report))
    say(f"report: {out}")
    return 0 if result["visible"] == result["accepted"] else 1


def cli() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.freshness", description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=2.0, help="submissions per second (default 2)")
    parser.add_argument("--seconds", type=float, default=60.0, help="how long to send (default 60)")
    parser.add_argument("--poll", type=float, default=0.1, help="how often the watcher reads each view (s)")
    sys.exit(asyncio.run(main(parser.parse_args())))


if __name__ == "__main__":
    cli()
