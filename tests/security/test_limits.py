"""Abuse limits on the real server: 413 for bodies over a family's limit (declared or streamed),
429 with ``Retry-After`` per source and family, and a flood of webhook deliveries that starves
neither the balancer (it runs on the server's event loop) nor a build."""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gitterra.server import _limits
from tests.cloud.codebuild.conftest import B, P, log_of, wait_build
from tests.cloud.conftest import wait_for
from tests.security.conftest import Secured, error_of, secured_server

SG = "/api/v1/security-groups"
MIB = 1024 * 1024


def test_bodies_over_the_limit_are_refused_unread(secured: Secured) -> None:
    big = b'{"name": "' + b"x" * MIB + b'"}'
    r = secured.client.post(SG, content=big, headers={"Content-Type": "application/json"})
    message = error_of(r, 413, "PayloadTooLarge")
    assert message == (
        f"the request body is {len(big)} bytes; the api endpoints take at most {MIB} bytes"
    )

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is counted as it streams
        yield b'{"name": "'
        for _ in range(20):
            yield b"y" * (64 * 1024)
        yield b'"}'

    r = secured.client.post(SG, content=chunks(), headers={"Content-Type": "application/json"})
    assert "take at most 1048576 bytes" in error_of(r, 413, "PayloadTooLarge")
    assert secured.client.get(SG).json()["items"] == []
    small = secured.client.post(SG, json={"name": "small"})
    assert small.status_code == 201, "the server goes on serving"


@pytest.fixture
def tight(tmp_path: Path) -> Iterator[Secured]:
    rates = {**_limits.DEFAULT_RATES, "api": _limits.Rate(2, 3), "webhooks": _limits.Rate(1, 2)}
    bodies = {**_limits.DEFAULT_BODIES, "state": 1024}
    with secured_server(tmp_path, _limits.Limits(rates, bodies)) as server:
        yield server


def test_each_source_and_family_has_its_own_rate(tight: Secured) -> None:
    answers = [tight.client.get(SG) for _ in range(6)]
    limited = [r for r in answers if r.status_code == 429]
    assert limited, [r.status_code for r in answers]
    assert answers[0].status_code == 200
    message = error_of(limited[0], 429, "LimitExceeded")
    assert message == (
        "too many requests from 127.0.0.1 to the api endpoints (at most 2 a second, bursts "
        "of 3): retry later"
    )
    assert limited[0].headers["Retry-After"] == "1"
    # the state endpoint and the webhooks draw on buckets of their own
    state = tight.client.get("/state/web/terraform")
    assert state.status_code == 204, state.text
    hooks = [tight.client.post("/webhooks/github/wh-none", content=b"{}") for _ in range(4)]
    assert [r.status_code for r in hooks][:2] == [404, 404]
    assert hooks[-1].status_code == 429
    assert "to the webhooks endpoints" in error_of(hooks[-1], 429, "LimitExceeded")
    # the bucket refills
    wait_for(lambda: tight.client.get(SG).status_code == 200, 30, "the api bucket to refill")


def test_state_bodies_have_their_own_limit(tight: Secured) -> None:
    body = b'{"version": 4, "pad": "' + b"z" * 2048 + b'"}'
    r = tight.client.post("/state/web/terraform", content=body)
    assert "the state endpoints take at most 1024 bytes" in error_of(r, 413, "PayloadTooLarge")
    assert tight.client.get("/state/web/terraform").status_code == 204, "nothing was stored"


# -- a delivery flood ---------------------------------------------------------------------------

FLOOD_SECONDS = 6.0
FLOOD_THREADS = 6
WAITER = """version: 0.2
phases:
  build:
    commands:
      - gitterra cloud events -kind nothing
      - echo built-during-the-flood
"""


def _balancer(secured: Secured) -> str:
    lb = secured.client.post("/api/v1/load-balancers", json={"name": "front"}).json()
    action = {"type": "fixed-response", "status_code": "200", "message_body": "still here"}
    body = {"load_balancer_arn": lb["arn"], "port": 80, "default_action": action}
    listener = secured.client.post("/api/v1/listeners", json=body)
    assert listener.status_code == 201, listener.text
    return str(listener.json()["url"])


def _flood(url: str, stop: threading.Event, statuses: Counter[int]) -> None:
    payload = b'{"ref": "refs/heads/main"}'
    headers = {"X-GitHub-Event": "push", "Content-Type": "application/json"}
    with httpx.Client(timeout=30) as client:
        deadline = time.monotonic() + FLOOD_SECONDS
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                r = client.post(f"{url}/webhooks/github/wh-flood", content=payload, headers=headers)
            except httpx.TransportError:
                statuses[0] += 1
                continue
            statuses[r.status_code] += 1
            if r.status_code == 429:
                assert r.headers["Retry-After"].isdigit()


def test_a_delivery_flood_starves_neither_the_balancer_nor_builds(secured: Secured) -> None:
    site = _balancer(secured)
    project = {
        "name": "busy",
        "source": {"type": "NO_SOURCE", "buildspec": WAITER},
        "environment": {
            "compute_type": "BUILD_GENERAL1_SMALL",
            "image": "aws/codebuild/standard:7.0",
            "type": "LINUX_CONTAINER",
        },
        "artifacts": {"type": "NO_ARTIFACTS"},
        "service_role": "arn:aws:iam::000000000000:role/codebuild",
    }
    assert secured.client.post(P, json=project).status_code == 201
    stop, statuses = threading.Event(), Counter[int]()
    flooders = [
        threading.Thread(target=_flood, args=(secured.url, stop, statuses), name=f"flood-{i}")
        for i in range(FLOOD_THREADS)
    ]
    began = time.monotonic()
    for thread in flooders:
        thread.start()
    try:
        wait_for(lambda: statuses[429] > 0, 60, "the flood to be refused for rate")
        build = secured.client.post(B, json={"project_name": "busy"}).json()
        answers, latencies = _browse(site, lambda: sum(statuses.values()) > 0 and not all(
            not t.is_alive() for t in flooders
        ))  # fmt: skip
    finally:
        stop.set()
        for thread in flooders:
            thread.join(60)
    elapsed = time.monotonic() - began
    done = wait_build(secured.client, build["id"])
    assert done["status"] == "SUCCEEDED", log_of(secured.client, build["id"])
    assert "built-during-the-flood" in log_of(secured.client, build["id"])
    assert answers, "the balancer was asked during the flood"
    assert set(answers) == {"200 still here"}, Counter(answers)
    assert statistics.median(latencies) < 0.5, statistics.median(latencies)
    assert max(latencies) < 5.0, max(latencies)
    assert statuses[0] == 0, "no delivery went unanswered"
    rate = _limits.DEFAULT_RATES["webhooks"]
    assert rate is not None
    assert statuses[429] > statuses[404], statuses
    assert statuses[404] <= rate.burst + rate.per_second * (elapsed + 1), (statuses, elapsed)
    recorded = secured.client.get("/api/v1/codebuild/deliveries", params={"limit": 1000})
    assert len(recorded.json()["items"]) == statuses[404], "refused floods leave no records"


def _browse(site: str, flooding: Any) -> tuple[list[str], list[float]]:
    """Ask the balancer while the flood lasts: answers and their latencies."""
    answers: list[str] = []
    latencies: list[float] = []
    with httpx.Client(timeout=30) as client:
        while flooding() and len(answers) < 2000:
            began = time.monotonic()
            try:
                r = client.get(site)
                answers.append(f"{r.status_code} {r.text}")
            except httpx.TransportError as exc:
                answers.append(f"error {exc!r}")
            latencies.append(time.monotonic() - began)
    return answers, latencies
