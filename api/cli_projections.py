"""``tenantry projections rebuild [NAME]``: rebuild views from the events, with progress."""

from __future__ import annotations

import json
import time

import click
from tqdm import tqdm

from adapters.database_check import check_database
from api.bootstrap import build
from api.settings import Settings
from projections.failures import ProjectionFailed


@click.group()
def projections() -> None:
    """Manage the SQL views."""


@projections.command()
@click.argument("name", required=False, default=None)
def rebuild(name: str | None) -> int:
    """Rebuild views from the events; the old ones serve until the swap.

    NAME: customers, partners or users (none: all)."""
    settings = Settings()
    check_database(settings, must_exist=True)
    services = build(settings)
    try:
        names = [p.name for p in services.views.projections if name in (None, p.name)]
        if not names:
            known = ", ".join(p.name for p in services.views.projections)
            raise click.BadParameter(f"no projection named {name!r}: use one of {known}")
        total = services.store.recorder.max_notification_id() or 0
        # All of them in one pass over the events (each event read and decoded once).
        started = time.perf_counter()
        with tqdm(total=total, desc=name or "views", unit="event") as bar:
            try:
                done = services.views.rebuild(name, on_batch=bar.update)
            except ProjectionFailed as error:  # its text names the event, not its data
                raise click.ClickException(f"cannot rebuild {name or 'views'}: {error}") from None
        seconds = round(time.perf_counter() - started, 3)
    finally:
        services.close()
    click.echo(json.dumps({"rebuilt": done, "events": total, "seconds": seconds}))
    return 0
