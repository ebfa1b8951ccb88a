"""Prometheus metrics in a registry of the app's own (never the global one)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)
T = TypeVar("T")
Readings = dict[str, tuple[str, Callable[[], float]]]
# A counter with one label: name -> (help, label, read: label value -> count).
LabelledReadings = dict[str, tuple[str, str, Callable[[], dict[str, float]]]]


class HttpMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter(
            "tenantry_http_requests",
            "HTTP requests by method, route template and status",
            ["method", "route", "status"],
            registry=registry,
        )
        self.latency = Histogram(
            "tenantry_http_request_duration_seconds",
            "HTTP request latency by method and route template",
            ["method", "route"],
            registry=registry,
        )


class Hooks(Collector):
    """Gauges and counters that the background work registers on ``Services``."""

    def __init__(
        self, gauges: Readings, counters: Readings, labelled: LabelledReadings | None = None
    ) -> None:
        self.gauges, self.counters, self.labelled = gauges, counters, labelled or {}

    def collect(self) -> Iterator[Metric]:
        """Every reading that can be taken now. One that fails (a database that does
        not answer, a replica still creating its tables) is left out of this scrape
        and logged, never a failed /metrics."""
        for name, (help_text, read) in self.gauges.items():
            if (value := _read(name, read)) is not None:
                yield GaugeMetricFamily(name, help_text, value=value)
        for name, (help_text, read) in self.counters.items():
            if (value := _read(name, read)) is not None:
                yield CounterMetricFamily(name, help_text, value=value)
        for name, (help_text, label, read_all) in self.labelled.items():
            if (counts := _read(name, read_all)) is None:
                continue
            family = CounterMetricFamily(name, help_text, labels=[label])
            for label_value, count in counts.items():
                family.add_metric([label_value], count)
            yield family


def _read(name: str, read: Callable[[], T]) -> T | None:
    try:
        return read()
    except Exception as error:  # any failure: the metric is left out of this scrape
        log.warning("metric %s left out of this scrape: %s", name, error)
        return None


class Measure:
    """Counts and times every request by the route template it matched."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics) -> None:
        self.app, self.metrics = app, metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def observe(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, observe)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            self.metrics.requests.labels(scope["method"], route, str(status)).inc()
            self.metrics.latency.labels(scope["method"], route).observe(
                time.perf_counter() - started
            )


def new_registry(
    gauges: Readings, counters: Readings, labelled: LabelledReadings | None = None
) -> tuple[CollectorRegistry, HttpMetrics]:
    registry = CollectorRegistry()
    registry.register(Hooks(gauges, counters, labelled))
    return registry, HttpMetrics(registry)
