"""The e-mail channel: one message over SMTP (aiosmtplib; STARTTLS and login as configured), with a
Message-ID derived from the notification's idempotency key so that a receiving server can recognise a
repeat too."""

from __future__ import annotations

import asyncio
import hashlib
import re
from datetime import UTC, datetime
from email.header import Header
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr

import aiosmtplib

from services.notification.channels import DeliveryError
from services.notification.templates import Message
from shared.settings import Settings

FALLBACK_DOMAIN = "smartcity.invalid"


def message_id(key: str, mail_from: str) -> str:
    """The same key always gives the same Message-ID, in the sender's domain."""
    _, address = parseaddr(mail_from)
    domain = address.rpartition("@")[2] or FALLBACK_DOMAIN
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@{domain}>"


def _is_permanent(error: Exception) -> bool:
    # 5xx on the recipient or on the content: this message will never be accepted. Anything else (no
    # connection, timeouts, 4xx, authentication or sender trouble, which is ours to fix) is worth retrying.
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return bool(error.recipients) and all(refused.code >= 500 for refused in error.recipients)
    if isinstance(error, (aiosmtplib.SMTPRecipientRefused, aiosmtplib.SMTPDataError)):
        return error.code >= 500
    return False


_LINE_BREAK = re.compile(r"[\r\n\u2028\u2029\x85]+")


class EmailChannel:
    name = "email"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._connections = asyncio.Semaphore(settings.smtp_max_connections)

    @property
    def configured(self) -> bool:
        return True

    @property
    def send_timeout(self) -> float:
        """The longest one delivery may take (connect, greeting, each command, data)."""
        return self.settings.smtp_timeout_seconds * 3

    def build(self, message: Message, *, to: str, key: str) -> MIMEText:
        # The compat32 classes on purpose: `EmailMessage` (policy.default) folds a long Thai subject so that
        # the space before an encoded word is lost ("100 คะแนน" arrives as "100คะแนน"); `Header` keeps it.
        mime = MIMEText(message.body, "plain", "utf-8")
        mime["From"] = formataddr(parseaddr(self.settings.mail_from), charset="utf-8")
        if _LINE_BREAK.search(to) or "," in to:
            raise ValueError("a recipient address with a line break or several addresses")  # header injection
        mime["To"] = to
        # The subject carries applicants' words (the LAO's name): a line break in it would start a new header.
        subject = _LINE_BREAK.sub(" ", message.subject)
        mime["Subject"] = Header(subject, "utf-8")  # type: ignore[assignment] # compat32 takes a Header
        mime["Date"] = format_datetime(datetime.now(UTC))
        mime["Message-ID"] = message_id(key, self.settings.mail_from)
        mime["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to this
        mime["Content-Language"] = "th, en"
        mime["X-Smartcity-Template"] = message.template
        return mime

    async def send(self, message: Message, *, to: str, key: str) -> str:
        """Deliver one message; returns its Message-ID. Raises DeliveryError."""
        try:
            mime = self.build(message, to=to, key=key)
            async with self._connections:  # waiting for a free connection is not part of the send timeout
                await self._send(mime)
        except ValueError as error:  # an address or header that SMTP cannot carry at all
            raise DeliveryError(f"{type(error).__name__}: {error}", permanent=True) from None
        except Exception as error:
            # Whatever went wrong, it leaves here only as a DeliveryError whose text has the address masked.
            raise DeliveryError(f"{type(error).__name__}: {error}", permanent=_is_permanent(error)) from None
        return str(mime["Message-ID"])

    async def _send(self, mime: MIMEText) -> None:
        settings = self.settings
        await asyncio.wait_for(aiosmtplib.send(
            mime,
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            start_tls=settings.smtp_starttls,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            cert_bundle=settings.smtp_tls_ca_file,
            timeout=settings.smtp_timeout_seconds,
        ), timeout=self.send_timeout)
