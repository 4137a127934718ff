"""The whole system as processes for a benchmark run: its own namespace on the broker and store, every
service as `python -m services.<name>`, a local SMTP sink, and the probes the report needs (store write
counters, service metrics, queue depths, CPU and memory per process)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import psutil
from pymongo import AsyncMongoClient
from pymongo.errors import OperationFailure

from devtools.infra import drop_namespace, free_port, start_mail_server
from devtools.processes import SERVICES, ServiceProcess, stop_all
from devtools.processes import stop as stop_process
from shared.settings import Settings
from shared.topology import CONSUMERS, Names

_TOP_OPS = ("queries", "getmore", "insert", "update", "remove", "commands")
_SAMPLE = re.compile(r'^(smartcity_[a-z_]+_total)\{([^}]*)\} ([0-9.e+]+)$', re.M)


@dataclass
class System:
    amqp_url: str
    mongodb_url: str
    log_dir: Path
    namespace: str = field(default_factory=lambda: "bench" + uuid.uuid4().hex[:8])
    processes: dict[str, ServiceProcess] = field(default_factory=dict)
    smtp: subprocess.Popen[bytes] | None = None
    env_extra: dict[str, str] = field(default_factory=dict)
    # Other processes whose CPU and memory belong in the report (the local store, when started here).
    extra_pids: dict[str, int] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return self.processes[service].url

    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        smtp_port = free_port()
        self.smtp = start_mail_server(smtp_port, "aiosmtpd.handlers.Sink")
        for service in SERVICES:
            env = {**os.environ, "SERVICE_NAME": service, "ENVIRONMENT": "test", "LOG_LEVEL": "WARNING",
                   "AMQP_URL": self.amqp_url, "MONGODB_URL": self.mongodb_url,
                   "MONGODB_DB_PREFIX": self.namespace, "BUS_NAMESPACE": self.namespace,
                   "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port),
                   "INTAKE_AUTH_REQUIRED": "false", "REPORTING_AUTH_REQUIRED": "false",
                   # The benchmark measures capacity, not the per-sender limit that protects it.
                   "INTAKE_RATE_PER_SECOND": "100000", "INTAKE_RATE_BURST": "100000", **self.env_extra}
            self.processes[service] = ServiceProcess(service, free_port(), env,
                                                     log_path=self.log_dir / f"{service}.log")
            self.processes[service].start()
        for process in self.processes.values():
            process.wait_ready(timeout=90)

    def stop(self) -> None:
        stop_all(self.processes.values(), timeout=30)
        if self.smtp is not None:
            stop_process(self.smtp, timeout=10)

    async def cleanup(self) -> None:
        await drop_namespace(self.amqp_url, self.mongodb_url, self.namespace, Settings.model_fields[
            "bus_retry_delays_ms"].default)

    # -- probes ------------------------------------------------------------------------------

    async def store_writes(self) -> int:
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(self.mongodb_url)
        try:
            counters = (await client.admin.command("serverStatus"))["opcounters"]
        finally:
            await client.close()
        return int(counters["insert"] + counters["update"] + counters["delete"])

    async def store_time(self) -> dict[str, dict[str, dict[str, int]]]:
        """The store's own time per collection and operation so far (MongoDB's `top` command, which
        SecantusDB answers in mongod's shape): {"<service>.<collection>": {"update": {"time": µs, "count": n}}}."""
        client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(self.mongodb_url)
        try:
            totals = (await client.admin.command("top"))["totals"]
        except OperationFailure as error:  # a mongod user without the clusterMonitor role may not run `top`
            print(f"[bench] the store's `top` is unavailable ({error.code}): no store time per collection",
                  file=sys.stderr)
            return {}
        finally:
            await client.close()
        prefix = f"{self.namespace}_"
        return {
            namespace.removeprefix(prefix): {op: {"time": int(figures[op]["time"]), "count": int(figures[op]["count"])}
                                             for op in _TOP_OPS if figures.get(op, {}).get("count")}
            for namespace, figures in totals.items() if namespace.startswith(prefix)
        }

    async def message_counts(self) -> dict[str, float]:
        """Sums over every service: events published, messages consumed, retried, dead-lettered."""
        totals: dict[str, float] = {}
        async with httpx.AsyncClient(timeout=10) as client:
            for service in SERVICES:
                text = (await client.get(f"{self.url(service)}/metrics")).text
                for name, _labels, value in _SAMPLE.findall(text):
                    totals[name] = totals.get(name, 0.0) + float(value)
        return totals

    async def queue_depths(self) -> dict[str, int]:
        names = Names(self.namespace)
        connection = await aio_pika.connect(self.amqp_url)
        try:
            channel = await connection.channel()
            depths = {}
            for service in CONSUMERS:
                queue = await channel.declare_queue(names.queue(service), passive=True)
                depths[service] = int(queue.declaration_result.message_count or 0)
            return depths
        finally:
            await connection.close()

    def resources(self) -> dict[str, dict[str, float]]:
        """CPU seconds used so far and resident memory now, per service process."""
        found = {}
        pids = {service: process.process.pid for service, process in self.processes.items()
                if process.process is not None} | self.extra_pids
        for service, pid in pids.items():
            try:
                handle = psutil.Process(pid)
                times = handle.cpu_times()
                found[service] = {"cpu_seconds": times.user + times.system,
                                  "rss_mib": handle.memory_info().rss / 2**20}
            except psutil.Error:
                found[service] = {"cpu_seconds": 0.0, "rss_mib": 0.0}
        return found
