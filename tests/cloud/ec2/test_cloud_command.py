"""``gitterra cloud``: tables and actions against a fake API serving docs/cloud-api.md's
documents (instances, groups, balancers are other services'), the event log and the server's
details against a real server, following output until Ctrl-C as a real process, and the errors
a person meets (no server, server gone, wrong token, unknown instance, bad usage)."""

from __future__ import annotations

import signal
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.clirun import run_cli
from tests.cloud.conftest import CliRunner, CloudServer, wait_for
from tests.cloud.ec2.fake_api import FakeApi, serving

INSTANCES = [
    {
        "id": "i-0bbbbbbbbbbbbbbbb",
        "state": "running",
        "health": "healthy",
        "group": "web",
        "private_ip": "127.0.1.3",
        "port": 8080,
        "instance_type": "t2.micro",
        "launched_at": "2026-11-26T10:05:00Z",
    },
    {
        "id": "i-0aaaaaaaaaaaaaaaa",
        "state": "terminated",
        "health": "healthy",  # the server keeps an ended instance's last status check
        "group": None,
        "private_ip": None,
        "port": None,
        "instance_type": "t3.small",
        "launched_at": "2026-11-26T10:00:00Z",
    },
]
GROUPS = [
    {
        "name": "web",
        "desired_capacity": 2,
        "min_size": 1,
        "max_size": 3,
        "launch_template": {"id": "lt-0123", "version": "$Latest"},
        "launch_configuration": None,
        "instances": [
            {"id": "i-1", "lifecycle_state": "InService"},
            {"id": "i-2", "lifecycle_state": "Pending"},
        ],
        "status": None,
    },
    {
        "name": "old",
        "desired_capacity": 0,
        "min_size": 0,
        "max_size": 1,
        "launch_template": None,
        "launch_configuration": "old-lc",
        "instances": [],
        "status": "Delete in progress",
    },
]
LB = "arn:aws:elasticloadbalancing:local-1:000000000000:loadbalancer/app/site/50dc6c495c0c9188"
TG = "arn:aws:elasticloadbalancing:local-1:000000000000:targetgroup/site/1234567890abcdef"


@pytest.fixture
def fake() -> Iterator[FakeApi]:
    with serving(FakeApi()) as api:
        yield api


@pytest.fixture
def cli(fake: FakeApi, tmp_path: Path) -> CliRunner:
    return CliRunner.to(fake.url, fake.token, tmp_path)


def lines(text: str) -> list[list[str]]:
    return [line.split() for line in text.strip().splitlines()]


def test_instances(fake: FakeApi, cli: CliRunner) -> None:
    fake.json("GET", "/api/v1/instances", {"items": INSTANCES})
    result = cli.run("cloud", "instances")
    assert result.code == 0, result.err
    header, first, second = lines(result.out)
    assert header == ["ID", "STATE", "HEALTH", "GROUP", "ADDRESS", "TYPE", "AGE"]
    assert first[:6] == ["i-0aaaaaaaaaaaaaaaa", "terminated", "-", "-", "-", "t3.small"]
    assert second[:6] == [
        "i-0bbbbbbbbbbbbbbbb",
        "running",
        "healthy",
        "web",
        "127.0.1.3:8080",
        "t2.micro",
    ]
    # Columns line up: each header starts where its cells start.
    rows = result.out.splitlines()
    assert rows[0].index("STATE") == rows[1].index("terminated") == rows[2].index("running")

    assert cli.run("cloud", "instances", "-group", "web", "--state=running").code == 0
    assert fake.seen[-1].query == {"group": "web", "state": "running"}


def test_no_instances(fake: FakeApi, cli: CliRunner) -> None:
    fake.json("GET", "/api/v1/instances", {"items": []})
    assert cli.run("cloud", "instances").out == "No instances.\n"


def test_groups(fake: FakeApi, cli: CliRunner) -> None:
    fake.json("GET", "/api/v1/autoscaling-groups", {"items": GROUPS})
    result = cli.run("cloud", "groups")
    assert result.code == 0, result.err
    assert result.out.splitlines()[0].split() == [
        "NAME",
        "DESIRED",
        "MIN",
        "MAX",
        "IN",
        "SERVICE",
        "LAUNCH",
        "STATUS",
    ]
    assert lines(result.out)[1:] == [
        ["web", "2", "1", "3", "1/2", "lt-0123:$Latest", "-"],
        ["old", "0", "0", "1", "0/0", "old-lc", "Delete", "in", "progress"],
    ]


