"""The schema-aware fuzzer as a user runs it: schemathesis's CLI, every check, against a
live ``tenantry serve``. Its only failures are the valid-but-refused requests named in
ACCEPTED: refusals that depend on state or on data the document cannot express."""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.live import ADMIN_TOKEN, live_server
from tests.support.server import Server

SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
PROBLEM = re.compile(r'"type":\s*"https://tenantry\.dev/problems/([a-z-]+)"')
FIELD = re.compile(r'"loc":\s*\[([^\]]*)\],\s*"msg":\s*"([^"]*)"')

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Refusal:
    """A failure the document cannot rule out: a check's title, the problem slug answered,
    and (for validation) the text of the refusal."""

    check: str
    slug: str
    reason: str
    why: str

    def covers(self, check: str, body: str) -> bool:
        slugs = PROBLEM.findall(body)
        return (
            self.check in check and self.slug in slugs and (not self.reason or self.reason in body)
        )


ACCEPTED = (
    Refusal(
        "Schema-valid request rejected",
        "idempotency-key-reused",
        "",
        "the fuzzer sends one key with two bodies; a key being single-use is no JSON Schema",
    ),
    Refusal(
        "Schema-valid request rejected",
        "precondition-failed",
        "the customer is at version",
        "If-Match naming a version the customer has moved past: state, not shape",
    ),
    Refusal(
        "Schema-valid request rejected",
        "validation",
        "is not a cursor of this list",
        "a cursor is opaque: only a next_cursor the server gave is one",
    ),
    Refusal(
        "Schema-valid request rejected",
        "validation",
        "no partner",
        "partner_id or distributor_id naming a partner that does not exist",
    ),
    *(
        Refusal(
            "Schema-valid request rejected",
            "validation",
            reason,
            "a webhook URL must be https:// (unless the server allows insecure endpoints) and "
            "its host must resolve to public addresses: the network decides, not the shape",
        )
        for reason in ("must be https://", "does not resolve", "is not a public address")
    ),
    *(
        Refusal(
            "Schema-valid request rejected",
            "validation",
            reason,
            "an analytics period's end must follow its start by at most three years: a "
            "relation between two parameters, which JSON Schema cannot state",
        )
        for reason in ("must be before to", "days after from")
    ),
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with live_server(tmp_path_factory.mktemp("fuzzed")) as running:
        yield running


def config(server: Server, path: Path) -> Path:
    """Who calls what: the admin its routes, the importer the import, an MSP the rest."""
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    msp = httpx.post(
        f"{server.url}/v1/partners",
        json={"name": "Fuzzed MSP", "kind": "msp", "status": "production"},
        headers=admin,
        timeout=60,
    ).json()["api_key"]
    importer = httpx.post(
        f"{server.url}/v1/service-keys",
        json={"role": "importer", "name": "Fuzzed importer"},
        headers=admin,
        timeout=60,
    ).json()["api_key"]
    path.write_text(
        f'headers = {{ Authorization = "Bearer {msp}" }}\n\n'
        "[[operations]]\n"
        'include-path-regex = "^/v1/(partners|service-keys|test-clock)"\n'
        f'headers = {{ Authorization = "Bearer {ADMIN_TOKEN}" }}\n\n'
        "[[operations]]\n"
        'include-path-regex = "/import/"\n'
        f'headers = {{ Authorization = "Bearer {importer}" }}\n'
        # The long poll's wait is tested in test_events_feed.py; fuzzed, it only waits.
        "\n[[operations]]\n"
        'include-path = "/v1/events"\n'
        "parameters = { wait = 0 }\n"
    )
    return path


def failures(junit: Path) -> list[tuple[str, str, str]]:
    """(operation, check, message) of every failure in the JUnit report."""
    found = []
    for case in ET.parse(junit).getroot().iter("testcase"):
        for failure in case.iter("failure"):
            message = failure.get("message", "") + (failure.text or "")
            for block in re.split(r"\n(?=\d+\. Test Case ID)", message):
                for check in re.findall(r"^- (.+)$", block, flags=re.MULTILINE):
                    found.append((case.get("name", ""), check.strip(), block))
    return found


def test_the_fuzzer_finds_nothing_the_document_could_have_ruled_out(
    server: Server, tmp_path: Path
) -> None:
    junit = tmp_path / "junit.xml"
    run = subprocess.run(
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(config(server, tmp_path / "schemathesis.toml")),
            "run",
            f"{server.url}/openapi.json",
            "--checks",
            "all",
            "--max-examples",
            "5",
            "--workers",
            "1",
            "--seed",
            "1",
            "--request-timeout",
            "30",
            "--generation-database",
            "none",
            "--report",
            "junit",
            "--report-junit-path",
            str(junit),
            "--no-color",
        ],
        cwd=tmp_path,  # its cache of crashes stays out of the repository
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert junit.exists(), run.stdout[-3000:] + run.stderr[-3000:]
    unexplained = [
        (operation, check, message[:1500])
        for operation, check, message in failures(junit)
        if not any(refusal.covers(check, message) for refusal in ACCEPTED)
    ]
    assert unexplained == [], run.stdout[-5000:]
    assert "Tested:" in run.stdout, run.stdout[-3000:]
