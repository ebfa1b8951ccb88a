"""COPY's text format, as the rebuild writes it on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID

from adapters.sql.copy import copy_escape, copy_text
from projections.sql import EncodedJson, Json


def test_text_escapes_the_four_characters_copy_reads_specially() -> None:
    assert copy_escape("plain Zoë ✓") == "plain Zoë ✓"
    assert copy_escape("a\tb\nc\rd\\e") == "a\\tb\\nc\\rd\\\\e"
    assert copy_escape("\\N") == "\\\\N"  # text that reads like NULL stays text
    assert copy_escape("\\.") == "\\\\."  # ...and like the end of the data


def test_a_row_is_tab_separated_with_null_as_backslash_n() -> None:
    at = datetime(2026, 1, 5, 9, 0, 0, 123, tzinfo=UTC)
    row = (
        UUID(int=1),
        3,
        True,
        False,
        None,
        at,
        date(2026, 2, 1),
        "x\ty",
        Json(["A\\B", "\n"]),
        EncodedJson('{"k":"v\\"w"}'),
    )
    assert copy_text([row, (None,)]) == (
        "00000000-0000-0000-0000-000000000001\t3\tt\tf\t\\N\t"
        "2026-01-05T09:00:00.000123+00:00\t2026-02-01\tx\\ty\t"
        '["A\\\\\\\\B","\\\\n"]\t{"k":"v\\\\"w"}\n'
        "\\N\n"
    )


def test_a_value_of_another_type_leaves_the_rows_to_psycopg() -> None:
    assert copy_text([(1.5,)]) is None
