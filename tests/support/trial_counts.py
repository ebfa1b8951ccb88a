"""The trial analytics counted the slow way: each visible customer's events read from
the store, every cohort's figures counted in Python."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from api.bootstrap import Services
from application.authorization import visible_to
from domain.customer import Customer
from domain.values import Actor


def nearest_rank(values: list[int], share: float) -> int | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[math.ceil(share * len(ordered)) - 1]


def trial_of(events: list[Any], now: datetime) -> dict[str, Any]:
    """One customer's trial, from its whole history."""
    created = events[0]
    activated = next((e for e in events if isinstance(e, Customer.Activated)), None)
    onboarded = next((e for e in events if isinstance(e, Customer.Onboarded)), None)
    endings = [
        e
        for e in events
        if isinstance(
            e,
            Customer.UpgradedToProduction | Customer.ConvertedToProduction | Customer.TrialExpired,
        )
    ]
    last = endings[-1] if endings else None
    outcome = {
        None: "in_trial",
        Customer.UpgradedToProduction: "upgraded",
        Customer.ConvertedToProduction: "converted",
        Customer.TrialExpired: "expired",
    }[type(last) if last else None]
    extended = any(isinstance(e, Customer.TrialExtended) for e in events)
    reached = False
    if onboarded is not None:
        opens = onboarded.trial_ends_at - onboarded.policy.extension_window
        reached = opens <= now and (last is None or last.timestamp >= opens)
    return {
        "created_at": created.timestamp,
        "partner_id": created.partner_id,
        "sku": created.sku,
        "activated": activated is not None,
        "onboarded": onboarded is not None,
        "extended": extended,
        "held": any(isinstance(e, Customer.UpgradeHeld) for e in events),
        "outcome": outcome,
        "reached": reached,
        "after_extension": extended and outcome in ("upgraded", "converted"),
        "activation_s": (
            int((activated.timestamp - created.timestamp).total_seconds()) if activated else None
        ),
        "onboarding_s": (
            int((onboarded.timestamp - (activated or created).timestamp).total_seconds())
            if onboarded
            else None
        ),
    }


def cohort_key(at: datetime, group_by: str) -> date:
    day = at.date()
    return day - timedelta(days=day.weekday()) if group_by == "week" else day.replace(day=1)


def brute_force(
    services: Services, customer_ids: Iterable[UUID], by: Actor, group_by: str
) -> dict[date, dict[str, Any]]:
    """Every cohort's figures, as the analytics name them, for what ``by`` may see."""
    now = services.clock.now()
    visible = visible_to(by)
    cohorts: dict[date, list[dict[str, Any]]] = defaultdict(list)
    for customer_id in customer_ids:
        if not visible.admits(services.store.repository.get(customer_id)):
            continue
        trial = trial_of(list(services.store.events.get(customer_id)), now)
        cohorts[cohort_key(trial["created_at"], group_by)].append(trial)
    return {start: figures(trials) for start, trials in sorted(cohorts.items())}


def figures(trials: list[dict[str, Any]]) -> dict[str, Any]:
    def count(test: str) -> int:
        return sum(1 for t in trials if t[test])

    def outcome(name: str) -> int:
        return sum(1 for t in trials if t["outcome"] == name)

    upgraded, converted, expired = outcome("upgraded"), outcome("converted"), outcome("expired")
    activations = [t["activation_s"] for t in trials if t["activation_s"] is not None]
    onboardings = [t["onboarding_s"] for t in trials if t["onboarding_s"] is not None]
    return {
        "created": len(trials),
        "activated": count("activated"),
        "onboarded": count("onboarded"),
        "extended": count("extended"),
        "held": count("held"),
        "upgraded": upgraded,
        "converted": converted,
        "expired": expired,
        "in_trial": outcome("in_trial"),
        "reached_last_days": count("reached"),
        "converted_after_extension": count("after_extension"),
        "activation_median_s": nearest_rank(activations, 0.5),
        "activation_p90_s": nearest_rank(activations, 0.9),
        "onboarding_median_s": nearest_rank(onboardings, 0.5),
        "onboarding_p90_s": nearest_rank(onboardings, 0.9),
        "conversion": (upgraded + converted, upgraded + converted + expired),
        "extension": (count("extended"), count("reached")),
    }
