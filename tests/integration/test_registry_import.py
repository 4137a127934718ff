"""Importing DLA's LAO registry against the real broker and store: the admin API and the command line
write through one path, re-importing updates without duplicating, a refused import writes nothing, and each
import publishes one complete `registry.updated` per province through the outbox to reporting and
notification."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import pytest

from services.validation.registry.importer import SNIFF_BYTES
from services.validation.service import SPEC as VALIDATION
from shared.bus import Bus
from shared.events import Envelope, RegistryUpdated
from shared.topology import Names
from tests.support import ROOT, InProcessService, Namespace, drain, eventually, http_client

DATA = ROOT / "services" / "validation" / "data"
SAMPLE = DATA / "sample-dlads_05_01.csv"
SIZES = DATA / "sample-lao-size-classes.csv"
TOKEN = "registry-admin-token-for-tests-0123"
ADMIN = {"Authorization": f"Bearer {TOKEN}"}



async def registry_events(namespace: Namespace, service: str, count: int) -> list[Envelope]:
    seen: list[Envelope] = []

    async def check() -> list[Envelope] | None:
        seen.extend(e for e in await drain(namespace, service) if e.event_type == "registry.updated")
        return seen if len(seen) >= count else None

    return await eventually(check, what=f"{count} registry.updated events on {service}'s queue")


@pytest.fixture
async def validation(namespace: Namespace) -> AsyncIterator[InProcessService]:
    async with InProcessService(VALIDATION, namespace.settings("validation", registry_admin_token=TOKEN)) as service:
        yield service


def _part(path: Path) -> tuple[str, bytes, str]:
    return path.name, path.read_bytes(), "text/csv"


async def upload(client: httpx.AsyncClient, *, laos: Path | None = SAMPLE, sizes: Path | None = None,
                 headers: dict[str, str] | None = None) -> httpx.Response:
    files: dict[str, Any] = {}
    if laos is not None:
        files["file"] = _part(laos)
    if sizes is not None:
        files["size_classes"] = _part(sizes)
    return await client.post("/v1/registry/imports", files=files, headers=ADMIN if headers is None else headers)


async def test_importing_the_sample_twice_collapses_rows_and_updates_without_duplicating(
        namespace: Namespace, validation: InProcessService) -> None:
    async with http_client(validation.url) as client:
        first = await upload(client)
        assert first.status_code == 201, first.text
        record = first.json()
        assert (record["status"], record["rows"], record["laos"], record["inserted"], record["updated"]) == (
            "completed", 51, 27, 27, 0)
        assert record["provinces"] == ["30", "36", "40", "50", "83"] and record["events"] == 5
        assert "outbox" not in record and record["source"] == SAMPLE.name and len(record["sha256"]) == 64

        again = (await upload(client)).json()
        assert (again["laos"], again["inserted"], again["updated"], again["retired"]) == (27, 0, 27, 0)

        chiang_mai = (await client.get("/v1/registry/laos", params={"province": "50"})).json()
        assert [lao["_id"] for lao in chiang_mai] == ["3500101", "4500109", "4501408", "5501401"]
        city = (await client.get("/v1/registry/laos/3500101")).json()
        assert (city["district_code"], len(city["subdistricts"]), city["first_import_id"]) == (
            "5001", 14, record["_id"])
        assert city["last_import_id"] == again["_id"]
        total = 0
        for province in record["provinces"]:
            total += len((await client.get("/v1/registry/laos", params={"province": province})).json())
        assert total == 27
        assert (await client.get("/v1/registry/laos/9999999")).status_code == 404

        history = (await client.get("/v1/registry/imports", headers=ADMIN)).json()
        assert [h["_id"] for h in history] == [again["_id"], record["_id"]]

    # Two imports × five provinces, each a complete list, for reporting and for notification alike.
    for service in ("reporting", "notification"):
        events = await registry_events(namespace, service, 10)
        latest = {e.data["province_code"]: e.read(RegistryUpdated) for e in events
                  if e.data["import_id"] == again["_id"]}
        assert sorted(latest) == ["30", "36", "40", "50", "83"]
        chaiyaphum = latest["36"]
        assert chaiyaphum.province_name == "ชัยภูมิ" and len(chaiyaphum.laos) == 8
        town = next(lao for lao in chaiyaphum.laos if lao.code == "4360101")
        assert (town.name, town.type, town.district_code, town.size_class) == (
            "เทศบาลเมืองชัยภูมิ", "เทศบาลเมือง", "3601", None)
        assert all(e.correlation_id.startswith("registry/") and e.producer == "validation" for e in events)


async def test_size_classes_import_fills_the_class_and_republishes_the_provinces(
        namespace: Namespace, validation: InProcessService) -> None:
    async with http_client(validation.url) as client:
        assert (await upload(client)).status_code == 201
        sizes = await upload(client, laos=None, sizes=SIZES)
        assert sizes.status_code == 201, sizes.text
        assert sizes.json()["size_classes"]["applied"] == 27 and sizes.json()["events"] == 5
        assert (await client.get("/v1/registry/laos/3830101")).json()["size_class"] == "large"
        # A later LAO file without a size column keeps the classes.
        assert (await upload(client)).status_code == 201
        assert (await client.get("/v1/registry/laos/4360101")).json()["size_class"] == "medium"
    events = await registry_events(namespace, "reporting", 15)
    phuket = [e.read(RegistryUpdated) for e in events if e.data["province_code"] == "83"][-1]
    assert {lao.code: lao.size_class for lao in phuket.laos}["3830101"] == "large"


async def test_an_lao_no_longer_listed_for_its_province_is_retired_and_announced(
        namespace: Namespace, validation: InProcessService, tmp_path: Path) -> None:
    async with http_client(validation.url) as client:
        assert (await upload(client)).status_code == 201
        lines = SAMPLE.read_text(encoding="utf-8-sig").splitlines(keepends=True)
        without_kamala = tmp_path / "dlads_05_01.csv"
        without_kamala.write_text("".join(line for line in lines if "6830203" not in line), encoding="utf-8")
        record = (await upload(client, laos=without_kamala)).json()
        assert (record["laos"], record["retired"]) == (26, 1)
        phuket = (await client.get("/v1/registry/laos", params={"province": "83"})).json()
        assert "6830203" not in [lao["_id"] for lao in phuket]
    events = await registry_events(namespace, "reporting", 10)
    last_phuket = [e.read(RegistryUpdated) for e in events if e.data["province_code"] == "83"][-1]
    assert last_phuket.removed_codes == ["6830203"] and len(last_phuket.laos) == 4


async def registry_contents(validation: InProcessService) -> list[dict[str, Any]]:
    """Every LAO document of the registry, active or retired, straight from the store."""
    laos = validation.component.state.registry.laos
    documents: list[dict[str, Any]] = await laos.find({}, sort=[("_id", 1)]).to_list(None)
    return documents


def _changed_sample() -> str:
    """The sample as a later file would differ from it: a renamed LAO, one LAO gone (it would be retired)."""
    lines = SAMPLE.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    return "".join(line.replace("เทศบาลเมืองชัยภูมิ", "เทศบาลเมืองชัยภูมิใหม่") for line in lines
                   if "6830203" not in line)


async def test_an_import_whose_last_row_cannot_be_read_leaves_the_registry_exactly_as_it_was(
        validation: InProcessService, tmp_path: Path) -> None:
    header, *rows = _changed_sample().splitlines(keepends=True)
    # Repeated sub-district rows collapse into the same LAOs; they push the bad row past the encoding sniff,
    # as in DLA's full file. The last row was pasted in from an older Windows-874 export.
    body = (header + "".join(rows) * 6).encode()
    assert len(body) > SNIFF_BYTES
    last_line = 1 + 6 * len(rows) + 1
    mixed = tmp_path / "dlads_05_01.csv"
    mixed.write_bytes(body + "ชัยภูมิ,เมืองชัยภูมิ,ในเมือง,4360199,เทศบาลตำบล,เทศบาลตำบลใหม่,,,,,,,\n".encode("cp874"))
    async with http_client(validation.url) as client:
        assert (await upload(client)).status_code == 201
        before = await registry_contents(validation)
        refused = await upload(client, laos=mixed)
        assert refused.status_code == 422 and refused.json()["error"] == "file_refused"
        body_json = refused.json()
        assert f"แถวที่ {last_line}" in body_json["message_th"] and f"Line {last_line}" in body_json["message_en"]
        after = await registry_contents(validation)
        assert (len(after), after) == (len(before), before)
        assert len(before) == 27 and "4360199" not in {d["_id"] for d in after}
        record = (await client.get("/v1/registry/imports", headers=ADMIN)).json()[0]
        assert record["status"] == "refused" and f"Line {last_line}" in record["error_en"]

        # The same file without its bad row goes in: the check, not the content, refused it.
        fixed = tmp_path / "fixed.csv"
        fixed.write_bytes(body)
        accepted = (await upload(client, laos=fixed)).json()
        assert (accepted["status"], accepted["laos"], accepted["retired"]) == ("completed", 26, 1)


@pytest.mark.parametrize(("refusal", "sizes_text"), [
    pytest.param("unknown header", "รหัส อปท.,ชั้น\n4360101,ขนาดกลาง\n", id="unknown-header"),
    pytest.param("unreadable last line", "รหัส อปท.,ขนาด\n4360101,ขนาดกลาง\n3400101,\"" + "ใหญ่" * 40_000 + "\"\n",
                 id="unreadable-last-line"),
])
async def test_a_pair_whose_size_file_is_refused_writes_neither_file(
        validation: InProcessService, tmp_path: Path, refusal: str, sizes_text: str) -> None:
    laos, sizes = tmp_path / "dlads_05_01.csv", tmp_path / "sizes.csv"
    laos.write_text(_changed_sample(), encoding="utf-8")
    sizes.write_text(sizes_text, encoding="utf-8")
    async with http_client(validation.url) as client:
        assert (await upload(client)).status_code == 201
        before = await registry_contents(validation)
        refused = await upload(client, laos=laos, sizes=sizes)
        assert refused.status_code == 422, refusal
        assert await registry_contents(validation) == before
        city = (await client.get("/v1/registry/laos/4360101")).json()
        assert (city["name"], city.get("size_class")) == ("เทศบาลเมืองชัยภูมิ", None)
        assert (await client.get("/v1/registry/laos/6830203")).json()["active"] is True
    if refusal == "unknown header":
        message = refused.json()
        for looked_for in ("ขนาด อปท.", "size", "size_class"):
            assert looked_for in message["message_th"] and looked_for in message["message_en"]


async def test_a_size_file_in_dla_staffs_own_spellings_is_applied(
        validation: InProcessService, tmp_path: Path) -> None:
    sizes = tmp_path / "sizes.csv"
    sizes.write_bytes("\ufeff Code ,\u00a0ขนาด อปท\u00a0\r\n4360101,M\r\n3830101,ใหญ่ (L)\r\n5360116,size s\r\n"
                      .encode("utf-8"))
    async with http_client(validation.url) as client:
        assert (await upload(client)).status_code == 201
        record = (await upload(client, laos=None, sizes=sizes)).json()
        assert (record["size_classes"]["applied"], record["size_classes"]["rows_skipped"]) == (3, 0)
        classes = {code: (await client.get(f"/v1/registry/laos/{code}")).json()["size_class"]
                   for code in ("4360101", "3830101", "5360116")}
    assert classes == {"4360101": "medium", "3830101": "large", "5360116": "small"}


async def test_imports_need_the_admin_token_and_say_so_in_thai_and_english(
        namespace: Namespace, validation: InProcessService) -> None:
    async with http_client(validation.url) as client:
        missing = await upload(client, headers={})
        assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
        wrong = await upload(client, headers={"Authorization": "Bearer " + "x" * len(TOKEN)})
        assert wrong.status_code == 403
        listing = await client.get("/v1/registry/imports")
        assert listing.status_code == 401
        for response in (missing, wrong):
            body = response.json()
            assert body["message_th"] and body["message_en"] and body["message_th"] != body["message_en"]
        refused = await upload(client, laos=DATA / "README.md")
        assert refused.status_code == 422 and "รหัส อปท." in refused.json()["message_th"]
        assert refused.json()["error"] == "file_refused"
        nothing = await client.post("/v1/registry/imports", files={"other": ("x.csv", b"a,b\n")}, headers=ADMIN)
        assert nothing.status_code == 422
        assert (await client.get("/v1/registry/laos", params={"province": "36"})).json() == []


async def test_without_a_configured_token_imports_through_the_api_are_disabled(namespace: Namespace) -> None:
    async with InProcessService(VALIDATION, namespace.settings("validation")) as service, \
            http_client(service.url) as client:
        response = await upload(client)
        assert response.status_code == 403 and "REGISTRY_ADMIN_TOKEN" in response.json()["message_en"]


async def test_the_command_line_imports_through_the_same_path_and_the_service_publishes_its_events(
        namespace: Namespace, validation: InProcessService) -> None:
    env = {**os.environ, **namespace.env("validation")}
    env.pop("AMQP_URL")  # the importer never talks to the broker
    command = [sys.executable, "-m", "services.validation.registry", "import", str(SAMPLE),
               "--size-classes", str(SIZES)]
    done = await asyncio.to_thread(subprocess.run, command, env=env, cwd=ROOT, capture_output=True, text=True,
                                   timeout=120)
    assert done.returncode == 0, done.stderr
    assert "27 LAOs (27 new, 0 updated" in done.stdout and "อปท. 27 แห่ง" in done.stdout
    assert "writing LAOs" in done.stderr  # the progress bar
    async with http_client(validation.url) as client:
        record = (await client.get("/v1/registry/imports", headers=ADMIN)).json()[0]
        assert (record["requested_by"], record["laos"], record["size_classes"]["applied"]) == ("cli", 27, 27)
        assert (await client.get("/v1/registry/laos/4830202")).json()["size_class"] == "medium"
    events = await registry_events(namespace, "notification", 5)
    assert {e.data["import_id"] for e in events} == {record["_id"]}

    refused = await asyncio.to_thread(subprocess.run, [*command[:4], str(DATA / "README.md")], env=env, cwd=ROOT,
                                      capture_output=True, text=True, timeout=120)
    assert refused.returncode == 2 and "not found" in refused.stderr


async def test_a_service_without_a_registry_handler_acks_registry_events(namespace: Namespace) -> None:
    # Reporting and notification have no registry handler yet: the bus must ack, never retry or dead-letter.
    consumer = Bus(namespace.settings("reporting"), "reporting")
    publisher = Bus(namespace.settings("test-publisher"), "test-publisher")
    await consumer.connect()
    await publisher.connect()
    try:
        handled: list[str] = []

        async def on_received(envelope: Envelope) -> None:
            handled.append(envelope.event_type)

        await consumer.consume({"submission.received": on_received})
        event = Envelope.build(RegistryUpdated(import_id="imp_test", imported_at="2025-11-01T00:00:00Z",
                                               province_code="36", laos=[]),
                               producer="test", correlation_id="registry/imp_test")
        await publisher.publish(event)

        async def settled() -> bool | None:
            connection = await aio_pika.connect(namespace.infra.amqp_url)
            try:
                channel = await connection.channel()
                names = Names(namespace.name)
                queue = await channel.declare_queue(names.queue("reporting"), passive=True)
                dead = await channel.declare_queue(names.dead_letter_queue("reporting"), passive=True)
                counts = (queue.declaration_result.message_count, dead.declaration_result.message_count)
            finally:
                await connection.close()
            return True if counts == (0, 0) else None

        await asyncio.sleep(0.3)
        await eventually(settled, what="the registry event acked")
        assert handled == [] and await consumer.dead_letters("reporting") == []
    finally:
        await consumer.close()
        await publisher.close()
