"""Request size limit: a body larger than any real form response is refused before it is read."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from shared.errors import error_response

MAX_BODY_BYTES = 256 * 1024


def install_body_limit(app: FastAPI, limit: int = MAX_BODY_BYTES) -> None:
    @app.middleware("http")
    async def limit_body(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > limit:
            return error_response(413, "body_too_large",
                                  f"ข้อมูลมีขนาดใหญ่เกิน {limit // 1024} KB",
                                  f"The request body is larger than {limit // 1024} KB.")
        return await call_next(request)
