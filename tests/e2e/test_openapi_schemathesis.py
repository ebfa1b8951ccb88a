"""Property-based requests from the OpenAPI document: no 5xx, no answer off the schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from api.bootstrap import Services
from tests.support.principals import ADMIN_TOKEN

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
ADMIN_PATHS = ("/v1/partners", "/v1/service-keys", "/v1/test-clock")


@pytest.fixture
def partner_key(services: Services) -> Iterator[str]:
    with TestClient(create_app(services)) as client:
        response = client.post(
            "/v1/partners",
            json={"name": "Fuzzed MSP", "kind": "msp", "status": "production"},
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
        )
        yield str(response.json()["api_key"])


def test_the_api_keeps_its_openapi_promises(services: Services, partner_key: str) -> None:
    """Each operation of the document, a bounded number of generated requests each."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(services))
    for result in schema.get_all_operations():
        operation = result.ok()
        admin = operation.path.startswith(ADMIN_PATHS)
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN if admin else partner_key}"}

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
        def call(case: Any) -> None:
            if case.path == "/v1/events":  # the long poll is tested in test_events_feed.py
                case.query = {**(case.query or {}), "wait": 0}
            case.call_and_validate(headers=headers, checks=CHECKS)  # noqa: B023

        call()
