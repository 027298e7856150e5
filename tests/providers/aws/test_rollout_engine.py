"""The local cloud's must-shows through plan and apply of a module (the real engine, the aws
provider, a real ``gitterra server``): capacity 2 → 3 → 1; a page change rolled out under 20
keep-alive clients with no failed request and only the new page once apply returns; the server
killed with SIGKILL in the middle of a rolling update, restarted, converging until a plan shows
no change; and a health check that never passes failing the apply while the old instances
serve."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cloud.autoscaling.site import kill9
from tests.cloud.conftest import CloudServer, running_server, wait_for
from tests.providers.aws.stack import MODULE, Stack, actions
from tests.providers.aws.test_real_server import provider_for

pytestmark = pytest.mark.slow

#: Generous: instances boot real processes on a loaded 2-core machine.
DEADLINE = 180.0
CLIENTS = 20


@pytest.fixture
def server(tmp_path: Path) -> Any:
    with running_server(tmp_path) as running:
        yield running


class Clients:
    """``CLIENTS`` keep-alive clients requesting ``url`` without pause; every answer counted,
    and those after ``mark()`` counted apart."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.failures: list[str] = []
        self.seen: Counter[str] = Counter()
        self.after: Counter[str] = Counter()
        self.marked = False
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(CLIENTS)]

    def __enter__(self) -> Clients:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=30)

    def mark(self) -> None:
        with self._lock:
            self.marked = True

    def _run(self) -> None:
        with httpx.Client(timeout=30) as client:
            while not self._stop.is_set():
                try:
                    r = client.get(self.url)
                    text = r.text.strip() if r.status_code == 200 else f"HTTP {r.status_code}"
                except httpx.HTTPError as exc:
                    text = f"{type(exc).__name__}"
                with self._lock:
                    if text.startswith("<h1>"):
                        self.seen[text] += 1
                        if self.marked:
                            self.after[text] += 1
                    else:
                        self.failures.append(text)


def test_capacity_and_a_rollout_under_twenty_clients(server: CloudServer, tmp_path: Path) -> None:
    stack = Stack(tmp_path / "infra", lambda: provider_for(server))
    stack.apply()
    url = stack.output("url")
    for capacity in (3, 1):
        changed = stack.apply(desired_capacity=capacity)
        assert actions(changed) == {"aws_autoscaling_group.web": "UPDATE"}
        counts = server.client.get("/api/v1/autoscaling-groups/web/capacity").json()
        assert (counts["in_service"], counts["healthy_in_target_groups"]) == (capacity, capacity)
    stack.apply(desired_capacity=2)
    with Clients(url) as clients:
        wait_for(lambda: clients.seen.total() > 50, DEADLINE, "the clients to be answered")
        stack.apply(desired_capacity=2, page="Bear")
        clients.mark()  # apply has returned: from now on only the Bear
        wait_for(lambda: clients.after.total() > 200, DEADLINE, "answers after the apply")
    assert clients.failures == [], Counter(clients.failures)
    assert set(clients.seen) == {"<h1>Fox</h1>", "<h1>Bear</h1>"}
    assert set(clients.after) == {"<h1>Bear</h1>"}, clients.after


def test_server_killed_during_a_rolling_update_converges(
    server: CloudServer, tmp_path: Path
) -> None:
    stack = Stack(tmp_path / "infra", lambda: provider_for(server))
    stack.apply()
    url = stack.output("url")
    outcome: dict[str, Any] = {}

    def roll() -> None:
        try:
            stack.apply(failing=True, page="Bear")
        except AssertionError as exc:  # it may also finish before the kill: both are fine
            outcome["error"] = exc

    applying = threading.Thread(target=roll)
    applying.start()
    client = server.client
    wait_for(
        lambda: any(
            r["status"] == "InProgress"
            for r in client.get("/api/v1/autoscaling-groups/web/instance-refreshes").json()["items"]
        ),
        DEADLINE,
        "the instance refresh to start",
    )
    assert server.process is not None
    kill9(server.process)
    server.process = None
    applying.join(timeout=DEADLINE)
    assert not applying.is_alive()
    server.start()
    wait_for(
        lambda: (
            client.get("/api/v1/autoscaling-groups/web/instance-refreshes").json()["items"][0][
                "status"
            ]
            == "Successful"
        ),
        DEADLINE,
        "the refresh to finish after the restart",
    )
    wait_for(lambda: "<h1>Bear</h1>" in _page(url), DEADLINE, "the new page")
    the_plan, diags = stack.plan(page="Bear")
    assert not diags.has_errors, [str(d) for d in diags]
    if actions(the_plan):  # the interrupted apply recorded less than happened: apply once more
        stack.apply(page="Bear")
        the_plan, _ = stack.plan(page="Bear")
    assert actions(the_plan) == {}, "state and the cloud agree"
    live = client.get("/api/v1/instances", params={"state": "running"}).json()["items"]
    assert len(live) == 2


def test_a_health_check_that_never_passes_fails_the_apply(
    server: CloudServer, tmp_path: Path
) -> None:
    stack = Stack(tmp_path / "infra", lambda: provider_for(server), _with_refresh_deadline(MODULE))
    stack.apply()
    url = stack.output("url")
    broken = stack.path / "main.tf"
    # The new version's boot script removes the page the health check asks for.
    text = broken.read_text().replace(
        'echo "<h1>${var.page}</h1>" > "$DOCUMENT_ROOT/index.html"',
        'echo "<h1>${var.page}</h1>" > "$DOCUMENT_ROOT/other.html"',
    )
    broken.write_text(text)
    with Clients(url) as clients:
        stack.apply(failing=True, page="Bear")
    messages = [f"{d.summary}: {d.detail}" for d in stack.diags.errors]
    assert any(
        "instance refresh" in m and "failed ELB health checks" in m and "keep serving" in m
        for m in messages
    ), messages
    assert clients.failures == [], Counter(clients.failures)
    assert "<h1>Fox</h1>" in _page(url), "the old instances still serve"


def _with_refresh_deadline(module: str) -> str:
    """The stack with a short grace period, so a never-healthy version fails in seconds."""
    return module.replace("health_check_grace_period = 60", "health_check_grace_period = 5")


def _page(url: str) -> str:
    try:
        return httpx.get(url, timeout=10).text
    except httpx.HTTPError:
        return ""
