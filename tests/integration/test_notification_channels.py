"""Each channel against a real server on a local socket, through the running notification service: e-mail over
SMTP with STARTTLS and login, signed webhooks and LINE push messages to a local HTTP server that speaks both
shapes and can be told to fail. No contact detail ever reaches a log line."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import ssl
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import structlog
import uvicorn
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from devtools.infra import free_port
from services.notification.channels import LineChannel
from services.notification.mailer import EmailChannel
from services.notification.service import SPEC
from services.notification.templates import Message
from shared.bus import Bus
from shared.settings import Settings
from tests.integration.test_notification import (
    ADDRESS,
    SUBMISSION_ID,
    body,
    collect_outcomes,
    log_entries,
    received,
    returned,
)
from tests.support import InProcessService, Namespace, SmtpSink, eventually

WEBHOOK_SECRET = "webhook-secret-" + "x" * 16
LINE_TOKEN = "line-channel-access-token-for-tests"
ADMIN_TOKEN = "admin-token-" + "y" * 16
LINE_USER = "U" + "4af4980629" + "0" * 22
HOOK_PATH = "/hooks/chaiyaphum/3b1f0c"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class HookServer:
    """A local HTTP server speaking the webhook receiver's and LINE's Messaging API push shapes.

    `fail(status, times)` makes the next requests fail; LINE's retry key is honoured as LINE does: a request
    whose key was already accepted gets 409 with `x-line-accepted-request-id`."""

    port: int = field(default_factory=free_port)
    requests: list[Received] = field(default_factory=list)
    failures: list[int] = field(default_factory=list)
    accepted_retry_keys: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail(self, status: int, times: int = 1) -> None:
        self.failures.extend([status] * times)

    def delivered(self, path_prefix: str) -> list[Received]:
        return [r for r in self.requests if r.path.startswith(path_prefix) and r.headers.get("x-test-status") == "200"]

    async def _record(self, request: Request) -> tuple[Received, int | None]:
        entry = Received(request.url.path, dict(request.headers), await request.body())
        self.requests.append(entry)
        status = self.failures.pop(0) if self.failures else None
        entry.headers["x-test-status"] = str(status or 200)
        return entry, status

    async def hook(self, request: Request) -> Response:
        _, status = await self._record(request)
        if status:
            return JSONResponse({"error": "told to fail"}, status_code=status)
        return JSONResponse({"ok": True}, headers={"x-request-id": "hook-" + uuid.uuid4().hex[:8]})

    async def line_push(self, request: Request) -> Response:
        entry, status = await self._record(request)
        retry_key = entry.headers.get("x-line-retry-key", "")
        if retry_key in self.accepted_retry_keys:
            entry.headers["x-test-status"] = "409"
            return JSONResponse({"message": "The retry key is already accepted"}, status_code=409,
                                headers={"x-line-accepted-request-id": self.accepted_retry_keys[retry_key]})
        if status:
            return JSONResponse({"message": f"told to fail to {LINE_USER}"}, status_code=status)
        if entry.headers.get("authorization") != f"Bearer {LINE_TOKEN}":
            entry.headers["x-test-status"] = "401"
            return JSONResponse({"message": "Authentication failed"}, status_code=401)
        payload = entry.json()
        messages = payload.get("messages", [])
        if not (payload.get("to") and 1 <= len(messages) <= 5 and all(
                m.get("type") == "text" and 0 < len(m.get("text", "")) <= 5000 for m in messages)):
            entry.headers["x-test-status"] = "400"
            return JSONResponse({"message": "The request body has 1 error(s)"}, status_code=400)
        request_id = uuid.uuid4().hex
        if retry_key:
            self.accepted_retry_keys[retry_key] = request_id
        return JSONResponse({"sentMessages": [{"id": "5" + request_id[:17], "quoteToken": "q"}]},
                            headers={"x-line-request-id": request_id})

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/hooks/{rest:path}", self.hook, methods=["POST"]),
                                 Route("/v2/bot/message/push", self.line_push, methods=["POST"])])


@pytest.fixture
async def hooks() -> AsyncIterator[HookServer]:
    server = HookServer()
    uvicorn_server = uvicorn.Server(uvicorn.Config(server.app(), host="127.0.0.1", port=server.port,
                                                   log_level="warning", lifespan="off"))
    task = asyncio.create_task(uvicorn_server.serve())
    while not uvicorn_server.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
        await asyncio.sleep(0.01)
    yield server
    uvicorn_server.should_exit = True
    await task


def settings_for(namespace: Namespace, smtp_port: int, hooks: HookServer, routing: Path | None = None,
                 **extra: Any) -> Settings:
    return namespace.settings(
        "notification", smtp_port=smtp_port, notification_webhook_secret=WEBHOOK_SECRET,
        line_channel_access_token=LINE_TOKEN, line_api_base_url=hooks.url, notification_admin_token=ADMIN_TOKEN,
        notification_routing_file=str(routing) if routing else None, **extra)


async def import_directory(service: InProcessService, text: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=service.url) as client:
        response = await client.post("/v1/directory/imports", content=text.encode(),
                                     headers={"Authorization": f"Bearer {ADMIN_TOKEN}", "Content-Type": "text/csv"})
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def office_routing(tmp_path: Path, template: str, to: str) -> Path:
    path = tmp_path / "routing.toml"
    path.write_text(f"[{template}]\nto = {to}\n", encoding="utf-8")
    return path


# -- e-mail: STARTTLS and login ------------------------------------------------------------------------------


@dataclass
class TlsFiles:
    cert: Path
    key: Path


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> TlsFiles:
    """A self-signed certificate for 127.0.0.1, made with the openssl command."""
    directory = tmp_path_factory.mktemp("tls")
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    return TlsFiles(cert, key)


class AuthSink(SmtpSink):
    """A real SMTP server that offers STARTTLS, requires it, and accepts one login only after it."""

    def __init__(self, tls: TlsFiles, username: str, password: str) -> None:
        self.messages = []
        self.port = free_port()
        self.logins: list[str] = []
        self.username, self.password = username, password
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(tls.cert), str(tls.key))
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, tls_context=context,
                                     require_starttls=True, auth_required=True, auth_require_tls=True,
                                     authenticator=self.authenticate)

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        if isinstance(data, LoginPassword) and data.login.decode() == self.username \
                and data.password.decode() == self.password:
            self.logins.append(data.login.decode())
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)


@pytest.fixture
def auth_sink(tls_files: TlsFiles) -> Iterator[AuthSink]:
    sink = AuthSink(tls_files, "smartcity", "mail-password")
    sink.controller.start()
    yield sink
    sink.controller.stop()


async def test_email_goes_over_starttls_with_a_login_to_a_real_smtp_server(
        namespace: Namespace, publisher: Bus, auth_sink: AuthSink, tls_files: TlsFiles, hooks: HookServer) -> None:
    settings = settings_for(namespace, auth_sink.port, hooks, smtp_starttls=True, smtp_username="smartcity",
                            smtp_password="mail-password", smtp_tls_ca_file=str(tls_files.cert))
    async with InProcessService(SPEC, settings) as service:
        await publisher.publish(received())
        await eventually(lambda: _value(len(auth_sink.messages) == 1), what="the e-mail over STARTTLS")
        assert auth_sink.logins == ["smartcity"]
        assert "ระบบได้รับแบบรายงานผล" in body(auth_sink.messages[0])
        [entry] = await eventually(lambda: _all(service, "sent"), what="sent in the log")
        assert (entry["channel"], entry["attempts"]) == ("email", 1)


async def test_a_wrong_smtp_password_is_retried_then_failed_without_leaking_it(
        namespace: Namespace, publisher: Bus, auth_sink: AuthSink, tls_files: TlsFiles, hooks: HookServer) -> None:
    settings = settings_for(namespace, auth_sink.port, hooks, smtp_starttls=True, smtp_username="smartcity",
                            smtp_password="not-the-password", smtp_tls_ca_file=str(tls_files.cert))
    async with InProcessService(SPEC, settings) as service:
        await publisher.publish(received())
        [entry] = await eventually(lambda: _all(service, "failed"), what="failed in the log")
        assert entry["attempts"] == 3 and "535" in entry["last_error"]  # 1 + the 2 retries of the test bus
        assert "not-the-password" not in entry["last_error"] and auth_sink.messages == []


# -- webhooks ------------------------------------------------------------------------------------------------


async def test_a_signed_webhook_reaches_the_provincial_office_and_a_failing_receiver_is_retried(
        namespace: Namespace, publisher: Bus, smtp: SmtpSink, hooks: HookServer, tmp_path: Path) -> None:
    routing = office_routing(tmp_path, "returned", '["applicant", "province"]')
    hooks.fail(500, times=2)  # the bus's two retries get it through on the third attempt
    async with InProcessService(SPEC, settings_for(namespace, smtp.port, hooks, routing)) as service:
        await import_directory(service, f"level,areas,office,channel,address\n"
                                        f"province,36,สถ.จ.ชัยภูมิ,webhook,{hooks.url}{HOOK_PATH}?token=abc\n"
                                        f"province,50,สถ.จ.เชียงใหม่,webhook,{hooks.url}/hooks/chiangmai\n")
        envelope = returned()
        await publisher.publish(envelope)
        [delivered] = await eventually(lambda: _value(hooks.delivered(HOOK_PATH) or None), what="the webhook")
        assert len(smtp.to(ADDRESS)) == 1  # the applicant's e-mail went out at the first attempt, once

        # Signed as documented: hex HMAC-SHA256 over "<X-Timestamp>.<body>".
        expected = hmac.new(WEBHOOK_SECRET.encode(), delivered.headers["x-timestamp"].encode() + b"." + delivered.body,
                            hashlib.sha256).hexdigest()
        assert hmac.compare_digest(delivered.headers["x-signature"], expected)
        payload = delivered.json()
        key = payload["id"]
        assert key.startswith(f"{envelope.event_id}:returned:") and delivered.headers["idempotency-key"] == key
        assert payload["template"] == "returned" and payload["subject"].startswith("โปรดแก้ไขข้อมูลการสมัคร")
        assert "เรียน สถ.จ.ชัยภูมิ" in payload["text"]
        assert [i["code"] for i in payload["data"]["issues"]] == ["LAO_TYPE_MISSING", "PROJECT_BUDGET_MISSING"]
        assert ADDRESS not in delivered.body.decode()  # the applicant's contact stays out of the office's copy
        assert len(hooks.requests) == 3 and not [r for r in hooks.requests if "chiangmai" in r.path]

        entries = await eventually(lambda: _all(service, "sent", count=2), what="both sent")
        office = next(e for e in entries if e["channel"] == "webhook")
        assert (office["attempts"], office["recipient_kind"], office["recipient"]) == (
            3, "province", f"http://127.0.0.1:{hooks.port}/***")
        outcomes = await collect_outcomes(namespace, 2)
        assert sorted(o.data["channel"] for o in outcomes) == ["email", "webhook"]


async def test_a_webhook_refused_for_good_fails_at_once_and_announces_it(
        namespace: Namespace, publisher: Bus, smtp: SmtpSink, hooks: HookServer, tmp_path: Path) -> None:
    routing = office_routing(tmp_path, "returned", '["province"]')
    hooks.fail(410)
    async with InProcessService(SPEC, settings_for(namespace, smtp.port, hooks, routing)) as service:
        await import_directory(service, f"level,areas,office,channel,address\n"
                                        f"province,36,สถ.จ.ชัยภูมิ,webhook,{hooks.url}{HOOK_PATH}\n")
        await publisher.publish(returned())
        [entry] = await eventually(lambda: _all(service, "failed"), what="failed")
        assert entry["attempts"] == 1 and entry["last_error"].startswith("HTTP 410")
        [outcome] = await collect_outcomes(namespace, 1)
        assert outcome.event_type == "notification.failed" and outcome.data["channel"] == "webhook"
        assert smtp.messages == []  # routing sends returns to the province only here


# -- LINE ----------------------------------------------------------------------------------------------------


async def test_line_pushes_to_the_district_office_and_a_rate_limit_is_retried_with_the_same_retry_key(
        namespace: Namespace, publisher: Bus, smtp: SmtpSink, hooks: HookServer, tmp_path: Path) -> None:
    routing = office_routing(tmp_path, "returned", '["district"]')
    hooks.fail(429)
    async with InProcessService(SPEC, settings_for(namespace, smtp.port, hooks, routing)) as service:
        await import_directory(service, f"level,areas,office,channel,address\n"
                                        f"district,3601,สถ.อ.เมืองชัยภูมิ,line,{LINE_USER}\n")
        await publisher.publish(returned())
        [entry] = await eventually(lambda: _all(service, "sent"), what="sent over LINE")
        assert (entry["channel"], entry["attempts"], entry["recipient"]) == ("line", 2, "U4af4***")
        first, second = hooks.requests
        assert first.headers["x-test-status"] == "429" and second.headers["x-test-status"] == "200"
        assert first.headers["x-line-retry-key"] == second.headers["x-line-retry-key"]
        assert second.headers["authorization"] == f"Bearer {LINE_TOKEN}"
        [message] = second.json()["messages"]
        assert second.json()["to"] == LINE_USER and message["type"] == "text"
        assert message["text"].startswith("โปรดแก้ไขข้อมูลของเทศบาลเมืองชัยภูมิ (ฉบับที่ 1) 2 รายการ")


async def test_line_refusing_the_message_fails_it_at_once(
        namespace: Namespace, publisher: Bus, smtp: SmtpSink, hooks: HookServer, tmp_path: Path) -> None:
    routing = office_routing(tmp_path, "returned", '["district"]')
    hooks.fail(400)
    async with InProcessService(SPEC, settings_for(namespace, smtp.port, hooks, routing)) as service:
        await import_directory(service, f"level,areas,office,channel,address\n"
                                        f"district,3601,สถ.อ.เมืองชัยภูมิ,line,{LINE_USER}\n")
        await publisher.publish(returned())
        [entry] = await eventually(lambda: _all(service, "failed"), what="failed")
        assert entry["attempts"] == 1 and "HTTP 400" in entry["last_error"]
        assert LINE_USER not in entry["last_error"] and "U4af4***" in entry["last_error"]


async def test_a_push_line_already_accepted_under_its_retry_key_counts_as_sent(hooks: HookServer) -> None:
    settings = Settings.model_validate({"amqp_url": "amqp://guest:guest@127.0.0.1:5672/",
                                        "mongodb_url": "mongodb://127.0.0.1:1",
                                        "line_channel_access_token": LINE_TOKEN, "line_api_base_url": hooks.url})
    message = Message(template="reminder", subject="s", body="b", short="เตือน")
    async with httpx.AsyncClient() as client:
        channel = LineChannel(settings, client)
        first = await channel.send(message, to=LINE_USER, key="fy:reminder-7d:reminder:abc")
        again = await channel.send(message, to=LINE_USER, key="fy:reminder-7d:reminder:abc")
    assert first == again and [r.headers["x-test-status"] for r in hooks.requests] == ["200", "409"]


async def test_a_channel_without_its_credentials_is_skipped_not_failed(
        namespace: Namespace, publisher: Bus, smtp: SmtpSink, hooks: HookServer, tmp_path: Path) -> None:
    routing = office_routing(tmp_path, "returned", '["district"]')
    settings = settings_for(namespace, smtp.port, hooks, routing).model_copy(
        update={"line_channel_access_token": None})
    async with InProcessService(SPEC, settings) as service:
        await import_directory(service, f"level,areas,office,channel,address\n"
                                        f"district,3601,สถ.อ.เมืองชัยภูมิ,line,{LINE_USER}\n")
        await publisher.publish(returned())
        [entry] = await eventually(lambda: _all(service, "skipped"), what="skipped")
        assert entry["skip_reason"] == "channel_not_configured" and hooks.requests == []


# -- personal data -------------------------------------------------------------------------------------------


async def test_no_contact_detail_reaches_a_log_line_whatever_the_channel_and_outcome(
        namespace: Namespace, publisher: Bus, smtp: SmtpSink, hooks: HookServer, tmp_path: Path) -> None:
    routing = office_routing(tmp_path, "returned", '["applicant", "district", "province"]')
    hook_url = f"{hooks.url}{HOOK_PATH}?token=abc"
    hooks.fail(500)  # the first HTTP delivery fails and is logged with its error
    with structlog.testing.capture_logs() as lines:
        async with InProcessService(SPEC, settings_for(namespace, smtp.port, hooks, routing)) as service:
            await import_directory(service, f"level,areas,office,channel,address,name\n"
                                            f"district,3601,สถ.อ.เมืองชัยภูมิ,line,{LINE_USER},นายสมศักดิ์\n"
                                            f"province,36,สถ.จ.ชัยภูมิ,webhook,{hook_url},\n")
            await publisher.publish(received())
            await publisher.publish(returned())
            await eventually(lambda: _all(service, "sent", count=4), what="all four sent")
            async with httpx.AsyncClient(base_url=service.url) as client:
                log_view = (await client.get("/v1/notifications", params={"submission_id": SUBMISSION_ID})).text
                directory_view = (await client.get("/v1/directory")).text
    written = json.dumps(lines, ensure_ascii=False, default=str)
    assert "notification sent" in written and "not sent; retrying" in written
    for secret in (ADDRESS, LINE_USER, HOOK_PATH, "token=abc", "นายสมศักดิ์", "สมชาย"):
        assert secret not in written, secret
        assert secret not in log_view, secret
    for secret in (LINE_USER, HOOK_PATH, "token=abc"):
        assert secret not in directory_view
    assert "U4af4***" in directory_view and "sm***@example.go.th" in log_view


# -- helpers -------------------------------------------------------------------------------------------------


async def _value(result: Any) -> Any:
    return result


async def _all(service: InProcessService, status: str, count: int = 1) -> list[dict[str, Any]] | None:
    entries = await log_entries(service)
    return entries if len(entries) >= count and all(e["status"] == status for e in entries) else None


class SlowSink(SmtpSink):
    """An SMTP server that takes a while over each message and counts the deliveries open at once."""

    def __init__(self) -> None:
        super().__init__()
        self.open = 0
        self.most_open = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.open += 1
        self.most_open = max(self.most_open, self.open)
        await asyncio.sleep(0.2)
        self.open -= 1
        return await super().handle_DATA(server, session, envelope)


async def test_no_more_smtp_connections_than_allowed_are_open_at_once(namespace: Namespace) -> None:
    sink = SlowSink()
    sink.start()
    try:
        channel = EmailChannel(namespace.settings("notification", smtp_host="127.0.0.1", smtp_port=sink.port,
                                                  smtp_max_connections=2))
        message = Message(template="received", subject="ได้รับแบบรายงานแล้ว", body="ข้อความ", short="ได้รับแล้ว")
        ids = await asyncio.gather(*(channel.send(message, to=f"office{i}@example.go.th", key=f"k{i}")
                                     for i in range(6)))
    finally:
        sink.stop()
    assert len(set(ids)) == 6 and len(sink.messages) == 6
    assert sink.most_open == 2  # six sent, never more than two at a time
