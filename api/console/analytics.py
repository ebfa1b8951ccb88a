"""The Analytics page: the trial funnel and the conversion of each cohort as server-drawn
SVG, filters for partner, SKU and period, and the same table as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, TypeVar
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from api.console import paging
from api.console.analytics_figures import (
    BAR_HEIGHT,
    COHORT_BAR,
    COHORT_GAP,
    COHORT_HEIGHT,
    CSV_COLUMNS,
    FUNNEL_WIDTH,
    LABEL_WIDTH,
    columns,
    csv_row,
    funnel,
)
from api.console.answers import problem
from api.console.people import ANALYTICS, header
from api.console.session import SignedIn
from api.console.templates import render
from api.deps import ServicesDep
from api.trial_representations import TrialAnalyticsBody
from application.trial_analytics import GroupBy, TrialReport
from domain.errors import ValidationFailed
from domain.values import ActorKind

T = TypeVar("T")
router = APIRouter(include_in_schema=False)
PATH = "/console/analytics"
CSV_PATH = "/console/analytics.csv"
PARTNER_CHOICES = 200
ONLY = "The Analytics page is for partners, auditors and the admin."
DAY = "^[0-9-]*$"


class FilterQuery(BaseModel):
    """What the filter form sends: its empty fields (empty strings) mean no filter."""

    partner_id: str | None = Field(None, max_length=36, pattern="^[0-9A-Fa-f-]*$")
    sku: str | None = Field(None, max_length=64, pattern="^[A-Za-z0-9_]*$")
    group_by: GroupBy = GroupBy.WEEK
    from_: str | None = Field(None, alias="from", max_length=10, pattern=DAY)
    to: str | None = Field(None, max_length=10, pattern=DAY)


@dataclass(frozen=True)
class Filters:
    partner_id: UUID | None
    sku: str | None
    group_by: GroupBy
    start: date | None
    end: date | None

    @classmethod
    def parse(cls, sent: FilterQuery) -> Filters:
        """The filters a form sent, an empty field meaning none."""
        return cls(
            _parsed("partner_id", sent.partner_id, UUID),
            sent.sku or None,
            sent.group_by,
            _parsed("from", sent.from_, date.fromisoformat),
            _parsed("to", sent.to, date.fromisoformat),
        )

    def params(self) -> dict[str, str | None]:
        found: dict[str, str | None] = {
            "partner_id": str(self.partner_id) if self.partner_id else "",
            "sku": self.sku or "",
            "group_by": self.group_by.value,
            "from": self.start.isoformat() if self.start else "",
            "to": self.end.isoformat() if self.end else "",
        }
        return {k: v or None for k, v in found.items()}


def _parsed(field: str, text: str | None, read: Callable[[str], T]) -> T | None:
    if not text:
        return None
    try:
        return read(text)
    except ValueError:
        raise ValidationFailed(field, "is not valid") from None


@dataclass(frozen=True)
class Sent:
    """The filters a form sent, or the first one not valid (then no filter but ``group_by``)."""

    filters: Filters
    error: str | None


def sent_filters(sent: Annotated[FilterQuery, Query()]) -> Sent:
    try:
        return Sent(Filters.parse(sent), None)
    except ValidationFailed as invalid:
        return Sent(
            Filters(None, None, sent.group_by, None, None), f"{invalid.field}: {invalid.message}"
        )


SentFilters = Annotated[Sent, Depends(sent_filters)]


def _report(services: Any, session: Any, filters: Filters) -> tuple[TrialReport | None, str | None]:
    try:
        report = services.analytics.report(
            by=session.actor,
            start=filters.start,
            end=filters.end,
            group_by=filters.group_by,
            partner_id=filters.partner_id,
            sku=filters.sku,
        )
    except ValidationFailed as error:
        return None, f"{error.field}: {error.message}"
    return report, None


@router.get(PATH)
def analytics_page(
    request: Request,
    services: ServicesDep,
    session: SignedIn,
    sent: SentFilters,
) -> Response:
    if session.actor.kind not in ANALYTICS:
        return problem(request, services, session, ONLY, 403)
    report: TrialReport | None = None
    filters, error = sent.filters, sent.error
    if error is None:
        report, error = _report(services, session, filters)
    body = TrialAnalyticsBody.of_report(report) if report else None
    cohorts = body.cohorts if body else []
    bars, cols = funnel(cohorts), columns(cohorts)
    context = {
        **header(services, session),
        "filters": filters,
        "partners": _partner_choices(services, session),
        "skus": services.settings.catalogue.skus,
        "group_bys": list(GroupBy),
        "error": error,
        "cohorts": cohorts,
        "bars": bars,
        "funnel_size": (FUNNEL_WIDTH, len(bars) * (BAR_HEIGHT + 6)),
        "bar_height": BAR_HEIGHT,
        "label_width": LABEL_WIDTH,
        "columns": cols,
        "any_ended": any(c.ended for c in cohorts),
        "cohort_size": (max(len(cols), 1) * (COHORT_BAR + COHORT_GAP), COHORT_HEIGHT + 36),
        "cohort_bar": COHORT_BAR,
        "cohort_height": COHORT_HEIGHT,
        "csv_url": paging.url(CSV_PATH, filters.params()),
        "period": body,
    }
    return render(request, "analytics.html", context)


@router.get(CSV_PATH)
def analytics_csv(
    services: ServicesDep,
    session: SignedIn,
    sent: SentFilters,
) -> Response:
    if session.actor.kind not in ANALYTICS:
        return Response(ONLY, status_code=403, media_type="text/plain")
    if sent.error is not None:
        return Response(sent.error, status_code=422)
    report, error = _report(services, session, sent.filters)
    if report is None:
        return Response(error or "", status_code=422, media_type="text/plain")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for cohort in TrialAnalyticsBody.of_report(report).cohorts:
        writer.writerow(csv_row(cohort))
    name = f"trial-analytics-{sent.filters.group_by.value}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _partner_choices(services: Any, session: Any) -> list[tuple[str, str]]:
    """The partners the viewer may filter by: itself and, for a distributor, its MSPs;
    every partner for the admin and auditors (the first ones)."""
    viewer = session.actor
    found: list[tuple[str, str]] = []
    if viewer.kind is ActorKind.MSP:
        return found
    if viewer.kind is ActorKind.DISTRIBUTOR:
        found.append((viewer.id, "Its own customers"))
    page = services.partners.list_partners(by=viewer, limit=PARTNER_CHOICES, cursor=None)
    found += [(str(r.partner.id), r.partner.name) for r in page.items]
    return found
