"""Query parameters at the edges: no instant, cursor or query text makes a read or a
list answer 5xx; what the server cannot use is a ``validation`` problem naming it."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.conftest import World
from tests.support.backends import on_both_databases
from tests.support.edge_inputs import CURSORS, INSTANT_TEXT, QUERY_TEXT, encoded

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
LISTS = ["/v1/customers/pending", "/v1/customers"]


pytestmark = on_both_databases


@pytest.fixture
def customer_id(world: World) -> str:
    customer = world.customer()
    world.onboard(world.customer(organization_name="Fabrikam")["id"])
    return str(customer["id"])


def _get(world: World, path: str, name: str, value: str) -> Any:
    return world.call("msp", "GET", f"{path}?{name}={value}")


def assert_answered(answer: Any, name: str) -> None:
    """Not a server error; a refusal is a problem, a 422 one names ``name``."""
    assert answer.status_code < 500, answer.text
    if answer.status_code >= 400:
        assert answer.headers["content-type"] == "application/problem+json", answer.text
    if answer.status_code == 422:
        locs = [e["loc"][-1] for e in answer.json()["errors"]]
        assert name in locs, answer.text


def _cursor(**data: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode()


AT = "2026-01-05T09:00:00+00:00"
ID = "00000000-0000-4000-8000-000000000001"


@pytest.mark.parametrize(
    ("route", "name", "value"),
    [
        ("read", "as_of", encoded("0001-01-01T00:00:00+14:00")),
        ("read", "as_of", encoded("9999-12-31T23:59:59-14:00")),
        ("read", "as_of", encoded("2026-01-05T09:00:00")),
        ("list", "cursor", _cursor(v="pending", k=AT, id=5)),
        ("list", "cursor", _cursor(v="pending", k=AT, id=[ID])),
        ("list", "cursor", _cursor(v="pending", k=AT, id={"id": ID})),
        ("list", "cursor", _cursor(v="pending", k="0001-01-01T00:00:00+14:00", id=ID)),
        ("list", "cursor", _cursor(v="pending", k=AT)),
        ("list", "q", "%00"),
        ("list", "q", "a%1Bb"),
    ],
)
def test_what_once_answered_500_is_a_validation_problem_naming_the_parameter(
    world: World, customer_id: str, route: str, name: str, value: str
) -> None:
    paths = [f"/v1/customers/{customer_id}"] if route == "read" else LISTS[:1]
    for path in paths:
        answer = _get(world, path, name, value)
        assert answer.status_code == 422, answer.text
        assert answer.json()["type"].endswith("/validation")
        assert_answered(answer, name)


def test_an_instant_at_the_calendars_edge_with_utc_is_read_not_refused(
    world: World, customer_id: str
) -> None:
    early = _get(world, f"/v1/customers/{customer_id}", "as_of", "0001-01-01T00:00:00Z")
    late = _get(world, f"/v1/customers/{customer_id}", "as_of", "9999-12-31T23:59:59Z")
    assert early.status_code == 404  # it did not exist yet
    assert late.status_code == 200
    assert late.json()["organization_name"] == "Contoso"


@pytest.mark.slow
def test_no_instant_makes_a_read_fail(world: World, customer_id: str) -> None:
    @FUZZ
    @given(INSTANT_TEXT)
    def read(instant: str) -> None:
        answer = _get(world, f"/v1/customers/{customer_id}", "as_of", encoded(instant))
        assert_answered(answer, "as_of")

    read()


@pytest.mark.slow
def test_no_cursor_makes_a_list_fail(world: World, customer_id: str) -> None:
    @FUZZ
    @given(st.sampled_from(LISTS), CURSORS)
    def page(path: str, cursor: str) -> None:
        assert_answered(_get(world, path, "cursor", encoded(cursor)), "cursor")

    page()


@pytest.mark.slow
def test_no_query_text_makes_a_list_fail(world: World, customer_id: str) -> None:
    @FUZZ
    @given(st.sampled_from(LISTS), st.sampled_from(["q", "status", "limit", "owner"]), QUERY_TEXT)
    def search(path: str, name: str, value: str) -> None:
        assert_answered(_get(world, path, name, value), name)

    search()
