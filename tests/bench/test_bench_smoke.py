"""The benchmark instrument itself: a smoke run completes and writes a well-formed report. No speed is
asserted here — figures belong to `make bench`, not to a timed test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.support import ROOT, Infra


def run_bench(infra: Infra, out: Path, *args: str) -> dict[str, Any]:
    env = {**os.environ, "AMQP_URL": infra.amqp_url, "MONGODB_URL": infra.mongodb_url}
    run = subprocess.run([sys.executable, "-m", "bench.run", "--smoke", *args, "--out", str(out)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    report: dict[str, Any] = json.loads((out / "report.json").read_text())
    return report


def assert_usage_figures(run: dict[str, Any]) -> None:
    assert run["store_writes_per_submission"] > 0 and run["messages_consumed_per_submission"] > 0
    assert set(run["per_service"]) == {"intake", "validation", "scoring", "notification", "reporting"}
    # The store's own account of its time, per service collection (MongoDB `top`).
    assert run["store_time"] and {"intake.revisions", "reporting.event_log"} <= {
        row["collection"] for row in run["store_time"]}
    assert all(row["count"] > 0 and row["seconds"] >= 0 for row in run["store_time"])
    assert abs(sum(row["share"] for row in run["store_time"]) - 1) < 0.05


def test_a_smoke_run_of_the_benchmark_completes_and_writes_a_well_formed_report(infra: Infra, tmp_path: Path) -> None:
    report = run_bench(infra, tmp_path)
    assert report["mode"] == "smoke"
    assert set(report["machine"]) >= {"cpu", "cores", "memory_gib"}
    assert report["raw"]["broker"]["broker"].startswith("RabbitMQ")
    assert report["raw"]["store"]["store"].startswith(("SecantusDB", "mongod"))
    for figure in ("publish_confirmed_sequential_per_s", "consume_ack_prefetch_100_per_s"):
        assert report["raw"]["broker"][figure] > 0
    assert [row["concurrency"] for row in report["latency"]] == [1, 4]
    assert all(row["errors"] == 0 and row["latency_ms"]["p50"] > 0 for row in report["latency"])
    sustained = report["sustained"]
    assert sustained["errors"] == 0 and sustained["submissions_posted"] >= 20
    assert sustained["freshness_samples"] > 0 and sustained["freshness_ms"]["p95"] > 0
    assert sustained["store_writes_per_submission"] > 0 and sustained["events_published_per_submission"] > 0
    assert_usage_figures(sustained)
    assert set(report["ratios"]) >= {"store_write_utilisation", "broker_publish_utilisation"}
    markdown = (tmp_path / "report.md").read_text()
    assert "## Raw limits" in markdown and "## Sustained end to end" in markdown and "SecantusDB" in markdown
    assert "Where the store's time went" in markdown


def test_the_deadline_night_instrument_reports_the_drain_the_queues_and_the_timeline(infra: Infra,
                                                                                   tmp_path: Path) -> None:
    report = run_bench(infra, tmp_path, "--deadline-night", "--laos", "25", "--window", "5")
    night = report["deadline_night"]
    assert report["mode"] == "deadline-night" and report["smoke"] is True
    assert night["laos"] == 25 and night["submissions_posted"] == 30  # 20% resubmissions
    assert night["processed_all"] is True and night["errors"] == 0
    assert 0 <= night["final_in_reporting_after_last_post_seconds"] <= night["backlog_drain_seconds"]
    assert night["max_queue_depth"]["total"] >= 0
    assert night["timeline"] and night["timeline"][0]["seconds"] == 0
    assert_usage_figures(night)
    markdown = (tmp_path / "report.md").read_text()
    assert "## Deadline night" in markdown and "| every one processed | True |" in markdown
