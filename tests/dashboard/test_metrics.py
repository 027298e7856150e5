"""``/metrics`` on a real server: bearer token required, Prometheus' own parser reads it, and
the families count what happened (builds, balancer requests, healthy targets, deliveries)."""

from __future__ import annotations

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.cloud.conftest import CloudServer, wait_for
from tests.dashboard.conftest import World

pytestmark = pytest.mark.slow

FAMILIES = {
    "gitterra_builds": "gauge",
    "gitterra_build_duration_seconds": "histogram",
    "gitterra_elb_requests": "counter",
    "gitterra_elb_responses": "counter",
    "gitterra_elb_errors": "counter",
    "gitterra_elb_request_duration_seconds": "histogram",
    "gitterra_elb_healthy_targets": "gauge",
    "gitterra_elb_targets": "gauge",
    "gitterra_autoscaling_instance_restarts": "counter",
    "gitterra_autoscaling_desired_capacity": "gauge",
    "gitterra_autoscaling_in_service_instances": "gauge",
    "gitterra_webhook_deliveries": "counter",
}


def scrape(server: CloudServer) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    r = server.client.get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    out: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(r.text):
        assert FAMILIES.get(family.name) == family.type, (family.name, family.type)
        for sample in family.samples:
            out.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
        out.setdefault(family.name, {})
    return out


def labels(**values: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(values.items()))


def test_metrics_need_the_bearer_token(server: CloudServer) -> None:
    assert httpx.get(server.url + "/metrics").status_code == 401
    bad = httpx.get(server.url + "/metrics", headers={"Authorization": "Bearer gtr_nope"})
    assert bad.status_code == 401


def test_metrics_count_what_happened(server: CloudServer, filled: World) -> None:
    for _ in range(5):
        assert httpx.get(filled.site.url).status_code == 200
    found = scrape(server)
    assert set(FAMILIES) <= set(found), set(FAMILIES) - set(found)
    assert found["gitterra_builds"][labels(project="infra", status="SUCCEEDED")] == 1
    assert found["gitterra_build_duration_seconds_count"][labels(project="infra")] == 1
    web = {"load_balancer": "web", "port": "80"}
    assert found["gitterra_elb_requests_total"][labels(**web)] >= 5
    assert found["gitterra_elb_responses_total"][labels(**web, **{"class": "2xx"})] >= 5
    assert found["gitterra_elb_request_duration_seconds_count"][labels(**web)] >= 5
    assert found["gitterra_elb_healthy_targets"][labels(target_group="web")] == 1
    assert found["gitterra_elb_targets"][labels(target_group="web", state="healthy")] == 1
    assert found["gitterra_autoscaling_desired_capacity"][labels(group="web")] == 1
    assert found["gitterra_autoscaling_in_service_instances"][labels(group="web")] == 1
    assert found["gitterra_autoscaling_instance_restarts_total"][labels(group="web")] == 0
    deliveries = found["gitterra_webhook_deliveries_total"]
    assert deliveries[labels(forge="github", status="refused")] == 1
    assert deliveries[labels(forge="githost", status="accepted")] >= 1


def test_a_replaced_instance_is_a_restart(server: CloudServer, filled: World) -> None:
    """An instance that dies is replaced by its group: the restart is counted."""
    [instance] = filled.site.instances(state="running")
    r = server.client.post(f"/api/v1/instances/{instance['id']}/terminate", json={})
    assert r.status_code == 200, r.text

    def restarted() -> bool:
        found = scrape(server)["gitterra_autoscaling_instance_restarts_total"]
        return found.get(labels(group="web"), 0) >= 1

    wait_for(restarted, 120, "the group to replace the terminated instance")
    wait_for(lambda: filled.site.serving(1), 180, "the site to serve again")
