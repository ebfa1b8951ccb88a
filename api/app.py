"""The HTTP API: ``create_app(services)`` wires routers, errors, middleware and metrics.

Endpoints are plain ``def``: the event store has no async API, so FastAPI runs them in
anyio's worker threads. ``THREADS`` bounds that pool (and so the concurrent commands
and queries of one process); the PostgreSQL pool (10 + 10 overflow) sits behind it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI
from fastapi.routing import APIRoute

from api import console, docs, handlers
from api.body_limit import BodyLimit
from api.bootstrap import Services, build
from api.idempotency_keys import DeclaredIdempotency
from api.log_redaction import redact_activation_tokens
from api.metrics import Measure, new_registry
from api.openapi import document, operations
from api.positions import WrittenPosition
from api.routes import (
    activation,
    analytics,
    catalogue,
    customers,
    events,
    health,
    imports,
    partners,
    privacy,
    subscriptions,
    test_clock,
    webhooks,
)
from api.security_headers import SecurityHeaders
from api.settings import Settings
from api.sign_in_throttle import FailedSignIns, SignInThrottle

THREADS = 64


def create_app(services: Services, *, threads: int = THREADS) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        to_thread.current_default_thread_limiter().total_tokens = threads
        unredact = redact_activation_tokens()
        services.start_background()
        try:
            yield
        finally:
            services.close()
            unredact()

    app = FastAPI(
        title="Tenantry",
        version="1",
        summary="Customer tenants of a partner portal, from creation to production.",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        docs_url=None,
        redoc_url=None,
    )
    app.state.services = services
    app.state.registry, http_metrics = new_registry(
        services.gauges, services.counters, services.labelled_counters
    )
    handlers.install(app)
    for router in ROUTERS:
        app.include_router(router.router)
    docs.install(app)
    failures = FailedSignIns(services.settings.sign_in_failures_per_minute)
    console.install(app, failures)
    app.add_middleware(WrittenPosition, head=services.store.recorder.max_notification_id)
    app.add_middleware(
        DeclaredIdempotency,
        operations=lambda: operations(app),
        auth=services.auth,
        store=services.idempotency,
        done=services.uow.done_under,
    )
    app.add_middleware(BodyLimit)
    app.add_middleware(SignInThrottle, failures=failures)
    app.add_middleware(Measure, metrics=http_metrics)
    app.add_middleware(SecurityHeaders)
    app.openapi = lambda: document(app, services.settings.catalogue)  # type: ignore[method-assign]
    return app


ROUTERS = (
    health,
    analytics,
    catalogue,
    partners,
    customers,
    subscriptions,
    privacy,
    imports,
    activation,
    test_clock,
    webhooks,
    events,
)


def operation_id(route: APIRoute) -> str:
    """The route's function name: a verb a generated client can call, e.g. ``extend_trial``."""
    return route.name


def from_environment() -> FastAPI:
    """The factory ``tenantry serve`` hands to uvicorn: settings from ``TENANTRY_*``."""
    return create_app(build(Settings()))
