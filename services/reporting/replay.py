"""`pdz reporting replay` (python -m services.reporting.replay): rebuild the read model from offset 0, swap it in.

1. A fresh database (default `<live>_rebuild_<UTC time>`) is made with reporting's migrations
   (replay_db.py).
2. Every partition of the topics reporting reads is read from its first offset by the consumer's
   own runner (shared/consumer/runner.py: the same projectors, the same batched transactions), with
   its partitions assigned, not a member of the live group; its offsets are committed to a group of
   its own, `<prefix>.reporting.replay.<database>`, so an interrupted replay can be --resume'd. The
   processed_events rows are written under the LIVE group's name, so after the swap the live
   consumer recognises every event the rebuild holds. It reads up to the end offsets taken at start.
3. Swap, only with the live consumer stopped (its group has no members; --wait-stopped waits for
   it): read again up to the end offsets taken now, rename the live database to
   `<live>_previous_<UTC time>` and the rebuilt one to the live name, then set the live group's
   committed offsets to exactly what the rebuild has applied. Then start the consumer again.
"""
from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from datetime import datetime, timezone

from psycopg.conninfo import conninfo_to_dict

from shared.config import Settings
from shared.consumer.event_catalogue import EventCatalogue
from shared.consumer.routes import RegionalRoute
from shared.consumer.runner import ConsumerRunner
from shared.consumer.settings import ConsumerSettings
from shared.db.pools import PoolRegistry
from shared.events.topics import service_topic, topic_prefix
from shared.kafka.clients import idempotent_producer
from shared.tenants import Catalogue, load_catalogue

from services.reporting import SERVICE, consumer_group
from services.reporting import replay_db, replay_kafka
from services.reporting.projector import PROJECTORS
from services.reporting.replay_progress import Progress

# The topics the live consumer reads (services/reporting/entrypoints.py).
SOURCES = ("registry", "consultation", "budget")
# Not projections but the record of what the statistics publisher sent on pdz.statistics.v1: it is
# carried over from the live database at the swap, so that only figures that changed are sent again.
CARRIED_OVER = ("published_figures",)


def consumer_projectors() -> dict:
    """The projectors as the live consumer runs them (entrypoints.consumer): each applied event marked."""
    try:
        from services.reporting.freshness import marked
    except ImportError:  # a tree without the freshness marks (issue 11, item 5): the projectors alone
        return PROJECTORS
    return marked(PROJECTORS)


class Stopped(Exception):
    """SIGINT/SIGTERM during the replay: the rebuilt database is kept and can be --resume'd."""


def replay_topics() -> list[str]:
    return [service_topic(s) for s in SOURCES]


def replay_group(rebuild: str) -> str:
    """The replay's own offsets (never the live group's): one per rebuilt database."""
    return f"{topic_prefix()}.reporting.replay.{rebuild}"


def _rebuild_catalogue(catalogue: Catalogue, rebuild: str) -> Catalogue:
    """The catalogue as the admin sees it, with reporting's regional database the rebuilt one."""
    return Catalogue(list(catalogue), catalogue.default_server, {**catalogue.regional_databases, SERVICE: rebuild})


def _round(*, settings: Settings, catalogue: Catalogue, group: str, targets: dict, begin: dict,
           progress: Progress, stop: threading.Event) -> None:
    """One runner from the replay group's committed offsets until its positions reach `targets`."""
    options = ConsumerSettings.from_env()
    consumer = replay_kafka.assigned_consumer(settings.kafka_bootstrap, group=group,
                                              max_poll_records=options.max_poll_records)
    consumer.assign(list(targets))
    start = replay_kafka.committed(settings.kafka_bootstrap, group)
    for tp in targets:
        consumer.seek(tp, max(start.get(tp, begin[tp]), begin[tp]))
    pools = PoolRegistry(max_per_pool=1, max_pools=2, timeout=5.0, statement_timeout_ms=60_000)
    runner = ConsumerRunner(name=consumer_group(), consumer=consumer,
                            producer=idempotent_producer(settings.kafka_bootstrap, client_id=f"{group}-dlq"),
                            pools=pools, route=RegionalRoute(catalogue, SERVICE), projectors=consumer_projectors(),
                            events=EventCatalogue.load(), settings=options)
    try:
        while not stop.is_set():
            runner.poll_once(timeout_ms=500)
            positions = {tp: consumer.position(tp) for tp in targets}
            progress.update(sum(min(positions[tp], targets[tp]) - begin[tp] for tp in targets))
            if all(positions[tp] >= targets[tp] for tp in targets):
                break
    finally:
        runner.close()  # settles the batch in hand and commits its offsets synchronously
        pools.close()


def catch_up(*, settings: Settings, catalogue: Catalogue, group: str, targets: dict, begin: dict,
             label: str, stop: threading.Event) -> dict:
    """Apply every record before `targets`; returns the offsets the rebuild has applied (>= targets)."""
    total = sum(targets[tp] - begin[tp] for tp in targets)
    progress = Progress(total=total, label=label)
    while True:
        _round(settings=settings, catalogue=catalogue, group=group, targets=targets, begin=begin,
               progress=progress, stop=stop)
        applied = replay_kafka.committed(settings.kafka_bootstrap, group)
        done = sum(min(applied.get(tp, begin[tp]), targets[tp]) - begin[tp] for tp in targets)
        if stop.is_set():
            progress.finish(done)
            raise Stopped()
        if all(applied.get(tp, begin[tp]) >= targets[tp] for tp in targets):
            progress.finish(done)
            return {tp: max(applied.get(tp, begin[tp]), begin[tp]) for tp in targets}
        # A batch failed at the end (e.g. the database went away): read on from what was applied.


