"""Keyset paging both ways over lists that page forwards only: the URL keeps the
cursors of the pages before this one (``back``), so **Previous** is one of them."""

from __future__ import annotations

from urllib.parse import urlencode

FIRST = "-"  # the first page, in ``back`` (a cursor is base64url, never "-")
KEPT = 20  # earlier pages remembered; past that, Previous leads to the first page


def trail(back: str | None) -> list[str]:
    return [part for part in (back or "").split(".") if part]


def url(path: str, params: dict[str, str | None]) -> str:
    kept = {name: value for name, value in params.items() if value}
    return f"{path}?{urlencode(kept)}" if kept else path


def next_params(cursor: str | None, back: list[str], next_cursor: str) -> dict[str, str | None]:
    earlier = [*back, cursor or FIRST][-KEPT:]
    return {"cursor": next_cursor, "back": ".".join(earlier)}


def previous_params(cursor: str | None, back: list[str]) -> dict[str, str | None] | None:
    """Where **Previous** leads; None on the first page."""
    if cursor is None:
        return None
    if not back:
        return {"cursor": None, "back": None}
    before = back[-1]
    return {"cursor": None if before == FIRST else before, "back": ".".join(back[:-1]) or None}
