"""A batch's transaction on every backend: sent without waiting on PostgreSQL (pipeline
mode), it must still read what it sent before, and roll back whole when the database
refuses a statement that nothing read the answer of."""

from __future__ import annotations

from typing import Any

import pytest

from projections import positions
from projections.failures import ProjectionFailed
from projections.schema import POSITIONS
from tests.support.projections import dump
from tests.support.world import World


def test_a_query_answers_as_of_when_it_was_sent(world: World) -> None:
    db = world.services.views.db
    with db.pipelined() as tx:
        before = tx.query(f"SELECT position FROM {POSITIONS} WHERE name = ?", ["partners"])
        tx.execute(
            f"UPDATE {POSITIONS} SET position = position + 1000 WHERE name = ?", ["partners"]
        )
        after = tx.query(f"SELECT position FROM {POSITIONS} WHERE name = ?", ["partners"])

        assert after()[0]["position"] == before()[0]["position"] + 1000
        tx.execute(
            f"UPDATE {POSITIONS} SET position = position - 1000 WHERE name = ?", ["partners"]
        )


def test_a_statement_the_database_refuses_rolls_the_whole_batch_back(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    world.current()
    views = world.services.views
    reached = views.follower.position
    world.add(world.msp, "Acme")
    before = dump(world.services)
    trials = next(p for p in views.projections if p.name == "trials")
    real = trials.write

    def write_then_refused(tx: Any, records: Any, **kw: Any) -> None:
        real(tx, records, **kw)
        tx.execute(f"UPDATE {POSITIONS} SET position = NULL")  # NOT NULL: refused

    monkeypatch.setattr(trials, "write", write_then_refused)
    with pytest.raises(ProjectionFailed) as failed:
        views.follower.step()

    assert failed.value.position == reached + 1
    assert type(failed.value.__cause__).__name__ in {"IntegrityError", "NotNullViolation"}
    assert dump(world.services) == before
    names = [p.name for p in views.projections]
    assert set(positions.stored(views.db, names).values()) == {reached}
    monkeypatch.undo()
    assert views.follower.catch_up(5.0)  # the connection the batch had serves again
    assert dump(world.services) != before
    assert not [r for r in caplog.records if r.name.startswith("psycopg")]  # returned idle


def test_an_error_raised_after_the_writes_were_sent_rolls_them_back(
    world: World, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    world.current()
    views = world.services.views
    world.add(world.msp, "Acme")
    before = dump(world.services)
    trials = next(p for p in views.projections if p.name == "trials")
    real = trials.write

    def write_then_fail(tx: Any, records: Any, **kw: Any) -> None:
        real(tx, records, **kw)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(trials, "write", write_then_fail)
    with pytest.raises(ProjectionFailed) as failed:
        views.follower.step()

    assert isinstance(failed.value.__cause__, RuntimeError)
    assert dump(world.services) == before
    monkeypatch.undo()
    assert views.follower.catch_up(5.0)
    assert dump(world.services) != before
    assert not [r for r in caplog.records if r.name.startswith("psycopg")]
