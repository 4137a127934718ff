"""How the rankings moved between two rubric versions: per size group, each submission's national rank
before and after, the places it moved, its totals and tiers.

    python -m services.scoring.compare --campaign fy2568 --from fy2568-v1 --to fy2568-v2 [--json]

Reads scoring's database (MONGODB_URL, MONGODB_DB_PREFIX); each submission's newest revision counts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from pydantic import ValidationError

from services.scoring.command_line import print_refusal, print_settings_error, scoring
from services.scoring.rubric import UnknownRubric
from services.scoring.standings import comparison, comparison_text, comparison_view, standings
from shared.errors import NotFound, Problem


async def _compare(arguments: argparse.Namespace) -> str:
    async with scoring() as context:
        if arguments.campaign not in context.campaigns:
            raise NotFound("unknown_campaign", f"ไม่พบรอบการคัดเลือก {arguments.campaign}",
                           f"No campaign {arguments.campaign!r}.")
        try:
            before_rubric, after_rubric = context.rubrics.get(arguments.version_from), context.rubrics.get(
                arguments.version_to)
        except UnknownRubric as error:
            raise NotFound("unknown_rubric", "ไม่พบเกณฑ์รุ่นที่ระบุ", str(error)) from None
        before, _ = await standings(context.store, arguments.campaign, arguments.version_from)
        after, _ = await standings(context.store, arguments.campaign, arguments.version_to)
    moves = comparison(before, after, before_rubric, after_rubric)
    if arguments.json:
        view = comparison_view(moves, campaign=arguments.campaign, version_from=arguments.version_from,
                               version_to=arguments.version_to, rubric_after=after_rubric)
        return json.dumps(view, ensure_ascii=False, indent=2, default=str) + "\n"
    return comparison_text(moves, campaign=arguments.campaign, version_from=arguments.version_from,
                           version_to=arguments.version_to, rubric_after=after_rubric)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.scoring.compare", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--campaign", required=True)
    parser.add_argument("--from", dest="version_from", required=True, help="the earlier rubric version")
    parser.add_argument("--to", dest="version_to", required=True, help="the later rubric version")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    arguments = parser.parse_args(argv)
    try:
        sys.stdout.write(asyncio.run(_compare(arguments)))
    except Problem as refused:
        return print_refusal(refused)
    except ValidationError as error:
        return print_settings_error(error)
    return 0


if __name__ == "__main__":
    sys.exit(main())
