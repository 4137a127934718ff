"""Rebuild every read model of a campaign from reporting's event log, and compare with the live ones.

    python -m services.reporting.rebuild --campaign fy2568            # rebuild aside, compare, report
    python -m services.reporting.rebuild --campaign fy2568 --replace  # ... then put the rebuilt ones live

The log (`event_log`) holds every event reporting has consumed. The rebuild replays the campaign's events
and every registry event through the same pure functions the live handler uses (`projection.apply`,
`figures.apply_registry`), in log order rather than arrival order, into fresh collections (`rebuild_*`),
recomputes every district, province and the national figures there, and compares them with the live ones
figure by figure. Identical figures are the proof that the live models are complete and order-independent;
any difference is printed and the command exits 1.

`--replace` copies the rebuilt documents of the campaign over the live ones: stop reporting's consumer
first (scale it to zero), or events handled during the copy may be overwritten until they are replayed.
Reads MONGODB_URL (and MONGODB_DB_PREFIX) as the service does.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass, field
from typing import Any

from services.reporting import figures as area
from services.reporting import projection
from services.reporting.application.view_updates import ViewUpdates, selection_document
from services.reporting.repository import ReadModels
from shared.campaign import load_campaigns
from shared.events import REGISTRY_UPDATED, SELECTION_PUBLISHED, RegistryUpdated, SelectionPublished

Document = dict[str, Any]
REBUILD_PREFIX = "rebuild_"
# Bookkeeping that says when and in which order something was computed, not what it shows.
_AGGREGATE_BOOKKEEPING = frozenset({"updated_at", "source_version"})
_VIEW_BOOKKEEPING = frozenset({"applied_event_ids", "version", "last_event_at"})
_REGISTRY_BOOKKEEPING = frozenset({"version"})


@dataclass
class Outcome:
    events: int = 0
    views: int = 0
    compared: dict[str, int] = field(default_factory=dict)
    differences: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not self.differences


async def rebuild(live: ReadModels, campaign: str, prefix: str = REBUILD_PREFIX) -> tuple[ReadModels, Outcome]:
    """Replay the log into fresh `<prefix>*` collections; the rebuilt read models and what was replayed."""
    fresh = ReadModels(live.db, live.campaigns, prefix=prefix)
    await fresh.drop()
    await fresh.create_indexes()
    outcome = Outcome()
    views: dict[str, Document] = {}
    registries: dict[str, Document] = {}
    selections: dict[str, Document] = {}
    async for envelope in live.logged_events(campaign):
        outcome.events += 1
        if envelope.event_type == REGISTRY_UPDATED and envelope.schema_version == 1:
            data = envelope.read(RegistryUpdated)
            updated = area.apply_registry(registries.get(data.province_code), data)
            if updated is not None:
                registries[data.province_code] = updated
        elif envelope.event_type == SELECTION_PUBLISHED and envelope.schema_version == 1:
            selection = envelope.read(SelectionPublished)
            if selection.campaign != campaign:
                continue
            for entry in selection.entries:
                view = projection.apply_selection(views.get(entry.submission_id), entry, selection, envelope)
                if view is not None:
                    views[entry.submission_id] = view
            held = selections.get(campaign)
            if held is None or held["selection_version"] < selection.selection_version:
                selections[campaign] = selection_document(selection, envelope)
        elif projection.handles(envelope):
            ref = projection.read(envelope)
            assert ref is not None
            if getattr(ref, "campaign", None) != campaign:
                continue
            view = projection.apply(views.get(ref.submission_id), envelope)
            if view is not None:
                view["_id"] = ref.submission_id
                views[ref.submission_id] = view
    await fresh.load(list(views.values()), list(registries.values()), list(selections.values()))
    outcome.views = len(views)
    await ViewUpdates(fresh).refresh_campaign(campaign)
    return fresh, outcome


def _without(document: Document, fields: frozenset[str]) -> Document:
    return {key: value for key, value in document.items() if key not in fields}


# What of each collection's documents is compared: all but the bookkeeping.
_SHOWN = {"submission_views": _VIEW_BOOKKEEPING, "registry": _REGISTRY_BOOKKEEPING,
          "district_views": _AGGREGATE_BOOKKEEPING, "province_views": _AGGREGATE_BOOKKEEPING,
          "national_views": _AGGREGATE_BOOKKEEPING}


async def compare(live: ReadModels, fresh: ReadModels, campaign: str, outcome: Outcome) -> None:
    """Every read-model document of the campaign, live against rebuilt, without its bookkeeping."""
    lives = await live.campaign_documents(campaign)
    rebuilt = await fresh.campaign_documents(campaign)
    for name, bookkeeping in _SHOWN.items():
        before = {key: _without(d, bookkeeping) for key, d in lives[name].items()}
        after = {key: _without(d, bookkeeping) for key, d in rebuilt[name].items()}
        outcome.compared[name] = len(after)
        for key in sorted(set(before) | set(after)):
            if key not in after:
                outcome.differences.append(f"{name}/{key}: live only")
            elif key not in before:
                outcome.differences.append(f"{name}/{key}: rebuilt only")
            elif before[key] != after[key]:
                fields = sorted(k for k in set(before[key]) | set(after[key])
                                if before[key].get(k) != after[key].get(k))
                outcome.differences.append(f"{name}/{key}: differs in {', '.join(fields)}")


async def run(live: ReadModels, campaign: str, *, replace_live: bool = False, keep: bool = False) -> Outcome:
    fresh, outcome = await rebuild(live, campaign)
    await compare(live, fresh, campaign, outcome)
    if replace_live:
        await live.replace_campaign(fresh, campaign)
    if not keep:
        await fresh.drop()
    return outcome


async def _main(args: argparse.Namespace) -> int:
    from shared.localdefaults import use_local_defaults
    from shared.settings import Settings
    from shared.store import Store

    use_local_defaults()  # against `make run` as written, when MONGODB_URL is not set
    settings = Settings(service_name="reporting")  # type: ignore[call-arg]  # the rest comes from the environment
    store = Store(settings)
    try:
        live = ReadModels(store.db, load_campaigns(settings.campaigns_dir))
        outcome = await run(live, args.campaign, replace_live=args.replace, keep=args.keep)
    finally:
        await store.close()
    print(f"replayed {outcome.events} logged events into {outcome.views} submission views")
    print("compared: " + ", ".join(f"{name} {count}" for name, count in outcome.compared.items()))
    if outcome.identical:
        print("the rebuilt read models are identical to the live ones")
    else:
        print(f"{len(outcome.differences)} differences between the live and the rebuilt read models:")
        for line in outcome.differences[:200]:
            print("  " + line)
    if args.replace:
        print("the rebuilt read models are now live")
    return 0 if outcome.identical or args.replace else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.reporting.rebuild", description=__doc__.split("\n")[0])
    parser.add_argument("--campaign", required=True, help="e.g. fy2568")
    parser.add_argument("--replace", action="store_true", help="put the rebuilt read models live afterwards")
    parser.add_argument("--keep", action="store_true", help="keep the rebuild_* collections for inspection")
    return asyncio.run(_main(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
