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

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.console import paging
from api.console.people import ANALYTICS, header
from api.console.session import SignedIn
from api.console.templates import render
from api.deps import ServicesDep
from api.trial_representations import CohortBody, TrialAnalyticsBody
from application.trial_analytics import GroupBy, TrialReport
from domain.errors import ValidationFailed
from domain.values import ActorKind

T = TypeVar("T")
router = APIRouter(include_in_schema=False)
PATH = "/console/analytics"
CSV_PATH = "/console/analytics.csv"
PARTNER_CHOICES = 200
ONLY = "The Analytics page is for partners, auditors and the admin."
# A form sends its empty fields as empty strings: they mean no filter.
Partner = Annotated[str | None, Query(max_length=36, pattern="^[0-9A-Fa-f-]*$")]
Sku = Annotated[str | None, Query(max_length=64, pattern="^[A-Za-z0-9_]*$")]
Day = Annotated[str | None, Query(max_length=10, pattern="^[0-9-]*$")]
From = Annotated[str | None, Query(alias="from", max_length=10, pattern="^[0-9-]*$")]
# The charts' geometry, in SVG user units.
FUNNEL_WIDTH, BAR_HEIGHT, LABEL_WIDTH, VALUE_WIDTH = 600, 28, 190, 60
COHORT_HEIGHT, COHORT_BAR, COHORT_GAP = 160, 36, 10
CSV_COLUMNS = (
    "start", "end", "mature", "created", "activated", "onboarded", "extended", "held",
    "upgraded_automatically", "converted_manually", "expired", "still_in_trial", "ended",
    "reached_last_days", "converted_after_extension", "conversion_rate",
    "conversion_numerator", "conversion_denominator", "extension_rate",
    "extension_numerator", "extension_denominator", "creation_to_activation_median_s",
    "creation_to_activation_p90_s", "activation_to_onboarding_median_s",
    "activation_to_onboarding_p90_s",
)  # fmt: skip


@dataclass(frozen=True)
class Filters:
    partner_id: UUID | None
    sku: str | None
    group_by: GroupBy
    start: date | None
    end: date | None

    @classmethod
    def parse(
        cls,
        partner_id: str | None,
        sku: str | None,
        group_by: GroupBy,
        start: str | None,
        end: str | None,
    ) -> Filters:
        """The filters a form sent, an empty field meaning none."""
        return cls(
            _parsed("partner_id", partner_id, UUID),
            sku or None,
            group_by,
            _parsed("from", start, date.fromisoformat),
            _parsed("to", end, date.fromisoformat),
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
class Bar:
    label: str
    count: int
    width: float
    y: int
    css: str


@dataclass(frozen=True)
class Column:
    label: str
    short: str
    percent: str
    x: int
    height: float
    y: float
    css: str


def funnel(cohorts: list[CohortBody]) -> list[Bar]:
    steps = [
        ("Created", sum(c.created for c in cohorts), "created"),
        ("Activated", sum(c.activated for c in cohorts), "activated"),
        ("Onboarded", sum(c.onboarded for c in cohorts), "onboarded"),
        ("Upgraded automatically", sum(c.upgraded_automatically for c in cohorts), "upgraded"),
        ("Converted manually", sum(c.converted_manually for c in cohorts), "converted"),
    ]
    top = max(steps[0][1], 1)
    room = FUNNEL_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    return [
        Bar(label, count, round(room * count / top, 1), i * (BAR_HEIGHT + 6), css)
        for i, (label, count, css) in enumerate(steps)
    ]


def columns(cohorts: list[CohortBody]) -> list[Column]:
    found = []
    for i, c in enumerate(cohorts):
        rate = c.conversion_rate.value
        height = round(COHORT_HEIGHT * (rate or 0), 1)
        found.append(
            Column(
                label=c.start.isoformat(),
                short=f"{c.start:%m-%d}",
                percent="n/a" if rate is None else f"{rate:.0%}",
                x=i * (COHORT_BAR + COHORT_GAP),
                height=height,
                y=round(COHORT_HEIGHT - height, 1),
                css="mature" if c.mature else "immature",
            )
        )
    return found


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
    partner_id: Partner = None,
    sku: Sku = None,
    group_by: GroupBy = GroupBy.WEEK,
    from_: From = None,
    to: Day = None,
) -> Response:
    if session.actor.kind not in ANALYTICS:
        context = {**header(services, session), "title": "Forbidden", "detail": ONLY}
        return render(request, "problem.html", context, status_code=403)
    report: TrialReport | None = None
    error: str | None
    try:
        filters = Filters.parse(partner_id, sku, group_by, from_, to)
    except ValidationFailed as invalid:
        filters = Filters(None, None, group_by, None, None)
        error = f"{invalid.field}: {invalid.message}"
    else:
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
    partner_id: Partner = None,
    sku: Sku = None,
    group_by: GroupBy = GroupBy.WEEK,
    from_: From = None,
    to: Day = None,
) -> Response:
    if session.actor.kind not in ANALYTICS:
        return Response(ONLY, status_code=403, media_type="text/plain")
    try:
        filters = Filters.parse(partner_id, sku, group_by, from_, to)
    except ValidationFailed as invalid:
        return Response(f"{invalid.field}: {invalid.message}", status_code=422)
    report, error = _report(services, session, filters)
    if report is None:
        return Response(error or "", status_code=422, media_type="text/plain")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for cohort in TrialAnalyticsBody.of_report(report).cohorts:
        writer.writerow(csv_row(cohort))
    name = f"trial-analytics-{group_by.value}.csv"
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def csv_row(c: CohortBody) -> list[Any]:
    def blank(value: Any) -> Any:
        return "" if value is None else value

    return [
        c.start.isoformat(), c.end.isoformat(), str(c.mature).lower(), c.created, c.activated,
        c.onboarded, c.extended, c.held, c.upgraded_automatically, c.converted_manually,
        c.expired, c.still_in_trial, c.ended, c.reached_last_days, c.converted_after_extension,
        blank(c.conversion_rate.value), c.conversion_rate.numerator,
        c.conversion_rate.denominator, blank(c.extension_rate.value),
        c.extension_rate.numerator, c.extension_rate.denominator,
        blank(c.creation_to_activation.median_s), blank(c.creation_to_activation.p90_s),
        blank(c.activation_to_onboarding.median_s), blank(c.activation_to_onboarding.p90_s),
    ]  # fmt: skip


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
