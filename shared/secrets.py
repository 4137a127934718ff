"""Digests of bearer tokens and API keys as the stores keep them: HMAC-SHA256 with a server key.

A keyed fast hash fits here (not a slow password hash): every token is long and random (32 bytes from
`secrets`), so there is nothing to guess by brute force; the key only makes sure that a leaked database on
its own does not let anyone test guesses offline, because every test needs TOKEN_DIGEST_KEY as well.

Each use has its own purpose string, so one store's digest never matches another's. Digests stored before
the key existed are plain SHA-256 (`legacy_digest`): the stores look those up second and rewrite them keyed.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Literal

from shared.settings import Settings

Purpose = Literal["intake-api-key", "reporting-token", "reviewer-token", "recipient", "admin-token",
                  "workspace-link", "workspace-session", "workspace-csrf"]
PURPOSES: tuple[Purpose, ...] = ("intake-api-key", "reporting-token", "reviewer-token", "recipient", "admin-token",
                                 "workspace-link", "workspace-session", "workspace-csrf")
# Outside production only (production refuses to start without TOKEN_DIGEST_KEY): fixed, so development
# and test data stays readable across restarts.
DEVELOPMENT_KEY = b"smartcity-development-token-digest-key"


def digest_key(settings: Settings) -> bytes:
    """The key of every digest: TOKEN_DIGEST_KEY, or the development key where it is not set."""
    if settings.token_digest_key is None:
        if settings.is_production:  # the settings refuse this already; never fall back silently
            raise RuntimeError("TOKEN_DIGEST_KEY is required in production")
        return DEVELOPMENT_KEY
    return settings.token_digest_key.get_secret_value().encode()


def keyed_digest(key: bytes, purpose: Purpose, token: str) -> str:
    """Hex HMAC-SHA256 over `purpose + "\\0" + token`."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown digest purpose {purpose!r}")
    return hmac.new(key, purpose.encode() + b"\0" + token.encode(), hashlib.sha256).hexdigest()


def token_digest(settings: Settings, purpose: Purpose, token: str) -> str:
    return keyed_digest(digest_key(settings), purpose, token)


def legacy_digest(token: str) -> str:
    """The plain SHA-256 that stores kept before the keyed digest (looked up second, then rewritten)."""
    return hashlib.sha256(token.encode()).hexdigest()
