"""Import the office directory from the command line (the admin API does the same over HTTP):

    python -m services.notification.directory offices.csv

Reads MONGODB_URL (and MONGODB_DB_PREFIX) like the service; the file replaces the whole directory, and a
file with any bad row imports nothing and lists every row to fix.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from pydantic import ValidationError

from services.notification.privacy import use_digest_key
from services.notification.recipients import DirectoryProblem, decode_csv, read_directory
from services.notification.repository import Directory
from shared.localdefaults import use_local_defaults
from shared.secrets import digest_key
from shared.settings import Settings, settings_error_text
from shared.store import Store


async def run(path: Path, settings: Settings) -> int:
    raw = await asyncio.to_thread(path.read_bytes)
    try:
        contacts = read_directory(decode_csv(raw))
    except DirectoryProblem as problem:
        for row in problem.problems:
            print(f"{path}:{row.line}: {row.column}: {row.message_en} / {row.message_th}", file=sys.stderr)
        print("nothing imported", file=sys.stderr)
        return 1
    store = Store(settings)
    try:
        directory = Directory.of(store)
        await directory.create_indexes()
        summary = await directory.replace(contacts, source=path.name)
    finally:
        await store.close()
    print(f"imported {summary['contacts']} contacts ({summary['_id']}): by level {summary['by_level']}, "
          f"by channel {summary['by_channel']}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.notification.directory", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", type=Path, help="the directory CSV")
    arguments = parser.parse_args(argv)
    use_local_defaults()  # against `make run` as written, when MONGODB_URL is not set
    try:
        settings = Settings(service_name="notification")  # type: ignore[call-arg]  # the rest from the environment
    except ValidationError as error:
        print(settings_error_text(error), file=sys.stderr)
        return 2
    use_digest_key(digest_key(settings))  # the contacts' stored digests are the service's
    return asyncio.run(run(arguments.file, settings))


if __name__ == "__main__":
    sys.exit(main())
