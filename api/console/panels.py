"""What each action's panel shows of a ticked customer: plain rows, so the templates
only place text. Whether a button is enabled, and why not, is what the application's
``actions_for`` (the API's ``actions``) says."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from api.console.selection import Selected, reason_text
from application.actions import subscription_change_for
from application.dto import Action, ExtendTrialAction
from domain.values import Actor, Policy, Status


@dataclass(frozen=True)
class Row:
    """A ticked customer, and whether the panel's button is enabled for it (else why not)."""

    item: Selected
    allowed: bool
    reason: str


@dataclass(frozen=True)
class ExtendRow(Row):
    trial_ends_at: datetime | None
    extended_to: datetime | None
    available_from: datetime | None


@dataclass(frozen=True)
class UpgradeRow(Row):
    automatic_upgrade: bool
    upgrade_at: datetime | None
    notice_sent_at: datetime | None
    notice_due_at: datetime | None


@dataclass(frozen=True)
class SubscriptionRow(Row):
    """The convert and edit panels: the form's prefilled values."""

    sku: str
    addons: list[str]
    expiration_date: date | None
    with_expiration: bool


def verdict(action: Action | ExtendTrialAction | None) -> tuple[bool, str]:
    """``allowed`` and ``reason`` of a row: no action (no actions computed) is not allowed."""
    if action is None:
        return False, ""
    return action.allowed, "" if action.allowed else reason_text(action.reason)


def extend_rows(items: list[Selected], policy: Policy) -> list[ExtendRow]:
    rows = []
    for item in items:
        dto = item.dto
        action = dto.actions.extend_trial if dto.actions else None
        ends = dto.trial_ends_at if dto.status is Status.TRIAL else None
        rows.append(
            ExtendRow(
                item,
                *verdict(action),
                trial_ends_at=ends,
                extended_to=ends + policy.extension if ends else None,
                available_from=action.available_from if action else None,
            )
        )
    return rows


def upgrade_rows(items: list[Selected], policy: Policy) -> list[UpgradeRow]:
    return [
        UpgradeRow(
            item,
            *verdict(item.dto.actions.manage_upgrade if item.dto.actions else None),
            automatic_upgrade=item.dto.automatic_upgrade,
            upgrade_at=item.dto.trial_ends_at if item.dto.status is Status.TRIAL else None,
            notice_sent_at=item.dto.upgrade_notice_sent_at,
            notice_due_at=item.aggregate.notice_due_at(policy),
        )
        for item in items
    ]


def convert_rows(items: list[Selected], policy: Policy, today: date) -> list[SubscriptionRow]:
    return [
        SubscriptionRow(
            item,
            *verdict(item.dto.actions.convert_to_production if item.dto.actions else None),
            sku=item.dto.sku,
            addons=item.dto.addons,
            expiration_date=today + policy.production_term,
            with_expiration=True,
        )
        for item in items
    ]


def edit_rows(items: list[Selected], by: Actor) -> list[SubscriptionRow]:
    return [
        SubscriptionRow(
            item,
            *verdict(subscription_change_for(item.aggregate, by)),
            sku=item.dto.sku,
            addons=item.dto.addons,
            expiration_date=item.dto.expiration_date,
            with_expiration=item.dto.status is Status.PRODUCTION,
        )
        for item in items
    ]
