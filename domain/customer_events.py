"""The events of a Customer's history. Each names its stored topic explicitly."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from domain.aggregate import DomainEvent, aggregate_class
from domain.customer_state import CustomerState, ImportError_, LogEntry
from domain.values import ImportStatus, LogLevel, Policy, Source, Stage, Status


class Event(DomainEvent):
    """A customer event: it changes the customer's state."""

    def apply(self, aggregate: Any) -> None:
        self.evolve(aggregate.state)

    def evolve(self, state: CustomerState) -> None:
        """Change the customer's state."""


class Created(DomainEvent):
    TOPIC = "Customer.Created"
    PERSONAL_FIELDS = frozenset({"notification_email"})
    organization_name: str
    notification_email: str | None  # None: erased
    sku: str
    addons: tuple[str, ...]
    partner_id: UUID
    distributor_id: UUID | None
    source: Source
    link_expires_at: datetime
    policy: Policy
    erased: bool = False

    def mutate(self, aggregate: Any) -> Any:
        names = ("organization_name", "notification_email", "sku", "addons", "partner_id")
        taken = self.values_of(*names, "distributor_id", "source", "link_expires_at", "erased")
        state = CustomerState(**taken, link_issued_at=self.timestamp)
        customer_class: Any = aggregate_class("Customer")  # a Stateful[CustomerState]
        return customer_class.created(self, state)


class ActivationSent(Event):
    TOPIC = "Customer.ActivationSent"
    link_version: int
    message_id: str

    def evolve(self, state: CustomerState) -> None:
        state.activation_sent_version = self.link_version
        state.activation_sent_at = self.timestamp


class ActivationLinkReissued(Event):
    TOPIC = "Customer.ActivationLinkReissued"
    link_version: int
    link_expires_at: datetime
    policy: Policy

    def evolve(self, state: CustomerState) -> None:
        state.link_version = self.link_version
        state.link_issued_at = self.timestamp
        state.link_expires_at = self.link_expires_at


class Activated(Event):
    TOPIC = "Customer.Activated"
    link_version: int

    def evolve(self, state: CustomerState) -> None:
        state.activated_at = self.timestamp


class ImportMessageLogged(Event):
    TOPIC = "Customer.ImportMessageLogged"
    PERSONAL_FIELDS = frozenset({"message"})
    level: LogLevel
    message: str | None  # None: erased (free text, which may quote people)
    erased: bool = False

    def evolve(self, state: CustomerState) -> None:
        entry = LogEntry(at=self.timestamp, level=self.level, message=self.message)
        state.event_log = [*state.event_log, entry]
        if state.import_status is ImportStatus.NOT_STARTED:
            state.import_status = ImportStatus.IMPORTING


class ImportFailed(Event):
    TOPIC = "Customer.ImportFailed"
    PERSONAL_FIELDS = frozenset({"message"})
    code: str
    message: str | None  # None: erased
    erased: bool = False

    def evolve(self, state: CustomerState) -> None:
        error = ImportError_(at=self.timestamp, code=self.code, message=self.message)
        state.import_errors = [*state.import_errors, error]
        state.import_status = ImportStatus.FAILED


class Onboarded(Event):
    TOPIC = "Customer.Onboarded"
    trial_ends_at: datetime
    policy: Policy

    def evolve(self, state: CustomerState) -> None:
        state.stage = Stage.ONBOARDED
        state.import_status = ImportStatus.COMPLETED
        state.onboarded_at = self.timestamp
        state.trial_ends_at = self.trial_ends_at


class UpgradeNoticeSent(Event):
    TOPIC = "Customer.UpgradeNoticeSent"
    trial_ends_at: datetime
    message_id: str
    policy: Policy

    def evolve(self, state: CustomerState) -> None:
        state.upgrade_notice_sent_at = self.timestamp
        state.noticed_trial_end = self.trial_ends_at


class TrialExtended(Event):
    TOPIC = "Customer.TrialExtended"
    previous_trial_ends_at: datetime
    trial_ends_at: datetime
    policy: Policy

    def evolve(self, state: CustomerState) -> None:
        state.trial_ends_at = self.trial_ends_at


class UpgradeHeld(Event):
    TOPIC = "Customer.UpgradeHeld"

    def evolve(self, state: CustomerState) -> None:
        state.automatic_upgrade = False


class UpgradeReleased(Event):
    TOPIC = "Customer.UpgradeReleased"

    def evolve(self, state: CustomerState) -> None:
        state.automatic_upgrade = True


class UpgradedToProduction(Event):
    TOPIC = "Customer.UpgradedToProduction"
    trial_ends_at: datetime
    expiration_date: date
    policy: Policy

    def evolve(self, state: CustomerState) -> None:
        state.status = Status.PRODUCTION
        state.production_since = self.timestamp
        state.expiration_date = self.expiration_date


class TrialExpired(Event):
    TOPIC = "Customer.TrialExpired"
    trial_ends_at: datetime

    def evolve(self, state: CustomerState) -> None:
        state.status = Status.EXPIRED


class ConvertedToProduction(Event):
    TOPIC = "Customer.ConvertedToProduction"
    expiration_date: date
    sku: str
    addons: tuple[str, ...]

    def evolve(self, state: CustomerState) -> None:
        state.status = Status.PRODUCTION
        state.production_since = self.timestamp
        state.expiration_date = self.expiration_date
        state.sku = self.sku
        state.addons = self.addons


class SubscriptionChanged(Event):
    TOPIC = "Customer.SubscriptionChanged"
    sku: str
    addons: tuple[str, ...]
    expiration_date: date | None

    def evolve(self, state: CustomerState) -> None:
        state.sku = self.sku
        state.addons = self.addons
        state.expiration_date = self.expiration_date


class PersonalDataErased(Event):
    """The customer's personal data was erased: its data key is deleted with this
    event, so the personal fields of its history read as None from now on."""

    TOPIC = "Customer.PersonalDataErased"
    reason: str

    def evolve(self, state: CustomerState) -> None:
        state.without_personal_data()
