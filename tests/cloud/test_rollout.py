"""gitterra's promise, end to end: an auto scaling group of real static-site instances behind a
real balancer, on a real server, under real load (20 keep-alive clients requesting without
pause), changes rolled out with zero failed requests.

- the group serves from every instance, and scales 2 → 3 → 1;
- an instance killed with SIGKILL is replaced, clients see at most the requests in flight;
- a rolling instance refresh to a new launch template version: zero failed requests, and every
  request sent once the refresh reports Successful gets the new page;
- the seed's pattern (a new group in the same target group, the old one force-deleted): zero
  failed requests;
- the server killed with SIGKILL in the middle of a refresh, restarted: the listener is back
  on its port, the group converges on the new version, nothing is left orphaned;
- a version whose health check never passes: the refresh fails after its allowance with a
  clear reason and the old instances serve throughout.
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.cloud.autoscaling.site import Hammer, Outcome, build, kill9, ok
from tests.cloud.conftest import CloudServer, processes_touching, wait_for

pytestmark = pytest.mark.slow

#: Generous: instances boot on a loaded 2-core machine while 20 clients hammer the balancer.
DEADLINE = 180.0


def serving_instances(url: str, requests: int = 30) -> set[str]:
    """Which instances answered ``requests`` requests (the page names its instance)."""
    import httpx

    seen = set()
    with httpx.Client(timeout=30) as client:
        for _ in range(requests):
            r = client.get(url)
            assert r.status_code == 200, r.text
            seen.add(r.text.split("<p>")[1].split("</p>")[0])
    return seen


def describe(failures: list[Outcome]) -> str:
    return "; ".join(f"{f.status} {f.error or f.body[:80]}" for f in failures[:10])


def test_group_serves_from_every_instance_and_scales(cloud_server: CloudServer) -> None:
    site = build(cloud_server.client, "scale", desired=2)
    wait_for(lambda: site.serving(2), DEADLINE, "2 instances healthy")
    running = {i["id"] for i in site.instances(state="running")}
    assert serving_instances(site.url) == running
    assert len(running) == 2

    site.set_desired(3)
    wait_for(lambda: site.serving(3), DEADLINE, "3 instances healthy")
    running = {i["id"] for i in site.instances(state="running")}
    assert serving_instances(site.url, 45) == running
    assert len(running) == 3

    site.set_desired(1)
    wait_for(lambda: len(site.instances(state="running")) == 1, DEADLINE, "scale in to 1")
    wait_for(lambda: site.serving(1), DEADLINE, "1 instance serving")
    (last,) = site.instances(state="running")
    assert serving_instances(site.url) == {last["id"]}
    # The two that left drain, then leave the target group and the group (not at once).
    wait_for(
        lambda: [t["id"] for t in site.targets()] == [last["id"]],
        DEADLINE,
        "the target group to hold only the last instance",
    )
    wait_for(
        lambda: [i["id"] for i in site.group_doc()["instances"]] == [last["id"]],
        DEADLINE,
        "the group to hold only the last instance",
    )


def test_killed_instance_is_replaced(cloud_server: CloudServer) -> None:
    site = build(cloud_server.client, "crash", desired=2)
    wait_for(lambda: site.serving(2), DEADLINE, "2 instances healthy")
    victim = site.instances(state="running")[0]
    hammer = Hammer(site.url).start()
    try:
        hammer.wait_for(200)
        os.killpg(victim["pid"], signal.SIGKILL)  # the instance's whole process tree

        def replaced() -> bool:
            # By identity, not by counts alone: the group may still count the victim in service
            # (its health check has not failed yet) after compute has seen it die.
            running = {i["id"] for i in site.instances(state="running")}
            healthy = {t["id"] for t in site.targets() if t["state"] == "healthy"}
            return (
                len(running) == 2
                and victim["id"] not in running
                and healthy == running
                and site.serving(2)
            )

        wait_for(replaced, DEADLINE, "a replacement serving")
        hammer.wait_for(200)
    finally:
        outcomes = hammer.stop()
    failures = hammer.failures()
    # The balancer retries idempotent requests whose connection failed on another target, so
    # none should fail; the bound is what a client could see at worst: the requests in flight
    # on the killed instance at that moment, at most one per client connection.
    print(f"killed instance: {len(failures)} of {len(outcomes)} requests failed")
    assert len(failures) <= hammer.clients, describe(failures)
    replacement = {i["id"] for i in site.instances(state="running")}
    assert victim["id"] not in replacement
    assert len(replacement) == 2
    assert len(outcomes) > 400


def test_rolling_refresh_loses_no_request(cloud_server: CloudServer) -> None:
    site = build(cloud_server.client, "roll", desired=2)
    wait_for(lambda: site.serving(2), DEADLINE, "2 instances healthy")
    hammer = Hammer(site.url).start()
    try:
        hammer.wait_for(200)
        site.new_version("v2")
        site.refresh(min_healthy_percentage=100, max_healthy_percentage=200, instance_warmup=0)
        done = wait_for(
            lambda: (
                site.last_refresh()["status"] not in ("Pending", "InProgress")
                and site.last_refresh()
            ),
            DEADLINE,
            "the refresh to end",
        )
        successful_at = time.monotonic()
        hammer.wait_for(500)
    finally:
        outcomes = hammer.stop()
    assert done["status"] == "Successful", done
    assert done["percentage_complete"] == 100
    failures = hammer.failures()
    assert not failures, f"{len(failures)} of {len(outcomes)} failed: {describe(failures)}"
    assert any("v1" in o.body for o in outcomes)
    after = [o for o in outcomes if o.sent >= successful_at]
    assert len(after) >= 500
    assert all("<h1>v2</h1>" in o.body for o in after)
    versions = {i["launch_template_version"] for i in site.group_doc()["instances"]}
    assert versions == {"2"}


def test_new_group_in_the_same_target_group_switches_without_loss(
    cloud_server: CloudServer,
) -> None:
    from tests.cloud.autoscaling.site import add_group

    site = build(cloud_server.client, "seed", desired=2)
    old_group = site.group
    wait_for(lambda: site.serving(2), DEADLINE, "2 instances healthy")
    hammer = Hammer(site.url).start()
    try:
        hammer.wait_for(200)
        site.new_version("v2")
        add_group(site, "seed-2", 2)  # create_before_destroy with a new name
        wait_for(lambda: site.serving(2, "seed-2"), DEADLINE, "the new group healthy")
        r = site.client.delete(f"/api/v1/autoscaling-groups/{old_group}?force_delete=true")
        assert r.status_code == 204, r.text
        deleted_at = time.monotonic()
        assert site.client.get(f"/api/v1/autoscaling-groups/{old_group}").status_code == 404
        hammer.wait_for(500)
    finally:
        outcomes = hammer.stop()
    failures = hammer.failures()
    assert not failures, f"{len(failures)} of {len(outcomes)} failed: {describe(failures)}"
    after = [o for o in outcomes if o.sent >= deleted_at]
    assert after
    assert all("<h1>v2</h1>" in o.body for o in after)
    assert site.instances(group=old_group, state="running") == []


def test_server_killed_during_a_refresh_converges(cloud_server: CloudServer) -> None:
    site = build(cloud_server.client, "phoenix", desired=2)
    wait_for(lambda: site.serving(2), DEADLINE, "2 instances healthy")
    bound = site.listener["bound_address"]
    site.new_version("v2")
    site.refresh(min_healthy_percentage=100, max_healthy_percentage=200, instance_warmup=0)
    wait_for(lambda: len(site.instances(state="running")) >= 3, DEADLINE, "new instances up")
    assert cloud_server.process is not None
    kill9(cloud_server.process)
    cloud_server.process = None
    cloud_server.start()

    listener = ok(site.client.get(f"/api/v1/listeners/{site.listener['arn']}"))
    assert listener["bound_address"] == bound  # rebound on its recorded port
    done = wait_for(
        lambda: (
            site.last_refresh()["status"] not in ("Pending", "InProgress") and site.last_refresh()
        ),
        DEADLINE,
        "the refresh to end after the restart",
    )
    assert done["status"] == "Successful", done  # resumed (docs/cloud-api.md)
    wait_for(lambda: site.serving(2), DEADLINE, "the group converged")
    members = {i["id"] for i in site.group_doc()["instances"]}
    live = {i["id"] for i in site.instances(state="running")}
    assert live == members
    assert {i["launch_template_version"] for i in site.group_doc()["instances"]} == {"2"}
    assert {t["id"] for t in site.targets() if t["state"] == "healthy"} == members
    assert serving_instances(site.url) == members
    everything = ok(site.client.get("/api/v1/instances"))["items"]
    for inst in everything:
        if inst["id"] not in members:
            wait_for(
                lambda inst=inst: (
                    ok(site.client.get(f"/api/v1/instances/{inst['id']}"))["state"] == "terminated"
                ),
                DEADLINE,
                f"{inst['id']} terminated",
            )
            directory = cloud_server.data_dir / "instances" / inst["id"]
            assert processes_touching(directory) == [], f"{inst['id']} left processes"


def test_refresh_to_a_version_that_never_turns_healthy_fails_and_old_ones_serve(
    cloud_server: CloudServer,
) -> None:
    site = build(
        cloud_server.client,
        "sick",
        desired=2,
        health={"path": "/health.html"},
        extra='echo ok > "$DOCUMENT_ROOT/health.html"\n',
        health_check_grace_period=8,
    )
    wait_for(lambda: site.serving(2), DEADLINE, "2 instances healthy")
    old = {i["id"] for i in site.instances(state="running")}
    hammer = Hammer(site.url).start()
    try:
        hammer.wait_for(200)
        site.new_version("v2")  # writes no health.html: its checks get 404
        site.refresh(min_healthy_percentage=100, max_healthy_percentage=200, instance_warmup=1)
        done = wait_for(
            lambda: (
                site.last_refresh()["status"] not in ("Pending", "InProgress")
                and site.last_refresh()
            ),
            DEADLINE,
            "the refresh to fail",
        )
        wait_for(
            lambda: {i["id"] for i in site.instances(state="running")} == old,
            DEADLINE,
            "new ones gone",
        )
        hammer.wait_for(200)
    finally:
        outcomes = hammer.stop()
    assert done["status"] == "Failed", done
    reason = done["status_reason"]
    assert "failed ELB health checks (Target.ResponseCodeMismatch" in reason, reason
    assert "the old instances keep serving" in reason
    failures = hammer.failures()
    assert not failures, f"{len(failures)} of {len(outcomes)} failed: {describe(failures)}"
    assert all("<h1>v1</h1>" in o.body for o in outcomes)
    assert site.serving(2)
