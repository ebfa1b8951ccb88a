"""Text as every view store can keep it.

The domain refuses NUL in text (domain/text.py), but histories recorded before it did
may hold some: PostgreSQL cannot keep a NUL in text or jsonb, SQLite can. The views
write each NUL as U+FFFD on both, so they agree and never stop on such an event;
the event itself keeps what was said.
"""

from __future__ import annotations

from typing import Any

from domain.customer import CustomerState

NUL = "\x00"
REPLACEMENT = "\ufffd"
NUL_IN_JSON = "\\u0000"


def keepable_text(value: str) -> str:
    return value.replace(NUL, REPLACEMENT) if NUL in value else value


def keepable_state(state: CustomerState) -> tuple[CustomerState, str]:
    """``state`` (with each NUL replaced when it has any) and its JSON."""
    text = state.model_dump_json()
    if NUL_IN_JSON not in text:  # one scan of the JSON: the common case costs nothing more
        return state, text
    scrubbed = CustomerState.model_validate(_scrub(state.model_dump()))
    return scrubbed, scrubbed.model_dump_json()


def _scrub(value: Any) -> Any:
    if type(value) is str:
        return keepable_text(value)
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v) for v in value]
    return value
