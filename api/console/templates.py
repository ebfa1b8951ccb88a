"""The console's Jinja2 environment: autoescaped templates whose blocks render alone
(jinja2-fragments), so an htmx request gets the fragment a full page is made of."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from jinja2_fragments.fastapi import Jinja2Blocks
from starlette.requests import Request
from starlette.responses import Response

from application.dto import ActorDTO

DIRECTORY = Path(__file__).parent / "templates"
STATIC = "/static/console"


def utc(at: datetime | date | None) -> str:
    """An instant as people read it, with its zone written: ``2026-01-05 09:00 UTC``."""
    if at is None:
        return ""
    if isinstance(at, datetime):
        return f"{at.astimezone(UTC):%Y-%m-%d %H:%M} UTC"
    return at.isoformat()


def iso(at: datetime | None) -> str:
    """The instant for a ``<time datetime>`` attribute."""
    return "" if at is None else at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def duration(seconds: int | None) -> str:
    """A duration as people read it: ``45 s``, ``12 min``, ``5 h 3 min``, ``2 d 4 h``."""
    if seconds is None:
        return "-"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if days:
        return f"{days} d {hours % 24} h"
    if hours:
        return f"{hours} h {minutes % 60} min"
    return f"{minutes} min" if minutes else f"{seconds} s"


def by(actor: ActorDTO) -> str:
    """Who did an event of a history, as the console writes it: ``by Ada Lovelace
    (ada@msp.example)`` for a person, else the principal (``by msp 3f1d…``, ``by system
    process-manager``)."""
    return f"by {actor.label or f'{actor.kind} {actor.id}'}"


@cache
def templates() -> Jinja2Blocks:
    env = Environment(
        loader=FileSystemLoader(DIRECTORY),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["utc"] = utc
    env.filters["iso"] = iso
    env.filters["by"] = by
    env.filters["duration"] = duration
    env.globals["static"] = STATIC
    return Jinja2Blocks(env=env)


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    status_code: int = 200,
    block: str | None = None,
) -> Response:
    """The whole page, or only ``block`` of it (an htmx swap)."""
    if block is None:
        return templates().TemplateResponse(request, name, context, status_code=status_code)
    return templates().TemplateResponse(
        request, name, context, status_code=status_code, block_name=block
    )


def is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"
