"""Committee reviewers from the command line (the same code paths as the admin API):

    python -m services.scoring.reviewers add --name "นางสาวสมหญิง ตั้งใจ" --province 36   # prints the token once
    python -m services.scoring.reviewers list
    python -m services.scoring.reviewers disable rev_0123456789
    python -m services.scoring.reviewers assign rev_0123456789 SUBMISSION_ID [SUBMISSION_ID ...]
    python -m services.scoring.reviewers audit [--submission SUBMISSION_ID] [--reviewer REVIEWER_ID]
    python -m services.scoring.reviewers link rev_0123456789 [--base-url https://smartcity.example.go.th]

`link` prints a one-time sign-in link to the reviewers' web workspace (valid once, for 72 hours), shown once.

`--province` is the reviewer's own province (code or name): they can never score a municipality there.
`--province national` for a DLA official without a province.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from pydantic import ValidationError

from services.scoring.application.links import issue_link
from services.scoring.application.reviewing import (
    assign,
    audit_trail,
    disable_reviewer,
    register_reviewer,
    reviewers,
)
from services.scoring.command_line import print_refusal, print_settings_error, scoring
from shared.errors import Problem

DEFAULT_BASE_URL = "http://127.0.0.1:8003"


def _line(document: object) -> str:
    return json.dumps(document, ensure_ascii=False, default=str)


async def _run(arguments: argparse.Namespace) -> int:
    async with scoring() as context:
        store = context.store
        if arguments.command == "add":
            reviewer, token = await register_reviewer(store, name=arguments.name, province=arguments.province,
                                                      created_by=arguments.by)
            print(_line(reviewer))
            print("โทเค็นของกรรมการ (แสดงครั้งเดียว เก็บไว้ให้ดี) / the reviewer's token (shown this once only):")
            print(token)
        elif arguments.command == "list":
            for reviewer in await reviewers(store):
                print(_line(reviewer))
        elif arguments.command == "disable":
            print(_line(await disable_reviewer(store, arguments.reviewer_id, by=arguments.by)))
        elif arguments.command == "assign":
            outcome = await assign(store, context.workspace, reviewer_id=arguments.reviewer_id,
                                   submission_ids=arguments.submission_ids, assigned_by=arguments.by)
            print(_line(outcome))
            if outcome["refused"]:
                for refusal in outcome["refused"]:
                    print(f"{refusal['submission_id']}: {refusal['message_th']} / {refusal['message_en']}",
                          file=sys.stderr)
                return 1
        elif arguments.command == "link":
            path, expires_at = await issue_link(context.workspace, "reviewer", arguments.reviewer_id, arguments.by)
            print(f"ลิงก์เข้าสู่ระบบของกรรมการ {arguments.reviewer_id} (ใช้ได้ครั้งเดียว ถึง {expires_at.isoformat()}) / "
                  f"the reviewer's one-time sign-in link (valid once, until {expires_at.isoformat()}):")
            print(arguments.base_url.rstrip("/") + path)
        elif arguments.command == "audit":
            for record in await audit_trail(store, submission_id=arguments.submission, reviewer_id=arguments.reviewer):
                print(_line(record))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.scoring.reviewers", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--by", default="cli", help="who does this (kept in the records)")
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add", help="register a reviewer and print their token once")
    add.add_argument("--name", required=True)
    add.add_argument("--province", required=True, help="their own province: code (36) or name, or `national`")
    commands.add_parser("list", help="every reviewer (never their tokens)")
    disable = commands.add_parser("disable", help="revoke a reviewer's token")
    disable.add_argument("reviewer_id")
    assignment = commands.add_parser("assign", help="assign submissions to a reviewer")
    assignment.add_argument("reviewer_id")
    assignment.add_argument("submission_ids", nargs="+")
    audit = commands.add_parser("audit", help="the audit trail of reviewers' points")
    audit.add_argument("--submission", default=None)
    audit.add_argument("--reviewer", default=None)
    link = commands.add_parser("link", help="print a one-time sign-in link to the reviewers' web workspace")
    link.add_argument("reviewer_id")
    link.add_argument("--base-url", default=DEFAULT_BASE_URL,
                      help=f"the workspace's public address, as reviewers reach it (default {DEFAULT_BASE_URL})")
    arguments = parser.parse_args(argv)
    try:
        return asyncio.run(_run(arguments))
    except Problem as refused:
        return print_refusal(refused)
    except ValidationError as error:
        return print_settings_error(error)


if __name__ == "__main__":
    sys.exit(main())
