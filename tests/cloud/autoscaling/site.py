"""A real site on a real server, built through the API: a launch template of the static-site
image whose ``user_data`` writes a page, a target group with quick health checks, a load
balancer with a listener forwarding to it, and an auto scaling group. Plus :class:`Hammer`,
keep-alive clients that request the listener without pause and record every outcome, and
:func:`kill9`, a server crash.

Used by tests/cloud/test_rollout.py and benchmarks/rollout.py.
"""

from __future__ import annotations

import asyncio
import base64
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

#: A page that names its version and the instance serving it.
PAGE = 'printf "<h1>%s</h1><p>%s</p>\\n" "{version}" "$INSTANCE_ID" > "$DOCUMENT_ROOT/index.html"\n'

#: Quick health checks: healthy after two passes 0.5 s apart.
HEALTH = {"interval": 0.5, "timeout": 0.4, "healthy_threshold": 2, "unhealthy_threshold": 2}


def user_data(version: str, extra: str = "") -> str:
    script = PAGE.format(version=version) + extra
    return base64.b64encode(script.encode()).decode()


def arn_path(arn: str) -> str:
    return quote(arn, safe="")


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    return response.json() if response.content else None


@dataclass
class Site:
    """What :func:`build` made (names are prefixed with the site's name)."""

    client: httpx.Client
    name: str
    image_id: str
    template: dict[str, Any]
    target_group: dict[str, Any]
    balancer: dict[str, Any]
    listener: dict[str, Any]
    group: str

    @property
    def url(self) -> str:
        return str(self.listener["url"])

    def new_version(self, version: str, extra: str = "") -> int:
        """A new launch template version writing the page ``version``; its number."""
        body = {"image_id": self.image_id, "instance_type": "t3.micro"}
        body["user_data"] = user_data(version, extra)
        doc = ok(
            self.client.post(f"/api/v1/launch-templates/{self.template['id']}/versions", json=body),
            201,
        )
        return int(doc["latest_version"])

    def capacity(self, group: str | None = None) -> dict[str, int]:
        return dict(
            ok(self.client.get(f"/api/v1/autoscaling-groups/{group or self.group}/capacity"))
        )

    def serving(self, count: int, group: str | None = None) -> bool:
        cap = self.capacity(group)
        return cap["in_service"] == count and cap["healthy_in_target_groups"] == count

    def instances(self, group: str | None = None, state: str | None = None) -> list[dict[str, Any]]:
        params = {"group": group or self.group}
        if state:
            params["state"] = state
        return list(ok(self.client.get("/api/v1/instances", params=params))["items"])

    def targets(self) -> list[dict[str, Any]]:
        path = f"/api/v1/target-groups/{arn_path(self.target_group['arn'])}/targets"
        return list(ok(self.client.get(path))["items"])

    def refresh(self, **preferences: Any) -> dict[str, Any]:
        path = f"/api/v1/autoscaling-groups/{self.group}/instance-refreshes"
        return dict(ok(self.client.post(path, json={"preferences": preferences}), 201))

    def last_refresh(self) -> dict[str, Any]:
        path = f"/api/v1/autoscaling-groups/{self.group}/instance-refreshes"
        return dict(ok(self.client.get(path))["items"][0])

    def group_doc(self, group: str | None = None) -> dict[str, Any]:
        return dict(ok(self.client.get(f"/api/v1/autoscaling-groups/{group or self.group}")))

    def set_desired(self, desired: int) -> None:
        ok(
            self.client.patch(
                f"/api/v1/autoscaling-groups/{self.group}", json={"desired_capacity": desired}
            )
        )


def static_site_image(client: httpx.Client) -> str:
    images = ok(client.get("/api/v1/images", params={"name": "gitterra-static-site-*"}))["items"]
    return str(images[0]["id"])


def build(
    client: httpx.Client,
    name: str = "web",
    desired: int = 2,
    health: dict[str, Any] | None = None,
    extra: str = "",
    **group: Any,
) -> Site:
    """Template (its first version writes the page "v1", then runs ``extra``), target group
    (``health`` over :data:`HEALTH`), balancer, listener (port 80) and a group of
    ``desired``."""
    image_id = static_site_image(client)
    first = {"image_id": image_id, "instance_type": "t3.micro", "user_data": user_data("v1", extra)}
    template = ok(client.post("/api/v1/launch-templates", json={"name": name, **first}), 201)
    check = {**HEALTH, **(health or {})}
    tg = ok(
        client.post(
            "/api/v1/target-groups",
            json={"name": name, "port": 80, "deregistration_delay": 30, "health_check": check},
        ),
        201,
    )
    lb = ok(client.post("/api/v1/load-balancers", json={"name": name}), 201)
    listener = ok(
        client.post(
            "/api/v1/listeners",
            json={
                "load_balancer_arn": lb["arn"],
                "port": 80,
                "default_action": {"type": "forward", "target_group_arn": tg["arn"]},
            },
        ),
        201,
    )
    site = Site(client, name, image_id, template, tg, lb, listener, name)
    add_group(site, name, desired, **group)
    return site


def add_group(site: Site, name: str, desired: int, **over: Any) -> dict[str, Any]:
    body = {
        "name": name,
        "min_size": 0,
        "max_size": 20,
        "desired_capacity": desired,
        "launch_template": {"id": site.template["id"], "version": "$Latest"},
        "target_group_arns": [site.target_group["arn"]],
        "health_check_type": "ELB",
        "health_check_grace_period": 60,
        **over,
    }
    return dict(ok(site.client.post("/api/v1/autoscaling-groups", json=body), 201))


@dataclass
class Outcome:
    sent: float
    done: float
    status: int
    body: str
    error: str = ""


@dataclass
class Hammer:
    """``clients`` keep-alive HTTP clients requesting ``url`` back to back, in a thread of
    their own, until :meth:`stop` (or ``limit`` seconds: it stops by itself)."""

    url: str
    clients: int = 20
    limit: float = 600.0
    outcomes: list[Outcome] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> Hammer:
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> list[Outcome]:
        self._stop.set()
        assert self._thread is not None
        self._thread.join(timeout=120)
        assert not self._thread.is_alive(), "load clients did not stop"
        return self.outcomes

    def failures(self) -> list[Outcome]:
        return [o for o in list(self.outcomes) if o.status != 200 or o.error]

    def wait_for(self, count: int, timeout: float = 60.0) -> None:
        """Until ``count`` more requests have completed (the load is flowing)."""
        start = len(self.outcomes)
        deadline = time.monotonic() + timeout
        while len(self.outcomes) < start + count:
            assert time.monotonic() < deadline, "the load clients make no progress"
            time.sleep(0.01)

    async def _main(self) -> None:
        deadline = time.monotonic() + self.limit
        await asyncio.gather(*(self._worker(deadline) for _ in range(self.clients)))

    async def _worker(self, deadline: float) -> None:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(limits=limits, timeout=30) as client:
            while not self._stop.is_set() and time.monotonic() < deadline:
                sent = time.monotonic()
                try:
                    r = await client.get(self.url)
                    self.outcomes.append(Outcome(sent, time.monotonic(), r.status_code, r.text))
                except httpx.HTTPError as exc:
                    self.outcomes.append(Outcome(sent, time.monotonic(), 0, "", repr(exc)))


def kill9(process: Any) -> None:
    """SIGKILL the server process only (its instances live in sessions of their own)."""
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)


def poll(condition: Callable[[], Any], timeout: float, what: str, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(interval)
