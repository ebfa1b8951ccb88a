"""Hypothesis strategies for what callers may put in a query string: instants at the
edges of the calendar, cursor-shaped garbage, and text no person types."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote_from_bytes

from hypothesis import strategies as st

# Offsets a datetime can carry: strictly within a day, to the minute (and beyond it).
OFFSETS = st.builds(
    timezone,
    st.timedeltas(
        min_value=timedelta(hours=-23, minutes=-59), max_value=timedelta(hours=23, minutes=59)
    ),
)
EDGE_OFFSETS = st.sampled_from(
    [
        timezone(timedelta(hours=14)),
        timezone(timedelta(hours=-14)),
        timezone(timedelta(hours=23, minutes=59)),
    ]
)
EDGE_DAYS = st.sampled_from(
    [datetime.min, datetime.min + timedelta(days=1), datetime.max - timedelta(days=1), datetime.max]
)


def _at(naive: datetime, zone: timezone | None) -> datetime:
    return naive.replace(tzinfo=zone)


# Instants anywhere in the calendar, most of them near its two ends, with or without a zone.
INSTANTS = st.one_of(
    st.builds(_at, EDGE_DAYS, st.one_of(st.none(), EDGE_OFFSETS, OFFSETS)),
    st.builds(_at, st.datetimes(), st.one_of(st.none(), OFFSETS)),
)
INSTANT_TEXT = st.one_of(
    INSTANTS.map(datetime.isoformat),
    INSTANTS.map(lambda d: d.isoformat().replace("+00:00", "Z")),
    st.sampled_from(
        ["0000-01-01T00:00:00Z", "10000-01-01T00:00:00Z", "2026-02-30T00:00:00Z", "now", ""]
    ),
    st.text(max_size=40),
)

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
ODD = st.one_of(JSON, INSTANT_TEXT, st.uuids().map(str))


def _cursor_of(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


LIST_NAMES = st.sampled_from(["pending", "customers"])
AWARE = st.builds(_at, st.one_of(EDGE_DAYS, st.datetimes()), st.one_of(EDGE_OFFSETS, OFFSETS))

# Well-formed cursors (base64url of JSON): mostly of a real list, with a real instant,
# and an id of any type; or any members, some missing; or no JSON at all.
CURSORS = st.one_of(
    st.fixed_dictionaries(
        {
            "v": LIST_NAMES,
            "k": AWARE.map(datetime.isoformat),
            "id": st.one_of(st.uuids().map(str), JSON),
        }
    ).map(_cursor_of),
    st.fixed_dictionaries(
        {"v": st.one_of(LIST_NAMES, ODD)},
        optional={"k": st.one_of(INSTANT_TEXT, ODD), "id": st.one_of(st.uuids().map(str), ODD)},
    ).map(_cursor_of),
    JSON.map(_cursor_of),
    st.binary(max_size=40).map(lambda b: base64.urlsafe_b64encode(b).decode()),
    st.text(max_size=60),
)

# Query-string bytes, percent-encoded as they are: NUL, control characters, invalid UTF-8
# (an encoded lone surrogate among them), and text in any script.
QUERY_TEXT = st.one_of(
    st.binary(max_size=30),
    st.text(max_size=30).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.sampled_from([b"\x00", b"a\x00b", b"\xed\xa0\x80", b"\xff", b"%", b"_", b"!", b"\\", b"'"]),
).map(lambda raw: quote_from_bytes(raw, safe=""))


def encoded(text: str) -> str:
    """``text`` percent-encoded for a query string (lone surrogates kept as such)."""
    return quote_from_bytes(text.encode("utf-8", "surrogatepass"), safe="")
