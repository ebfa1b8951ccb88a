"""COPY for PostgreSQL: rows encoded as COPY text a block at a time, and a loader that
sends them from a thread of its own while the caller encodes the next block.

The encoder is ours, not psycopg's ``Copy.write_row``, because it is faster where the
rebuild spends most (writing rows ~40 % of its CPU): ``make bench`` prints the
comparison as ``projection.copy_text_vs_write_row`` (a rebuild's seconds with this
encoder against the same rebuild with ``write_row``; benchmarks/copy_bench.py).
Rows holding a value of a type it does not know go to ``write_row``.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, cast
from uuid import UUID

from psycopg.copy import Copy
from pydantic_core import to_json

from projections.sql import Database, EncodedJson, Json, Loader, Row, Tx

if TYPE_CHECKING:
    from adapters.sql.postgres import PostgresDatabase

COPY_BLOCK = 1_000  # rows encoded at a time for COPY


_COMMIT = object()  # the CopyLoader's queue: commit the transaction
_END = object()  # the end of one COPY's blocks
_STOP = object()  # the end of the loading
QUEUED_BLOCKS = 8


class CopyLoader(Loader):
    """Fills fresh tables with COPY from a thread on a connection of its own.

    The caller's thread builds and encodes the rows, a block at a time; the thread
    only waits for the socket, while PostgreSQL parses the block it was sent. On two
    cores the encoding and PostgreSQL's parsing then overlap instead of alternating.
    """

    def __init__(self, db: PostgresDatabase) -> None:
        super().__init__(db)
        self.queue: queue.Queue[object] = queue.Queue(maxsize=QUEUED_BLOCKS)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="copy-loader", daemon=True)
        self.thread.start()

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        yield _LoaderTx(self)
        self.put(_COMMIT)

    def put(self, item: object) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put(item)

    def finish(self, *, abort: bool = False) -> None:
        self.queue.put(_STOP)
        self.thread.join()
        if self.error is not None and not abort:
            raise self.error

    def _run(self) -> None:
        stopped = False
        try:
            with cast("PostgresDatabase", self.db).connection() as conn, conn.cursor() as cursor:
                while (item := self.queue.get()) is not _STOP:
                    if item is _COMMIT:
                        conn.commit()
                        continue
                    with cursor.copy(cast(str, item)) as copy:
                        while (block := self.queue.get()) is not _END:
                            if block is _STOP:
                                stopped = True
                                raise RuntimeError("loading stopped during a COPY")
                            write_block(copy, cast(str | Sequence[Sequence[Any]], block), self.db)
                stopped = True
                conn.commit()
        except BaseException as exc:  # the caller's thread raises it
            self.error = exc
            while not stopped:  # take what the caller puts until it stops
                stopped = self.queue.get() is _STOP


class _LoaderTx(Tx):
    """A ``Tx`` whose ``insert_many`` hands encoded blocks to a CopyLoader."""

    def __init__(self, loader: CopyLoader) -> None:
        super().__init__(loader.db, None)
        self.loader = loader

    def insert_many(
        self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]
    ) -> None:
        if not rows:
            return
        self.loader.put(copy_statement(table, columns))
        for block in cast("PostgresDatabase", self.db).copy_blocks(rows):
            self.loader.put(block)
        self.loader.put(_END)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        raise TypeError("a loader's transaction only inserts rows (insert_many)")

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        raise TypeError("a loader's transaction only inserts rows (insert_many)")

    def rows(
        self, sql: str, params: Sequence[Any] = (), *, planned_each_time: bool = False
    ) -> list[Row]:
        raise TypeError("a loader's transaction only inserts rows (insert_many)")


def copy_statement(table: str, columns: Sequence[str]) -> str:
    return f"COPY {table} ({', '.join(columns)}) FROM STDIN"


def copy_blocks(rows: Sequence[Sequence[Any]]) -> Iterator[str | Sequence[Sequence[Any]]]:
    """``rows`` in blocks of COPY text; a block with a value ``copy_text`` does not know
    stays rows, for psycopg to adapt."""
    for start in range(0, len(rows), COPY_BLOCK):
        block = rows[start : start + COPY_BLOCK]
        text = copy_text(block)
        yield block if text is None else text


def write_block(copy: Copy, block: str | Sequence[Sequence[Any]], db: Database) -> None:
    if isinstance(block, str):
        copy.write(block)
    else:
        for row in block:
            copy.write_row(db.params(row))


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_escape(text: str) -> str:
    """``text`` as a field of COPY's text format: backslash, tab, newline and carriage
    return escaped (every other character stands for itself)."""
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        return text.translate(_COPY_ESCAPES)
    return text


def _copy_bool(value: bool) -> str:
    return "t" if value else "f"


def _copy_null(_: None) -> str:
    return "\\N"


def _copy_isoformat(value: date) -> str:
    return value.isoformat()


def _copy_json(value: Json) -> str:
    # pydantic-core's encoder: six times json.dumps's speed. The text differs only in
    # spacing and in not escaping non-ASCII, which jsonb does not keep; NaN stays NaN,
    # which PostgreSQL refuses either way.
    return copy_escape(to_json(value.value, inf_nan_mode="constants").decode())


def _copy_encoded_json(value: EncodedJson) -> str:
    return copy_escape(value.text)


_COPY_TEXT: dict[type, Callable[[Any], str]] = {
    str: copy_escape,
    int: str,
    bool: _copy_bool,
    type(None): _copy_null,
    UUID: str,
    datetime: _copy_isoformat,
    date: _copy_isoformat,
    Json: _copy_json,
    EncodedJson: _copy_encoded_json,
}


class _Isoformats(dict[datetime, str]):
    def __missing__(self, key: datetime) -> str:
        text = self[key] = key.isoformat()
        return text


class _UuidTexts(dict[UUID, str]):
    def __missing__(self, key: UUID) -> str:
        text = self[key] = str(key)
        return text


def copy_text(rows: Sequence[Sequence[Any]]) -> str | None:
    """``rows`` in COPY's text format; None when a value is of a type not known here.

    Each value means what psycopg would send: text as is, instants and dates in ISO
    8601 (with their UTC offset), the same JSON."""
    # A row's instants are often one and the same (created, modified, link issued):
    # each is formatted once (a hit costs a tenth of isoformat on an aware datetime).
    # So are ids (a customer's in each of its rows, its partner's in many customers'):
    # a hit costs half of str() on a UUID.
    encode = {**_COPY_TEXT, datetime: _Isoformats().__getitem__, UUID: _UuidTexts().__getitem__}
    try:
        lines = ["\t".join([encode[type(v)](v) for v in row]) for row in rows]
    except KeyError:
        return None
    lines.append("")
    return "\n".join(lines)
