"""`make bench`: measure the raw limits of the broker and store, then the whole system driven through
HTTP at intake, and report each figure beside those limits (JSON and Markdown).

    python -m bench.run                  # the default run: a few minutes
    python -m bench.run --smoke          # seconds: checks the instrument, figures meaningless
    python -m bench.run --deadline-night # 7,850 LAOs + 20% resubmissions within 10 minutes

A program, not a library: its length is the list of measurements and the report, read top to bottom.
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
import psutil

from bench import generate, raw
from bench.system import System
from devtools.infra import DEFAULT_AMQP_URL, start_secantus
from devtools.processes import ROOT

FINAL = ("scored", "returned", "rejected")


def say(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def percentiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {"p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": round(ordered[-1], 1)}


def store_time_delta(before: dict[str, Any], after: dict[str, Any], submissions: int) -> list[dict[str, Any]]:
    """Where the store's time went between two `top` readings, per collection and operation, busiest first."""
    rows = []
    for namespace, ops in after.items():
        for op, figures in ops.items():
            earlier = before.get(namespace, {}).get(op, {"time": 0, "count": 0})
            micros, count = figures["time"] - earlier["time"], figures["count"] - earlier["count"]
            if count > 0:
                rows.append({"collection": namespace, "operation": op, "count": count, "seconds": micros / 1e6})
    total = sum(row["seconds"] for row in rows) or 1.0
    rows.sort(key=lambda row: row["seconds"], reverse=True)
    return [{**row, "seconds": round(row["seconds"], 2), "share": round(row["seconds"] / total, 3),
             "per_submission": round(row["count"] / submissions, 2),
             "ms_each": round(1000 * row["seconds"] / row["count"], 2)} for row in rows]


def machine() -> dict[str, Any]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cpu": model, "cores": os.cpu_count(), "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
            "os": platform.platform(), "python": platform.python_version()}


