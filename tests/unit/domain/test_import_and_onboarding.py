"""Import progress from the importer, only between activation and onboarding."""

from __future__ import annotations

from datetime import timedelta

from domain.customer import Customer
from domain.errors import Forbidden, InvalidState, ValidationFailed
from domain.values import ImportStatus, LogLevel, Stage
from tests.support.events import (
    ACTIVATED_AT,
    POLICY,
    activated,
    created,
    import_failed,
    message_logged,
    onboarded_customer,
)
from tests.support.principals import IMPORTER, MSP
from tests.unit.domain.given_when_then import expect, given

AT = ACTIVATED_AT + timedelta(minutes=30)


def test_the_importer_logs_messages_after_activation() -> None:
    given(created(), activated()).when(
        lambda c: c.log_import_message(level=LogLevel.WARNING, message=" slow ", at=AT, by=IMPORTER)
    ).then(expect(Customer.ImportMessageLogged, level=LogLevel.WARNING, message="slow"))


def test_a_logged_message_shows_the_import_as_running() -> None:
    customer = given(created(), activated(), message_logged()).state()
    assert customer.state.import_status is ImportStatus.IMPORTING
    assert [e.message for e in customer.state.event_log] == ["importing mailboxes"]


def test_import_messages_are_refused_before_activation() -> None:
    given(created()).when(
        lambda c: c.log_import_message(level=LogLevel.INFO, message="hi", at=AT, by=IMPORTER)
    ).then_refused(InvalidState, match="not activated")


def test_import_failures_are_refused_before_activation() -> None:
    given(created()).when(
        lambda c: c.record_import_failure(code="E1", message="boom", at=AT, by=IMPORTER)
    ).then_refused(InvalidState, match="not activated")


def test_completion_is_refused_before_activation() -> None:
    given(created()).when(
        lambda c: c.complete_import(policy=POLICY, at=AT, by=IMPORTER)
    ).then_refused(InvalidState, match="not activated")


def test_import_messages_are_refused_once_onboarded() -> None:
    later = AT + timedelta(days=2)
    given(*onboarded_customer()).when(
        lambda c: c.log_import_message(level=LogLevel.INFO, message="hi", at=later, by=IMPORTER)
    ).then_refused(InvalidState, match="onboarded")


def test_import_failures_are_refused_once_onboarded() -> None:
    later = AT + timedelta(days=2)
    given(*onboarded_customer()).when(
        lambda c: c.record_import_failure(code="E1", message="x", at=later, by=IMPORTER)
    ).then_refused(InvalidState, match="onboarded")


def test_completing_twice_is_refused() -> None:
    later = AT + timedelta(days=2)
    given(*onboarded_customer()).when(
        lambda c: c.complete_import(policy=POLICY, at=later, by=IMPORTER)
    ).then_refused(InvalidState, match="onboarded")


def test_only_the_importer_reports_import_progress() -> None:
    given(created(), activated()).when(
        lambda c: c.record_import_failure(code="E1", message="x", at=AT, by=MSP)
    ).then_refused(Forbidden, match="importer")


def test_an_import_failure_is_recorded_with_its_code_and_message() -> None:
    given(created(), activated()).when(
        lambda c: c.record_import_failure(code=" E42 ", message="quota", at=AT, by=IMPORTER)
    ).then(expect(Customer.ImportFailed, code="E42", message="quota", timestamp=AT))


def test_a_blank_failure_message_is_refused() -> None:
    given(created(), activated()).when(
        lambda c: c.record_import_failure(code="E1", message="  ", at=AT, by=IMPORTER)
    ).then_refused(ValidationFailed, match="message")


def test_a_failure_is_not_final_a_later_completion_onboards_the_customer() -> None:
    given(created(), activated(), import_failed()).when(
        lambda c: c.complete_import(policy=POLICY, at=AT, by=IMPORTER)
    ).then(expect(Customer.Onboarded, trial_ends_at=AT + timedelta(days=14)))


def test_completion_starts_a_trial_of_exactly_fourteen_days() -> None:
    when = given(created(), activated()).when(
        lambda c: c.complete_import(policy=POLICY, at=AT, by=IMPORTER)
    )
    when.then(expect(Customer.Onboarded, timestamp=AT, trial_ends_at=AT + timedelta(hours=336)))
    s = when.aggregate.state
    assert (s.stage, s.import_status, s.onboarded_at) == (
        Stage.ONBOARDED,
        ImportStatus.COMPLETED,
        AT,
    )


def test_errors_stay_listed_after_completion() -> None:
    when = given(created(), activated(), import_failed()).when(
        lambda c: c.complete_import(policy=POLICY, at=AT, by=IMPORTER)
    )
    assert [e.code for e in when.aggregate.state.import_errors] == ["E42"]
