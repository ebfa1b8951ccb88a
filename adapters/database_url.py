"""What a ``TENANTRY_DATABASE_URL`` names, read in one place for every reader of it."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

SQLITE_FORM = "sqlite URLs look like sqlite:///relative/path.db"
POSTGRES = ("postgres", "postgresql")  # the schemes that name a PostgreSQL database


def scheme(database_url: str) -> str:
    """The URL's scheme, lower case (``sqlite``, ``postgresql``, ``memory``...)."""
    return urlsplit(database_url).scheme


def sqlite_path(database_url: str) -> str | None:
    """The file a ``sqlite://`` URL names (``:memory:`` too), None for other schemes;
    ``ValueError`` if it names none."""
    if scheme(database_url) != "sqlite":
        return None
    rest = database_url.partition(":")[2]
    if not rest.startswith("//"):
        raise ValueError(SQLITE_FORM)
    path = unquote(rest.removeprefix("//").removeprefix("/"))
    if not path:
        raise ValueError(SQLITE_FORM)
    return path