class Driver:
    """Posts submissions to intake and follows them to reporting."""

    def __init__(self, system: System, *, longest_poll_s: float = 2.0) -> None:
        self.system = system
        self.longest_poll_s = longest_poll_s
        self.client = httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=64))
        self.latencies: list[float] = []
        self.accepted: dict[str, int] = {}  # submission id → highest revision accepted
        self.freshness: list[float] = []
        self._followers: list[asyncio.Task[None]] = []
        self.errors = 0

    async def close(self) -> None:
        for task in self._followers:
            task.cancel()
        await self.client.aclose()

    async def post(self, body: dict[str, Any], *, follow: bool = False) -> None:
        started = time.perf_counter()
        response = await self.client.post(f"{self.system.url('intake')}/v1/submissions", json=body)
        self.latencies.append((time.perf_counter() - started) * 1000)
        if response.status_code not in (200, 202):
            self.errors += 1
            if self.errors <= 3:
                say(f"intake answered {response.status_code}: {response.text[:300]}")
            return
        accepted = response.json()
        sub_id, revision = accepted["submission_id"], accepted["revision"]
        # A response older than one already held is history: reporting shows the newer one.
        shown = revision if accepted.get("current", True) else 0
        self.accepted[sub_id] = max(shown, self.accepted.get(sub_id, 0))
        if follow:
            self._followers.append(asyncio.create_task(self._follow(sub_id, revision, started)))

    async def _follow(self, sub_id: str, revision: int, started: float) -> None:
        """Freshness: from the POST until the submission's final status is visible in reporting."""
        url = f"{self.system.url('reporting')}/v1/submissions/{sub_id}"
        while True:
            response = await self.client.get(url)
            if response.status_code == 200:
                view = response.json()
                if (view.get("current_revision") or 0) >= revision and view.get("status") in FINAL:
                    self.freshness.append((time.perf_counter() - started) * 1000)
                    return
            # The resolution is 5% of the time waited so far (from 0.1 s): polling every 50 ms made the
            # probes themselves a fifth of reporting's work, and every 250 ms a quarter of the store's
            # (docs/performance.md).
            await asyncio.sleep(min(self.longest_poll_s, max(0.1, 0.05 * (time.perf_counter() - started))))

    async def run(self, bodies: list[dict[str, Any]], concurrency: int, *, follow_every: int = 0,
                  pace_per_s: float | None = None) -> None:
        queue: asyncio.Queue[tuple[int, dict[str, Any]]] = asyncio.Queue()
        for item in enumerate(bodies):
            queue.put_nowait(item)
        begin = time.perf_counter()

        async def worker() -> None:
            while not queue.empty():
                index, body = queue.get_nowait()
                if pace_per_s:
                    delay = begin + index / pace_per_s - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                await self.post(body, follow=bool(follow_every) and index % follow_every == 0)

        await asyncio.gather(*(worker() for _ in range(concurrency)))

    async def followers_done(self, timeout: float) -> None:
        if self._followers:
            await asyncio.wait(self._followers, timeout=timeout)

    async def national(self) -> dict[str, Any]:
        response = await self.client.get(f"{self.system.url('reporting')}/v1/campaigns/fy2568/national")
        if response.status_code == 404:  # nothing reported for the campaign yet
            return {"submissions": 0, "counts": {}}
        body: dict[str, Any] = response.json()
        return body

    async def settled(self, timeout: float, baseline: int, on_poll: Any = None) -> float:
        """Wait until reporting shows every accepted submission at its newest revision, final
        (`baseline`: the applications reported before this run)."""
        deadline = time.monotonic() + timeout
        next_note = time.monotonic() + 10
        while time.monotonic() < deadline:
            if on_poll is not None:
                await on_poll()
            national = await self.national()
            counts = national.get("counts", {})
            if time.monotonic() > next_note:
                say(f"waiting: reporting has {national.get('submissions')} applications "
                    f"(expecting {baseline + len(self.accepted)}), {counts}")
                next_note = time.monotonic() + 10
            if national.get("submissions") == baseline + len(self.accepted) and counts.get("received", 1) == 0 \
                    and counts.get("validated", 1) == 0 and await self._newest_revisions_visible():
                return time.perf_counter()
            await asyncio.sleep(0.25)
        raise TimeoutError("the system did not settle")

    async def _newest_revisions_visible(self) -> bool:
        """Whether every resubmitted application shows its newest revision, final. Read 32 at a time, so that
        the check itself (1,570 reads in the deadline night) adds little to the time it measures."""
        limit = asyncio.Semaphore(32)

        async def visible(sub_id: str, revision: int) -> bool:
            async with limit:
                view = (await self.client.get(f"{self.system.url('reporting')}/v1/submissions/{sub_id}")).json()
            return (view.get("current_revision") or 0) >= revision and view.get("status") in FINAL

        checks = [visible(sub_id, revision) for sub_id, revision in self.accepted.items() if revision >= 2]
        return all(await asyncio.gather(*checks))


async def latency_levels(system: System, levels: list[int], per_level: int, seed: int,
                         applications: set[str]) -> list[dict[str, Any]]:
    """Intake alone at each concurrency level; `applications` gathers the submission ids accepted."""
    results = []
    for level_index, concurrency in enumerate(levels):
        bodies = list(generate.stream(per_level, seed=seed + level_index, resubmit_share=0))
        for body in bodies:  # distinct response ids per level
            body["source_response_id"] = f"lat{concurrency}-" + body["source_response_id"]
            body["lao"]["name"] += f" ล{concurrency}"
        driver = Driver(system)
        started = time.perf_counter()
        await driver.run(bodies, concurrency)
        elapsed = time.perf_counter() - started
        await driver.close()
        applications.update(driver.accepted)
        results.append({"concurrency": concurrency, "requests": len(bodies),
                        "intake_requests_per_s": round(len(bodies) / elapsed, 1),
                        "latency_ms": percentiles(driver.latencies), "errors": driver.errors})
    return results


