"""What text the domain accepts: what people type, and what every store can keep.

Control characters (NUL, ESC, DEL, the C1 range…) are refused everywhere, except a
newline and a tab in multi-line fields (and whitespace around the text, trimmed
anyway); lone surrogates (half of a UTF-16 pair, which no UTF-8 store can encode) too.
PostgreSQL cannot keep NUL in text at all, SQLite can: refusing them here keeps the
two backends agreeing on what was said.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator

from domain.errors import ValidationFailed

MULTI_LINE_ALLOWED = frozenset("\n\t")


def unkeepable(value: str, *, multiline: bool = False) -> str | None:
    """Why ``value`` is refused (None when it is fine). Whitespace around it (a pasted
    trailing newline, say) is not looked at: every field is trimmed before it is kept."""
    start = len(value) - len(value.lstrip())
    for index in range(start, len(value.rstrip())):
        char = value[index]
        category = unicodedata.category(char)
        if category == "Cc" and not (multiline and char in MULTI_LINE_ALLOWED):
            allowed = "; only newlines and tabs are allowed" if multiline else ""
            return f"must not contain control characters (U+{ord(char):04X} at {index}){allowed}"
        if category == "Cs":
            return f"must not contain a lone surrogate (U+{ord(char):04X} at {index})"
    return None


def check_text(value: str, field: str, *, multiline: bool = False) -> str:
    """``value`` unchanged, or ``ValidationFailed`` naming ``field``."""
    reason = unkeepable(value, multiline=multiline)
    if reason is not None:
        raise ValidationFailed(field, reason)
    return value


def _single_line(value: str) -> str:
    reason = unkeepable(value)
    if reason is not None:
        raise ValueError(reason)
    return value


def _multi_line(value: str) -> str:
    reason = unkeepable(value, multiline=True)
    if reason is not None:
        raise ValueError(reason)
    return value


# The same rule as a type, for request schemas and query parameters: a refusal there
# names the field where the caller put it (``body.organization_name``, ``query.q``).
Line = Annotated[str, AfterValidator(_single_line)]
Lines = Annotated[str, AfterValidator(_multi_line)]
SINGLE_LINE = AfterValidator(_single_line)  # after constraints that a document states
