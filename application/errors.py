"""Refusals the application adds to the domain's own."""

from __future__ import annotations

from domain.errors import DomainError


class NotFound(DomainError):
    slug = "not-found"


NO_VERSION = 0
"""What an ``If-Match`` that names no version expects: versions start at 1."""


class PreconditionFailed(DomainError):
    slug = "precondition-failed"

    def __init__(self, expected: int, actual: int) -> None:
        named = "no version" if expected == NO_VERSION else f"version {expected}"
        super().__init__(f"the customer is at version {actual}; If-Match names {named}")
        self.expected = expected
        self.actual = actual


class Busy(DomainError):
    """Too many concurrent writers on one aggregate; safe to retry."""

    slug = "busy"


class KeyReused(DomainError):
    """An Idempotency-Key whose receipt names another request."""

    slug = "idempotency-key-reused"


class AnswerLost(DomainError):
    """A command done under an Idempotency-Key whose one-time secret was not kept."""

    slug = "idempotency-answer-lost"


class TamperedHistory(Exception):
    """A stored event's MAC does not verify: it was altered or inserted without the key."""

    slug = "integrity"

    def __init__(self, originator_id: object, version: int, problem: str) -> None:
        detail = f"stored event {originator_id} v{version} fails its integrity check ({problem})"
        super().__init__(detail)
        self.detail = detail
