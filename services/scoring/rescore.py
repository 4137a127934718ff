"""Publish a rubric version for a campaign (it becomes the active version) and re-score every submission
under it through the bus; or show the runs so far.

    python -m services.scoring.rescore --campaign fy2568 --rubric fy2568-v2 [--by NAME] [--reason TEXT] [--wait]
    python -m services.scoring.rescore --campaign fy2568 --status

Writes the run to scoring's database; the running scoring service publishes and handles the commands.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

from pydantic import ValidationError

from services.scoring.application.rescoring import run_progress, runs_of, start_run
from services.scoring.command_line import print_refusal, print_settings_error, scoring
from shared.errors import Problem


async def _status(campaign: str) -> int:
    async with scoring() as context:
        for progress in await runs_of(context.store, campaign):
            print(json.dumps(progress, ensure_ascii=False, default=str))
    return 0


async def _rescore(arguments: argparse.Namespace) -> int:
    async with scoring() as context:
        run = await start_run(context.store, context.campaigns, context.rubrics, campaign=arguments.campaign,
                              rubric_version=arguments.rubric, requested_by=arguments.by, reason=arguments.reason)
        print(f"เริ่มให้คะแนนใหม่ตามเกณฑ์รุ่น {run['rubric_version']} (เดิม {run['previous_version']}) / "
              f"re-scoring {arguments.campaign} under {run['rubric_version']} (was {run['previous_version']}): "
              f"run {run['_id']}")
        if not arguments.wait:
            print("ความคืบหน้า / progress: python -m services.scoring.rescore --campaign "
                  f"{arguments.campaign} --status")
            return 0
        deadline = time.monotonic() + arguments.timeout
        while time.monotonic() < deadline:
            progress = await run_progress(context.store, run)
            if progress["complete"]:
                print(f"เสร็จ / done: {progress['rescored']} of {progress['revisions']} revisions re-scored")
                return 0
            await asyncio.sleep(1)
        progress = await run_progress(context.store, run)
        print(f"ยังไม่เสร็จ / not finished after {arguments.timeout:.0f}s: {progress['rescored']} of "
              f"{progress['revisions']} re-scored (is the scoring service running?)", file=sys.stderr)
        return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.scoring.rescore", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--campaign", required=True)
    parser.add_argument("--rubric", help="the rubric version to publish, e.g. fy2568-v2")
    parser.add_argument("--status", action="store_true", help="list the campaign's runs and their progress")
    parser.add_argument("--by", default="cli", help="who asks (kept with the run)")
    parser.add_argument("--reason", default="", help="why (kept with the run)")
    parser.add_argument("--wait", action="store_true", help="wait until every submission is re-scored")
    parser.add_argument("--timeout", type=float, default=600, help="seconds --wait waits at most")
    arguments = parser.parse_args(argv)
    if not arguments.status and not arguments.rubric:
        parser.error("--rubric is required (or --status)")
    try:
        return asyncio.run(_status(arguments.campaign) if arguments.status else _rescore(arguments))
    except Problem as refused:
        return print_refusal(refused)
    except ValidationError as error:
        return print_settings_error(error)


if __name__ == "__main__":
    sys.exit(main())