def test_balancers(fake: FakeApi, cli: CliRunner) -> None:
    other = LB.replace("site/50dc", "idle/60dc")
    fake.json(
        "GET",
        "/api/v1/load-balancers",
        {
            "items": [
                {"arn": LB, "name": "site", "state": "active"},
                {"arn": other, "name": "idle", "state": "provisioning"},
            ]
        },
    )
    fake.json("GET", "/api/v1/target-groups", {"items": [{"arn": TG, "name": "site-tg"}]})
    fake.json(
        "GET",
        f"/api/v1/target-groups/{TG}/targets",
        {"items": [{"id": "i-1", "state": "healthy"}, {"id": "i-2", "state": "draining"}]},
    )
    listeners = [
        {
            "port": 8443,
            "protocol": "HTTP",
            "url": "http://127.0.0.1:40001",
            "default_action": {"type": "fixed-response", "status_code": "404"},
        },
        {
            "port": 80,
            "protocol": "HTTP",
            "url": "http://127.0.0.1:40000",
            "default_action": {"type": "forward", "target_group_arn": TG},
        },
    ]

    def by_balancer(query: dict[str, str], body: Any) -> tuple[int, Any]:
        del body
        return 200, {"items": listeners if query.get("load_balancer_arn") == LB else []}

    fake.routes[("GET", "/api/v1/listeners")] = by_balancer
    result = cli.run("cloud", "balancers")
    assert result.code == 0, result.err
    assert result.out.splitlines()[0].split() == ["NAME", "STATE", "LISTENER", "URL", "ACTION"]
    assert lines(result.out)[1:] == [
        [
            "site",
            "active",
            "HTTP:80",
            "http://127.0.0.1:40000",
            "forward",
            "to",
            "site-tg",
            "(1/2",
            "healthy)",
        ],
        ["site", "active", "HTTP:8443", "http://127.0.0.1:40001", "fixed", "response", "404"],
        ["idle", "provisioning", "-", "-", "-"],
    ]
    # The target group's ARN went into the path URL-encoded.
    assert any(s.path == f"/api/v1/target-groups/{TG}/targets" for s in fake.seen)


def test_no_balancers(fake: FakeApi, cli: CliRunner) -> None:
    fake.json("GET", "/api/v1/load-balancers", {"items": []})
    assert cli.run("cloud", "balancers").out == "No load balancers.\n"


def test_console(fake: FakeApi, cli: CliRunner) -> None:
    fake.json(
        "GET",
        "/api/v1/instances/i-1/console",
        {"text": "booting\nserving on 8080", "next_offset": 23},
    )
    result = cli.run("cloud", "console", "i-1")
    assert (result.code, result.out) == (0, "booting\nserving on 8080\n")
    assert fake.seen[-1].query == {"offset": "0"}


class Growing:
    """A console that gains one line per request until it has ``lines`` of them."""

    def __init__(self, count: int) -> None:
        self.text = "".join(f"line {i}\n" for i in range(count))
        self.served = 0
        self.lock = threading.Lock()

    def __call__(self, query: dict[str, str], body: Any) -> tuple[int, Any]:
        del body
        offset = int(query["offset"])
        with self.lock:
            end = self.text.find("\n", offset) + 1 if offset < len(self.text) else offset
            self.served = max(self.served, end)
        return 200, {"text": self.text[offset:end], "next_offset": end}


def test_console_follow_until_ctrl_c(fake: FakeApi, cli: CliRunner) -> None:
    console = Growing(5)
    fake.routes[("GET", "/api/v1/instances/i-1/console")] = console
    proc = cli.start("cloud", "console", "i-1", "-f")
    try:
        wait_for(
            lambda: console.served == len(console.text), 60, "the console to be read to its end"
        )
        # Still following: it keeps asking from the end.
        end = str(len(console.text))
        wait_for(
            lambda: [s.query.get("offset") for s in fake.seen].count(end) >= 2,
            60,
            "a poll at the end",
        )
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert out.decode() == console.text
    assert b"Traceback" not in err


def test_terminate(fake: FakeApi, cli: CliRunner) -> None:
    fake.json("POST", "/api/v1/instances/i-1/terminate", {"id": "i-1", "state": "shutting-down"})
    result = cli.run("cloud", "terminate", "i-1")
    assert (result.code, result.out) == (0, "i-1: terminating (state shutting-down)\n")
    assert (fake.seen[-1].method, fake.seen[-1].body) == ("POST", {})


def test_unknown_instance(fake: FakeApi, cli: CliRunner) -> None:
    fake.json(
        "POST",
        "/api/v1/instances/i-9/terminate",
        {"error": {"code": "NotFound", "message": "instance i-9 does not exist"}},
        404,
    )
    result = cli.run("cloud", "terminate", "i-9")
    assert (result.code, result.out) == (1, "")
    assert result.err == "Error: NotFound: instance i-9 does not exist\n"


def test_a_server_without_the_service(fake: FakeApi, cli: CliRunner) -> None:
    result = cli.run("cloud", "groups")
    assert result.code == 1
    assert (
        result.err
        == f"Error: the gitterra server at {fake.url} does not serve /autoscaling-groups (is it an older version?)\n"
    )


