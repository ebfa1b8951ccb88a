"""The events feed for pull integrators: the webhooks' payloads, for the customers the
caller sees, in log order; ``wait`` long-polls for the next one."""

from __future__ import annotations

import json
import re
import time
from functools import partial
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Query, Response
from pydantic import StringConstraints

from api.deps import Principal, ServicesDep
from api.problems import responses
from api.representations import EventFeedPage
from application.events_feed import EventPage
from domain.webhook_types import EVENT_TYPES

router = APIRouter(prefix="/v1", tags=["events"])
LONGEST_WAIT_S = 30.0
ONE_TYPE = "(?:" + "|".join(re.escape(t) for t in EVENT_TYPES) + ")"
TYPES = f"^(?:{ONE_TYPE}(?:,{ONE_TYPE})*)?$"  # known types, comma-separated


@router.get("/events", response_model=EventFeedPage, responses=responses(401, 403, 422, 503))
async def list_events(
    by: Principal,
    services: ServicesDep,
    after: Annotated[
        str | None,
        Query(max_length=200, description="the `next_cursor` of the previous page"),
    ] = None,
    types: Annotated[
        list[Annotated[str, StringConstraints(max_length=1000, pattern=TYPES)]] | None,
        Query(
            max_length=len(EVENT_TYPES),
            description="only these event types (comma-separated, or the parameter repeated)",
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    wait: Annotated[
        float,
        Query(
            ge=0,
            le=LONGEST_WAIT_S,
            description="seconds to wait for an event when none is there yet (long poll)",
        ),
    ] = 0,
) -> Response:
    """The events of the customers the caller sees, in the notification log's order: each
    item is the body a webhook delivery carries. A receiver that missed deliveries
    fills its gap from here."""
    deadline = time.monotonic() + wait
    read = partial(services.events.page, by=by, types=types or [], limit=limit)
    while True:
        page = await to_thread.run_sync(partial(read, after=after))
        remaining = deadline - time.monotonic()
        if page.items or remaining <= 0:
            return Response(rendered(page), media_type="application/json")
        after = page.next_cursor
        # Woken by the follower's next batch; no thread or connection is held meanwhile.
        await services.views.follower.passes(page.covered, remaining)


def rendered(page: EventPage) -> bytes:
    """The page, each item the very bytes a webhook delivery's body is."""
    cursor = json.dumps(page.next_cursor).encode()
    return b'{"items":[' + b",".join(page.items) + b'],"next_cursor":' + cursor + b"}"
