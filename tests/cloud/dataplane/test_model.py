"""Pure parts: configuration validation, redirect locations, metrics rendering."""

from __future__ import annotations

import math
from typing import Any

import pytest

from gitterra.cloud.elb import dataplane as dp
from gitterra.cloud.elb.dataplane import _metrics, _redirect
from tests.cloud.dataplane.helpers import run


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: dp.HealthCheck(matcher="200-abc"), "matcher '200-abc': '200-abc' is not a code"),
        (lambda: dp.HealthCheck(matcher="100"), "codes must be within 200-499"),
        (lambda: dp.HealthCheck(matcher="300-200"), "codes must be within 200-499"),
        (lambda: dp.HealthCheck(path="health"), "path 'health': must start with '/'"),
        (lambda: dp.HealthCheck(path="/a\r\nX: y"), "must not contain line breaks"),
        (lambda: dp.HealthCheck(interval=5, timeout=5), "timeout 5: must be less than interval 5"),
        (lambda: dp.HealthCheck(healthy_threshold=0), "healthy_threshold 0: must be 1-10"),
        (lambda: dp.HealthCheck(unhealthy_threshold=11), "unhealthy_threshold 11: must be 1-10"),
        (lambda: dp.HealthCheck(port=0), "port 0: must be 1-65535"),
        (lambda: dp.TargetGroupSettings(deregistration_delay=-1), "deregistration_delay -1"),
        (lambda: dp.TargetGroupSettings(slow_start=10), "slow_start 10: must be 0 or 30-900"),
        (
            lambda: dp.TargetGroupSettings(algorithm="random"),  # type: ignore[arg-type]  # bad on purpose
            "algorithm 'random'",
        ),
        (
            lambda: dp.TargetGroupSettings(slow_start=30, algorithm="least_outstanding_requests"),
            "slow_start cannot be combined with least_outstanding_requests",
        ),
        (lambda: dp.Target("", "127.0.0.1", 80), "target id: must not be empty"),
        (lambda: dp.Target("i-1", "127.0.0.1", 0), "target i-1 port 0"),
        (lambda: dp.FixedResponseAction(600), "status_code 600: must be 2XX-5XX"),
        (lambda: dp.FixedResponseAction(200, body="x" * 1025), "at most 1024 bytes"),
        (lambda: dp.FixedResponseAction(200, content_type="a\nb"), "content_type"),
        (lambda: dp.RedirectAction(307), "redirect status_code 307: must be 301 or 302"),
        (lambda: dp.RedirectAction(protocol="ftp"), "redirect protocol 'ftp'"),
        (lambda: dp.RedirectAction(path="x"), "redirect path 'x': must start with '/'"),
        (lambda: dp.ListenerConfig(dp.ForwardAction("tg"), idle_timeout=0), "idle_timeout 0"),
        (
            lambda: dp.ListenerConfig(dp.ForwardAction("tg"), allowed_sources=["10.0.0.0/33"]),
            r"allowed_sources\[0\] '10.0.0.0/33': not a CIDR",
        ),
        (
            lambda: dp.ListenerConfig(dp.ForwardAction("tg"), allowed_sources="10.0.0.0/8"),
            "a list of CIDRs, not one string",
        ),
        (
            lambda: dp.ListenerConfig("forward"),  # type: ignore[arg-type]  # bad on purpose
            "default_action: unknown action",
        ),
        (lambda: dp.ListenerConfig(dp.ForwardAction("tg"), max_body_bytes=-1), "max_body_bytes -1"),
    ],
)
def test_bad_configuration_is_refused_naming_the_field(build: Any, message: str) -> None:
    with pytest.raises(dp.ConfigError, match=message):
        build()


def test_matchers() -> None:
    assert dp.parse_matcher("200") == {200}
    assert dp.parse_matcher("200,302") == {200, 302}
    assert dp.parse_matcher("200-204, 301") == {200, 201, 202, 203, 204, 301}


@run
async def test_set_targets_refuses_duplicates_and_unknown_groups() -> None:
    plane = dp.DataPlane()
    plane.configure_target_group("tg", dp.TargetGroupSettings())
    with pytest.raises(dp.ConfigError, match="target group tg: target i-1 listed twice"):
        plane.set_targets("tg", [dp.Target("i-1", "127.0.0.1", 80), dp.Target("i-1", "h", 81)])
    assert plane.target_health("tg") == []  # nothing changed
    with pytest.raises(dp.NotFoundError, match="target group nope: not configured"):
        plane.set_targets("nope", [])
    with pytest.raises(dp.NotFoundError):
        plane.target_health("nope")
    with pytest.raises(dp.NotFoundError):
        plane.remove_target_group("nope")
    await plane.stop()


@pytest.mark.parametrize(
    ("action", "host", "target", "location"),
    [
        (dp.RedirectAction(), "example.com", "/a?b=1", "http://example.com:8080/a?b=1"),
        (
            dp.RedirectAction(protocol="HTTPS", port="443"),
            "example.com:8080",
            "/",
            "https://example.com/",
        ),
        (dp.RedirectAction(port="80"), "[::1]:8080", "/x", "http://[::1]/x"),
        (dp.RedirectAction(query="#{query}&v=2"), "h", "/p?a=1", "http://h:8080/p?a=1&v=2"),
        (dp.RedirectAction(query=""), "h", "/p?a=1", "http://h:8080/p"),
        (dp.RedirectAction(path="/new/#{path}"), "h", "/old/page", "http://h:8080/new/old/page"),
        (
            dp.RedirectAction(host="#{host}.example.org", port="#{port}"),
            "www",
            "/",
            "http://www.example.org:8080/",
        ),
    ],
)
def test_redirect_locations(
    action: dp.RedirectAction, host: str, target: str, location: str
) -> None:
    assert _redirect.location(action, host=host, port=8080, target=target) == location


def test_metrics_histogram_and_prometheus_text() -> None:
    c = _metrics.Counters()
    for status, seconds in [(200, 0.0008), (200, 0.002), (404, 0.02), (502, 3.0)]:
        c.requests += 1
        c.observe(status, seconds)
    c.error("reset")
    snap = c.snapshot()
    assert snap.responses == {"1xx": 0, "2xx": 2, "3xx": 0, "4xx": 1, "5xx": 1}
    assert snap.latency.count == 4
    assert 0.0005 <= snap.latency.quantile(0.25) <= 0.001
    assert 2.5 <= snap.latency.quantile(0.99) <= 5.0
    assert _metrics.Histogram((0,) * len(dp.BUCKETS), 0.0).quantile(0.5) == 0.0
    text = dp.Metrics(listeners={"l-1": snap}, target_groups={}).prometheus()
    assert 'gitterra_elb_listener_requests_total{listener="l-1"} 4\n' in text
    assert 'gitterra_elb_listener_responses_total{listener="l-1",class="5xx"} 1\n' in text
    assert 'gitterra_elb_listener_errors_total{listener="l-1",error="reset"} 1\n' in text
    assert 'gitterra_elb_listener_latency_seconds_bucket{listener="l-1",le="+Inf"} 4\n' in text
    assert 'le="0.001"} 1\n' in text
    assert dp.BUCKETS[-1] == math.inf
