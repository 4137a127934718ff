"""The registry's HTTP API: imports for administrators (bearer token, compared in constant time) and the
LAOs of the registry for anyone (DLA's list is open data). An import goes through the same code path as the
command line (`registry/importer.py`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from starlette.datastructures import UploadFile

from services.validation.api.deps import Registry, Relay, refuse_unless_admin
from services.validation.registry.importer import run_import
from shared.errors import ErrorBody, NotFound, Refused
from shared.logging import get_logger
from shared.runtime import SettingsDep

log = get_logger(__name__)
router = APIRouter(prefix="/v1/registry", tags=["registry"])

_ADMIN_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "No admin token"},
    403: {"model": ErrorBody, "description": "Wrong admin token, or imports through the API are disabled"},
}
_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object",
            "properties": {
                "file": {"type": "string", "format": "binary",
                         "description": "DLA's LAO list (dataset dlads_05_01, CSV, one row per LAO × sub-district)"},
                "size_classes": {"type": "string", "format": "binary",
                                 "description": "Optional CSV of size classes: รหัส อปท., ขนาด อปท."},
            },
        }}},
    }
}


@router.post("/imports", status_code=201, summary="Import DLA's LAO list and/or size classes (admin)",
             openapi_extra=_UPLOAD_BODY,
             responses={**_ADMIN_ERRORS, 413: {"model": ErrorBody}, 422: {"model": ErrorBody}})
async def create_import(request: Request, settings: SettingsDep, registry: Registry, relay: Relay) -> Any:
    # The token is checked before the upload is parsed: an anonymous client never gets a file spooled.
    refuse_unless_admin(request, settings)
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > settings.registry_max_upload_bytes:
        raise Refused(413, "too_large", f"ไฟล์ใหญ่เกิน {settings.registry_max_upload_bytes:,} ไบต์",
                      f"The upload is larger than {settings.registry_max_upload_bytes:,} bytes.")
    form = await request.form(max_files=2)
    try:
        laos, sizes = form.get("file"), form.get("size_classes")
        laos_upload = laos if isinstance(laos, UploadFile) else None
        sizes_upload = sizes if isinstance(sizes, UploadFile) else None
        # A file that cannot be imported is refused (422 file_refused) with nothing written.
        record = await run_import(
            registry,
            laos_file=laos_upload.file if laos_upload else None,
            size_classes_file=sizes_upload.file if sizes_upload else None,
            source=laos_upload.filename if laos_upload else None,
            size_classes_source=sizes_upload.filename if sizes_upload else None,
            requested_by="api",
        )
    finally:
        await form.close()
    relay.notify()
    log.info("registry imported", import_id=record["_id"], laos=record.get("laos"), events=record.get("events"))
    return JSONResponse(jsonable_encoder(record), status_code=201)


@router.get("/imports", summary="The latest imports (admin)", responses=_ADMIN_ERRORS)
async def imports(request: Request, settings: SettingsDep, registry: Registry,
                  limit: int = Query(20, ge=1, le=200)) -> Any:
    refuse_unless_admin(request, settings)
    return jsonable_encoder(await registry.recent_imports(limit))


@router.get("/imports/{import_id}", summary="One import (admin)",
            responses={**_ADMIN_ERRORS, 404: {"model": ErrorBody}})
async def import_record(request: Request, settings: SettingsDep, registry: Registry, import_id: str) -> Any:
    refuse_unless_admin(request, settings)
    record = await registry.import_record(import_id)
    if record is None:
        raise NotFound("not_found", f"ไม่พบการนำเข้า {import_id}", f"No import {import_id}.")
    return jsonable_encoder(record)


@router.get("/laos", summary="LAOs of a province (and district) in the registry")
async def laos(registry: Registry,
               province: str = Query(pattern=r"^[0-9]{2}$", description="DOPA province code"),
               district: str | None = Query(None, pattern=r"^[0-9]{4}$", description="DOPA district code")) -> Any:
    return jsonable_encoder(await registry.in_place(province, district))


@router.get("/laos/{code}", summary="One LAO of the registry by its DLA code", responses={404: {"model": ErrorBody}})
async def lao(registry: Registry, code: str) -> Any:
    document = await registry.get(code)
    if document is None:
        raise NotFound("not_found", f"ไม่พบรหัส อปท. {code} ในทะเบียน", f"LAO code {code} is not in the registry.")
    return jsonable_encoder(document)
