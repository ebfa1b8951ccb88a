"""What the Customers page shows of each customer: plain rows made from the
application's DTOs, so the templates only place text."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from application.dto import CustomerDTO

LATEST_MESSAGES = 3
ERASED = "(erased)"  # personal data that was erased


@dataclass(frozen=True)
class PendingRow:
    id: UUID
    copy_url: str | None  # the activation link, for its owner only
    organization: str
    notification_email: str
    sku: str
    created_at: datetime
    activation: str
    activation_at: datetime | None
    import_status: str
    import_errors: list[str]
    event_log: list[str]

    @property
    def reissuable(self) -> bool:
        """The owner may replace a link until the customer activates."""
        return self.copy_url is not None and self.activation != "activated"


@dataclass(frozen=True)
class CustomerRow:
    id: UUID
    organization: str
    status: str
    sku: str
    addons: str
    trial_ends_at: datetime | None
    expiration_date: date | None
    automatic_upgrade: str
    source: str
    owner: str


def pending_row(dto: CustomerDTO, copy_url: str | None) -> PendingRow:
    onboarding = dto.onboarding
    if onboarding.activated_at is not None:
        activation, at = "activated", onboarding.activated_at
    elif onboarding.activation_sent_at is not None:
        activation, at = "sent", onboarding.activation_sent_at
    else:
        activation, at = "not sent yet", None
    return PendingRow(
        id=dto.id,
        copy_url=copy_url,
        organization=dto.organization_name,
        notification_email=dto.notification_email or ERASED,
        sku=dto.sku,
        created_at=dto.created_at,
        activation=activation,
        activation_at=at,
        import_status=onboarding.import_status.value.replace("_", " "),
        import_errors=[f"{e.code}: {e.message or ERASED}" for e in onboarding.import_errors],
        event_log=[
            f"{e.level.value}: {e.message or ERASED}"
            for e in onboarding.event_log[-LATEST_MESSAGES:]
        ],
    )


def customer_row(dto: CustomerDTO, owner: str) -> CustomerRow:
    return CustomerRow(
        id=dto.id,
        organization=dto.organization_name,
        status=dto.status.value,
        sku=dto.sku,
        addons=", ".join(dto.addons),
        trial_ends_at=dto.trial_ends_at,
        expiration_date=dto.expiration_date,
        automatic_upgrade="On" if dto.automatic_upgrade else "Held",
        source=dto.source.value,
        owner=owner,
    )
