"""Contact details stay out of logs: masks for e-mail addresses, LINE ids and webhook URLs, error text with
every address masked, and the keyed digest that names a recipient in idempotency keys (no I/O)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from shared.secrets import DEVELOPMENT_KEY, keyed_digest

_EMAIL = re.compile(r"[^\s@<>()\[\]\"',;:/]+@[^\s@<>()\[\]\"',;:/]+")
_VALID_EMAIL = re.compile(r"^[^\s@]+@[^\s@]+\.[^\s@]+$")
# LINE user, group and room ids: U/C/R and 32 hex digits.
LINE_ID = re.compile(r"^[UCR][0-9a-f]{32}$")
_LINE_IDS = re.compile(r"\b[UCR][0-9a-f]{32}\b")
_URLS = re.compile(r"https?://[^\s'\"<>]+")


def normalise_address(address: str | None) -> str | None:
    """The e-mail address as it will be used, or None when there is none or it cannot be one."""
    if address is None:
        return None
    cleaned = address.strip()
    return cleaned if _VALID_EMAIL.match(cleaned) else None


def mask(address: str) -> str:
    """`smartcity@example.go.th` → `sm***@example.go.th`: enough for an operator to tell two apart."""
    local, at, domain = address.strip().rpartition("@")
    if not at or not local:
        return "***"
    keep = 2 if len(local) > 2 else 1
    return f"{local[:keep]}***@{domain}"


def mask_line_id(user_id: str) -> str:
    """`U4af4980629…` → `U4af4***`."""
    return user_id[:5] + "***"


def mask_url(url: str) -> str:
    """`https://hooks.example.go.th/smartcity/abc?token=x` → `https://hooks.example.go.th/***`: paths and
    queries often carry a token."""
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return "***"
    host = parts.hostname or "***"
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}/***"


def mask_recipient(channel: str, address: str) -> str:
    if channel == "line":
        return mask_line_id(address)
    if channel == "webhook":
        return mask_url(address)
    return mask(address)


def scrub(text: str) -> str:
    """Text with every e-mail address, URL and LINE id in it masked (servers quote what they refuse)."""
    text = _URLS.sub(lambda match: mask_url(match.group(0)), text)
    text = _EMAIL.sub(lambda match: mask(match.group(0)), text)
    return _LINE_IDS.sub(lambda match: mask_line_id(match.group(0)), text)


# The key of recipient digests: notification's setup (and its directory command) sets TOKEN_DIGEST_KEY here
# once at start, because a Recipient is a plain value built in many places (CSV, store, applicants).
#
# A change of key (the first keyed start after plain SHA-256 included) changes every recipient's digest, and
# with it these, until the directory is imported again:
# - a notice's delivery-log id (event, template, digest): an event delivered again across the change (a
#   retry, a redelivery) is no longer recognised as already sent to that recipient, who gets it twice;
# - a reminder's or digest's log key (campaign, slot, template, digest): the same, for a due notice retried
#   across the change;
# - a directory contact's stored `recipient_hash`, which a due notice looks the contact up by: notices fired
#   after the change find no contact and are skipped as `not_in_directory` until the directory is imported
#   again (the import stores every digest anew).
_digest_key: bytes = DEVELOPMENT_KEY


def use_digest_key(key: bytes) -> None:
    global _digest_key
    _digest_key = key


def recipient_hash(address: str, channel: str = "email", *, key: bytes | None = None) -> str:
    """The recipient's name in keys and logs (a keyed digest); e-mail addresses compare without case."""
    text = address.strip().lower() if channel == "email" else f"{channel}:{address.strip()}"
    return keyed_digest(key if key is not None else _digest_key, "recipient", text)
