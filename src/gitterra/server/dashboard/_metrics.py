"""``/metrics``: the server's figures in Prometheus' text exposition format.

Rendered with ``prometheus_client`` (its metric families, label escaping and histogram layout),
from a collector that reads the same sources as the pages at scrape time — nothing is counted
twice and nothing global is registered. The data plane's own renderer covers the balancers
only; one library renders every family the same way. Families::

    gitterra_builds{project,status}                          gauge: builds by status
    gitterra_build_duration_seconds{project}                 histogram: ended builds
    gitterra_elb_requests_total{load_balancer,port}          counter
    gitterra_elb_responses_total{load_balancer,port,class}   counter: 1xx … 5xx
    gitterra_elb_errors_total{load_balancer,port,error}      counter: the proxy's failures
    gitterra_elb_request_duration_seconds{load_balancer,port} histogram
    gitterra_elb_healthy_targets{target_group}               gauge
    gitterra_elb_targets{target_group,state}                 gauge: targets by health state
    gitterra_autoscaling_instance_restarts_total{group}      counter: instances replaced because
                                                             they ended or were unhealthy
    gitterra_autoscaling_desired_capacity{group}             gauge
    gitterra_autoscaling_in_service_instances{group}         gauge
    gitterra_webhook_deliveries_total{forge,status}          counter: accepted, ignored,
                                                             duplicate, refused

The balancer counters are the data plane's since the server started (a restart resets them, as
Prometheus expects of counters).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator

from prometheus_client import generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector, CollectorRegistry

from gitterra.cloud import CloudError
from gitterra.cloud.elb.dataplane import BUCKETS, EndpointMetrics
from gitterra.server.dashboard import _fmt
from gitterra.server.dashboard._context import Context

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
BUILD_BUCKETS = (5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, math.inf)


class ServerCollector(Collector):
    """Every family of the module docstring, read at each scrape."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def collect(self) -> Iterator[Metric]:
        self.ctx.refresh()
        yield from self._builds()
        yield from self._balancers()
        yield from self._targets()
        yield from self._groups()
        yield from self._deliveries()

    def _builds(self) -> Iterator[Metric]:
        counts: Counter[tuple[str, str]] = Counter()
        durations: dict[str, list[float]] = {}
        for build in self.ctx.builds.newest_first():
            counts[(build["project_name"], build["status"])] += 1
            seconds = _fmt.seconds_between(build.get("start_time"), build.get("end_time"))
            if build.get("build_complete") and seconds is not None:
                durations.setdefault(build["project_name"], []).append(seconds)
        builds = GaugeMetricFamily(
            "gitterra_builds", "Builds by project and status.", labels=["project", "status"]
        )
        for (project, status), n in sorted(counts.items()):
            builds.add_metric([project, status], n)
        yield builds
        hist = HistogramMetricFamily(
            "gitterra_build_duration_seconds",
            "How long ended builds ran, from start to end.",
            labels=["project"],
        )
        for project, values in sorted(durations.items()):
            hist.add_metric([project], _buckets(BUILD_BUCKETS, values), sum(values))
        yield hist

    def _balancers(self) -> Iterator[Metric]:
        labels = ["load_balancer", "port"]
        requests = CounterMetricFamily(
            "gitterra_elb_requests", "Requests received by a listener.", labels=labels
        )
        responses = CounterMetricFamily(
            "gitterra_elb_responses", "Responses by status class.", labels=[*labels, "class"]
        )
        errors = CounterMetricFamily(
            "gitterra_elb_errors",
            "Requests the proxy failed (no target, connection errors, timeouts).",
            labels=[*labels, "error"],
        )
        latency = HistogramMetricFamily(
            "gitterra_elb_request_duration_seconds",
            "Time from a request's arrival to its response's end.",
            labels=labels,
        )
        metrics = self.ctx.metrics()
        for ident, (lb, port) in sorted(self._listeners().items()):
            m: EndpointMetrics | None = metrics.listeners.get(ident) if metrics else None
            if m is None:
                continue
            requests.add_metric([lb, port], m.requests)
            for cls, n in m.responses.items():
                responses.add_metric([lb, port, cls], n)
            for kind, n in sorted(m.errors.items()):
                errors.add_metric([lb, port, kind], n)
            cumulative, running = [], 0
            for bound, n in zip(BUCKETS, m.latency.counts, strict=True):
                running += n
                cumulative.append((_le(bound), float(running)))
            latency.add_metric([lb, port], cumulative, m.latency.total)
        yield from (requests, responses, errors, latency)

    def _listeners(self) -> dict[str, tuple[str, str]]:
        elb = self.ctx.elb
        if elb is None:
            return {}
        names = {d["arn"]: d["name"] for d in elb.balancers.find()}
        return {
            d["arn"]: (names.get(d["load_balancer_arn"], "?"), str(d["port"]))
            for d in elb.listeners.find()
        }

    def _targets(self) -> Iterator[Metric]:
        healthy = GaugeMetricFamily(
            "gitterra_elb_healthy_targets",
            "Targets passing their health checks.",
            labels=["target_group"],
        )
        by_state = GaugeMetricFamily(
            "gitterra_elb_targets", "Targets by health state.", labels=["target_group", "state"]
        )
        elb = self.ctx.elb
        if elb is not None:
            for tg in sorted(elb.target_groups.find(), key=lambda d: d["name"]):
                try:
                    states = Counter(t["state"] for t in elb.target_groups.describe(tg["arn"]))
                except CloudError:  # deleted meanwhile
                    continue
                healthy.add_metric([tg["name"]], states.get("healthy", 0))
                for state, n in sorted(states.items()):
                    by_state.add_metric([tg["name"], state], n)
        yield from (healthy, by_state)

    def _groups(self) -> Iterator[Metric]:
        restarts = CounterMetricFamily(
            "gitterra_autoscaling_instance_restarts",
            "Instances a group replaced because they ended or failed health checks.",
            labels=["group"],
        )
        desired = GaugeMetricFamily(
            "gitterra_autoscaling_desired_capacity", "Desired capacity.", labels=["group"]
        )
        in_service = GaugeMetricFamily(
            "gitterra_autoscaling_in_service_instances", "Instances in service.", labels=["group"]
        )
        counts = self.ctx.restarts.by_group()
        svc = self.ctx.autoscaling
        if svc is not None:
            for doc in sorted(svc.groups.find(), key=lambda d: d["name"]):
                name = doc["name"]
                restarts.add_metric([name], counts.get(name, 0))
                desired.add_metric([name], doc["desired_capacity"])
                up = sum(1 for m in doc["instances"] if m["lifecycle_state"] == "InService")
                in_service.add_metric([name], up)
        yield from (restarts, desired, in_service)

    def _deliveries(self) -> Iterator[Metric]:
        family = CounterMetricFamily(
            "gitterra_webhook_deliveries",
            "Webhook deliveries and git host events, by forge and outcome.",
            labels=["forge", "status"],
        )
        counts = Counter((d["forge"], d["status"]) for d in self.ctx.deliveries.all())
        for (forge, status), n in sorted(counts.items()):
            family.add_metric([forge, status], n)
        yield family


def render(ctx: Context) -> bytes:
    """The exposition text of one scrape."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ServerCollector(ctx))
    return generate_latest(registry)


def _buckets(bounds: tuple[float, ...], values: list[float]) -> list[tuple[str, float]]:
    return [(_le(b), float(sum(1 for v in values if v <= b))) for b in bounds]


def _le(bound: float) -> str:
    return "+Inf" if bound == math.inf else repr(bound)
