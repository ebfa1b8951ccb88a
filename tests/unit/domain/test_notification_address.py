"""Given a partner adding a customer, when the notification address is odd: it is stored
normalized, or refused when the mail would not keep it as stored."""

from __future__ import annotations

import pytest

from domain.customer import Customer
from domain.email_address import check_email
from domain.errors import ValidationFailed
from tests.unit.domain.given_when_then import expect
from tests.unit.domain.test_adding_customers import adding

ACCEPTED = {
    "it@contoso.example": "it@contoso.example",
    "  IT.Ops@Contoso.EXAMPLE \n": "IT.Ops@contoso.example",  # trimmed; domain lower-cased
    "o'brien+tenantry@example.com": "o'brien+tenantry@example.com",
    "{billing}!#$%&*/=^_`|~-@example.com": "{billing}!#$%&*/=^_`|~-@example.com",
    "bob@münchen.example": "bob@xn--mnchen-3ya.example",  # the domain in its ASCII form
    "bob@xn--mnchen-3ya.example": "bob@xn--mnchen-3ya.example",
}
REFUSED = {
    "=?utf-8?q?bob?=@example.com": "encoded word",
    "=?utf-8?b?eEBldmlsLmNvbQ==?=@example.com": "encoded word",
    "=?utf-8?b??=@example.com": "encoded word",
    "billing=?x@example.com": "encoded word",
    "Bob <bob@example.com>": "display name",
    '"bob smith"@example.com': "Quoting",
    "jörg@example.com": "Internationalized characters before the @-sign",
    "bob@[127.0.0.1]": "bracketed",
    "a..b@example.com": "period",
    "a@b@example.com": "@",
    "bob@localhost": "period",
    "": "valid email address",
    "it\x00@contoso.example": "control characters",  # what a store cannot keep
    "it@contoso.example\x00": "control characters",
    "\ud800@contoso.example": "U\\+D800",  # a lone surrogate
    "it@con\ud800toso.example": "U\\+D800",
    "it\u200b@contoso.example": "ZERO WIDTH SPACE",
    "x" * 65 + "@example.com": "too long",
}


@pytest.mark.parametrize(("given_address", "stored"), ACCEPTED.items())
def test_an_address_is_stored_normalized(given_address: str, stored: str) -> None:
    adding(notification_email=given_address).then(
        expect(Customer.Created, notification_email=stored)
    )


@pytest.mark.parametrize(("address", "why"), REFUSED.items())
def test_an_address_the_mail_would_not_keep_is_refused(address: str, why: str) -> None:
    adding(notification_email=address).then_refused(ValidationFailed, match="notification_email")
    with pytest.raises(ValidationFailed, match=why):
        check_email(address)


def test_the_customer_is_created_with_the_normalized_address() -> None:
    customer = adding(notification_email=" Bob@MÜNCHEN.example ").aggregate
    assert isinstance(customer, Customer)
    assert customer.state.notification_email == "Bob@xn--mnchen-3ya.example"
