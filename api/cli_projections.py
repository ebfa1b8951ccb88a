"""``tenantry projections rebuild [NAME]``: rebuild views from the events, with progress."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from tqdm import tqdm

from api.bootstrap import Services
from projections.failures import ProjectionFailed


def add_parser(subparsers: Any) -> None:
    projections = subparsers.add_parser("projections", help="manage the SQL views")
    actions = projections.add_subparsers(dest="action", required=True)
    rebuild = actions.add_parser(
        "rebuild", help="rebuild views from the events; the old ones serve until the swap"
    )
    rebuild.add_argument("name", nargs="?", default=None, help="customers or partners (all)")


def run(args: argparse.Namespace, services: Services) -> int:
    if args.action != "rebuild":
        return 2
    names = [p.name for p in services.views.projections if args.name in (None, p.name)]
    if not names:
        print(f"no projection named {args.name!r}")
        return 2
    total = services.store.recorder.max_notification_id() or 0
    done: dict[str, int] = {}
    for name in names:
        with tqdm(total=total, desc=name, unit="event") as bar:
            try:
                done.update(services.views.rebuild(name, on_batch=bar.update))
            except ProjectionFailed as error:  # its text names the event, not its data
                print(f"cannot rebuild {name}: {error}", file=sys.stderr)
                return 1
    print(json.dumps({"rebuilt": done}))
    return 0
