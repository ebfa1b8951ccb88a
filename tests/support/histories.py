"""Random histories of customers, made through the use cases: weighted commands that
often reach onboarding and the trial's end (a refusal is part of any history)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from hypothesis import strategies as st

from domain.values import Actor, LogLevel
from tests.support.principals import IMPORTER
from tests.support.world import World

OPS = (  # weighted so that histories often reach onboarding and the trial's end
    "add", "add", "onboard", "onboard", "onboard", "sent", "reissue", "activate",
    "activate", "activate", "log", "fail",
    "complete", "complete", "complete", "notice", "notice", "extend", "extend", "hold",
    "release", "end", "end", "convert", "change", "advance", "advance", "advance", "sync",
)  # fmt: skip


def commands_advancing(
    max_hours: int, min_size: int = 5, max_size: int = 40
) -> st.SearchStrategy[list[tuple[str, int, int]]]:
    """Histories whose clock moves up to ``max_hours`` at a time."""
    return st.lists(
        st.tuples(st.sampled_from(OPS), st.integers(0, 50), st.integers(1, max_hours)),
        min_size=min_size,
        max_size=max_size,
    )


commands = commands_advancing(120)
# Long enough for trials to end (14 days, 7 more when extended) within a history.
trial_long_commands = commands_advancing(24 * 5, min_size=25, max_size=60)


def run(world: World, op: str, n: int, hours: int, owners: dict[uuid.UUID, Actor]) -> None:  # noqa: PLR0912
    cmds = world.services.customers
    ids = list(owners)
    if op == "add" or not ids:
        owner = (world.msp, world.distributor, world.other_msp)[n % 3]
        owners[world.add(owner, f"Org {n}", step=timedelta(0))] = owner
        return
    cid = ids[n % len(ids)]
    by = owners[cid]
    state = world.services.store.repository.get(cid).state
    if op == "sent":
        cmds.record_activation_sent(cid, link_version=state.link_version, message_id=f"m{n}")
    elif op == "reissue":
        cmds.reissue_activation_link(cid, by=by)
    elif op == "activate":
        cmds.activate(cid, link_version=state.link_version)
    elif op == "log":
        cmds.log_import_message(cid, level=LogLevel.INFO, message=f"step {n}", by=IMPORTER)
    elif op == "fail":
        cmds.record_import_failure(cid, code="E1", message="boom", by=IMPORTER)
    elif op == "complete":
        cmds.complete_import(cid, by=IMPORTER)
    elif op == "onboard":
        cmds.activate(cid, link_version=state.link_version)
        cmds.complete_import(cid, by=IMPORTER)
    elif op == "notice":
        cmds.record_upgrade_notice_sent(cid, message_id=f"n{n}")
    elif op == "extend":
        cmds.extend_trial(cid, by=by)
    elif op in ("hold", "release"):
        cmds.set_automatic_upgrade(cid, enabled=op == "release", by=by)
    elif op == "end":
        cmds.end_trial_if_due(cid)
    elif op == "convert":
        expires = (world.clock.now() + timedelta(days=400)).date()
        cmds.convert_to_production(cid, expiration_date=expires, by=by)
    elif op == "change":
        cmds.change_subscription(cid, sku="PROFESSIONAL_MSP_2025", addons=["DELEGATION"], by=by)
    elif op == "advance":
        world.clock.advance(timedelta(hours=hours))
    elif op == "sync":
        world.current()
