"""The ``tenantry`` command line."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import sys
import threading
from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

from api import cli_projections
from api.bootstrap import Services, build
from api.kept_secrets import ADMIN_TOKEN_FILE, kept_secret
from application.settings import Settings
from domain.values import Actor, ActorKind, PartnerKind, PartnerStatus
from projections.audit import export_lines

OPERATOR = Actor(kind=ActorKind.ADMIN, id="cli")
AUDITOR = Actor(kind=ActorKind.AUDITOR, id="cli")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tenantry", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    partners = commands.add_parser("partners", help="manage partners").add_subparsers(
        dest="action", required=True
    )
    add = partners.add_parser("add", help="register a partner and print its first API key")
    add.add_argument("--name", required=True)
    add.add_argument("--kind", required=True, choices=[k.value for k in PartnerKind])
    add.add_argument("--status", default="trial", choices=[s.value for s in PartnerStatus])
    add.add_argument("--distributor", type=UUID, default=None)

    serving = commands.add_parser("serve", help="run the HTTP API and the background work")
    serving.add_argument("--host", default="127.0.0.1")
    serving.add_argument("--port", type=int, default=8000)
    serving.add_argument(
        "--workers",
        type=int,
        default=1,
        help="API processes sharing the port, each with its own background work (default 1)",
    )
    serving.add_argument(
        "--no-access-log",
        action="store_true",
        help="no line per request (when the load balancer keeps the access log)",
    )
    commands.add_parser("worker", help="run only the background work (views, deadlines, email)")

    audit = commands.add_parser("audit", help="read histories").add_subparsers(
        dest="action", required=True
    )
    history = audit.add_parser("history", help="a customer's events, or its state as of a time")
    history.add_argument("customer_id", type=UUID)
    history.add_argument("--as-of", type=datetime.fromisoformat, default=None)
    export = audit.add_parser("export", help="every stored event as JSON Lines")
    export.add_argument("--output", type=argparse.FileType("w"), default=sys.stdout)
    audit.add_parser("verify", help="exit 1 if a stored event was altered, removed or reordered")

    cli_projections.add_parser(commands)

    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve(args.host, args.port, workers=args.workers, access_log=not args.no_access_log)
    if args.command == "worker":
        return work()
    services = build(Settings())
    try:
        return run(args, services)
    finally:
        services.close()


def run(args: argparse.Namespace, services: Services) -> int:
    if args.command == "partners":
        partner, api_key = services.partners.register(
            name=args.name,
            kind=PartnerKind(args.kind),
            status=PartnerStatus(args.status),
            distributor_id=args.distributor,
            by=OPERATOR,
        )
        print(json.dumps({**partner.model_dump(mode="json"), "api_key": api_key}, indent=2))
        return 0
    if args.command == "projections":
        return cli_projections.run(args, services)
    if args.command == "audit" and args.action == "export":
        for line in export_lines(services.store.recorder, services.store.mapper):
            args.output.write(json.dumps(line) + "\n")
        return 0
    if args.command == "audit" and args.action == "verify":
        return verify(services)
    if args.command == "audit":
        if args.as_of is not None:
            state = services.queries.get(args.customer_id, by=AUDITOR, as_of=args.as_of)
            print(state.model_dump_json(indent=2))
        else:
            print(services.queries.history(args.customer_id, by=AUDITOR).model_dump_json(indent=2))
        return 0
    return 2


def verify(services: Services) -> int:
    services.audit.seal()  # cover events recorded since the background work last sealed
    findings = services.audit.verify()
    for finding in findings:
        print(f"position {finding.position}: {finding.problem}", file=sys.stderr)
    if findings:
        return 1
    print(f"ok: {len(services.audit.recorded())} events, chain intact")
    return 0


def serve(host: str, port: int, *, workers: int = 1, access_log: bool = True) -> int:
    """The API and the background work started by the app's lifespan, in one process,
    or in ``workers`` processes sharing the port (one interpreter lock each)."""
    import uvicorn  # noqa: PLC0415 - only the server needs it

    settings = Settings()
    if workers < 1:
        print("--workers must be at least 1", file=sys.stderr)
        return 2
    if workers > 1 and settings.database_url.startswith("memory:"):
        print(
            "--workers > 1 needs a shared database: memory:// would give each process "
            "its own; set TENANTRY_DATABASE_URL to a sqlite:/// file or postgresql://",
            file=sys.stderr,
        )
        return 2
    if settings.admin_token is None:
        # Unset: the token kept in var/admin.token, for this process and its workers.
        os.environ["TENANTRY_ADMIN_TOKEN"] = kept_secret(ADMIN_TOKEN_FILE, "TENANTRY_ADMIN_TOKEN")
        kept = ADMIN_TOKEN_FILE.resolve()
        print(
            f"Admin token: kept in {kept} (TENANTRY_ADMIN_TOKEN is unset; set it to choose "
            "one, or set it empty to turn admin calls off). In another shell:\n"
            f"  export TENANTRY_ADMIN_TOKEN=$(cat {shlex.quote(str(kept))})",
            file=sys.stderr,
        )
    elif not settings.admin_token.get_secret_value():
        print("TENANTRY_ADMIN_TOKEN is empty: admin calls are off.", file=sys.stderr)
    print(
        "A first partner and its API key (shown once):\n"
        f"  curl -s -X POST http://{host}:{port}/v1/partners "
        '-H "Authorization: Bearer $TENANTRY_ADMIN_TOKEN" -H "Content-Type: application/json" '
        """-d '{"name": "My MSP", "kind": "msp", "status": "production"}'\n"""
        "  or: .venv/bin/tenantry partners add --name 'My MSP' --kind msp --status production",
        file=sys.stderr,
    )
    uvicorn.run(
        "api.app:from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
    )
    return 0


def work() -> int:
    """Only the background work, until SIGTERM or SIGINT (for deployments with
    several API processes; run one or more beside them)."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    services = build(Settings())
    services.start_background(sweep=True)  # TENANTRY_SWEEP is for API processes
    print("tenantry worker: following events, sweeping deadlines", file=sys.stderr)
    try:
        stop.wait()
    finally:
        services.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
