"""Intake's API keys for operators: `python -m services.intake.apikeys create|list|revoke`.

A key is shown once, when it is created; the store keeps only its keyed digest. Reads MONGODB_URL (and the
other settings) from the environment like the service itself.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from typing import Any

from pydantic import ValidationError

from services.intake.auth import SCOPES
from services.intake.repository import ApiKeys
from shared.localdefaults import use_local_defaults
from shared.secrets import digest_key
from shared.settings import Settings, settings_error_text
from shared.store import Store

_NAME = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")


async def run(arguments: argparse.Namespace, settings: Settings) -> int:
    store = Store(settings)
    try:
        keys = ApiKeys(store.collection("api_keys"), digest_key(settings))
        await keys.create_indexes()
        if arguments.command == "create":
            return await _create(keys, arguments)
        if arguments.command == "revoke":
            if await keys.revoke(arguments.name):
                print(f"revoked: {arguments.name} (ยกเลิกแล้ว)")
                return 0
            print(f"no active key named {arguments.name!r} (ไม่พบ API key ที่ใช้งานอยู่ชื่อนี้)", file=sys.stderr)
            return 1
        for key in await keys.all():
            state = f"revoked {key['revoked_at']:%Y-%m-%d}" if key.get("revoked_at") else "active"
            print(f"{key['name']:<30} {key.get('hint', '')}…  {','.join(key['scopes']):<20} "
                  f"created {key['created_at']:%Y-%m-%d}  {state}")
        return 0
    finally:
        await store.close()


async def _create(keys: ApiKeys, arguments: argparse.Namespace) -> int:
    from pymongo.errors import DuplicateKeyError

    if not _NAME.match(arguments.name):
        print("a name is 2–64 letters, digits, '.', '_', '@' or '-'", file=sys.stderr)
        return 2
    scopes: Any = tuple(arguments.scope or SCOPES)
    try:
        key = await keys.create(arguments.name, scopes)
    except DuplicateKeyError:
        print(f"a key named {arguments.name!r} exists already: revoke it or choose another name", file=sys.stderr)
        return 1
    print(key)
    print(f"API key for {arguments.name} ({', '.join(scopes)}). It is shown only now: keep it in a password "
          "manager or the client's secret store. / แสดงครั้งเดียวเท่านั้น โปรดเก็บไว้ในที่ปลอดภัย", file=sys.stderr)
    return 0


def parser() -> argparse.ArgumentParser:
    cli = argparse.ArgumentParser(prog="python -m services.intake.apikeys", description=__doc__)
    commands = cli.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create a key and print it once")
    create.add_argument("--name", required=True, help="who holds the key, e.g. chaiyaphum-pao or dashboard")
    create.add_argument("--scope", action="append", choices=SCOPES,
                        help="what the key may do (repeatable; default: all of submit, import, read)")
    revoke = commands.add_parser("revoke", help="revoke the key of this name")
    revoke.add_argument("--name", required=True)
    commands.add_parser("list", help="names, scopes and state of every key (never the keys)")
    return cli


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    use_local_defaults()  # against `make run` as written, when MONGODB_URL is not set
    try:
        settings = Settings(service_name="intake")  # type: ignore[call-arg]
    except ValidationError as error:
        print(settings_error_text(error), file=sys.stderr)
        return 2
    return asyncio.run(run(arguments, settings))


if __name__ == "__main__":
    raise SystemExit(main())
