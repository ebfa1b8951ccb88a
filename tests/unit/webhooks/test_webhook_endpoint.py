"""The WebhookEndpoint aggregate: who may register one, its secrets' rotation, and what
a deleted one refuses."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from domain.errors import Forbidden, ValidationFailed
from domain.webhook_endpoint import EndpointDeleted, SigningSecret, WebhookEndpoint
from tests.support.events import T0
from tests.support.principals import MSP, MSP_ID, OTHER_MSP

ENDPOINT_ID = UUID("00000000-0000-4000-8000-0000000000f1")


def secret(name: str) -> SigningSecret:
    return SigningSecret(secret_id=name, sealed=f"sealed-{name}")


def an_endpoint(**fields: object) -> WebhookEndpoint:
    values: dict[str, object] = {
        "endpoint_id": ENDPOINT_ID,
        "partner_id": MSP_ID,
        "url": "https://hooks.example.com/in",
        "event_types": [],
        "description": "",
        "alert_email": None,
        "secret": secret("a"),
        "at": T0,
        "by": MSP,
    }
    values.update(fields)
    return WebhookEndpoint.register(**values)  # type: ignore[arg-type]


def test_given_another_partner_when_it_registers_for_the_msp_then_it_is_forbidden() -> None:
    with pytest.raises(Forbidden):
        an_endpoint(by=OTHER_MSP)


@pytest.mark.parametrize(
    "url", ["ftp://a.example/", "https://user:pw@a.example/", "https:///nohost", "a.example"]
)
def test_a_url_that_is_no_http_url_is_refused(url: str) -> None:
    with pytest.raises(ValidationFailed, match="url"):
        an_endpoint(url=url)


def test_given_a_rotation_then_both_secrets_sign_for_24_hours_then_only_the_new_one() -> None:
    endpoint = an_endpoint()
    endpoint.rotate_secret(secret=secret("b"), at=T0, by=MSP)
    assert [s.secret_id for s in endpoint.signing_secrets(T0 + timedelta(hours=23))] == ["a", "b"]
    assert [s.secret_id for s in endpoint.signing_secrets(T0 + timedelta(hours=24))] == ["b"]


def test_given_a_rotation_when_the_old_secret_is_retired_then_only_the_new_one_signs() -> None:
    endpoint = an_endpoint()
    endpoint.rotate_secret(secret=secret("b"), at=T0, by=MSP)
    endpoint.retire_secrets(at=T0, by=MSP)
    assert [s.secret_id for s in endpoint.signing_secrets(T0)] == ["b"]
    versions = endpoint.version
    endpoint.retire_secrets(at=T0, by=MSP)  # nothing left to retire: nothing recorded
    assert endpoint.version == versions


def test_given_two_rotations_then_the_oldest_secret_stops_signing_at_once() -> None:
    endpoint = an_endpoint()
    endpoint.rotate_secret(secret=secret("b"), at=T0, by=MSP)
    endpoint.rotate_secret(secret=secret("c"), at=T0, by=MSP)
    assert [s.secret_id for s in endpoint.signing_secrets(T0)] == ["b", "c"]


def test_disabling_twice_records_once_and_a_deleted_endpoint_refuses_everything() -> None:
    endpoint = an_endpoint()
    assert endpoint.disable(reason="r", at=T0, by=MSP)
    assert not endpoint.disable(reason="r", at=T0, by=MSP)
    endpoint.delete(at=T0, by=MSP)
    with pytest.raises(EndpointDeleted):
        endpoint.rotate_secret(secret=secret("b"), at=T0, by=MSP)
