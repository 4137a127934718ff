"""Who may read which reports: bearer tokens scoped to one district, one province or the nation.

Tokens are stored only as their keyed digest (HMAC-SHA256 with TOKEN_DIGEST_KEY, shared/secrets.py) in
reporting's own `api_tokens` collection (services/reporting/repository/tokens.py); the token itself is printed
once, when it is created:

    python -m services.reporting.tokens create --scope province:36 --name "สถ.จ.ชัยภูมิ"
    python -m services.reporting.tokens create --scope district:3601 --name "สถ.อ.เมืองชัยภูมิ"
    python -m services.reporting.tokens create --scope national --name "กองพัฒนาฯ สถ."
    python -m services.reporting.tokens list
    python -m services.reporting.tokens revoke <id>          (the id `list` shows: the hash's first 12 digits)

The command reads MONGODB_URL (and MONGODB_DB_PREFIX) as the service does.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
from dataclasses import dataclass
from typing import Literal

import geothai
from pydantic import ValidationError

from shared.secrets import legacy_digest
from shared.settings import settings_error_text

Level = Literal["national", "province", "district"]
TOKEN_PREFIX = "srt_"  # Smart City reporting token: recognisable in a leaked-secret scan
_SCOPE = re.compile(r"^(?:national|province:[0-9]{2}|district:[0-9]{4})$")


class InvalidScope(ValueError):
    pass


@dataclass(frozen=True)
class Scope:
    """What a reader may see: everything (national), one province and its districts, or one district."""

    level: Level
    code: str | None = None

    @classmethod
    def parse(cls, text: str) -> Scope:
        text = text.strip().lower()
        if not _SCOPE.match(text):
            raise InvalidScope(f"scope {text!r}: expected national, province:<2-digit code> or district:<4 digits>")
        if text == "national":
            return NATIONAL
        level, code = text.split(":")
        known = geothai.province(code) if level == "province" else geothai.district(code)
        if known is None:
            raise InvalidScope(f"scope {text!r}: no {level} with DOPA code {code}")
        return cls("province" if level == "province" else "district", code)

    def __str__(self) -> str:
        return self.level if self.code is None else f"{self.level}:{self.code}"

    @property
    def province_code(self) -> str | None:
        return None if self.code is None else self.code[:2]

    def allows_national(self) -> bool:
        return self.level == "national"

    def allows_province(self, key: str) -> bool:
        return self.level == "national" or (self.level == "province" and key == self.code)

    def allows_district(self, code: str) -> bool:
        if self.level == "national":
            return True
        if self.level == "province":
            return code[:2] == self.code
        return code == self.code

    def allows_place(self, province_code: str | None, district_code: str | None) -> bool:
        """Whether a submission placed here is visible (an unplaced one only nationally)."""
        if self.level == "national":
            return True
        if self.level == "province":
            return province_code == self.code
        return district_code == self.code


NATIONAL = Scope("national")


def hash_token(token: str) -> str:
    """The plain SHA-256 under which tokens were stored before the keyed digest (found second, then moved)."""
    return legacy_digest(token)


async def _run(args: argparse.Namespace) -> int:
    from services.reporting.repository import TokenBook
    from shared.localdefaults import use_local_defaults
    from shared.secrets import digest_key
    from shared.settings import Settings
    from shared.store import Store

    use_local_defaults()  # against `make run` as written, when MONGODB_URL is not set
    settings = Settings(service_name="reporting")  # type: ignore[call-arg]  # the rest comes from the environment
    store = Store(settings)
    try:
        book = TokenBook(store.collection("api_tokens"), digest_key(settings))
        if args.command == "create":
            token, document = await book.create(Scope.parse(args.scope), args.name)
            print(f"created token {document['_id'][:12]} for {document['scope']} ({document['name']}).")
            print("It is shown only this once; send it as `Authorization: Bearer <token>`:")
            print(token)
        elif args.command == "list":
            for document in await book.list():
                state = "revoked" if document.get("revoked_at") else "active"
                print(f"{document['_id'][:12]}  {document['scope']:<16} {state:<8} "
                      f"{document['created_at']:%Y-%m-%d}  {document['name']}")
        else:
            count = await book.revoke(args.id)
            print(f"revoked {count} token(s)")
            return 0 if count else 1
    finally:
        await store.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.reporting.tokens",
                                     description="Reporting API tokens (scoped to a district, province or nation)")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create a token and print it once")
    create.add_argument("--scope", required=True, help="national, province:36 or district:3601")
    create.add_argument("--name", required=True, help="who holds it, e.g. สถ.จ.ชัยภูมิ")
    commands.add_parser("list", help="every token: id, scope, state, created, name")
    revoke = commands.add_parser("revoke", help="revoke a token by its id (from `list`)")
    revoke.add_argument("id")
    args = parser.parse_args(argv)
    try:
        return asyncio.run(_run(args))
    except InvalidScope as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except ValidationError as error:
        print(settings_error_text(error), file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
