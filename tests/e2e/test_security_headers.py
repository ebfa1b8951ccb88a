"""Every answer says nosniff; HTML pages also forbid framing and send no Referer; the
API's log lines show no activation token."""

from __future__ import annotations

import logging

import pytest

from api.problems import Slug, problem
from tests.e2e.conftest import World


def activation_path(world: World) -> str:
    customer = world.customer()
    link = world.call("msp", "GET", f"/v1/customers/{customer['id']}/activation-link").json()
    return "/activate/" + link["url"].rsplit("/", 1)[1]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/healthz"),
        ("GET", "/v1/customers"),  # 401 problem
        ("GET", "/v1/nowhere"),  # 404 problem
        ("GET", "/metrics"),
        ("GET", "/docs"),
        ("GET", "/activate/unknown"),
    ],
)
def test_every_answer_forbids_content_sniffing(world: World, method: str, path: str) -> None:
    response = world.client.request(method, path)
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_the_activation_page_may_not_be_framed_and_sends_no_referrer(
    world: World, method: str
) -> None:
    path = activation_path(world)
    response = world.client.request(method, path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_docs_page_may_not_be_framed(world: World) -> None:
    response = world.client.get("/docs")
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_a_problem_answered_outside_the_middleware_forbids_sniffing_too() -> None:
    response = problem(Slug.INTERNAL, "the server failed")
    assert response.headers["x-content-type-options"] == "nosniff"


def test_the_api_log_shows_no_activation_token(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    path = activation_path(world)
    with caplog.at_level(logging.WARNING, logger="tenantry.api"):
        logging.getLogger("tenantry.api").warning("unhandled error on %s %s", "GET", path)
    assert "/activate/…" in caplog.text
    assert path not in caplog.text
