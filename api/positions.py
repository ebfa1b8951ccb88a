"""``Tenantry-Position``: every write answer carries the position its saves reached; a
read or list may send one back and then reflects at least that write.

A list waits (bounded) for the newest of two positions: the one it was sent, and the
one this process's own saves reached on what its viewer can see
(application/own_writes.py). Neither is the global head, so another partner's burst
of writes never holds up a page. Across processes (``serve --workers N``, several
hosts) only the header carries a write's position: a process knows its own saves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from anyio import to_thread
from fastapi import Depends, Header
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.bootstrap import Services
from api.handlers import DATABASE_UNAVAILABLE
from api.headers import WRITES
from application.authorization import visible_to
from application.errors import Busy
from application.lists import CustomerLists
from application.own_writes import parties_seeing, writing
from domain.values import Actor

HEADER = "Tenantry-Position"
FRESHNESS_S = 2.0  # how long a read waits for the views to reach its position, at most
PATTERN = r"^[0-9]{1,18}$"


async def sent_position(
    position: Annotated[
        str | None,
        Header(
            alias=HEADER,
            max_length=18,
            pattern=PATTERN,
            description="the `Tenantry-Position` of a write's answer: the answer reflects "
            "at least that write (waiting at most 2 s for the views)",
        ),
    ] = None,
) -> int | None:
    return None if position is None else int(position)


SentPosition = Annotated[int | None, Depends(sent_position)]


def reflecting(
    services: Services, viewer: Actor, sent: int | None = None, *also: int
) -> CustomerLists:
    """The lists, once they reflect ``sent``, ``also`` and every write this process
    saved on what ``viewer`` can see (at most ``FRESHNESS_S`` seconds, then as they are)."""
    lists = services.lists
    if lists is None:
        raise Busy("the list views are not running in this process")
    own = services.uow.own_writes.of(parties_seeing(visible_to(viewer)))
    target = max(own, sent or 0, *also)
    return lists.reaching(target, FRESHNESS_S) if target else lists


class WrittenPosition:
    """Puts ``Tenantry-Position`` on every successful write's answer: the newest position
    its saves reached, or, when it saved nothing (a no-op, a replay from a receipt), the
    newest position stored, which covers whatever state the answer described.

    Inside the idempotency layer, so a kept answer is replayed with its position."""

    def __init__(self, app: ASGIApp, head: Callable[[], int | None]) -> None:
        self.app, self.head = app, head

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITES:
            await self.app(scope, receive, send)
            return
        with writing() as written:

            async def with_position(message: Message) -> None:
                if message["type"] == "http.response.start" and message["status"] < 400:
                    position = written.position
                    if position is None:
                        try:
                            position = await to_thread.run_sync(self.head)
                        except DATABASE_UNAVAILABLE:  # the answer goes out without one
                            position = None
                    if position is not None:
                        MutableHeaders(scope=message)[HEADER] = str(position)
                await send(message)

            await self.app(scope, receive, with_position)
