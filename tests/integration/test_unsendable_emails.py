"""An address stored under an older, laxer rule: its email is one counted, logged failure,
never an exception out of the sweep nor a 500 from advance, and the others go out."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from api.app import create_app
from api.bootstrap import Services, build
from application.clock import TestClock
from application.settings import Settings
from tests.support.smtp import SmtpServer
from tests.support.story import Story

ADMIN_TOKEN = "admin-token-for-tests"
POISON = [
    "=?utf-8?q?bob?=@example.com",  # the email library reads it as bob@example.com
    "=?utf-8?b??=@example.com",  # the email library cannot build the message at all
    "=?utf-8?b?YQ0KQmNjOiB4QHk=?=@example.com",  # an encoded CR LF: no header holds it
]
GOOD = ["first@contoso.example", "second@fabrikam.example"]


@pytest.fixture
def services(sqlite_url: str, smtp: SmtpServer, clock: TestClock) -> Iterator[Services]:
    settings = Settings(
        database_url=sqlite_url,
        secret_key="k" * 32,  # type: ignore[arg-type]
        admin_token=ADMIN_TOKEN,  # type: ignore[arg-type]
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        test_clock=True,
    )
    built = build(settings, clock)
    yield built
    built.close()


def stored_under_the_old_rule(
    story: Story, addresses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as old_rule:
        old_rule.setattr("domain.customer.check_email", lambda value: value.strip())
        for address in addresses:
            story.add(address)


def emails_failed(client: TestClient) -> float:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith("tenantry_emails_failed_total "):
            return float(line.split()[1])
    raise AssertionError("no tenantry_emails_failed_total")


def test_an_unsendable_email_is_one_counted_failure_and_the_others_are_sent(
    services: Services,
    smtp: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    story = Story(services)
    stored_under_the_old_rule(story, POISON, monkeypatch)  # the oldest: due first
    for address in GOOD:
        story.add(address)
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

    with TestClient(create_app(services), raise_server_exceptions=False) as client:
        started = time.monotonic()
        with caplog.at_level(logging.ERROR):
            answer = client.post("/v1/test-clock/advance", json={"seconds": 1}, headers=admin)
        took = time.monotonic() - started

        assert answer.status_code == 200, answer.text
        assert took < 10  # settling does not wait for what cannot be sent
        assert sorted(r for rs, _ in smtp.inbox.delivered() for r in rs) == sorted(GOOD)
        assert emails_failed(client) == len(POISON)
        logged = [r.getMessage() for r in caplog.records if r.name == "application.process_manager"]
        assert len(logged) == len(POISON)
        assert all("not sent" in line and "cannot" in line for line in logged)
        assert not [r for r in caplog.records if r.name == "application.background"]

        again = client.post("/v1/test-clock/advance", json={"days": 1}, headers=admin)

        assert again.status_code == 200, again.text
        assert emails_failed(client) == len(POISON)  # backing off: not tried every sweep
        assert len(smtp.inbox.messages) == len(GOOD)


def test_the_sweep_itself_never_raises_for_an_unsendable_email(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    story = Story(services)
    stored_under_the_old_rule(story, POISON[:1], monkeypatch)
    good = story.add(GOOD[0])
    services.views.wait_until_current(10)

    report = services.manager.sweep()

    assert (report.failed, report.emails_sent) == (1, 1)
    assert "ActivationSent" in story.types(good)


def test_an_email_set_aside_by_a_worker_is_not_waited_for_by_another_process(
    services: Services,
    smtp: SmtpServer,
    clock: TestClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    worker = build(services.settings, clock)  # another process on the same database
    try:
        story = Story(services)
        stored_under_the_old_rule(story, POISON, monkeypatch)
        worker.start_background()
        give_up = time.monotonic() + 30
        while worker.manager.emails_failed < len(POISON):
            assert time.monotonic() < give_up, "the worker never tried"
            time.sleep(0.05)

        started = time.monotonic()
        assert services.advance_clock(timedelta(seconds=1))

        assert time.monotonic() - started < 10
        assert services.manager.emails_failed == 0  # set aside: not tried here either
        assert worker.manager.emails_failed == len(POISON)
    finally:
        worker.close()


def test_a_defect_in_one_deadlines_work_does_not_stop_the_others(
    services: Services, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    story = Story(services)
    broken, good = story.add("broken@contoso.example"), story.add(GOOD[0])
    services.views.wait_until_current(10)
    url = services.links.url

    def defect(customer_id: object, version: int) -> str:
        if customer_id == broken:
            raise KeyError("a defect")
        return url(customer_id, version)  # type: ignore[arg-type]

    monkeypatch.setattr(services.links, "url", defect)
    with caplog.at_level(logging.ERROR):
        report = services.manager.sweep()

    assert (report.failed, report.emails_sent) == (1, 1)
    assert "ActivationSent" in story.types(good)
    assert "ActivationSent" not in story.types(broken)
    assert any("failed" in r.getMessage() and r.exc_info for r in caplog.records)
