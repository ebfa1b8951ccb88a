"""The README's walk with curl, pasted as written, against the server `make demo` starts.

The shell blocks of the walk's section run in one bash (``set -euo pipefail``) in the
server's directory, as a new user would run them beside ``make demo``; the server is
started with the command ``make -n demo`` prints, on a free port, without an admin token.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support.server import ROOT, Server

WALK_SECTION = "## A first walk with curl"
ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=")


def walk_blocks(readme: str) -> list[str]:
    """The ```sh blocks of the walk's section, in order."""
    section = readme.split(WALK_SECTION, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^```sh\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)


def demo_command(port: int) -> tuple[dict[str, str], list[str]]:
    """What ``make demo PORT=<port>`` runs: its environment and its command line."""
    bin_dir = Path(sys.executable).parent
    make = ["make", "-n", "-s", "-C", str(ROOT), "-o", ".venv/.installed", f"BIN={bin_dir}"]
    printed = subprocess.run(
        [*make, "demo", f"PORT={port}"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert "\n" not in printed, printed
    words = shlex.split(printed)
    env = dict(w.split("=", 1) for w in words if ASSIGNMENT.match(w))
    return env, [w for w in words if not ASSIGNMENT.match(w)]


def json_values(text: str) -> list[Any]:
    """Every JSON value printed, in order (jq's pretty and compact output alike)."""
    decoder, values, at = json.JSONDecoder(), [], 0
    while (at := _skip_space(text, at)) < len(text):
        value, at = decoder.raw_decode(text, at)
        values.append(value)
    return values


def _skip_space(text: str, at: int) -> int:
    while at < len(text) and text[at].isspace():
        at += 1
    return at


def instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Server]:
    server = Server({}, tmp_path)
    env, server.command = demo_command(server.port)
    server.env.update(env)
    server.env.pop("TENANTRY_ADMIN_TOKEN", None)  # as on a new user's machine
    server.start(timeout=60)  # a loaded machine takes a while to import everything
    yield server
    server.stop()


@pytest.mark.slow
def test_the_readme_walk_runs_as_written_against_make_demo(demo: Server) -> None:
    for tool in ("bash", "curl", "jq"):
        if shutil.which(tool) is None:
            if os.environ.get("CI") == "true":
                pytest.fail(f"the README walk needs {tool}")
            pytest.skip(f"the README walk needs {tool}")
    blocks = walk_blocks((ROOT / "README.md").read_text())
    assert len(blocks) == 2, "the walk, then its test-clock part"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TENANTRY_")}
    walked = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", "\n".join(blocks)],
        env={**env, "API": demo.url},
        cwd=demo.workdir,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert walked.returncode == 0, f"{walked.stderr}\n{walked.stdout}"
    assert walked.stderr == ""
    values = json_values(walked.stdout)

    (too_early,) = [v for v in values if isinstance(v, dict) and "available_from" in v]
    assert too_early["type"].endswith("/extension-not-yet-available")
    window = instant(too_early["available_from"])
    extended, expired = [v for v in values if isinstance(v, dict) and "trial_ends_at" in v]
    assert extended == {"status": "TRIAL", "trial_ends_at": extended["trial_ends_at"]}
    # available_from is 3 days before the trial's end, which the extension moved 7 days
    assert instant(extended["trial_ends_at"]) == window + timedelta(days=3 + 7)
    assert expired == {"status": "EXPIRED", "trial_ends_at": extended["trial_ends_at"]}
    assert {"automatic_upgrade": False} in values
    history = values[-1]
    # The activation email goes out unless the link was used first (here it is at hand).
    assert [t for t in history if t != "ActivationSent"] == [
        "Created",
        "Activated",
        "ImportFailed",
        "Onboarded",
        "UpgradeNoticeSent",
        "TrialExtended",
        "UpgradeHeld",
        "TrialExpired",
    ]
    assert history.count("ActivationSent") <= 1
    outbox = sorted(p.name.split(".")[0] for p in (demo.workdir / "var/demo-outbox").iterdir())
    assert outbox == ["activation"] * history.count("ActivationSent") + ["notice"]


def test_make_demo_serves_the_test_clock_on_a_database_of_its_own() -> None:
    env, command = demo_command(8123)
    assert env["TENANTRY_TEST_CLOCK"] == "1"
    assert env["TENANTRY_DATABASE_URL"] != "sqlite:///var/tenantry.db"
    assert command[-3:] == ["serve", "--port", "8123"]