class Meter:
    """What the system used between two moments: store writes and time, bus messages, CPU per process."""

    def __init__(self, system: System) -> None:
        self.system = system

    async def start(self) -> Meter:
        self.writes = await self.system.store_writes()
        self.store_time = await self.system.store_time()
        self.messages = await self.system.message_counts()
        self.cpu = self.system.resources()
        return self

    async def figures(self, submissions: int, elapsed: float) -> dict[str, Any]:
        writes = await self.system.store_writes() - self.writes
        store_time = store_time_delta(self.store_time, await self.system.store_time(), submissions)
        messages = await self.system.message_counts()
        cpu = self.system.resources()
        delta = {k: messages.get(k, 0) - self.messages.get(k, 0) for k in messages}
        return {
            "store_writes_per_submission": round(writes / submissions, 2),
            "events_published_per_submission": round(delta.get("smartcity_events_published_total", 0)
                                                     / submissions, 2),
            "messages_consumed_per_submission": round(delta.get("smartcity_messages_consumed_total", 0)
                                                      / submissions, 2),
            "messages_retried": delta.get("smartcity_messages_retried_total", 0),
            "messages_dead_lettered": delta.get("smartcity_messages_dead_lettered_total", 0),
            "store_time": store_time,
            "per_service": {
                service: {
                    "cpu_seconds": round(cpu[service]["cpu_seconds"] - self.cpu[service]["cpu_seconds"], 2),
                    "cpu_percent_of_one_core": round(100 * (cpu[service]["cpu_seconds"]
                                                            - self.cpu[service]["cpu_seconds"]) / elapsed, 1),
                    "rss_mib": round(cpu[service]["rss_mib"], 1),
                } for service in cpu
            },
        }


async def sustained(system: System, count: int, concurrency: int, seed: int, earlier: set[str]) -> dict[str, Any]:
    bodies = list(generate.stream(count, seed=seed))
    meter = await Meter(system).start()
    driver = Driver(system)
    baseline = len(earlier)  # applications of earlier phases, whether or not reporting shows them yet
    started = time.perf_counter()
    await driver.run(bodies, concurrency, follow_every=10)
    posted_at = time.perf_counter()
    finished = await driver.settled(timeout=600, baseline=baseline)
    await driver.followers_done(timeout=60)
    elapsed = finished - started
    used = await meter.figures(len(bodies), elapsed)
    await driver.close()
    return {
        "submissions_posted": len(bodies),
        "applications": len(driver.accepted),
        "concurrency": concurrency,
        "seconds_to_post": round(posted_at - started, 2),
        "seconds_to_settle": round(elapsed, 2),
        "end_to_end_submissions_per_s": round(len(bodies) / elapsed, 2),
        "freshness_ms": percentiles(driver.freshness),
        "freshness_samples": len(driver.freshness),
        "intake_latency_ms": percentiles(driver.latencies),
        "errors": driver.errors,
        **used,
    }


async def deadline_night(system: System, laos: int, window_s: float, concurrency: int, seed: int) -> dict[str, Any]:
    bodies = list(generate.stream(laos, seed=seed, ineligible_share=None, resubmit_share=0.2))
    # One in a hundred is followed to reporting, polled at most every 5 s, so the probes stay a small load.
    driver = Driver(system, longest_poll_s=5.0)
    baseline = (await driver.national())["submissions"]
    meter = await Meter(system).start()
    max_depth = {"total": 0}
    timeline: list[dict[str, Any]] = []
    last_poll = 0.0
    started = time.perf_counter()

    async def watch_queues() -> None:
        nonlocal last_poll
        if time.monotonic() - last_poll < 1:
            return
        last_poll = time.monotonic()
        depths = await system.queue_depths()
        if sum(depths.values()) > max_depth["total"]:
            max_depth.update(depths, total=sum(depths.values()))
        at = time.perf_counter() - started
        if not timeline or at - timeline[-1]["seconds"] >= 30:
            counts = (await driver.national()).get("counts", {})
            timeline.append({"seconds": round(at), "posted": len(driver.latencies),
                             "final_in_reporting": sum(counts.get(status, 0) for status in FINAL),
                             "queued": sum(depths.values())})

    async def watcher() -> None:
        while True:
            await watch_queues()
            await asyncio.sleep(1)

    watching = asyncio.create_task(watcher())
    await driver.run(bodies, concurrency, pace_per_s=len(bodies) / window_s, follow_every=100)
    posted = time.perf_counter()
    try:
        finished = await driver.settled(timeout=3600, baseline=baseline, on_poll=watch_queues)
        # Then the rest of the backlog (notifications, mostly): until every queue is empty and nothing is handled.
        drained = await wait_drained(system, timeout=3600, on_poll=watch_queues)
        processed_all = True
    except TimeoutError:
        finished = drained = time.perf_counter()
        processed_all = False
    watching.cancel()
    await driver.followers_done(timeout=60)
    national = await driver.national()
    used = await meter.figures(len(bodies), drained - started)
    await driver.close()
    return {
        "laos": laos, "submissions_posted": len(bodies), "window_seconds": window_s,
        "seconds_to_post": round(posted - started, 1),
        "final_in_reporting_after_last_post_seconds": round(finished - posted, 1),
        "backlog_drain_seconds": round(drained - posted, 1),
        "processed_all": processed_all and driver.errors == 0 and used["messages_dead_lettered"] == 0
        and national.get("submissions") == baseline + len(driver.accepted),
        "applications": len(driver.accepted), "national_counts": national.get("counts"),
        "max_queue_depth": max_depth, "intake_latency_ms": percentiles(driver.latencies), "errors": driver.errors,
        "end_to_end_submissions_per_s": round(len(bodies) / (finished - started), 2),
        "freshness_ms": percentiles(driver.freshness), "freshness_samples": len(driver.freshness),
        "timeline": timeline, **used,
    }


