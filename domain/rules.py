"""Input rules shared by the aggregates' commands."""

from __future__ import annotations

from datetime import UTC, datetime

from domain.errors import ValidationFailed
from domain.text import check_text
from domain.values import Catalogue

MAX_NAME = 200
MAX_MESSAGE = 2000
MAX_CODE = 100


def check_organization_name(value: str) -> str:
    name = check_text(value, "organization_name").strip()
    if not name:
        raise ValidationFailed("organization_name", "must not be blank")
    if len(name) > MAX_NAME:
        raise ValidationFailed("organization_name", f"must be at most {MAX_NAME} characters")
    return name


def check_sku(code: str, catalogue: Catalogue) -> str:
    check_text(code, "sku")
    if not catalogue.has_sku(code):
        raise ValidationFailed("sku", f"unknown SKU {code!r}")
    return code


def check_addons(codes: list[str] | tuple[str, ...], catalogue: Catalogue) -> tuple[str, ...]:
    for code in codes:
        check_text(code, "addons")
        if not catalogue.has_addon(code):
            raise ValidationFailed("addons", f"unknown add-on {code!r}")
    if len(set(codes)) != len(codes):
        raise ValidationFailed("addons", "each add-on at most once")
    return tuple(sorted(codes))  # a set: the order in which they were given means nothing


def check_message(value: str) -> str:
    return _paragraphs(value, "message")


def check_reason(value: str) -> str:
    """Why personal data was erased (free text, one paragraph or more)."""
    return _paragraphs(value, "reason")


def _paragraphs(value: str, field: str) -> str:
    """Free text, not blank, at most ``MAX_MESSAGE`` characters."""
    text = check_text(value, field, multiline=True).strip()
    if not text:
        raise ValidationFailed(field, "must not be blank")
    if len(text) > MAX_MESSAGE:
        raise ValidationFailed(field, f"must be at most {MAX_MESSAGE} characters")
    return text


def check_code(value: str) -> str:
    code = check_text(value, "code").strip()
    if not code or len(code) > MAX_CODE:
        raise ValidationFailed("code", f"must be 1 to {MAX_CODE} characters")
    return code


def check_name(value: str, field: str = "name") -> str:
    name = check_text(value, field).strip()
    if not name or len(name) > MAX_NAME:
        raise ValidationFailed(field, f"must be 1 to {MAX_NAME} characters")
    return name


def check_instant(value: datetime, field: str) -> datetime:
    """``value`` in UTC; refused when it has no time zone or no UTC equivalent
    (``0001-01-01T00:00:00+14:00`` is before the first instant a datetime can hold)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationFailed(field, "give a time zone, e.g. 2026-01-31T09:00:00Z")
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise ValidationFailed(field, "is outside the years 1 to 9999 in UTC") from None
