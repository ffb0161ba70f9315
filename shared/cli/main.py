"""The `pdz` command."""
from __future__ import annotations

import argparse
import os
import sys

from shared.config import Settings, development_env

LOCAL_COMMANDS = {"run", "demo", "token"}  # the local tools: development mode unless a JWKS URL is set


def _catalogue(settings: Settings):
    from shared.tenants import load_catalogue
    return load_catalogue(settings.tenants_file, settings.database_url)


def cmd_stack(args, settings) -> int:
    from shared.cli import stack
    return stack.main(args.action)


def cmd_provision(args, settings) -> int:
    from shared.cli.provision import provision
    provision(_catalogue(settings))
    return 0


def _data(share) -> str:
    from shared.sharing import EVERYTHING
    return "everything" if set(share.data) == set(EVERYTHING) else ", ".join(share.data)


def _terms(share, today) -> str:
    how = "implied by merged_from" if share.implied else "declared"
    if share.since is None:
        return f"always; {how}"
    return f"since {share.since.isoformat()}; {how}" + ("" if share.since <= today else "; NOT YET IN FORCE")


def describe_tenants(catalogue, today) -> list[str]:
    """`pdz tenants list`: each tenant, its status and merger, and the shares it gives and receives."""
    lines = []
    for tenant in catalogue:
        lines.append(f"{tenant.slug:24} {tenant.status:9} {tenant.region:12} {tenant.name}")
        if tenant.merged_from:
            lines.append(f"    merged from: {', '.join(tenant.merged_from)}")
        if tenant.merged:
            when = f" on {tenant.merged_on.isoformat()}" if tenant.merged_on else ""
            reason = f" ({tenant.merger_reason})" if tenant.merger_reason else ""
            lines.append(f"    merged into: {tenant.merged_into}{when}{reason}; writes refused (409)")
        for share in catalogue.declared.out_of(tenant.slug):
            lines.append(f"    gives {share.to}: {_data(share)} ({_terms(share, today)})")
        for share in catalogue.declared.into(tenant.slug):
            lines.append(f"    receives from {share.origin}: {_data(share)} ({_terms(share, today)})")
    return lines


def cmd_tenants_list(args, settings) -> int:
    from datetime import datetime

    from shared.tenants import ROME
    print("\n".join(describe_tenants(_catalogue(settings), datetime.now(ROME).date())))
    return 0


def cmd_topics(args, settings) -> int:
    from shared.events.topics import all_topics
    from shared.kafka.clients import ensure_topics
    created = ensure_topics(settings.kafka_bootstrap, all_topics(), replication=args.replication)
    print(f"[pdz] topics created: {', '.join(created) if created else 'none (all exist)'}")
    return 0


def cmd_token(args, settings) -> int:
    from shared.http.auth import mint_dev_token
    if not settings.jwt_dev_key:
        print("pdz token: no dev key (PDZ_JWT_DEV_KEY) is configured", file=sys.stderr)
        return 2
    grants: dict[str, list[str]] = {}
    for grant in args.grant or []:
        slug, _, role = grant.partition("=")
        if not slug or not role:
            raise ValueError(f"--grant takes AMBITO=ROLE, got {grant!r}")
        grants.setdefault(slug, []).append(role)
    if not (args.role or grants):
        raise ValueError("give at least one --role or --grant")
    print(mint_dev_token(key=settings.jwt_dev_key, subject=args.subject, roles=args.role or [],
                         tenants=args.tenant or [], grants=grants, ttl_seconds=args.ttl,
                         issuer=settings.jwt_issuer, audience=settings.jwt_audience))
    return 0


def cmd_asyncapi(args, settings) -> int:
    import yaml

    from shared.config import REPO_ROOT
    from shared.events.asyncapi import build
    text = yaml.safe_dump(build(REPO_ROOT / "events"), sort_keys=False, allow_unicode=True)
    if args.output == "-":
        print(text, end="")
    else:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(text)
        print(f"[pdz] wrote {args.output}")
    return 0


def cmd_run(args, settings) -> int:
    from shared.cli import run
    return run.start(detach=args.detach)


def cmd_stop(args, settings) -> int:
    from shared.cli import run
    return run.stop()


def cmd_republish(args, settings) -> int:
    # shared never imports a service (.importlinter): the owning service's own command does the work.
    import subprocess
    command = [sys.executable, "-m", f"services.{args.service}.republish", "--tenant", args.tenant,
               *[part for name in args.data for part in ("--data", name)], "--batch-size", str(args.batch_size)]
    return subprocess.run(command, check=False).returncode


def cmd_revoke(args, settings) -> int:
    # as republish: the owning service's own command (docs/federation.md, Revocation)
    import subprocess
    command = [sys.executable, "-m", f"services.{args.service}.revoke",
               *(["--tenant", args.tenant] if args.tenant else [])]
    return subprocess.run(command, check=False).returncode


def cmd_reporting_replay(args, settings) -> int:
    # as republish: the reporting service's own command (docs/reporting.md, Replay)
    import subprocess
    command = [sys.executable, "-m", "services.reporting.replay", *args.replay_args]
    return subprocess.run(command, check=False).returncode


