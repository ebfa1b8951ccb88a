"""A pooled PostgreSQL connection is taken without a round trip while the server has
said nothing on it, and checked (then replaced) once the server has ended its backend.

Under ``CI=true`` these fail instead of skipping when no server runs.
"""

from __future__ import annotations

import time

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from adapters.sql.postgres import answering_connection, quiet

pytestmark = pytest.mark.postgres


def test_given_an_idle_connection_the_server_left_alone_then_it_is_quiet(
    postgres_url: str,
) -> None:
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute("SELECT 1")
        assert quiet(conn)


def test_given_a_terminated_backend_then_the_connection_is_not_quiet(postgres_url: str) -> None:
    with (
        psycopg.connect(postgres_url, autocommit=True) as conn,
        psycopg.connect(postgres_url, autocommit=True) as other,
    ):
        pid = conn.info.backend_pid
        # When another session ends this one's backend
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
        give_up = time.monotonic() + 5
        while quiet(conn) and time.monotonic() < give_up:
            time.sleep(0.01)
        # Then it is no longer taken unchecked
        assert not quiet(conn)


def test_given_a_pool_whose_connection_was_terminated_then_the_next_use_answers(
    postgres_url: str,
) -> None:
    with ConnectionPool(postgres_url, min_size=1, max_size=2, open=True) as pool:
        with answering_connection(pool) as conn:
            pid = conn.info.backend_pid
        with psycopg.connect(postgres_url, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])
        time.sleep(0.2)
        # When the pool hands out a connection again
        with answering_connection(pool) as conn:
            row = conn.execute("SELECT 1").fetchone()
        # Then it answers (the dropped one was checked and replaced)
        assert row == (1,)
