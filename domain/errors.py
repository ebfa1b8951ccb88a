"""Why the domain refuses a command. Each error names its problem slug."""

from __future__ import annotations

from datetime import datetime


class DomainError(Exception):
    slug = "invalid-state"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ValidationFailed(DomainError):
    slug = "validation"

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"{field}: {detail}")
        self.field = field
        self.message = detail


class InvalidState(DomainError):
    slug = "invalid-state"

    def __init__(self, action: str, state: str) -> None:
        super().__init__(f"cannot {action} while the customer is {state}")
        self.action = action
        self.state = state


class ExtensionNotYetAvailable(DomainError):
    slug = "extension-not-yet-available"

    def __init__(self, available_from: datetime) -> None:
        super().__init__(
            "the trial can be extended only in its last days; "
            f"available from {available_from.isoformat().replace('+00:00', 'Z')}"
        )
        self.available_from = available_from


class NotEligible(DomainError):
    slug = "not-eligible"


class Forbidden(DomainError):
    slug = "forbidden"


class PartnerInTrial(DomainError):
    slug = "partner-in-trial"

    def __init__(self) -> None:
        super().__init__("a partner in trial cannot convert customers to production")


class LinkExpired(DomainError):
    slug = "link-expired"
