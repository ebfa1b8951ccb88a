"""The webhook event types: one per lifecycle change of a customer, named by its topic."""

from __future__ import annotations

from domain import customer_events as events
from domain.aggregate import DomainEvent
from domain.errors import ValidationFailed

TYPES: dict[type[DomainEvent], str] = {
    events.Created: "customer.created",
    events.ActivationSent: "customer.activation_sent",
    events.ActivationLinkReissued: "customer.activation_link_reissued",
    events.Activated: "customer.activated",
    events.ImportMessageLogged: "customer.import_message_logged",
    events.ImportFailed: "customer.import_failed",
    events.Onboarded: "customer.onboarded",
    events.UpgradeNoticeSent: "customer.trial_will_end",  # the pre-upgrade notice went out
    events.TrialExtended: "customer.trial_extended",
    events.UpgradeHeld: "customer.upgrade_held",
    events.UpgradeReleased: "customer.upgrade_released",
    events.UpgradedToProduction: "customer.upgraded_to_production",
    events.TrialExpired: "customer.trial_expired",
    events.ConvertedToProduction: "customer.converted_to_production",
    events.SubscriptionChanged: "customer.subscription_changed",
    events.PersonalDataErased: "customer.personal_data_erased",
}
EVENT_TYPES: tuple[str, ...] = tuple(TYPES.values())


def type_of(event: DomainEvent) -> str | None:
    """The webhook type of a customer event (None: not one webhooks carry)."""
    return TYPES.get(type(event))


def check_event_types(types: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The subscribed types, each known and named once; empty means every type."""
    unknown = sorted(set(types) - set(EVENT_TYPES))
    if unknown:
        raise ValidationFailed("event_types", f"unknown event types: {', '.join(unknown)}")
    return tuple(dict.fromkeys(types))
