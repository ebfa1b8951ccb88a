"""Liveness, readiness and metrics: open to anyone."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from api.bootstrap import Services
from api.deps import ServicesDep
from api.representations import Health

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses={503: {"model": Health}})
def readyz(services: ServicesDep) -> Response:
    """Ready when the database answers and every background probe says it runs."""
    checks = {"database": safely(lambda: database_reachable(services))}
    for name, probe in services.probes.items():
        checks[name] = safely(probe)
    ready = all(checks.values())
    body = Health(status="ready" if ready else "not ready", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)


@router.get("/metrics", response_class=Response, responses={200: {"content": {"text/plain": {}}}})
def metrics(request: Request) -> Response:
    registry: CollectorRegistry = request.app.state.registry
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


def database_reachable(services: Services) -> bool:
    services.store.recorder.max_notification_id()
    return True


def safely(probe: Callable[[], bool]) -> bool:
    try:
        return probe()
    except Exception:
        return False