def cmd_demo(args, settings) -> int:
    from shared.cli import demo
    return demo.load(settings)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pdz", description="Piano di Zona suite: local stack and operations")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("stack", help="PostgreSQL and Kafka for local work")
    s.add_argument("action", choices=["up", "down", "status"])
    s.set_defaults(func=cmd_stack)

    t = sub.add_parser("tenants", help="the tenant catalogue")
    tsub = t.add_subparsers(dest="tenants_command", required=True)
    tsub.add_parser("provision", help="create and migrate every database (idempotent)").set_defaults(func=cmd_provision)
    tsub.add_parser("list", help="list the catalogue's tenants: status, mergers, the shares they give and receive"
                    ).set_defaults(func=cmd_tenants_list)

    k = sub.add_parser("topics", help="Kafka topics")
    ksub = k.add_subparsers(dest="topics_command", required=True)
    kc = ksub.add_parser("create", help="create the suite's topics (idempotent)")
    kc.add_argument("--replication", type=int, default=1)
    kc.set_defaults(func=cmd_topics)

    e = sub.add_parser("events", help="the event catalogue")
    esub = e.add_subparsers(dest="events_command", required=True)
    ea = esub.add_parser("asyncapi", help="generate the AsyncAPI 3 document from events/")
    ea.add_argument("--output", default="events/asyncapi.yaml", help="file, or - for standard output")
    ea.set_defaults(func=cmd_asyncapi)

    tok = sub.add_parser(
        "token", help="mint a development JWT (PDZ_ENV=development only)",
        description="Mint an HS256 token signed with the development key, for the local stack. "
                    "Each --role holds in each --tenant; regional-admin is regional (reads every Ambito, "
                    "writes none) and needs no --tenant; --grant AMBITO=ROLE adds one role in one Ambito. "
                    "Example: pdz token --role operator --tenant pollino --grant potenza=auditor")
    tok.add_argument("--role", action="append",
                     help="regional-admin, operator, coordinator, stakeholder or auditor (repeatable)")
    tok.add_argument("--tenant", action="append", help="Ambito (tenant slug) the --role values hold in (repeatable)")
    tok.add_argument("--grant", action="append", metavar="AMBITO=ROLE",
                     help="one role in one Ambito, e.g. potenza=operator (repeatable)")
    tok.add_argument("--subject", default="dev-user", help="the token's sub claim (default: %(default)s)")
    tok.add_argument("--ttl", type=int, default=8 * 3600,
                     help="seconds of validity (default: %(default)s, 8 hours; at most 31 days)")
    tok.set_defaults(func=cmd_token)

    r = sub.add_parser("run", help="start every API, relay and consumer against the local stack")
    r.add_argument("--detach", action="store_true", help="start in the background and return")
    r.set_defaults(func=cmd_run)
    sub.add_parser("stop", help="stop what `pdz run --detach` started").set_defaults(func=cmd_stop)
    sub.add_parser("demo", help="load the demo data through the HTTP APIs").set_defaults(func=cmd_demo)

    rp = sub.add_parser("republish", help="backfill: re-publish a tenant's data sets as they stand (snapshots)",
                        description="Write snapshot events (marked pdzreplay) of one tenant's data sets into the "
                                    "owning service's outbox; its relay publishes them and the receivers' "
                                    "consumers build their replicas (docs/federation.md, Backfill).")
    rp.add_argument("--service", required=True, choices=["registry", "consultation", "budget"], help="the owning service")
    rp.add_argument("--tenant", required=True, help="the owning Ambito (tenant slug)")
    rp.add_argument("--data", action="append", required=True,
                    help="data set, e.g. registry.stakeholders (repeatable)")
    rp.add_argument("--batch-size", type=int, default=500, help="records per transaction (default %(default)s)")
    rp.set_defaults(func=cmd_republish)

    rv = sub.add_parser("revoke", help="after a share is revoked or narrowed: remove (or mark revoked) its replicas",
                        description="Delete the replicas the catalogue's shares no longer bring, marking revoked "
                                    "those the receiver's own records reference (docs/federation.md, Revocation). "
                                    "Idempotent.")
    rv.add_argument("--service", required=True, choices=["consultation", "budget"], help="the receiving service")
    rv.add_argument("--tenant", help="one receiving Ambito (default: every tenant of the catalogue)")
    rv.set_defaults(func=cmd_revoke)

    rep = sub.add_parser("reporting", help="the reporting service's operations")
    rsub = rep.add_subparsers(dest="reporting_command", required=True)
    rr = rsub.add_parser("replay", add_help=False, prefix_chars="\0",
                         help="rebuild the read model from offset 0 into a fresh database and swap it in "
                              "(options: python -m services.reporting.replay --help)")
    rr.add_argument("replay_args", nargs="*", help="passed to python -m services.reporting.replay")
    rr.set_defaults(func=cmd_reporting_replay)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command in LOCAL_COMMANDS:
            # The local tools run the suite in development mode (the dev token key), unless a JWKS URL is set.
            os.environ.update(development_env(os.environ))
        settings = Settings.from_env()
        return args.func(args, settings) or 0
    except (ValueError, RuntimeError, OSError) as exc:
        print(f"pdz {args.command}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
