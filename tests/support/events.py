"""Facts a domain test starts from, built without services: the offer (policy, catalogue,
SKUs), the instants of a customer's life, partner aggregates, and customer events.

The partners are those of ``tests.support.principals`` (``MSP_ID`` under
``DISTRIBUTOR_ID``). Event factories leave id and version at placeholders; ``given``
numbers them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from domain.aggregate import DomainEvent
from domain.customer import Customer
from domain.partner import Partner
from domain.values import (
    SYSTEM,
    Actor,
    Catalogue,
    LogLevel,
    PartnerKind,
    PartnerStatus,
    Policy,
    Source,
)
from tests.support.clocks import START
from tests.support.principals import ADMIN, DISTRIBUTOR_ID, HOLDER, IMPORTER, MSP, MSP_ID

POLICY = Policy()
CATALOGUE = Catalogue()
ESSENTIALS = "ESSENTIALS_MSP_2025"
PROFESSIONAL = "PROFESSIONAL_MSP_2025"

T0 = START
ACTIVATED_AT = T0 + timedelta(hours=2)
ONBOARDED_AT = T0 + timedelta(days=1)
TRIAL_ENDS_AT = ONBOARDED_AT + timedelta(days=14)
WINDOW_OPENS = TRIAL_ENDS_AT - timedelta(days=3)
NOTICE_DUE = TRIAL_ENDS_AT - timedelta(days=3)


def distributor_partner(status: PartnerStatus = PartnerStatus.PRODUCTION) -> Partner:
    return Partner.register(
        partner_id=DISTRIBUTOR_ID,
        name="Distri GmbH",
        kind=PartnerKind.DISTRIBUTOR,
        status=status,
        distributor=None,
        at=T0 - timedelta(days=30),
        by=ADMIN,
    )


def msp_partner(
    status: PartnerStatus = PartnerStatus.PRODUCTION,
    partner_id: UUID = MSP_ID,
    under_distributor: bool = True,
    name: str = "Acme MSP",
    at: datetime = T0 - timedelta(days=30),
) -> Partner:
    return Partner.register(
        partner_id=partner_id,
        name=name,
        kind=PartnerKind.MSP,
        status=status,
        distributor=distributor_partner() if under_distributor else None,
        at=at,
        by=ADMIN,
    )


def _envelope(at: datetime, by: Actor, effective: datetime | None = None) -> dict[str, Any]:
    return {
        "originator_id": UUID(int=0),
        "originator_version": 0,
        "timestamp": effective or at,
        "recorded_at": at,
        "actor": by,
    }


def created(
    at: datetime = T0,
    *,
    source: Source = Source.MSP,
    partner_id: UUID = MSP_ID,
    distributor_id: UUID | None = DISTRIBUTOR_ID,
    sku: str = ESSENTIALS,
    addons: tuple[str, ...] = (),
    by: Actor = MSP,
) -> DomainEvent:
    return Customer.Created(
        **_envelope(at, by),
        organization_name="Contoso Ltd",
        notification_email="it@contoso.example.com",
        sku=sku,
        addons=addons,
        partner_id=partner_id,
        distributor_id=distributor_id,
        source=source,
        link_expires_at=at + POLICY.link_ttl,
        policy=POLICY,
    )


def link_reissued(at: datetime, link_version: int = 2) -> DomainEvent:
    return Customer.ActivationLinkReissued(
        **_envelope(at, MSP),
        link_version=link_version,
        link_expires_at=at + POLICY.link_ttl,
        policy=POLICY,
    )


def activation_sent(at: datetime = T0, link_version: int = 1) -> DomainEvent:
    return Customer.ActivationSent(
        **_envelope(at, SYSTEM), link_version=link_version, message_id="<m1@tenantry>"
    )


def activated(at: datetime = ACTIVATED_AT, link_version: int = 1) -> DomainEvent:
    return Customer.Activated(**_envelope(at, HOLDER), link_version=link_version)


def message_logged(at: datetime = ACTIVATED_AT) -> DomainEvent:
    return Customer.ImportMessageLogged(
        **_envelope(at, IMPORTER), level=LogLevel.INFO, message="importing mailboxes"
    )


def import_failed(at: datetime = ACTIVATED_AT) -> DomainEvent:
    return Customer.ImportFailed(**_envelope(at, IMPORTER), code="E42", message="quota")


def onboarded(at: datetime = ONBOARDED_AT) -> DomainEvent:
    return Customer.Onboarded(
        **_envelope(at, IMPORTER), trial_ends_at=at + POLICY.trial, policy=POLICY
    )


def notice_sent(trial_ends_at: datetime = TRIAL_ENDS_AT) -> DomainEvent:
    due = trial_ends_at - POLICY.notice
    return Customer.UpgradeNoticeSent(
        **_envelope(due, SYSTEM), trial_ends_at=trial_ends_at, message_id="<n@t>", policy=POLICY
    )


def trial_extended(at: datetime, previous: datetime = TRIAL_ENDS_AT) -> DomainEvent:
    return Customer.TrialExtended(
        **_envelope(at, MSP),
        previous_trial_ends_at=previous,
        trial_ends_at=previous + POLICY.extension,
        policy=POLICY,
    )


def upgrade_held(at: datetime = ONBOARDED_AT + timedelta(hours=1)) -> DomainEvent:
    return Customer.UpgradeHeld(**_envelope(at, MSP))


def upgrade_released(at: datetime) -> DomainEvent:
    return Customer.UpgradeReleased(**_envelope(at, MSP))


def upgraded(trial_ends_at: datetime = TRIAL_ENDS_AT) -> DomainEvent:
    return Customer.UpgradedToProduction(
        **_envelope(trial_ends_at, SYSTEM),
        trial_ends_at=trial_ends_at,
        expiration_date=trial_ends_at.date() + POLICY.production_term,
        policy=POLICY,
    )


def trial_expired(trial_ends_at: datetime = TRIAL_ENDS_AT) -> DomainEvent:
    return Customer.TrialExpired(**_envelope(trial_ends_at, SYSTEM), trial_ends_at=trial_ends_at)


def converted(at: datetime, expiration_date: date) -> DomainEvent:
    return Customer.ConvertedToProduction(
        **_envelope(at, MSP), expiration_date=expiration_date, sku=ESSENTIALS, addons=()
    )


def onboarded_customer() -> tuple[DomainEvent, ...]:
    """Created, activated, imported: in its trial, ending at ``TRIAL_ENDS_AT``."""
    return (created(), activated(), onboarded())


def expired_customer() -> tuple[DomainEvent, ...]:
    return (*onboarded_customer(), upgrade_held(), trial_expired())


def production_customer() -> tuple[DomainEvent, ...]:
    return (*onboarded_customer(), upgraded())


def personal_data_erased(at: datetime, by: Actor = MSP, reason: str = "asked") -> DomainEvent:
    return Customer.PersonalDataErased(**_envelope(at, by), reason=reason)
