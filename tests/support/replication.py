"""A throwaway PostgreSQL primary and its streaming replica, from the machine's own
binaries, on free ports, in a temporary directory: the machine's cluster is left alone.

PostgreSQL refuses to run as root, so every step runs as the ``postgres`` OS user, in a
directory it owns; ``stop`` takes both servers down and removes the directory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from tests.support.smtp import free_port

BINARIES = Path("/usr/lib/postgresql/15/bin")
OS_USER = "postgres"
SETTINGS = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{sockets}'
wal_level = replica
max_wal_senders = 4
hot_standby = on
fsync = off
synchronous_commit = off
full_page_writes = off
"""
REPLICATION = "host replication all 127.0.0.1/32 trust\n"


def available() -> bool:
    """Whether this machine can start its own pair (binaries, the OS user, root to
    become it)."""
    if not (BINARIES / "initdb").is_file() or os.geteuid() != 0:
        return False
    return shutil.which("runuser") is not None


class ReplicatedPostgres:
    def __init__(self) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="tenantry-replication-"))
        shutil.chown(self.home, OS_USER, OS_USER)
        self.primary_port = free_port()
        self.replica_port = free_port()
        self.started: list[Path] = []

    def url(self, port: int, dbname: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{port}/{dbname}"

    def start(self) -> None:
        primary, replica = self.home / "primary", self.home / "replica"
        self._run("initdb", "-D", str(primary), "-U", "postgres", "--auth=trust", "--no-sync")
        self._configure(primary, self.primary_port, hba=True)
        self._start(primary)
        self._run(
            "pg_basebackup",
            *("-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres"),
            *("-D", str(replica), "-R", "-X", "stream", "--checkpoint=fast"),
        )
        self._configure(replica, self.replica_port, hba=False)
        self._start(replica)

    def stop_replica(self) -> None:
        self._run("pg_ctl", "-D", str(self.home / "replica"), "-m", "fast", "-w", "stop")

    def start_replica(self) -> None:
        replica = self.home / "replica"
        log = self.home / "replica.log"
        self._run("pg_ctl", "-D", str(replica), "-l", str(log), "-w", "-t", "60", "start")

    def stop(self) -> None:
        for data in reversed(self.started):
            self._run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.home, ignore_errors=True)

    def new_database(self) -> tuple[str, str]:
        """A fresh database on the primary: its URL there and on the replica, once the
        replica has it."""
        name = f"tenantry_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(self.primary_port), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        replica_url = self.url(self.replica_port, name)
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(replica_url, connect_timeout=3):
                    break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        return self.url(self.primary_port, name), replica_url

    # -------------------------------------------------------------- plumbing
    def _configure(self, data: Path, port: int, *, hba: bool) -> None:
        settings = SETTINGS.format(port=port, sockets=self.home)
        with (data / "postgresql.conf").open("a") as conf:
            conf.write(settings)
        if hba:
            with (data / "pg_hba.conf").open("a") as rules:
                rules.write(REPLICATION)

    def _start(self, data: Path) -> None:
        log = self.home / f"{data.name}.log"
        self._run("pg_ctl", "-D", str(data), "-l", str(log), "-w", "-t", "60", "start")
        self.started.append(data)

    def _run(self, program: str, *args: str, check: bool = True) -> None:
        command = ["runuser", "-u", OS_USER, "--", str(BINARIES / program), *args]
        done = subprocess.run(
            command, check=False, cwd=self.home, capture_output=True, text=True, timeout=120
        )
        if check and done.returncode != 0:
            logs = "".join(log.read_text() for log in self.home.glob("*.log"))
            raise RuntimeError(f"{program} failed: {done.stderr}\n{logs}")


@contextmanager
def primary_and_replica() -> Iterator[ReplicatedPostgres]:
    pair = ReplicatedPostgres()
    try:
        pair.start()
        yield pair
    finally:
        pair.stop()
