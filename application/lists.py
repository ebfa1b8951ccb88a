"""The ports through which the use cases reach the views: the lists (implemented by
projections/reader.py) and the due work (adapters/work_claims.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar
from uuid import UUID

from domain.customer import Customer, Deadline
from domain.values import Actor, Status

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """A page of a list, and the cursor of the next one (None on the last)."""

    items: list[T]
    next_cursor: str | None


@dataclass(frozen=True)
class ListQuery:
    """A page of a list as ``viewer`` may see it: up to ``limit`` customers after
    ``cursor``, those whose name contains ``q``, owned by ``owner``, distributed by
    ``distributor`` (each when given)."""

    viewer: Actor
    limit: int
    q: str | None = None
    cursor: str | None = None
    owner: UUID | None = None
    distributor: UUID | None = None


class CustomerLists(Protocol):
    """Implemented by the views' reader (projections/reader.py)."""

    def pending(self, query: ListQuery) -> Page[Customer]:
        """Pending customers, oldest first."""
        ...

    def onboarded(self, query: ListQuery, status: Status | None = None) -> Page[Customer]:
        """Onboarded customers (of ``status``, when given), first onboarded first."""
        ...

    def reaching(self, position: int, timeout: float) -> CustomerLists:
        """The lists once they reflect every event up to ``position`` (a write's, see
        application/own_writes.py), waiting at most ``timeout`` seconds, then as they
        are: these lists, or others over the same views (a replica's, the primary's)."""
        ...

    def wait_until(self, position: int, timeout: float) -> bool:
        """Block until the views reflect every event up to ``position`` (a write's, see
        application/own_writes.py), bounded by ``timeout`` seconds; False if the bound
        was hit."""
        ...

    def wait_until_current(self, timeout: float) -> bool:
        """Block until the views reflect every event committed before the call
        (bounded by ``timeout`` seconds); False if the bound was hit."""
        ...


class DueWork(Protocol):
    def due(self, now: datetime, limit: int) -> list[Deadline]:
        """Deadlines with ``due_at <= now`` that no worker has claimed, oldest first."""
        ...

    def outstanding(self, now: datetime) -> bool:
        """Whether any deadline is due, claimed or not (work under way counts), other
        than those set aside."""
        ...

    def next_due(self, after: datetime, until: datetime) -> datetime | None:
        """The earliest instant in ``(after, until]`` at which a deadline falls due."""
        ...

    def claim(self, deadline: Deadline, owner: str, until: float) -> bool:
        """Take ``deadline`` for ``owner`` until the wall-clock time ``until`` (epoch
        seconds) unless another owner holds an unexpired claim; True if taken."""
        ...

    def claim_many(self, deadlines: Sequence[Deadline], owner: str, until: float) -> list[Deadline]:
        """``claim`` for each of ``deadlines`` (of distinct customer and kind), in one
        statement where the database allows it: those taken, in the order given."""
        ...

    def set_aside(self, deadline: Deadline, until: float) -> None:
        """Park ``deadline`` (claimed by the caller) until the wall-clock time ``until``:
        its work cannot succeed by trying again soon, so no worker takes it and nobody
        waits for it (``outstanding``) meanwhile, in any process."""
        ...
