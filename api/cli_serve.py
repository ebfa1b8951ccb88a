"""``tenantry serve`` and ``tenantry worker``: the long-running processes."""

from __future__ import annotations

import os
import shlex
import signal
import threading

import click

from adapters.database_check import check_database, redacted
from adapters.event_store import any_partner, open_event_store
from adapters.kept_secrets import ADMIN_TOKEN_FILE, kept_secret
from api.bootstrap import build
from api.settings import Settings

PUBLIC_URL_ENV = "TENANTRY_PUBLIC_URL"
WILDCARDS = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}  # noqa: S104


def served_url(host: str, port: int) -> str:
    """The base URL of what ``serve`` listens on (a wildcard address as loopback)."""
    shown = WILDCARDS.get(host, host)
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def announce(settings: Settings, role: str) -> None:
    """Where this process keeps its data, so a surprise shows at once."""
    replica = settings.read_database_url
    click.echo(
        f"tenantry {role}: home {settings.home} (TENANTRY_HOME), "
        f"database {redacted(settings.database_url)}"
        + (f", lists read on {redacted(replica)}" if replica else ""),
        err=True,
    )


def first_partner_banner(settings: Settings, base_url: str) -> str | None:
    """How to register a first partner, while there is none."""
    store = open_event_store(settings.database_url, settings.snapshot_interval)
    try:
        if any_partner(store):
            return None
    finally:
        store.close()
    return (
        "No partner yet. A first partner and its API key (shown once):\n"
        f"  curl -s -X POST {base_url}/v1/partners "
        '-H "Authorization: Bearer $TENANTRY_ADMIN_TOKEN" -H "Content-Type: application/json" '
        """-d '{"name": "My MSP", "kind": "msp", "status": "production"}'\n"""
        "  or: .venv/bin/tenantry partners add --name 'My MSP' --kind msp --status production"
    )


@click.command()
@click.option("--host", default="127.0.0.1", help="the address to listen on")
@click.option("--port", default=8000, type=click.IntRange(0, 65535), help="the port to listen on")
@click.option(
    "--workers",
    default=1,
    type=click.IntRange(min=1),
    help="API processes sharing the port, each with its own background work",
)
@click.option(
    "--no-access-log",
    is_flag=True,
    help="no line per request (when the load balancer keeps the access log)",
)
def serve(host: str, port: int, workers: int, no_access_log: bool) -> int:
    """Run the HTTP API and the background work (views, deadlines, email).

    Activation links point at the served host and port unless TENANTRY_PUBLIC_URL is set."""
    import uvicorn  # noqa: PLC0415 - only the server needs it

    from api.slow_clients import bounded_head  # noqa: PLC0415 - imports uvicorn

    settings = Settings()
    if workers > 1 and settings.database_url.startswith("memory:"):
        raise click.UsageError(
            "--workers > 1 needs a shared database: memory:// would give each process "
            "its own; set TENANTRY_DATABASE_URL to a sqlite:/// file or postgresql://"
        )
    check_database(settings, must_exist=False)
    if PUBLIC_URL_ENV not in os.environ:
        # The app is built in uvicorn's process(es) from the environment.
        os.environ[PUBLIC_URL_ENV] = served_url(host, port)
    announce(settings, "serve")
    click.echo(f"tenantry serve: activation links start {os.environ[PUBLIC_URL_ENV]}", err=True)
    if settings.admin_token is None:
        # Unset: the token kept in var/admin.token, for this process and its workers.
        kept = settings.var_dir / ADMIN_TOKEN_FILE
        os.environ["TENANTRY_ADMIN_TOKEN"] = kept_secret(kept, "TENANTRY_ADMIN_TOKEN")
        click.echo(
            f"Admin token: kept in {kept} (TENANTRY_ADMIN_TOKEN is unset; set it to choose "
            "one, or set it empty to turn admin calls off). In another shell:\n"
            f"  export TENANTRY_ADMIN_TOKEN=$(cat {shlex.quote(str(kept))})",
            err=True,
        )
    elif not settings.admin_token.get_secret_value():
        click.echo("TENANTRY_ADMIN_TOKEN is empty: admin calls are off.", err=True)
    banner = first_partner_banner(settings, served_url(host, port))
    if banner is not None:
        click.echo(banner, err=True)
    uvicorn.run(
        "api.app:from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=not no_access_log,
        http=bounded_head(settings.head_timeout_s),  # type: ignore[arg-type]
        limit_concurrency=settings.max_connections,
    )
    return 0


@click.command()
def worker() -> int:
    """Run only the background work (views, deadlines, email) until SIGTERM or SIGINT,
    for deployments with several API processes; run one or more beside them."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    settings = Settings()
    check_database(settings, must_exist=False)
    announce(settings, "worker")
    services = build(settings)
    services.start_background(sweep=True)  # TENANTRY_SWEEP is for API processes
    click.echo("tenantry worker: following events, sweeping deadlines, sending webhooks", err=True)
    try:
        stop.wait()
    finally:
        services.close()
    return 0
