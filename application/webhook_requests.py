"""What the API asks of the deliveries of an endpoint: one seen by whom may see it, an
endpoint's recent deliveries with their attempts, a redelivery. ``WebhookDispatcher``
does these beside the sending."""

from __future__ import annotations

from uuid import UUID

from application.clock import Clock
from application.errors import NotFound
from application.unit_of_work import UnitOfWork
from application.webhook_endpoints import WebhookEndpoints
from application.webhook_ports import Attempt, Delivery, DeliveryQueue
from domain.errors import DomainError
from domain.values import Actor
from domain.webhook_endpoint import WebhookEndpoint


class DeliveryRequests:
    """Mixed into ``WebhookDispatcher``, which holds these."""

    queue: DeliveryQueue
    endpoints: WebhookEndpoints
    uow: UnitOfWork
    clock: Clock

    def redeliver(self, delivery_id: str, *, by: Actor) -> Delivery:
        delivery = self.visible(delivery_id, by)
        if self.uow.load(WebhookEndpoint, delivery.endpoint_id).state.disabled:
            raise DomainError("the endpoint is disabled: enable it before redelivering")
        self.queue.redeliver(delivery.id, self.clock.now())
        found = self.queue.get(delivery.id)
        assert found is not None
        return found

    def visible(self, delivery_id: str, by: Actor) -> Delivery:
        delivery = self.queue.get(delivery_id)
        if delivery is None:
            raise NotFound(f"no webhook delivery {delivery_id}")
        self.endpoints.load_visible(delivery.endpoint_id, by)  # 404 to whom may not see it
        return delivery

    def of_endpoint(
        self, endpoint_id: UUID, *, by: Actor, limit: int
    ) -> list[tuple[Delivery, list[Attempt]]]:
        self.endpoints.load_visible(endpoint_id, by)
        deliveries = self.queue.of_endpoint(endpoint_id, limit)
        attempts = self.queue.attempts([d.id for d in deliveries])
        return [(d, attempts[d.id]) for d in deliveries]
