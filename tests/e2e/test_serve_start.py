"""What a real ``tenantry serve`` says when it starts, and where its links point."""

from __future__ import annotations

import email
import email.policy
import time
from pathlib import Path

from tests.support.live import an_msp_adds_a_customer
from tests.support.principals import ADMIN_TOKEN
from tests.support.server import Server


def wait_for_email(outbox: Path, timeout: float = 30.0) -> str:
    give_up = time.monotonic() + timeout
    while time.monotonic() < give_up:
        for path in outbox.glob("*.eml"):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            body = message.get_body(preferencelist=("plain",))
            assert body is not None
            return str(body.get_content())  # type: ignore[attr-defined]
        time.sleep(0.1)
    raise AssertionError(f"no email in {outbox}")


def test_serve_announces_its_home_and_links_to_the_port_it_serves(tmp_path: Path) -> None:
    env = {"TENANTRY_ADMIN_TOKEN": ADMIN_TOKEN}  # and everything else under the home
    first = Server(env, tmp_path, public_url=False)
    first.start()
    try:
        created, _ = an_msp_adds_a_customer(first.url, ADMIN_TOKEN)
        assert created.is_success
        text = wait_for_email(tmp_path / "var" / "outbox")
    finally:
        first.stop()
    assert first.port != 8000
    assert f"{first.url}/activate/" in text
    started = first.log.read_text()
    assert f"home {tmp_path} (TENANTRY_HOME)" in started
    assert f"sqlite:///{tmp_path / 'var' / 'tenantry.db'}" in started
    assert "No partner yet" in started

    again = Server(env, tmp_path, public_url=False)
    again.start()
    again.stop()
    assert "No partner yet" not in again.log.read_text()
