"""What a principal may do with a customer right now: the portal's buttons."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from application.dto import Action, Actions, ExtendTrialAction
from domain.customer import Customer
from domain.errors import DomainError, ExtensionNotYetAvailable
from domain.partner import Partner
from domain.values import Actor, Policy


def actions_for(
    customer: Customer, owner: Partner, by: Actor, policy: Policy, now: datetime
) -> Actions:
    try:
        customer.check_extendable(policy, now, by)
        extend = ExtendTrialAction(allowed=True, available_from=None, reason=None)
    except ExtensionNotYetAvailable as error:
        extend = ExtendTrialAction(
            allowed=False, available_from=error.available_from, reason=error.detail
        )
    except DomainError as error:
        extend = ExtendTrialAction(allowed=False, available_from=None, reason=error.detail)
    return Actions(
        extend_trial=extend,
        convert_to_production=_action(lambda: customer.check_convertible(owner, by)),
        manage_upgrade=_action(lambda: customer.check_manageable(by)),
    )


def _action(check: Callable[[], None]) -> Action:
    try:
        check()
    except DomainError as error:
        return Action(allowed=False, reason=error.detail)
    return Action(allowed=True, reason=None)


def subscription_change_for(customer: Customer, by: Actor) -> Action:
    """Whether ``by`` may change the customer's SKU, add-ons and expiration date (the
    owner only); not part of ``Actions``, which the API's representation fixes."""
    return _action(lambda: customer.check_owner(by, "change the subscription"))