async def wait_drained(system: System, timeout: float, on_poll: Any = None, quiet_s: float = 3.0) -> float:
    """When the backlog was gone: every queue empty and no message handled for `quiet_s` seconds (messages in a
    consumer's hands are not in the queue's count). Returns the moment the last message was handled."""
    deadline = time.monotonic() + timeout
    last_count, last_change = -1.0, time.perf_counter()
    while time.monotonic() < deadline:
        if on_poll is not None:
            await on_poll()
        depth = sum((await system.queue_depths()).values())
        handled = (await system.message_counts()).get("smartcity_messages_consumed_total", 0.0)
        if handled != last_count or depth:
            last_count, last_change = handled, time.perf_counter()
        elif time.perf_counter() - last_change >= quiet_s:
            return last_change
        await asyncio.sleep(0.5)
    raise TimeoutError("the queues did not drain")


def ratios(report: dict[str, Any]) -> dict[str, Any]:
    """Each system figure beside the raw limit it consumes."""
    store, broker, run = report["raw"]["store"], report["raw"]["broker"], report.get("sustained")
    if not run:
        return {}
    e2e = run["end_to_end_submissions_per_s"]
    return {
        "store_write_utilisation": round(e2e * run["store_writes_per_submission"]
                                         / store["insert_one_journaled_per_s"], 3),
        "broker_publish_utilisation": round(e2e * run["events_published_per_submission"]
                                            / broker["publish_confirmed_sequential_per_s"], 3),
        "broker_consume_utilisation": round(e2e * run["messages_consumed_per_submission"]
                                            / broker["consume_ack_prefetch_100_per_s"], 3),
        "explanation": "end-to-end submissions/s × operations per submission ÷ the raw rate of that operation",
    }


def usage_tables(run: dict[str, Any], limit: int = 12) -> list[str]:
    """CPU and memory per process, and where the store's time went."""
    lines = ["| service | CPU s | % of one core | RSS MiB |", "| --- | --- | --- | --- |"]
    for service, figures in run["per_service"].items():
        lines.append(f"| {service} | {figures['cpu_seconds']} | {figures['cpu_percent_of_one_core']} | "
                     f"{figures['rss_mib']} |")
    if not run["store_time"]:
        return [*lines, "", "Where the store's time went: unavailable (the store refused MongoDB's `top`).", ""]
    lines += ["", "Where the store's time went (MongoDB `top`, busiest first):", "",
             "| collection | operation | per submission | ms each, waiting included | seconds | share |",
             "| --- | --- | --- | --- | --- | --- |"]
    for row in run["store_time"][:limit]:
        lines.append(f"| {row['collection']} | {row['operation']} | {row['per_submission']} | {row['ms_each']} | "
                     f"{row['seconds']} | {row['share']:.1%} |")
    return [*lines, ""]


