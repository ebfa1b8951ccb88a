"""Text in every command: what people type is kept, what no store can keep is refused.

Control characters (a newline and a tab only in multi-line fields) and lone surrogates
are refused with a ``validation`` error naming the field, before anything is recorded.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given as for_all
from hypothesis import strategies as st

from domain.customer import Customer
from domain.errors import ValidationFailed
from domain.partner import Partner
from domain.service_account import ServiceAccount
from domain.text import check_text
from domain.values import LogLevel, PartnerStatus, ServiceRole
from tests.support.events import ACTIVATED_AT, ESSENTIALS, T0, activated, created, msp_partner
from tests.support.principals import ADMIN, IMPORTER
from tests.unit.domain.given_when_then import CUSTOMER_ID, When, expect, given
from tests.unit.domain.test_adding_customers import adding

POISON = ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\ud800", "\udfff", "\r", "\x0b"]
SINGLE_LINE_ONLY = ["\n", "\t"]
AT = ACTIVATED_AT


def _importing(command: Callable[[Customer], object]) -> When[Any]:
    return given(created(), activated()).when(command)


def _partner(name: str) -> When[Any]:
    return given().when(
        lambda _: msp_partner(PartnerStatus.TRIAL, under_distributor=False, name=name, at=T0)
    )


def _service_account(name: str) -> When[Any]:
    return given().when(
        lambda _: ServiceAccount.register(
            account_id=CUSTOMER_ID, role=ServiceRole.IMPORTER, name=name, at=T0, by=ADMIN
        )
    )


def _import_failure(code: str = "E1", message: str = "quota exceeded") -> When[Any]:
    return _importing(
        lambda c: c.record_import_failure(code=code, message=message, at=AT, by=IMPORTER)
    )


def _log(message: str) -> When[Any]:
    return _importing(
        lambda c: c.log_import_message(level=LogLevel.INFO, message=message, at=AT, by=IMPORTER)
    )


# Each command's text field: (the field its refusal names, the command given a text).
Command = tuple[str, Callable[[str], When[Any]]]
SINGLE_LINE: dict[str, Command] = {
    "organization name": (
        "organization_name",
        lambda t: adding(organization_name=f"Contoso{t}Ltd"),
    ),
    "notification email": (
        "notification_email",
        lambda t: adding(notification_email=f"it{t}@contoso.example"),
    ),
    "sku": ("sku", lambda t: adding(sku=f"{ESSENTIALS[:4]}{t}{ESSENTIALS[4:]}")),
    "add-on": ("addons", lambda t: adding(addons=[f"AU{t}DIT"])),
    "failure code": ("code", lambda t: _import_failure(code=f"E{t}1")),
    "partner name": ("name", lambda t: _partner(f"Acme{t}MSP")),
    "service key name": ("name", lambda t: _service_account(f"importer{t}one")),
}
MULTI_LINE: dict[str, Command] = {
    "import message": ("message", lambda t: _log(f"copying{t}mail")),
    "failure message": ("message", lambda t: _import_failure(message=f"quota{t}exceeded")),
}
EVERY_FIELD = {**SINGLE_LINE, **MULTI_LINE}


@pytest.mark.parametrize("field", EVERY_FIELD)
@pytest.mark.parametrize("char", POISON, ids=lambda c: f"U+{ord(c):04X}")
def test_a_control_character_or_lone_surrogate_is_refused_naming_the_field(
    field: str, char: str
) -> None:
    named, command = EVERY_FIELD[field]
    error = command(char).then_refused(ValidationFailed)
    assert error.field == named


@pytest.mark.parametrize("field", SINGLE_LINE)
@pytest.mark.parametrize("char", SINGLE_LINE_ONLY, ids=["newline", "tab"])
def test_a_single_line_field_refuses_a_newline_or_tab_inside(field: str, char: str) -> None:
    named, command = SINGLE_LINE[field]
    assert command(char).then_refused(ValidationFailed, "control characters").field == named


@pytest.mark.parametrize("field", MULTI_LINE)
def test_a_multi_line_field_keeps_newlines_and_tabs(field: str) -> None:
    _, command = MULTI_LINE[field]
    [event] = command("\n\t").recorded
    assert "\n\t" in event.message


def test_whitespace_around_a_name_is_trimmed_whatever_it_is() -> None:
    adding(organization_name="\tContoso Ltd\r\n").then(
        expect(Customer.Created, organization_name="Contoso Ltd")
    )


def test_names_people_type_in_any_script_are_kept() -> None:
    # with a zero-width joiner (the emoji) and a right-to-left mark (U+200F)
    name = (
        "Soci\u00e9t\u00e9 G\u00e9n\u00e9rale \u682a\u5f0f\u4f1a\u793e "
        "\U0001f469\u200d\U0001f4bb \u200f\u0639\u0631\u0628\u064a"
    )
    adding(organization_name=name).then(expect(Customer.Created, organization_name=name))
    _partner(name).then(expect(Partner.Registered, name=name))


# ------------------------------------------------------------ the rule itself
REFUSED = st.characters(categories=["Cc", "Cs"])
ACCEPTED = st.text(st.characters(exclude_categories=["Cc", "Cs"]))


@for_all(ACCEPTED)
def test_text_without_control_characters_or_surrogates_is_kept_unchanged(text: str) -> None:
    assert check_text(text, "f") == text
    assert check_text(text, "f", multiline=True) == text


@for_all(ACCEPTED, REFUSED, ACCEPTED)
def test_one_refused_character_anywhere_refuses_the_text(
    before: str, char: str, after: str
) -> None:
    multiline_ok = char in "\n\t"
    with pytest.raises(ValidationFailed) as caught:
        check_text(f"{before}a{char}b{after}", "the_field")
    assert caught.value.field == "the_field"
    if multiline_ok:
        assert check_text(f"{before}a{char}b{after}", "f", multiline=True)
    else:
        with pytest.raises(ValidationFailed):
            check_text(f"{before}a{char}b{after}", "f", multiline=True)
    assert unicodedata.category(char) in ("Cc", "Cs")
