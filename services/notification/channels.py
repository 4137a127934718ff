"""The channels behind one interface: `send(message, to=address, key=idempotency key)` returns the provider's
id for the message or raises DeliveryError, which says whether another attempt can help.

E-mail is in `mailer.py`; here are the two HTTP channels: signed outgoing webhooks and LINE push messages
(Messaging API; LINE Notify was shut down in 2025). Both carry the notification's key, so that a receiver
(and LINE itself, through `X-Line-Retry-Key`) recognises a repeat.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from typing import Any, Protocol

import httpx

from services.notification.privacy import scrub
from services.notification.templates import Message
from shared.settings import Settings

# One namespace for the retry keys LINE sees: the same notification key always gives the same UUID.
_LINE_RETRY_NAMESPACE = uuid.UUID("6f1f5d1e-4a7c-4c1e-9a55-2f0b7c2e8d11")
_TEMPORARY_STATUSES = frozenset({408, 425, 429})
MAX_ERROR_TEXT = 500


class DeliveryError(Exception):
    """The message was not delivered; `permanent` when sending it again cannot help (the recipient is refused).

    Its text never holds the recipient's address: servers quote it, so it is masked here.
    """

    def __init__(self, text: str, *, permanent: bool) -> None:
        super().__init__(scrub(text)[:MAX_ERROR_TEXT])
        self.permanent = permanent


class Channel(Protocol):
    name: str

    @property
    def configured(self) -> bool:
        """False when the channel lacks what it needs to send (a token, a secret): its recipients are skipped."""

    @property
    def send_timeout(self) -> float:
        """The longest one delivery may take."""

    async def send(self, message: Message, *, to: str, key: str) -> str:
        """Deliver one message; returns the provider's id for it. Raises DeliveryError."""


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """X-Signature: hex HMAC-SHA256 over `<timestamp>.<body>`; the receiver recomputes it and also refuses an old
    timestamp, so a captured request cannot be replayed later."""
    return hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def _response_error(response: httpx.Response) -> DeliveryError:
    status = response.status_code
    detail = response.text[:200].replace("\n", " ")
    temporary = status >= 500 or status in _TEMPORARY_STATUSES
    return DeliveryError(f"HTTP {status}: {detail}", permanent=not temporary)


def _transport_error(error: httpx.HTTPError) -> DeliveryError:
    return DeliveryError(f"{type(error).__name__}: {error}", permanent=False)


def webhook_body(message: Message, key: str) -> bytes:
    payload: dict[str, Any] = {"id": key, "template": message.template, "subject": message.subject,
                               "text": message.body, "data": message.data}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str).encode()


class WebhookChannel:
    name = "webhook"

    def __init__(self, settings: Settings, client: httpx.AsyncClient,
                 clock: Callable[[], float] = time.time) -> None:
        self.secret = settings.notification_webhook_secret
        self.timeout = settings.notification_http_timeout_seconds
        self.client = client
        self.clock = clock

    @property
    def configured(self) -> bool:
        return self.secret is not None

    @property
    def send_timeout(self) -> float:
        return self.timeout * 2

    async def send(self, message: Message, *, to: str, key: str) -> str:
        assert self.secret is not None, "not configured"
        body = webhook_body(message, key)
        timestamp = str(int(self.clock()))
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Timestamp": timestamp,
            "X-Signature": sign(self.secret.get_secret_value().encode(), timestamp, body),
            "Idempotency-Key": key,
            "X-Smartcity-Template": message.template,
            "User-Agent": "smartcity-notification/1",
        }
        try:
            response = await self.client.post(to, content=body, headers=headers, timeout=self.timeout)
        except httpx.HTTPError as error:
            raise _transport_error(error) from None
        if not response.is_success:
            raise _response_error(response)
        return response.headers.get("x-request-id") or key


def line_retry_key(key: str) -> str:
    return str(uuid.uuid5(_LINE_RETRY_NAMESPACE, key))


class LineChannel:
    """POST {base}/v2/bot/message/push with the channel access token; one text message (the template's `short`)."""

    name = "line"

    def __init__(self, settings: Settings, client: httpx.AsyncClient) -> None:
        self.base_url = settings.line_api_base_url.rstrip("/")
        self.token = settings.line_channel_access_token
        self.timeout = settings.notification_http_timeout_seconds
        self.client = client

    @property
    def configured(self) -> bool:
        return self.token is not None

    @property
    def send_timeout(self) -> float:
        return self.timeout * 2

    async def send(self, message: Message, *, to: str, key: str) -> str:
        assert self.token is not None, "not configured"
        headers = {"Authorization": f"Bearer {self.token.get_secret_value()}",
                   "X-Line-Retry-Key": line_retry_key(key)}
        payload = {"to": to, "messages": [{"type": "text", "text": message.short}]}
        try:
            response = await self.client.post(f"{self.base_url}/v2/bot/message/push", json=payload,
                                              headers=headers, timeout=self.timeout)
        except httpx.HTTPError as error:
            raise _transport_error(error) from None
        if response.status_code == 409 and response.headers.get("x-line-accepted-request-id"):
            # LINE already accepted a request with this retry key: the earlier attempt got through.
            return str(response.headers["x-line-accepted-request-id"])
        if response.status_code in (401, 403):
            # Our token or our channel's rights: ours to fix, and retried until the limit in case it was just fixed.
            raise DeliveryError(f"HTTP {response.status_code}: {response.text[:200]}", permanent=False)
        if not response.is_success:
            raise _response_error(response)
        return response.headers.get("x-line-request-id") or key