def test_wrong_token(fake: FakeApi, tmp_path: Path) -> None:
    result = CliRunner.to(fake.url, "stale-token", tmp_path).run("cloud", "instances")
    assert result.code == 1
    assert result.err.startswith(
        f"Error: the gitterra server at {fake.url} refused the token: set GITTERRA_TOKEN"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_server_not_running(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """server.json left behind by a server that is gone: the address refuses connections."""
    data = tmp_path / "data"
    data.mkdir()
    url = f"http://127.0.0.1:{_free_port()}"
    (data / "server.json").write_text(f'{{"url": "{url}", "pid": 1}}')
    (data / "token").write_text("gtr_x\n")
    for name in ("GITTERRA_ENDPOINT", "GITTERRA_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITTERRA_DATA_DIR", str(data))
    result = run_cli(["cloud", "instances"], tmp_path)
    assert result.code == 1
    assert result.err.startswith(f"Error: cannot reach the gitterra server at {url} (")
    assert result.err.endswith("is `gitterra server` running?\n")


def test_no_server_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GITTERRA_ENDPOINT", "GITTERRA_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITTERRA_DATA_DIR", str(tmp_path / "empty"))
    result = run_cli(["cloud", "instances"], tmp_path)
    assert result.code == 1
    assert result.err == (
        "Error: no gitterra server found: set GITTERRA_ENDPOINT and GITTERRA_TOKEN, or start "
        f"`gitterra server` (looked for {tmp_path / 'empty' / 'server.json'} and its token)\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [],
            "cloud needs a subcommand: info, instances, groups, balancers, console, terminate, events",
        ),
        (["bogus"], '"bogus" is not a cloud subcommand'),
        (["console"], "cloud console takes an instance ID"),
        (["terminate", "i-1", "i-2"], "cloud terminate takes an instance ID"),
        (["instances", "extra"], "cloud instances takes no arguments"),
        (["events", "-since", "x"], "-since"),
        (["instances", "-bogus"], "flag provided but not defined: -bogus"),
    ],
)
def test_usage_errors(cli: CliRunner, args: list[str], message: str) -> None:
    result = cli.run("cloud", *args)
    assert result.code == 2
    assert message in result.err
    assert result.out == ""


def test_help(cli: CliRunner) -> None:
    result = cli.run("cloud", "-help")
    assert result.code == 0
    assert result.out.startswith("Usage: gitterra cloud <subcommand> [options]")
    assert "console ID [-f]" in result.out
    assert "cloud" in cli.run("-help").out


# -- against a real server ---------------------------------------------------------------------


@pytest.mark.slow
def test_info_and_events_from_a_real_server(
    cloud_server: CloudServer, cloud_cli: CliRunner
) -> None:
    client = cloud_server.client
    assert client.post("/api/v1/security-groups", json={"name": "web"}).status_code == 201
    assert client.post("/api/v1/log-groups", json={"name": "/aws/site"}).status_code == 201

    info = cloud_cli.run("cloud", "info")
    assert info.code == 0, info.err
    assert f"server:             {cloud_server.url}\n" in info.out
    assert "region:             local-1\n" in info.out
    assert "availability zones: local-1a, local-1b\n" in info.out

    events = cloud_cli.run("cloud", "events")
    assert events.code == 0, events.err
    assert "security-group" in events.out
    assert events.out.index("security group web created") < events.out.index(
        "log group /aws/site created"
    )
    only_logs = cloud_cli.run("cloud", "events", "-kind", "log-group")
    assert only_logs.out.strip().endswith("/aws/site  log group /aws/site created")
    assert "security group" not in only_logs.out
    last = int(events.out.strip().splitlines()[-1].split()[2])
    assert cloud_cli.run("cloud", "events", "-since", str(last)).out == "No events.\n"


@pytest.mark.slow
def test_found_through_the_data_dir(
    cloud_server: CloudServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("GITTERRA_ENDPOINT", "GITTERRA_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GITTERRA_DATA_DIR", str(cloud_server.data_dir))
    result = run_cli(["cloud", "info"], tmp_path)
    assert result.code == 0, result.err
    assert cloud_server.url in result.out


@pytest.mark.slow
def test_wrong_token_on_a_real_server(cloud_server: CloudServer, tmp_path: Path) -> None:
    result = CliRunner.to(cloud_server.url, "gtr_wrong", tmp_path).run("cloud", "events")
    assert result.code == 1
    assert "refused the token" in result.err


class Reader:
    """Collects a process's output in a thread, so a test can wait for text without blocking."""

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc
        self.text = ""
        assert proc.stdout is not None
        self.thread = threading.Thread(target=self._read, args=(proc.stdout,), daemon=True)
        self.thread.start()

    def _read(self, stream: Any) -> None:
        for line in iter(stream.readline, b""):
            self.text += line.decode()


@pytest.mark.slow
def test_events_follow_until_ctrl_c(cloud_server: CloudServer, cloud_cli: CliRunner) -> None:
    client: httpx.Client = cloud_server.client
    client.post("/api/v1/log-groups", json={"name": "before"})
    proc = cloud_cli.start("cloud", "events", "-f", "-kind", "log-group")
    reader = Reader(proc)
    try:
        wait_for(lambda: "log group before created" in reader.text, 60, "the existing event")
        client.post("/api/v1/log-groups", json={"name": "after"})
        wait_for(lambda: "log group after created" in reader.text, 60, "the new event")
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.thread.join(timeout=30)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    assert [line.split()[-1] for line in reader.text.splitlines()] == ["created", "created"]
