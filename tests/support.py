"""Test support shared by the integration, end-to-end and fault tests: infrastructure selection,
running a service on a real socket (in-process or as its own process), an SMTP sink, and polling."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import os
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any, TypeVar

import aio_pika
import httpx
import uvicorn
from aiosmtpd.controller import Controller

from devtools import processes
from devtools.infra import drop_namespace, free_port
from services.intake import examples
from shared.events import Envelope
from shared.runtime import ServiceSpec, create_app
from shared.settings import Settings
from shared.topology import Names

ROOT = Path(__file__).resolve().parent.parent
RETRY_DELAYS_MS = (50, 100)  # short, so the dead-letter path runs in well under a second
ARTIFACTS = ROOT / "test-artifacts"
T = TypeVar("T")


@dataclass
class Infra:
    amqp_url: str
    mongodb_url: str


@dataclass
class Namespace:
    """One test's private slice of the broker and the store."""

    infra: Infra
    name: str = field(default_factory=lambda: "t" + uuid.uuid4().hex[:10])
    smtp_port: int | None = None

    def env(self, service: str, **extra: str) -> dict[str, str]:
        values = {
            "SERVICE_NAME": service,
            "ENVIRONMENT": "test",
            "AMQP_URL": self.infra.amqp_url,
            "MONGODB_URL": self.infra.mongodb_url,
            "MONGODB_DB_PREFIX": self.name,
            "BUS_NAMESPACE": self.name,
            "BUS_RETRY_DELAYS_MS": ",".join(map(str, RETRY_DELAYS_MS)),
            "BUS_DELIVERY_LIMIT": "4",
            "OUTBOX_POLL_SECONDS": "0.2",
            "SHUTDOWN_GRACE_SECONDS": "5",
            # Intake's sender authentication is proven by its own tests (tests/integration/test_intake_auth.py),
            # which turn it on; everywhere else a test posts as an unauthenticated local client.
            "INTAKE_AUTH_REQUIRED": "false",
            # Likewise reporting's tokens: its scope tests turn them on (tests/integration/test_reporting_access.py).
            "REPORTING_AUTH_REQUIRED": "false",
        }
        if self.smtp_port:
            values.update({"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(self.smtp_port)})
        values.update(extra)
        return values

    def settings(self, service: str, **extra: Any) -> Settings:
        env = {k.lower(): v for k, v in self.env(service).items()}
        env.update(extra)
        return Settings(**env)

    async def cleanup(self) -> None:
        await drop_namespace(self.infra.amqp_url, self.infra.mongodb_url, self.name, RETRY_DELAYS_MS)


async def eventually(check: Callable[[], Awaitable[T | None]], *, timeout: float = 20.0,
                     interval: float = 0.1, what: str = "condition") -> T:
    """Poll `check` until it returns something other than None/False; fail with the last value seen."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            last = await check()
        except (httpx.HTTPError, AssertionError) as error:
            last = error
        else:
            if last is not None and last is not False:
                return last
        await asyncio.sleep(interval)
    raise AssertionError(f"{what} not reached within {timeout}s; last: {last!r}")


class InProcessService:
    """A service's real app on a real socket inside the test's event loop."""

    def __init__(self, spec: ServiceSpec, settings: Settings) -> None:
        self.port = free_port()
        self.settings = settings.model_copy(update={"http_port": self.port})
        self.app = create_app(spec, self.settings)
        self.server = uvicorn.Server(uvicorn.Config(self.app, host="127.0.0.1", port=self.port,
                                                    log_level="warning", lifespan="on"))
        self.task: asyncio.Task[None] | None = None
        self.url = f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> InProcessService:
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            if self.task.done():
                self.task.result()
            await asyncio.sleep(0.02)
        return self

    async def __aexit__(self, *_: object) -> None:
        self.server.should_exit = True
        if self.task is not None:
            await self.task

    @property
    def component(self) -> Any:
        return self.app.state.component

    @property
    def context(self) -> Any:
        return self.app.state.context


class ServiceProcess(processes.ServiceProcess):
    """A service as its own OS process, as in production: `python -m services.<name>` in the namespace, on a free
    port, its output appended to `<log_dir>/<service>.log`."""

    log_path: Path

    def __init__(self, service: str, namespace: Namespace, log_dir: Path, **env: str) -> None:
        super().__init__(service, free_port(), {**os.environ, **namespace.env(service, **env)},
                         log_path=log_dir / f"{service}.log")

    def wait_ready(self, timeout: float = 60, *, interval: float = 0.1,
                   cancelled: Callable[[], bool] = lambda: False) -> bool:
        return super().wait_ready(timeout, interval=interval, cancelled=cancelled)

    def stop(self, timeout: float = 20) -> int | None:
        return super().stop(timeout)


class SmtpSink:
    """A real SMTP server on a local socket that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]


async def drain(namespace: Namespace, service: str = "reporting") -> list[Envelope]:
    """Take and return every event waiting in a service's queue (when no consumer of it runs)."""
    connection = await aio_pika.connect(namespace.infra.amqp_url)
    found = []
    try:
        channel = await connection.channel()
        queue = await channel.get_queue(Names(namespace.name).queue(service), ensure=False)
        while (message := await queue.get(fail=False, no_ack=True)) is not None:
            found.append(Envelope.from_bytes(message.body))
    finally:
        await connection.close()
    return found


@contextlib.asynccontextmanager
async def http_client(base_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        yield client


def canonical_submission(n: int = 1, **overrides: Any) -> dict[str, Any]:
    """The canonical FY2568 example (form.md, as intake's OpenAPI shows it); `n` varies the response id."""
    body: dict[str, Any] = copy.deepcopy(examples.SUBMISSION)
    body["source_response_id"] = f"resp-{n:04d}"
    body.update(overrides)
    return body


# Real municipalities across several provinces (name, type, province, district) for bulk tests.
MUNICIPALITIES = [
    ("เทศบาลเมืองชัยภูมิ", "เทศบาลเมือง", "ชัยภูมิ", "เมืองชัยภูมิ"),
    ("เทศบาลตำบลบ้านเขว้า", "เทศบาลตำบล", "ชัยภูมิ", "บ้านเขว้า"),
    ("เทศบาลตำบลคอนสวรรค์", "เทศบาลตำบล", "ชัยภูมิ", "คอนสวรรค์"),
    ("เทศบาลนครขอนแก่น", "เทศบาลนคร", "ขอนแก่น", "เมืองขอนแก่น"),
    ("เทศบาลเมืองบ้านไผ่", "เทศบาลเมือง", "ขอนแก่น", "บ้านไผ่"),
    ("เทศบาลนครเชียงใหม่", "เทศบาลนคร", "เชียงใหม่", "เมืองเชียงใหม่"),
    ("เทศบาลเมืองแม่โจ้", "เทศบาลเมือง", "เชียงใหม่", "สันทราย"),
    ("เทศบาลนครภูเก็ต", "เทศบาลนคร", "ภูเก็ต", "เมืองภูเก็ต"),
    ("เทศบาลเมืองป่าตอง", "เทศบาลเมือง", "ภูเก็ต", "กะทู้"),
    ("เทศบาลนครนครราชสีมา", "เทศบาลนคร", "นครราชสีมา", "เมืองนครราชสีมา"),
]


def municipality_submission(i: int, **overrides: Any) -> dict[str, Any]:
    name, lao_type, province, district = MUNICIPALITIES[i % len(MUNICIPALITIES)]
    suffix = f" {i // len(MUNICIPALITIES)}" if i >= len(MUNICIPALITIES) else ""
    body = canonical_submission(i, lao={"name": name + suffix, "type": lao_type, "province": province,
                                        "district": district})
    body["contact"] = {**body["contact"], "email": f"lao{i}@example.go.th"}
    body.update(overrides)
    return body