def markdown(report: dict[str, Any]) -> str:
    m, raw_, lines = report["machine"], report["raw"], []
    lines += [f"# Benchmark — {report['started_at']}", "",
              f"Machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']}, Python {m['python']}.",
              f"Store: {raw_['store']['store']}. Broker: {raw_['broker']['broker']}. Mode: {report['mode']}.", "",
              "## Raw limits", "", "| operation | per second |", "| --- | --- |",
              f"| publish with confirm, one at a time | {raw_['broker']['publish_confirmed_sequential_per_s']} |",
              f"| publish with confirm, 64 in flight | {raw_['broker']['publish_confirmed_64_in_flight_per_s']} |",
              f"| consume with ack (prefetch 100) | {raw_['broker']['consume_ack_prefetch_100_per_s']} |",
              f"| MongoDB insert_one (w=majority, j=true) | {raw_['store']['insert_one_journaled_per_s']} |",
              f"| MongoDB find_one by unique index | {raw_['store']['find_one_indexed_per_s']} |", ""]
    if report.get("latency"):
        lines += ["## Intake latency", "", "| concurrency | requests/s | p50 ms | p95 ms | p99 ms |",
                  "| --- | --- | --- | --- | --- |"]
        for row in report["latency"]:
            p = row["latency_ms"]
            lines.append(f"| {row['concurrency']} | {row['intake_requests_per_s']} | {p['p50']} | {p['p95']} "
                         f"| {p['p99']} |")
        lines.append("")
    if report.get("sustained"):
        s = report["sustained"]
        f = s["freshness_ms"]
        lines += ["## Sustained end to end", "", "| figure | value |", "| --- | --- |",
                  f"| submissions posted (incl. resubmissions) | {s['submissions_posted']} |",
                  "| end-to-end submissions/s (intake → scored and visible in reporting) | "
                  f"{s['end_to_end_submissions_per_s']} |",
                  "| freshness p50 / p95 / p99 ms (POST → final status in reporting) | "
                  f"{f['p50']} / {f['p95']} / {f['p99']} |",
                  f"| MongoDB writes per submission | {s['store_writes_per_submission']} |",
                  f"| events published per submission | {s['events_published_per_submission']} |",
                  f"| messages consumed per submission | {s['messages_consumed_per_submission']} |",
                  f"| retried / dead-lettered | {s['messages_retried']} / {s['messages_dead_lettered']} |", ""]
        lines += usage_tables(s)
    if report.get("ratios"):
        r = report["ratios"]
        lines += ["## Against the raw limits", "", f"({r['explanation']})", "",
                  f"- store writes: {r['store_write_utilisation']:.1%} of the raw insert rate",
                  f"- broker publishes: {r['broker_publish_utilisation']:.1%} of the raw confirmed publish rate",
                  f"- broker consumes: {r['broker_consume_utilisation']:.1%} of the raw consume rate", ""]
    if report.get("deadline_night"):
        d = report["deadline_night"]
        lines += ["## Deadline night", "", "| figure | value |", "| --- | --- |",
                  f"| LAOs / submissions posted | {d['laos']} / {d['submissions_posted']} |",
                  f"| posted within (s) | {d['seconds_to_post']} (window {d['window_seconds']}) |",
                  f"| every one processed | {d['processed_all']} |",
                  "| every submission final in reporting, after the last POST (s) | "
                  f"{d['final_in_reporting_after_last_post_seconds']} |",
                  f"| every queue drained (notifications included), after the last POST (s) | "
                  f"{d['backlog_drain_seconds']} |",
                  f"| max queue depth | {d['max_queue_depth']} |",
                  "| end-to-end submissions/s, first POST to the last one final in reporting | "
                  f"{d['end_to_end_submissions_per_s']} |",
                  f"| intake latency p50 / p95 / p99 ms | {d['intake_latency_ms']['p50']} / "
                  f"{d['intake_latency_ms']['p95']} / {d['intake_latency_ms']['p99']} |",
                  f"| freshness p50 / p95 / p99 ms (one in a hundred followed) | {d['freshness_ms']['p50']} / "
                  f"{d['freshness_ms']['p95']} / {d['freshness_ms']['p99']} |",
                  f"| MongoDB writes per submission | {d['store_writes_per_submission']} |",
                  f"| messages consumed per submission | {d['messages_consumed_per_submission']} |",
                  f"| retried / dead-lettered | {d['messages_retried']} / {d['messages_dead_lettered']} |", "",
                  "| seconds | posted | final in reporting | queued messages |", "| --- | --- | --- | --- |"]
        lines += [f"| {row['seconds']} | {row['posted']} | {row['final_in_reporting']} | {row['queued']} |"
                  for row in d["timeline"]]
        lines += ["", *usage_tables(d)]
    return "\n".join(lines)


