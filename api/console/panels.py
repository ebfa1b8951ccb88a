"""What each action's panel shows of a ticked customer: plain rows, so the templates
only place text. Whether a button is enabled, and why not, is what the application's
``actions_for`` (the API's ``actions``) says."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from api.console.selection import Selected, reason_text
from application.actions import subscription_change_for
from domain.values import Actor, Policy, Status


@dataclass(frozen=True)
class ExtendRow:
    item: Selected
    trial_ends_at: datetime | None
    extended_to: datetime | None
    allowed: bool
    available_from: datetime | None
    reason: str


@dataclass(frozen=True)
class UpgradeRow:
    item: Selected
    automatic_upgrade: bool
    upgrade_at: datetime | None
    notice_sent_at: datetime | None
    notice_due_at: datetime | None
    allowed: bool
    reason: str


@dataclass(frozen=True)
class SubscriptionRow:
    """The convert and edit panels: the form's prefilled values."""

    item: Selected
    sku: str
    addons: list[str]
    expiration_date: date | None
    with_expiration: bool
    allowed: bool
    reason: str


def extend_rows(items: list[Selected], policy: Policy) -> list[ExtendRow]:
    rows = []
    for item in items:
        dto = item.dto
        action = dto.actions.extend_trial if dto.actions else None
        ends = dto.trial_ends_at if dto.status is Status.TRIAL else None
        rows.append(
            ExtendRow(
                item=item,
                trial_ends_at=ends,
                extended_to=ends + policy.extension if ends else None,
                allowed=bool(action and action.allowed),
                available_from=action.available_from if action else None,
                reason="" if action is None or action.allowed else reason_text(action.reason),
            )
        )
    return rows


def upgrade_rows(items: list[Selected], policy: Policy) -> list[UpgradeRow]:
    rows = []
    for item in items:
        dto = item.dto
        action = dto.actions.manage_upgrade if dto.actions else None
        in_trial = dto.status is Status.TRIAL
        rows.append(
            UpgradeRow(
                item=item,
                automatic_upgrade=dto.automatic_upgrade,
                upgrade_at=dto.trial_ends_at if in_trial else None,
                notice_sent_at=dto.upgrade_notice_sent_at,
                notice_due_at=item.aggregate.notice_due_at(policy),
                allowed=bool(action and action.allowed),
                reason="" if action is None or action.allowed else reason_text(action.reason),
            )
        )
    return rows


def convert_rows(items: list[Selected], policy: Policy, today: date) -> list[SubscriptionRow]:
    rows = []
    for item in items:
        dto = item.dto
        action = dto.actions.convert_to_production if dto.actions else None
        rows.append(
            SubscriptionRow(
                item=item,
                sku=dto.sku,
                addons=dto.addons,
                expiration_date=today + policy.production_term,
                with_expiration=True,
                allowed=bool(action and action.allowed),
                reason="" if action is None or action.allowed else reason_text(action.reason),
            )
        )
    return rows


def edit_rows(items: list[Selected], by: Actor) -> list[SubscriptionRow]:
    rows = []
    for item in items:
        dto = item.dto
        action = subscription_change_for(item.aggregate, by)
        rows.append(
            SubscriptionRow(
                item=item,
                sku=dto.sku,
                addons=dto.addons,
                expiration_date=dto.expiration_date,
                with_expiration=dto.status is Status.PRODUCTION,
                allowed=action.allowed,
                reason="" if action.allowed else reason_text(action.reason),
            )
        )
    return rows
