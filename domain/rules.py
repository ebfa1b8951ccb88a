"""Input rules shared by the aggregates' commands."""

from __future__ import annotations

from domain.errors import ValidationFailed
from domain.values import Catalogue

MAX_NAME = 200
MAX_MESSAGE = 2000
MAX_CODE = 100


def check_organization_name(value: str) -> str:
    name = value.strip()
    if not name:
        raise ValidationFailed("organization_name", "must not be blank")
    if len(name) > MAX_NAME:
        raise ValidationFailed("organization_name", f"must be at most {MAX_NAME} characters")
    return name


def check_sku(code: str, catalogue: Catalogue) -> str:
    if not catalogue.has_sku(code):
        raise ValidationFailed("sku", f"unknown SKU {code!r}")
    return code


def check_addons(codes: list[str] | tuple[str, ...], catalogue: Catalogue) -> tuple[str, ...]:
    for code in codes:
        if not catalogue.has_addon(code):
            raise ValidationFailed("addons", f"unknown add-on {code!r}")
    if len(set(codes)) != len(codes):
        raise ValidationFailed("addons", "each add-on at most once")
    return tuple(sorted(codes))  # a set: the order in which they were given means nothing


def check_message(value: str) -> str:
    message = value.strip()
    if not message:
        raise ValidationFailed("message", "must not be blank")
    if len(message) > MAX_MESSAGE:
        raise ValidationFailed("message", f"must be at most {MAX_MESSAGE} characters")
    return message


def check_code(value: str) -> str:
    code = value.strip()
    if not code or len(code) > MAX_CODE:
        raise ValidationFailed("code", f"must be 1 to {MAX_CODE} characters")
    return code


def check_name(value: str, field: str = "name") -> str:
    name = value.strip()
    if not name or len(name) > MAX_NAME:
        raise ValidationFailed(field, f"must be 1 to {MAX_NAME} characters")
    return name
