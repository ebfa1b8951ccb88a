"""Trial analytics, per cohort of customers, for partners (their own and, for a
distributor, its MSPs'), auditors and the admin."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from api.deps import Principal, ServicesDep
from api.problems import responses
from api.trial_representations import TrialAnalyticsBody
from application.trial_analytics import GroupBy

router = APIRouter(tags=["analytics"])
From = Annotated[
    date | None,
    Query(
        alias="from", description="first day of creation covered (default: 12 weeks before `to`)"
    ),
]
To = Annotated[
    date | None, Query(description="the day after the last day covered (default: tomorrow)")
]
Sku = Annotated[str | None, Query(max_length=64, description="only trials of this SKU")]
OfPartner = Annotated[UUID | None, Query(description="only this partner's customers")]


@router.get(
    "/v1/analytics/trials",
    response_model=TrialAnalyticsBody,
    responses=responses(401, 403, 422, 503),
)
def trial_analytics(
    by: Principal,
    services: ServicesDep,
    from_: From = None,
    to: To = None,
    group_by: GroupBy = GroupBy.WEEK,
    partner_id: OfPartner = None,
    sku: Sku = None,
) -> TrialAnalyticsBody:
    """Per cohort (the week or month the customers were created): how many trials
    activated, onboarded, were extended or held and how they ended, the conversion and
    extension rates with their numerators and denominators, and the median and 90th
    percentile of the time from creation to activation and activation to onboarding.
    A ``partner_id`` whose customers the caller may not see counts none."""
    report = services.analytics.report(
        by=by, start=from_, end=to, group_by=group_by, partner_id=partner_id, sku=sku
    )
    return TrialAnalyticsBody.of_report(report)
