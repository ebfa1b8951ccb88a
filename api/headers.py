"""Response headers as the OpenAPI document declares them."""

from __future__ import annotations

from typing import Any

Declared = dict[str, dict[str, Any]]
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})  # whose answers carry POSITION


def header(description: str, *, required: bool = False) -> dict[str, Any]:
    return {"description": description, "required": required, "schema": {"type": "string"}}


ETAG: Declared = {
    "ETag": header('the customer\'s version, e.g. "3"; send it back as If-Match', required=True)
}
LOCATION: Declared = {"Location": header("the URL of what was created", required=True)}
POSITION: Declared = {
    "Tenantry-Position": header(
        "the position this write reached; send it back on a read or list"
        " (`Tenantry-Position`) to see at least this write, from any process",
        required=True,
    )
}
RETRY_AFTER: Declared = {"Retry-After": header("seconds to wait before trying again")}
REPLAYED: Declared = {
    "Idempotent-Replayed": header(
        "`true` when this is the kept answer to an earlier request with the same"
        " Idempotency-Key and body; nothing was done again"
    )
}
WWW_AUTHENTICATE: Declared = {"WWW-Authenticate": header("`Bearer`", required=True)}


def answers(status: int, *headers: Declared) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` entry that declares ``headers`` on the route's ``status``."""
    merged: Declared = {}
    for declared in headers:
        merged.update(declared)
    return {status: {"headers": merged}}
