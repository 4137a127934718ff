"""Notification's office directory against a real MongoDB wire server: which offices a notification goes to
(by level, area and template), as the submission notices and the schedule ask for them."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.notification.recipients import read_directory
from services.notification.repository import Directory
from shared.store import Store
from tests.support import Namespace

LINE_USER = "U" + "0123456789abcdef" * 2
DIRECTORY = f"""level,areas,office,channel,address,name,templates
district,3601,สถ.อ.เมืองชัยภูมิ,email,amphoe.muang@example.go.th,นายสมศักดิ์ รักงาน,
district,"3602; 3603",สถ.อ.บ้านเขว้า,email,amphoe.khwao@example.go.th,,
province,36,สถ.จ.ชัยภูมิ,line,{LINE_USER},,reminder;digest
province,๓๖,สถ.จ.ชัยภูมิ,webhook,https://chaiyaphum.example.go.th/hooks/smartcity?token=abc,,
national,,,email,smartcity@dla.example.go.th,,digest
"""


@pytest.fixture
async def directory(namespace: Namespace) -> AsyncIterator[Directory]:
    store = Store(namespace.settings("notification"))
    contacts = Directory.of(store)
    await contacts.create_indexes()
    await contacts.replace(read_directory(DIRECTORY), source="offices.csv")
    try:
        yield contacts
    finally:
        await store.close()


async def test_offices_are_chosen_by_level_area_and_template(directory: Directory) -> None:
    chosen = await directory.offices(("district", "province"), "returned", "36", "3601")
    assert [c.office for c in chosen] == ["สถ.อ.เมืองชัยภูมิ", "สถ.จ.ชัยภูมิ"]  # the LINE contact wants no returns
    assert [c.channel for c in chosen] == ["email", "webhook"]
    assert [c.kind for c in await directory.offices(("national",), "digest", "36", None)] == ["national"]
    assert await directory.offices(("district",), "returned", "10", "1001") == []


async def test_the_schedule_reaches_every_office_of_a_level_that_wants_the_template(directory: Directory) -> None:
    assert [c.channel for c in await directory.at_levels(("province",), "digest")] == ["line", "webhook"]
    assert [c.channel for c in await directory.at_levels(("province",), "returned")] == ["webhook"]
    assert [c.areas for c in await directory.at_levels(("district",), "reminder")] == [("3601",), ("3602", "3603")]
