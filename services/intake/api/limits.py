"""Request size limits: a body larger than any real form response (or, for imports, any real sheet) is refused
with 413, whether it announces its length or arrives in chunks, before the application reads it all."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI
from fastapi.responses import JSONResponse

from shared.errors import error_response

MAX_BODY_BYTES = 256 * 1024
IMPORTS_PATH = "/v1/imports"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _size(limit: int) -> str:
    return f"{limit / 1_000_000:.0f} MB" if limit >= 1_000_000 else f"{limit // 1024} KB"


def too_large(limit: int) -> JSONResponse:
    return error_response(413, "body_too_large",
                          f"ข้อมูลที่ส่งมามีขนาดใหญ่เกิน {_size(limit)}",
                          f"The request body is larger than {_size(limit)}.")


class BodyLimit:
    """ASGI middleware: `limit` bytes for every request, `import_limit` for CSV imports."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES, import_limit: int | None = None) -> None:
        self.app = app
        self.limit = limit
        self.import_limit = import_limit or limit

    def _limit(self, scope: Scope) -> int:
        # The limits are settings, known only once the service has started (they live on the app's context).
        context = getattr(getattr(scope.get("app"), "state", None), "context", None)
        settings = getattr(context, "settings", None)
        limit = getattr(settings, "intake_max_body_bytes", self.limit)
        import_limit = getattr(settings, "intake_max_import_bytes", self.import_limit)
        return int(import_limit if scope.get("path", "").rstrip("/") == IMPORTS_PATH else limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"").decode("latin-1")
        if length.isdigit() and int(length) > limit:
            await too_large(limit)(scope, receive, send)
            return
        received = 0
        started = False
        overflowed = False

        async def counted_receive() -> Message:
            # Past the limit the app is told the client went away, and whatever it answers is replaced by 413
            # (raising here would reach FastAPI's body parsing wrapped in an exception group, as a 400).
            nonlocal received, overflowed
            if overflowed:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit and not started:
                    overflowed = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if overflowed:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not overflowed:
                raise
        if overflowed:
            await too_large(limit)(scope, receive, send)


def install_body_limit(app: FastAPI, limit: int = MAX_BODY_BYTES, import_limit: int | None = None) -> None:
    app.add_middleware(BodyLimit, limit=limit, import_limit=import_limit)
