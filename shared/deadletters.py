"""Operators' view of dead letters: list why messages failed, and send them back once the cause is fixed.

    python -m shared.deadletters list validation
    python -m shared.deadletters replay validation [--event-id ID ...]
"""

from __future__ import annotations

import argparse
import asyncio
import json

from shared.bus import Bus
from shared.localdefaults import use_local_defaults
from shared.settings import Settings
from shared.topology import CONSUMERS


async def _main(args: argparse.Namespace) -> int:
    use_local_defaults()  # against `make run` as written, when AMQP_URL is not set
    bus = Bus(Settings(service_name="deadletters"), "deadletters")  # type: ignore[call-arg]  # URLs from env
    await bus.connect()
    try:
        if args.command == "list":
            letters = await bus.dead_letters(args.service, limit=args.limit)
            for letter in letters:
                print(json.dumps(letter, ensure_ascii=False, default=str))
            print(f"{len(letters)} dead letter(s) in {bus.names.dead_letter_queue(args.service)}")
        else:
            ids = set(args.event_id) if args.event_id else None
            count = await bus.replay_dead_letters(args.service, ids)
            print(f"replayed {count} message(s) to {bus.names.queue(args.service)}")
    finally:
        await bus.close()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.deadletters", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list", help="show dead letters with their reason")
    listing.add_argument("service", choices=sorted(CONSUMERS))
    listing.add_argument("--limit", type=int, default=100)
    replay = sub.add_parser("replay", help="send dead letters back to the service's queue")
    replay.add_argument("service", choices=sorted(CONSUMERS))
    replay.add_argument("--event-id", action="append", help="only this event (repeatable)")
    return asyncio.run(_main(parser.parse_args()))


if __name__ == "__main__":
    raise SystemExit(main())