def _wait_stopped(*, bootstrap: str, group: str, seconds: float, stop: threading.Event) -> None:
    deadline = time.monotonic() + seconds
    told = False
    while (count := replay_kafka.members(bootstrap, group)) > 0:
        if time.monotonic() >= deadline:
            raise RuntimeError(f"the live consumer group {group} still has {count} member(s): stop the reporting "
                               "consumer, then run the replay again with --resume (nothing was swapped)")
        if not told:
            print(f"[pdz] waiting for the live consumer group {group} to stop ({count} member(s))",
                  file=sys.stderr, flush=True)
            told = True
        if stop.wait(2.0):
            raise Stopped()


def _offsets(bootstrap: str, topics: list[str]) -> tuple[list, dict, dict]:
    """The partitions, their first and their end offsets now."""
    probe = replay_kafka.assigned_consumer(bootstrap, group="pdz-reporting-replay-probe", max_poll_records=1)
    try:
        parts = replay_kafka.partitions(probe, topics)
        return parts, probe.beginning_offsets(parts), probe.end_offsets(parts)
    finally:
        probe.close(autocommit=False)


def replay(*, settings: Settings, catalogue: Catalogue, rebuild: str | None = None, previous: str | None = None,
           swap: bool = True, resume: bool = False, wait_stopped: float = 0.0,
           stop: threading.Event | None = None, report=print) -> dict:
    """Rebuild reporting's read model into a fresh database and, if `swap`, put it in place of the live one."""
    if resume and not rebuild:
        raise ValueError("--resume needs the --rebuild-database to go on with")
    stop = stop or threading.Event()
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
    server = catalogue.default_server
    live = conninfo_to_dict(catalogue.regional_url(SERVICE))["dbname"]
    rebuild = rebuild or f"{live}_rebuild_{stamp}"
    previous = previous or f"{live}_previous_{stamp}"
    group, live_group = replay_group(rebuild), consumer_group()
    if resume:
        if not replay_db.exists(server, rebuild):
            raise RuntimeError(f"--resume: database {rebuild} does not exist")
    else:
        replay_db.create_rebuild(server_url=server, name=rebuild, live=live)
    report(f"[pdz] replaying {', '.join(replay_topics())} into {rebuild}")
    target = _rebuild_catalogue(catalogue, rebuild)
    parts, begin, ends = _offsets(settings.kafka_bootstrap, replay_topics())
    applied = catch_up(settings=settings, catalogue=target, group=group, targets=ends, begin=begin,
                       label="replay", stop=stop)
    result = {"rebuild": rebuild, "live": live, "events": sum(ends[tp] - begin[tp] for tp in parts),
              "offsets": applied, "swapped": False}
    if not swap:
        report(f"[pdz] {rebuild} is caught up to the end offsets taken at start; not swapped (--no-swap)")
        return result
    _wait_stopped(bootstrap=settings.kafka_bootstrap, group=live_group, seconds=wait_stopped, stop=stop)
    _, _, ends_now = _offsets(settings.kafka_bootstrap, replay_topics())
    applied = catch_up(settings=settings, catalogue=target, group=group, targets=ends_now, begin=begin,
                       label="catch-up", stop=stop)
    if replay_kafka.members(settings.kafka_bootstrap, live_group):
        raise RuntimeError(f"the live consumer group {live_group} started again: nothing was swapped")
    carried = replay_db.carry_over(server_url=server, live=live, rebuild=rebuild, tables=CARRIED_OVER)
    if carried:
        report(f"[pdz] carried over from {live}: " + ", ".join(f"{t} ({n} rows)" for t, n in carried.items()))
    had_live = replay_db.swap(server_url=server, live=live, rebuild=rebuild, previous=previous)
    # After the rename: were this refused, the live consumer would read again from its old offsets,
    # and every event the rebuild holds is in its processed_events under the live group's name.
    replay_kafka.set_offsets(settings.kafka_bootstrap, live_group, applied)
    replay_kafka.delete_group(settings.kafka_bootstrap, group)
    report(f"[pdz] swapped: {rebuild} is now {live}" + (f"; the old one is {previous}" if had_live else "")
           + f"; {live_group} set to the rebuild's offsets: start the reporting consumer")
    return {**result, "offsets": applied, "swapped": True, "previous": previous if had_live else None}


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pdz reporting replay", description=__doc__.split("\n")[0])
    p.add_argument("--rebuild-database", help="name of the fresh database (default <live>_rebuild_<UTC time>)")
    p.add_argument("--previous-database", help="name the live one gets (default <live>_previous_<UTC time>)")
    p.add_argument("--no-swap", action="store_true", help="rebuild only; leave the live database in place")
    p.add_argument("--resume", action="store_true", help="go on with an existing --rebuild-database")
    p.add_argument("--wait-stopped", type=float, default=0.0, metavar="SECONDS",
                   help="how long to wait for the live consumer to stop before the swap (default 0: fail)")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings.from_env()
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        # The admin of PDZ_DATABASE_URL: it creates and renames databases (as `pdz tenants provision`).
        replay(settings=settings, catalogue=load_catalogue(settings.tenants_file, settings.database_url),
               rebuild=args.rebuild_database, previous=args.previous_database, swap=not args.no_swap,
               resume=args.resume, wait_stopped=args.wait_stopped, stop=stop)
    except Stopped:
        print("pdz reporting replay: stopped; the rebuilt database is kept (--resume goes on)", file=sys.stderr)
        return 130
    except (ValueError, RuntimeError, OSError) as exc:
        print(f"pdz reporting replay: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
