"""List queries on every backend: paging, search, filters, visibility, deadlines."""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from application.authorization import can_see
from application.lists import ListQuery, Page
from domain.errors import ValidationFailed
from domain.values import Actor, ActorKind, Status
from tests.support.principals import AUDITOR, IMPORTER
from tests.support.world import World


def names(page: Page) -> list[str]:
    return [c.state.organization_name for c in page.items]


def all_pages(world: World, viewer: Actor, limit: int, q: str | None = None) -> list[str]:
    seen: list[str] = []
    cursor = None
    while True:
        page = world.services.lists.pending(ListQuery(viewer, limit, q=q, cursor=cursor))
        seen += names(page)
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


def test_pages_walk_every_pending_customer_once_in_creation_order(world: World) -> None:
    added = [f"Org {i}" for i in range(7)]
    for name in added:
        world.add(world.msp, name)
    world.add(world.msp, "Same instant A", step=timedelta(0))
    world.current()

    walked = all_pages(world, AUDITOR, limit=3)

    assert walked[:6] == added[:6]
    assert sorted(walked[6:]) == ["Org 6", "Same instant A"]  # same instant: by id


def test_a_page_that_ends_the_list_has_no_cursor(world: World) -> None:
    world.add(world.msp, "Only")
    world.current()

    page = world.services.lists.pending(ListQuery(AUDITOR, 1))

    assert names(page) == ["Only"]
    assert page.next_cursor is None


def test_search_matches_a_case_insensitive_substring_of_the_name(world: World) -> None:
    for name in ("ACME Corp", "Big acme", "Other", "100%_Literal"):
        world.add(world.msp, name)
    world.current()

    assert all_pages(world, AUDITOR, limit=10, q="acme") == ["ACME Corp", "Big acme"]
    assert all_pages(world, AUDITOR, limit=10, q="%_") == ["100%_Literal"]
    assert all_pages(world, AUDITOR, limit=10, q="_") == ["100%_Literal"]


def test_partners_see_their_own_and_distributors_their_msps_customers(world: World) -> None:
    world.add(world.msp, "Of the MSP")
    world.add(world.distributor, "Of the distributor")
    world.add(world.other_msp, "Of the loner")
    world.current()

    assert all_pages(world, world.msp, limit=1) == ["Of the MSP"]
    assert all_pages(world, world.distributor, limit=1) == ["Of the MSP", "Of the distributor"]
    assert all_pages(world, world.other_msp, limit=1) == ["Of the loner"]
    assert len(all_pages(world, AUDITOR, limit=1)) == 3
    admin = Actor(kind=ActorKind.ADMIN, id="x")
    assert len(all_pages(world, admin, limit=2)) == 3
    assert all_pages(world, IMPORTER, limit=5) == []
    stranger = Actor(kind=ActorKind.MSP, id=str(UUID(int=7)))
    assert all_pages(world, stranger, limit=5) == []


def test_onboarded_customers_leave_pending_and_filter_by_status_owner_and_distributor(
    world: World,
) -> None:
    first = world.add(world.msp, "First")
    second = world.add(world.other_msp, "Second")
    world.add(world.msp, "Still pending")
    world.onboard(first)
    world.onboard(second)
    world.services.customers.set_automatic_upgrade(second, enabled=False, by=world.other_msp)
    world.clock.advance(timedelta(days=15))
    world.services.customers.end_trial_if_due(first)
    world.services.customers.end_trial_if_due(second)
    world.current()
    lists = world.services.lists

    def onboarded(status: Status | None = None, **filters: UUID) -> list[str]:
        page = lists.onboarded(ListQuery(AUDITOR, 10, **filters), status)
        return names(page)

    assert all_pages(world, AUDITOR, limit=10) == ["Still pending"]
    assert onboarded() == ["First", "Second"]
    assert onboarded(Status.PRODUCTION) == ["First"]
    assert onboarded(Status.EXPIRED) == ["Second"]
    assert onboarded(Status.TRIAL) == []
    assert onboarded(owner=UUID(world.other_msp.id)) == ["Second"]
    assert onboarded(distributor=UUID(world.distributor.id)) == ["First"]


def test_items_are_customers_as_the_aggregate_has_them(world: World) -> None:
    customer_id = world.add(world.msp, "Acme")
    world.onboard(customer_id)
    world.current()

    item = world.services.lists.onboarded(ListQuery(world.msp, 1)).items[0]
    aggregate = world.services.store.repository.get(customer_id)

    assert (item.id, item.version, item.state) == (customer_id, aggregate.version, aggregate.state)
    assert (item.created_on, item.modified_on) == (aggregate.created_on, aggregate.modified_on)


def test_a_cursor_from_another_list_or_garbage_is_refused(world: World) -> None:
    world.add(world.msp, "A")
    world.add(world.msp, "B")
    world.current()
    cursor = world.services.lists.pending(ListQuery(AUDITOR, 1)).next_cursor

    with pytest.raises(ValidationFailed):
        world.services.lists.onboarded(ListQuery(AUDITOR, 1, cursor=cursor))
    with pytest.raises(ValidationFailed):
        world.services.lists.pending(ListQuery(AUDITOR, 1, cursor="not-a-cursor"))


def test_deadlines_follow_each_customer_state(world: World) -> None:
    customer_id = world.add(world.msp, "Acme")
    world.current()
    lists = world.services.due_work
    start = world.clock.now()
    assert [(d.kind, d.due_at) for d in lists.due(start, 10)] == [("activation_email", start)]

    world.services.customers.record_activation_sent(customer_id, link_version=1, message_id="m")
    world.onboard(customer_id)
    world.current()
    onboarded_at = world.clock.now()
    later = onboarded_at + timedelta(days=30)
    due = [(d.kind, d.due_at) for d in lists.due(later, 10)]
    assert due == [
        ("upgrade_notice", onboarded_at + timedelta(days=11)),
        ("trial_end", onboarded_at + timedelta(days=14)),
    ]
    assert lists.due(onboarded_at + timedelta(days=12), 1)[0].kind == "upgrade_notice"

    world.services.customers.set_automatic_upgrade(customer_id, enabled=False, by=world.msp)
    world.current()
    assert [d.kind for d in lists.due(later, 10)] == ["trial_end"]


def test_the_lists_show_each_viewer_the_customers_the_application_lets_it_see(
    world: World,
) -> None:
    ids = [world.add(owner, owner.id) for owner in (world.distributor, world.msp, world.other_msp)]
    world.onboard(ids[1])
    world.current()
    customers = [world.services.store.repository.get(i) for i in ids]
    viewers = [
        world.distributor,
        world.msp,
        world.other_msp,
        AUDITOR,
        IMPORTER,
        Actor(kind=ActorKind.MSP, id="not-a-uuid"),
    ]

    for viewer in viewers:
        query = ListQuery(viewer, 10)
        listed = world.services.lists.pending(query).items
        listed += world.services.lists.onboarded(query).items
        assert {c.id for c in listed} == {c.id for c in customers if can_see(c, viewer)}
