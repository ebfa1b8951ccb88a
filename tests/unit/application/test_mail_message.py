"""The message an Email becomes: addressed to exactly the stored address, or
UnsendableEmail when it cannot be (an address from an older rule, a refused header)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from application.mail import Email, UnsendableEmail
from domain.email_address import check_email
from domain.errors import ValidationFailed

ADDRESS_TEXT = st.text(
    alphabet=st.sampled_from(list("ab.-+_=?!#$%&'*/^`{|}~@\"<>() \r\n\t,;:[]\\é")), max_size=30
)


@given(
    address=st.one_of(
        st.emails(),
        ADDRESS_TEXT,
        st.builds(lambda a, b: f"{a}@{b}.example", ADDRESS_TEXT, ADDRESS_TEXT),
    )
)
@example(address="=?utf-8?q?bob?=@example.com")
def test_what_the_rule_accepts_is_what_a_message_is_addressed_to(address: str) -> None:
    try:
        stored = check_email(address)
    except ValidationFailed:
        return
    assert check_email(stored) == stored  # normalized once: nothing left to change
    message = Email(
        to=stored,
        subject="s",
        text="t",
        html="<p>h</p>",
        message_id="<m@tenantry.invalid>",
        sent_at=datetime(2026, 1, 5, tzinfo=UTC),
    ).to_message("Tenantry <no-reply@tenantry.invalid>")
    assert [a.addr_spec for a in message["To"].addresses] == [stored]
    assert stored.isascii()


def test_an_email_to_an_address_stored_under_an_older_rule_cannot_be_built() -> None:
    email = Email(
        to="=?utf-8?q?bob?=@example.com",
        subject="s",
        text="t",
        html="h",
        message_id="<m@tenantry.invalid>",
        sent_at=datetime(2026, 1, 5, tzinfo=UTC),
    )
    with pytest.raises(UnsendableEmail, match="encoded word"):
        email.to_message("Tenantry <no-reply@tenantry.invalid>")


def test_a_header_the_email_library_refuses_makes_the_email_unsendable() -> None:
    email = Email(
        to="it@contoso.example",
        subject="Activate your tenant from Evil\r\nBcc: everyone@example.com",
        text="t",
        html="h",
        message_id="<m@tenantry.invalid>",
        sent_at=datetime(2026, 1, 5, tzinfo=UTC),
    )
    with pytest.raises(UnsendableEmail, match="cannot be built"):
        email.to_message("Tenantry <no-reply@tenantry.invalid>")