async def main(args: argparse.Namespace) -> Path:
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    out = Path(args.out) if args.out else ROOT / ".data" / "bench" / started_at.replace(":", "")
    out.mkdir(parents=True, exist_ok=True)
    mongo = None
    mongodb_url = os.environ.get("MONGODB_URL")
    if not mongodb_url:
        mongo = start_secantus(tempfile.mkdtemp(prefix="bench-mongo-"), log_path=out / "secantusd.log")
        mongodb_url = mongo.url
    amqp_url = os.environ.get("AMQP_URL", DEFAULT_AMQP_URL)
    # --smoke shrinks the raw measurements and the default run; with --deadline-night it checks that scenario's
    # instrument (with a small --laos and --window).
    mode = "deadline-night" if args.deadline_night else ("smoke" if args.smoke else "default")
    raw_count = 200 if args.smoke else 2000
    say(f"raw limits: {raw_count} messages, {raw_count} documents")
    report: dict[str, Any] = {"started_at": started_at, "mode": mode, "smoke": args.smoke, "machine": machine(),
                              "raw": {"broker": await raw.broker(amqp_url, raw_count),
                                      "store": await raw.store(mongodb_url, raw_count)}}
    system = System(amqp_url, mongodb_url, out / "logs",
                    extra_pids={"store (secantusd)": mongo.process.pid} if mongo is not None else {})
    try:
        say("starting every service")
        await asyncio.to_thread(system.start)
        if args.deadline_night:
            say(f"deadline night: {args.laos} LAOs + 20% resubmissions within {args.window:.0f} s")
            report["deadline_night"] = await deadline_night(system, args.laos, args.window, args.concurrency or 32,
                                                            7850)
        else:
            levels = [1, 4] if args.smoke else [1, 4, 16]
            say(f"intake latency at concurrency {levels}")
            applications: set[str] = set()
            report["latency"] = await latency_levels(system, levels, 10 if args.smoke else 100, seed=1,
                                                     applications=applications)
            # The sustained run starts on an idle system: the latency phase's submissions are all through first.
            say(f"letting the latency phase's {len(applications)} applications settle")
            idle = Driver(system)
            idle.accepted = dict.fromkeys(applications, 1)
            await idle.settled(timeout=1800, baseline=0)
            await idle.close()
            count = 20 if args.smoke else args.count
            say(f"sustained run: {count} LAOs + 20% resubmissions at concurrency {args.concurrency or 8}")
            report["sustained"] = await sustained(system, count, args.concurrency or 8, seed=2, earlier=applications)
            report["ratios"] = ratios(report)
    finally:
        system.stop()
        await system.cleanup()
        if mongo is not None:
            mongo.stop()
    (out / "report.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    (out / "report.md").write_text(markdown(report) + "\n")
    print(markdown(report))
    print(f"\nreport: {out / 'report.json'} and {out / 'report.md'}")
    return out


def cli() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny run that checks the instrument")
    parser.add_argument("--deadline-night", action="store_true", help="7,850 LAOs + 20%% resubmissions")
    parser.add_argument("--count", type=int, default=300, help="submissions in the sustained run")
    parser.add_argument("--concurrency", type=int, default=None,
                        help="requests in flight at once (default 8; 32 for the paced deadline night)")
    parser.add_argument("--laos", type=int, default=7850, help="deadline night: LAOs")
    parser.add_argument("--window", type=float, default=600.0, help="deadline night: seconds to post them in")
    parser.add_argument("--out", help="directory for report.json and report.md")
    asyncio.run(main(parser.parse_args()))


if __name__ == "__main__":
    cli()
