"""The benchmark instrument itself: a smoke run completes and writes a well-formed report. No speed is
asserted here — figures belong to `make bench`, not to a timed test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support import ROOT, Infra


def test_a_smoke_run_of_the_benchmark_completes_and_writes_a_well_formed_report(infra: Infra, tmp_path: Path) -> None:
    env = {**os.environ, "AMQP_URL": infra.amqp_url, "MONGODB_URL": infra.mongodb_url}
    run = subprocess.run([sys.executable, "-m", "bench.run", "--smoke", "--out", str(tmp_path)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    report = json.loads((tmp_path / "report.json").read_text())
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
    assert set(sustained["per_service"]) == {"intake", "validation", "scoring", "notification", "reporting"}
    assert set(report["ratios"]) >= {"store_write_utilisation", "broker_publish_utilisation"}
    markdown = (tmp_path / "report.md").read_text()
    assert "## Raw limits" in markdown and "## Sustained end to end" in markdown and "SecantusDB" in markdown
