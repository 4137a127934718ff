"""DLA's administrators' accounts from the command line: each holds a token of its own (shown once, stored only
as its keyed digest) and the scopes it may use, so every freeze, override and publication is audited under a
person's name rather than under the one shared SCORING_ADMIN_TOKEN:

    python -m services.scoring.admins create --name "นายสมชาย ใจดี (กพส.)" --scope selection   # prints the token once
    python -m services.scoring.admins create --name "ฝ่ายเลขานุการคณะกรรมการ" --scope committee --scope selection
    python -m services.scoring.admins list
    python -m services.scoring.admins disable adm_0123456789
    python -m services.scoring.admins link adm_0123456789 [--base-url https://smartcity.example.go.th]

Scopes: `committee` (reviewers, assignments, the audit trail, re-scoring) and `selection` (the final selection:
freeze, override, publish, unfreeze). The token goes in `Authorization: Bearer …` on the admin API.
`link` prints a one-time sign-in link to the workspace's selection pages (/workspace/admin/; valid once, for
72 hours), for an administrator who works in a browser rather than with the token.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from pydantic import ValidationError

from services.scoring.application.admins import ADMIN_SCOPES, admins, create_admin, disable_admin
from services.scoring.application.links import issue_link
from services.scoring.command_line import print_refusal, print_settings_error, scoring
from services.scoring.reviewers import DEFAULT_BASE_URL
from shared.errors import Problem


def _line(document: object) -> str:
    return json.dumps(document, ensure_ascii=False, default=str)


async def _run(arguments: argparse.Namespace) -> int:
    async with scoring() as context:
        store = context.store
        if arguments.command == "create":
            admin, token = await create_admin(store, name=arguments.name, scopes=arguments.scope,
                                              created_by=arguments.by)
            print(_line(admin))
            print("โทเค็นของผู้ดูแลระบบ (แสดงครั้งเดียว เก็บไว้ให้ดี) / the administrator's token (shown this once only):")
            print(token)
        elif arguments.command == "list":
            for admin in await admins(store):
                print(_line(admin))
        elif arguments.command == "disable":
            print(_line(await disable_admin(store, arguments.admin_id, by=arguments.by)))
        elif arguments.command == "link":
            path, expires_at = await issue_link(context.workspace, "admin", arguments.admin_id, arguments.by)
            print(f"ลิงก์เข้าสู่ระบบของผู้ดูแลระบบ {arguments.admin_id} (ใช้ได้ครั้งเดียว ถึง {expires_at.isoformat()}) / "
                  f"the administrator's one-time sign-in link (valid once, until {expires_at.isoformat()}):")
            print(arguments.base_url.rstrip("/") + path)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.scoring.admins", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--by", default="cli", help="who does this (kept in the records)")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create", help="create an administrator's account and print its token once")
    create.add_argument("--name", required=True)
    create.add_argument("--scope", action="append", required=True, choices=ADMIN_SCOPES,
                        help="what the account may do (repeat for several)")
    commands.add_parser("list", help="every administrator (never their tokens)")
    disable = commands.add_parser("disable", help="revoke an administrator's token")
    disable.add_argument("admin_id")
    link = commands.add_parser("link", help="print a one-time sign-in link to the workspace's selection pages")
    link.add_argument("admin_id")
    link.add_argument("--base-url", default=DEFAULT_BASE_URL,
                      help=f"the workspace's public address, as administrators reach it (default {DEFAULT_BASE_URL})")
    arguments = parser.parse_args(argv)
    try:
        return asyncio.run(_run(arguments))
    except Problem as refused:
        return print_refusal(refused)
    except ValidationError as error:
        return print_settings_error(error)


if __name__ == "__main__":
    sys.exit(main())
