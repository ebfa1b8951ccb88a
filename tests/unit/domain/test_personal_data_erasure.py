"""Erasing a customer's personal data: who may, what it forgets, what it keeps."""

from __future__ import annotations

from datetime import timedelta

from domain.customer import Customer
from domain.customer_state import DeadlineKind
from domain.errors import Forbidden, InvalidState, ValidationFailed
from domain.values import SYSTEM, LogLevel, Status
from tests.support.events import (
    NOTICE_DUE,
    ONBOARDED_AT,
    POLICY,
    T0,
    TRIAL_ENDS_AT,
    activated,
    created,
    import_failed,
    message_logged,
    onboarded,
    personal_data_erased,
)
from tests.support.principals import ADMIN, AUDITOR, DISTRIBUTOR, IMPORTER, MSP, OTHER_MSP
from tests.unit.domain.given_when_then import expect, given

LATER = ONBOARDED_AT + timedelta(hours=3)


def test_the_owner_erases_the_personal_data_saying_why() -> None:
    given(created(), activated(), message_logged(), onboarded()).when(
        lambda c: c.erase_personal_data(reason="  GDPR art. 17 request #12 ", at=LATER, by=MSP)
    ).then(expect(Customer.PersonalDataErased, reason="GDPR art. 17 request #12", actor=MSP))


def test_the_admin_erases_too() -> None:
    given(created()).when(lambda c: c.erase_personal_data(reason="asked", at=LATER, by=ADMIN)).then(
        expect(Customer.PersonalDataErased, actor=ADMIN)
    )


def test_nobody_else_erases() -> None:
    for someone in (DISTRIBUTOR, OTHER_MSP, AUDITOR, IMPORTER):
        given(created()).when(
            lambda c, by=someone: c.erase_personal_data(reason="asked", at=LATER, by=by)
        ).then_refused(Forbidden)


def test_an_erasure_says_why() -> None:
    given(created()).when(
        lambda c: c.erase_personal_data(reason="  ", at=LATER, by=MSP)
    ).then_refused(ValidationFailed, "reason")


def test_erasing_twice_is_refused() -> None:
    given(created(), personal_data_erased(LATER)).when(
        lambda c: c.erase_personal_data(reason="again", at=LATER, by=ADMIN)
    ).then_refused(InvalidState, "erased")


def test_after_the_erasure_the_address_and_the_messages_are_gone_the_rest_stays() -> None:
    before = given(created(), activated(), message_logged(), import_failed(), onboarded()).state()
    customer = given(
        created(),
        activated(),
        message_logged(),
        import_failed(),
        onboarded(),
        personal_data_erased(LATER),
    ).state()
    s = customer.state

    assert (s.erased, s.notification_email) == (True, None)
    assert [e.message for e in s.event_log] == [None]
    assert [(e.code, e.message) for e in s.import_errors] == [("E42", None)]
    kept = {"notification_email", "event_log", "import_errors", "erased"}
    assert s.model_dump(exclude=kept) == before.state.model_dump(exclude=kept)
    assert [e.level for e in s.event_log] == [LogLevel.INFO]


def test_an_erased_customer_is_sent_no_email_but_its_trial_still_ends() -> None:
    customer = given(created(), activated(), onboarded(), personal_data_erased(LATER)).state()

    assert customer.deadlines(POLICY) == {DeadlineKind.TRIAL_END: TRIAL_ENDS_AT}
    assert NOTICE_DUE < TRIAL_ENDS_AT  # the notice would have been due: it is not

    pending = given(created(), personal_data_erased(T0 + timedelta(minutes=1))).state()
    assert pending.deadlines(POLICY) == {}


def test_messages_logged_after_the_erasure_are_not_kept() -> None:
    given(created(), activated(), personal_data_erased(LATER)).when(
        lambda c: c.log_import_message(
            level=LogLevel.WARNING, message="mailbox of Jane Doe", at=LATER, by=IMPORTER
        )
    ).then(expect(Customer.ImportMessageLogged, message=None))


def test_the_trial_goes_on_after_the_erasure() -> None:
    customer = given(created(), activated(), onboarded(), personal_data_erased(LATER)).state()

    customer.end_trial_if_due(policy=POLICY, at=TRIAL_ENDS_AT, by=SYSTEM)
    assert customer.state.status is Status.PRODUCTION


def test_a_snapshot_of_an_erased_customer_forgets_its_personal_data() -> None:
    state = given(created(), activated(), message_logged(), onboarded()).state().state
    erased = Customer.erased_snapshot_state(state.model_dump(mode="json"))

    assert (erased["notification_email"], erased["erased"]) == (None, True)
    assert [e["message"] for e in erased["event_log"]] == [None]
