"""Instances as real process trees, through the compute service's Python interface (the one the
autoscaling and load balancer services use): boot, serve, console, fail, end."""

from __future__ import annotations

import hashlib
import os
import signal
import socket
import time
from pathlib import Path

import httpx
import pytest

from gitterra.cloud import Cloud, NotFound, ValidationError
from gitterra.cloud.compute import LaunchSpec, _limits, _procs
from tests.cloud.compute.conftest import HTTP_SERVER, PAGE, PROCESS, STATIC, Harness, harness, url
from tests.cloud.conftest import processes_touching, wait_for

pytestmark = pytest.mark.slow

DOCUMENTED_ENV = {
    "INSTANCE_ID",
    "PRIVATE_IP",
    "PORT",
    "GITTERRA_ENDPOINT",
    "IMAGE_ID",
    "INSTANCE_TYPE",
    "AWS_REGION",
    "PATH",
    "HOME",
    "LANG",
}
BASH_ADDS = {"PWD", "SHLVL", "_", "OLDPWD"}


def gone(compute: Harness, doc: dict[str, object]) -> bool:
    """Nothing runs in (or mentions) the instance's directory."""
    return not processes_touching(compute.data_dir / "instances" / str(doc["id"]))


def test_static_site_instance_serves_its_page(compute: Harness) -> None:
    doc = compute.launch(STATIC, b"echo booting\n" + PAGE, tags={"Name": "web"})
    assert doc["state"] == "pending"
    assert doc["private_ip"].startswith("127.0.1.")
    assert doc["tags"] == {"Name": "web"}
    running = compute.wait_state(doc["id"], "running")
    assert running["pid"] == doc["pid"]
    r = httpx.get(url(running))
    assert (r.status_code, r.text) == (200, "<h1>Fox</h1>\n")
    assert r.headers["x-instance-id"] == doc["id"]  # which instance answered, seen anywhere
    directory = compute.data_dir / "instances" / doc["id"]
    assert (directory / "www" / "index.html").is_file()
    console = compute.console(doc["id"])["text"]
    assert "booting" in console
    assert "starting the static server" in console
    assert all(line[:4].isdigit() and line[23] == "Z" for line in console.splitlines())
    states = [c["state"] for c in compute.changes if c["id"] == doc["id"]]
    assert states == ["pending", "running"]
    events = compute.call(
        lambda: compute.cloud.store.events(kind="instance") if compute.cloud else []
    )
    assert any(e["subject"] == doc["id"] and "launched" in e["message"] for e in events)
    compute.terminate(doc["id"])
    ended = compute.get(doc["id"])
    assert ended["state"] == "terminated"
    assert ended["terminated_at"] is not None
    assert [c["state"] for c in compute.changes if c["id"] == doc["id"]][-2:] == [
        "shutting-down",
        "terminated",
    ]
    assert gone(compute, doc)
    assert "terminated" in compute.console(doc["id"])["text"]  # kept after termination


def test_process_image_runs_user_data_as_its_server(compute: Harness) -> None:
    doc = compute.wait_state(compute.launch(PROCESS, HTTP_SERVER)["id"], "running")
    r = httpx.get(url(doc))
    assert r.status_code == 200
    assert "Directory listing" in r.text
    compute.terminate(doc["id"])
    assert gone(compute, doc)


def test_boot_environment_is_exactly_the_documented_one(compute: Harness) -> None:
    # env(1) prints what bash passes on: the instance's environment plus bash's own PWD etc.
    doc = compute.launch(STATIC, b"env | sed 's/^/ENV /'\n" + PAGE, instance_type="t3.small")
    compute.wait_state(doc["id"], "running")
    lines = [
        x.split(" ENV ", 1)[1]
        for x in compute.console(doc["id"])["text"].splitlines()
        if " ENV " in x
    ]
    env = dict(line.split("=", 1) for line in lines)
    assert set(env) - BASH_ADDS == DOCUMENTED_ENV | {"DOCUMENT_ROOT"}
    assert env["INSTANCE_ID"] == doc["id"]
    assert (env["PRIVATE_IP"], env["PORT"]) == (doc["private_ip"], str(doc["port"]))
    assert env["DOCUMENT_ROOT"] == str(compute.data_dir / "instances" / doc["id"] / "www")
    assert (env["IMAGE_ID"], env["INSTANCE_TYPE"], env["AWS_REGION"]) == (
        STATIC,
        "t3.small",
        "local-1",
    )
    assert env["GITTERRA_ENDPOINT"] == "http://127.0.0.1:9"
    compute.terminate(doc["id"])


def test_console_pages_by_offset(compute: Harness) -> None:
    # ~400 KiB of output with multi-byte characters: more than one page, so pages must split
    # between characters and resume exactly where the previous one stopped.
    script = b"for i in $(seq 1 4000); do echo \"line $i \xc3\xa9\xe2\x82\xac\xf0\x9f\xa6\x8a $(printf '%060d' $i)\"; done\n"
    doc = compute.launch(STATIC, script + PAGE)
    compute.wait_state(doc["id"], "running")
    path = compute.data_dir / "instances" / doc["id"] / "console.log"
    text, offset, pages = "", 0, 0
    while True:
        page = compute.console(doc["id"], offset)
        if page["next_offset"] == offset:
            break
        text, offset, pages = text + page["text"], page["next_offset"], pages + 1
    assert pages >= 2
    assert text == path.read_bytes()[:offset].decode()
    assert "line 4000 é€🦊" in text
    assert "\ufffd" not in text
    size = path.stat().st_size
    for bad in (-1, size + 1):
        with pytest.raises(ValidationError) as info:
            compute.console(doc["id"], bad)
        assert info.value.field == "offset"
    compute.terminate(doc["id"])


def test_failing_boot_script_fails_the_instance(compute: Harness) -> None:
    doc = compute.launch(STATIC, b"echo 'cannot fetch the site' >&2\nsleep 60 &\nexit 3\n")
    ended = compute.wait_state(doc["id"], "terminated")
    assert ended["state_reason"] == "Client.UserDataFailed: boot script exited 3"
    assert ended["health"] == "unhealthy"
    assert "cannot fetch the site" in compute.console(doc["id"])["text"]
    states = [c["state"] for c in compute.changes if c["id"] == doc["id"]]
    assert states == ["pending", "shutting-down", "terminated"]
    assert gone(compute, doc)  # the background sleep went too


def test_killed_instance_process_ends_the_instance(compute: Harness) -> None:
    doc = compute.wait_state(compute.launch(PROCESS, HTTP_SERVER)["id"], "running")
    os.kill(doc["pid"], signal.SIGKILL)
    ended = compute.wait_state(doc["id"], "terminated")
    assert "killed by signal 9 (SIGKILL)" in ended["state_reason"]
    wait_for(lambda: gone(compute, doc), 30, "the instance's server to be stopped too")


def test_user_server_that_dies_ends_the_instance(compute: Harness) -> None:
    doc = compute.wait_state(
        compute.launch(PROCESS, b'python3 -m http.server "$PORT" --bind "$PRIVATE_IP"\n')["id"],
        "running",
    )
    children = [
        p
        for p, cmd in processes_touching(compute.data_dir / "instances" / doc["id"])
        if "http.server" in cmd
    ]
    assert children
    os.kill(children[0], signal.SIGKILL)
    ended = compute.wait_state(doc["id"], "terminated")
    assert ended["state_reason"] == (
        "Client.InstanceInitiatedShutdown: the main process (user_data) exited with status 137"
    )


def test_terminate_lets_an_in_flight_request_finish(compute: Harness) -> None:
    size = 24 * 1024 * 1024
    script = f'head -c {size} /dev/urandom > "$DOCUMENT_ROOT/big.bin"\n'.encode()
    doc = compute.wait_state(compute.launch(STATIC, script + PAGE)["id"], "running")
    expected = hashlib.sha256(
        (compute.data_dir / "instances" / doc["id"] / "www" / "big.bin").read_bytes()
    ).hexdigest()
    with httpx.Client(timeout=60) as client, client.stream("GET", url(doc, "/big.bin")) as r:
        chunks = iter(r.iter_bytes(65536))
        received = bytearray(next(chunks))
        shutting = compute.call(lambda: compute.svc.request_terminate(doc["id"], "rolled"))
        assert shutting["state"] == "shutting-down"

        def refused() -> bool:
            try:
                socket.create_connection((doc["private_ip"], doc["port"]), timeout=5).close()
            except ConnectionRefusedError:
                return True
            return False

        wait_for(refused, 30, "the instance to stop accepting connections")
        assert compute.get(doc["id"])["state"] == "shutting-down"
        for chunk in chunks:
            received.extend(chunk)
    assert len(received) == size
    assert hashlib.sha256(received).hexdigest() == expected
    ended = compute.wait_state(doc["id"], "terminated")
    assert ended["state_reason"] == "rolled"
    compute.terminate(doc["id"])  # idempotent
    assert compute.get(doc["id"])["state_reason"] == "rolled"


def test_sigterm_ignored_means_sigkill_after_the_grace_period(compute: Harness) -> None:
    script = (
        b"trap '' TERM\n"
        b"setsid sleep 600 &\n"  # leaves the process group: found by its INSTANCE_ID
        b"exec python3 -c 'import signal, http.server as h; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        b"h.HTTPServer((\"'$PRIVATE_IP'\", '$PORT'), h.SimpleHTTPRequestHandler).serve_forever()'\n"
    )
    doc = compute.wait_state(compute.launch(PROCESS, script)["id"], "running")
    started = time.monotonic()
    compute.terminate(doc["id"], "replaced")
    elapsed = time.monotonic() - started
    assert elapsed >= 3.0  # the grace period of the module's service
    assert compute.get(doc["id"])["state"] == "terminated"
    assert gone(compute, doc)


def _sleeper(instance_id: str) -> int:
    """The host pid of the instance's ``sleep 600`` (pids inside a confined instance are its
    pid namespace's own)."""
    for pid in _procs.with_env("INSTANCE_ID", instance_id):
        if Path(f"/proc/{pid}/cmdline").read_bytes() == b"sleep\x00600\x00":
            return pid
    raise AssertionError(f"no sleep 600 in {instance_id}")


def test_instance_type_limits_are_applied(compute: Harness) -> None:
    script = b"sleep 600 &\n" + PAGE
    small = compute.wait_state(
        compute.launch(STATIC, script, instance_type="t2.nano")["id"], "running"
    )
    large = compute.wait_state(
        compute.launch(STATIC, script, instance_type="t3.large")["id"], "running"
    )
    kind = compute.call(lambda: compute.svc._cpu.kind)
    for doc, memory_mib, vcpus in ((small, 512, 1), (large, 8192, 2)):
        sleeper = _sleeper(doc["id"])
        for pid in (doc["pid"], sleeper):
            limits = Path(f"/proc/{pid}/limits").read_text()
            line = next(x for x in limits.splitlines() if x.startswith("Max address space"))
            expected = (memory_mib + 256) * 1024 * 1024
            assert line.split()[3:5] == [str(expected), str(expected)]
            if kind == "nice":
                assert (
                    int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16]) == 10
                )
            else:
                cgroup = Path(f"/proc/{pid}/cgroup").read_text()
                assert doc["id"] in cgroup
        if kind == "cgroup1":
            group = next(
                x.split(":", 2)[2]
                for x in Path(f"/proc/{doc['pid']}/cgroup").read_text().splitlines()
                if "cpu" in x.split(":")[1].split(",")
            )
            quota = Path("/sys/fs/cgroup/cpu" + group) / "cpu.cfs_quota_us"
            assert quota.read_text().strip() == str(vcpus * 100000)
        console = compute.console(doc["id"])["text"]
        assert f"address space {memory_mib + 256} MiB per process" in console
    for doc in (small, large):
        compute.terminate(doc["id"])
        assert gone(compute, doc)


def test_addresses_are_unique_and_reused(compute: Harness) -> None:
    first = compute.launch(STATIC, PAGE)
    second = compute.launch(STATIC, PAGE)
    assert first["private_ip"] != second["private_ip"]
    live = compute.call(lambda: compute.svc.find(states={"pending", "running", "shutting-down"}))
    assert len({d["private_ip"] for d in live}) == len(live)
    compute.wait_state(first["id"], "running")
    compute.terminate(first["id"])
    third = compute.launch(STATIC, PAGE)
    assert third["private_ip"] == first["private_ip"]
    for doc in (second, third):
        compute.terminate(doc["id"])


def test_find_filters_by_group_and_state(compute: Harness) -> None:
    a = compute.launch(STATIC, PAGE, group="asg-a")
    b = compute.launch(STATIC, PAGE, group="asg-b")
    compute.wait_state(a["id"], "running")
    compute.wait_state(b["id"], "running")
    found = compute.call(lambda: compute.svc.find(group="asg-a"))
    assert [d["id"] for d in found] == [a["id"]]
    compute.terminate(b["id"])
    running = compute.call(lambda: compute.svc.find(states={"running"}))
    assert a["id"] in [d["id"] for d in running]
    assert b["id"] not in [d["id"] for d in running]
    with pytest.raises(ValidationError) as info:
        compute.call(lambda: compute.svc.find(states={"stopped"}))
    assert info.value.field == "state"
    compute.terminate(a["id"])


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"image_id": "ami-00000000000000000"}, "image_id"),
        ({"instance_type": "m5.24xlarge"}, "instance_type"),
        ({"user_data": b"x" * (16 * 1024 + 1)}, "user_data"),
        ({"security_group_ids": ["default"]}, "security_group_ids.0"),
        ({"launch_template": {"version": 1}}, "launch_template"),
        ({"tags": {"": "x"}}, "tags"),
        ({"tags": {f"k{i}": "v" for i in range(51)}}, "tags"),
    ],
)
def test_bad_launch_specs_change_nothing(
    compute: Harness, fields: dict[str, object], field: str
) -> None:
    spec = {"image_id": STATIC, "instance_type": "t2.micro", "user_data": PAGE, **fields}
    before = compute.call(lambda: compute.svc.find())
    dirs = sorted((compute.data_dir / "instances").iterdir())
    with pytest.raises(ValidationError) as info:
        compute.run(compute.svc.launch(LaunchSpec(**spec)))  # type: ignore[arg-type]
    assert info.value.field == field
    assert info.value.message
    assert compute.call(lambda: compute.svc.find()) == before
    assert sorted((compute.data_dir / "instances").iterdir()) == dirs


def test_boot_deadline_ends_an_instance_that_never_listens(tmp_path: Path) -> None:
    with harness(tmp_path, boot_deadline=2.0, kill_grace=2.0) as h:
        doc = h.launch(PROCESS, b"echo 'forgot to start the server'\nexec sleep 600\n")
        ended = h.wait_state(doc["id"], "terminated")
        assert ended["state_reason"] == (
            f"Client.BootTimeout: nothing accepted connections on "
            f"{doc['private_ip']}:{doc['port']} within 2 s"
        )
        assert [c["state"] for c in h.changes] == ["pending", "shutting-down", "terminated"]


def test_restart_adopts_live_instances_and_ends_dead_ones(tmp_path: Path) -> None:
    with harness(tmp_path, kill_grace=3.0) as h:
        keep = h.wait_state(h.launch(STATIC, PAGE)["id"], "running")
        dies = h.wait_state(h.launch(PROCESS, HTTP_SERVER)["id"], "running")
        h.stop(terminate=False)  # as after a crash: the instances are left running
        assert httpx.get(url(keep)).status_code == 200
        os.kill(dies["pid"], signal.SIGKILL)  # its server, a child of its boot script, lives on
        wait_for(
            lambda: not ((st := _procs.stat(dies["pid"])) and st.alive), 30, "the runner to die"
        )
        h.start()
        adopted = h.get(keep["id"])
        assert (adopted["state"], adopted["pid"]) == ("running", keep["pid"])
        assert httpx.get(url(adopted)).text == "<h1>Fox</h1>\n"
        dead = h.get(dies["id"])  # ended on start, with what was left of it
        assert dead["state"] == "terminated"
        assert "killed by signal 9" in dead["state_reason"]
        assert gone(h, dies)
        # The adopted instance is still watched: its death is noticed.
        os.kill(keep["pid"], signal.SIGKILL)
        ended = h.wait_state(keep["id"], "terminated")
        assert "killed by signal 9" in ended["state_reason"]


def test_without_a_cgroup_instances_run_niced_and_say_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_limits, "detect_cpu", lambda data_dir: _limits.CpuControl("nice", None))
    with harness(tmp_path) as h:
        doc = h.wait_state(h.launch(STATIC, PAGE, instance_type="t3.micro")["id"], "running")
        nice = int(Path(f"/proc/{doc['pid']}/stat").read_text().rsplit(")", 1)[1].split()[16])
        assert nice == _limits.NICE_FALLBACK
        assert "CPU NOT enforced" in h.console(doc["id"])["text"]
        events = h.call(lambda: h.cloud.store.events(kind="compute") if h.cloud else [])
        assert "CPU NOT enforced" in events[-1]["message"]


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / os.sysconf("SC_CLK_TCK")


def test_the_cpu_quota_holds_a_busy_instance_to_its_vcpus(compute: Harness) -> None:
    if compute.call(lambda: compute.svc._cpu.kind) == "nice":
        pytest.skip("no cgroup can be created here: CPU is not enforced (see the nice test)")
    script = (
        b"for i in 1 2; do (while :; do :; done) & echo $! >> burners.pid; done\n" + HTTP_SERVER
    )
    doc = compute.wait_state(
        compute.launch(PROCESS, script, instance_type="t2.micro")["id"], "running"
    )
    burners = [
        int(x)
        for x in (compute.data_dir / "instances" / doc["id"] / "burners.pid").read_text().split()
    ]
    # A measurement window, not a wait: two busy loops would use two CPUs; the quota is one.
    start_cpu, start = cpu_seconds(burners), time.monotonic()
    time.sleep(2.0)
    used = (cpu_seconds(burners) - start_cpu) / (time.monotonic() - start)
    assert used <= 1.25, f"{used:.2f} CPUs used by a 1-vCPU instance"
    compute.terminate(doc["id"])
    assert gone(compute, doc)


def test_terminated_instances_are_forgotten_after_the_retention(tmp_path: Path) -> None:
    with harness(tmp_path) as h:
        old = h.wait_state(h.launch(STATIC, PAGE)["id"], "running")
        h.terminate(old["id"])
        recent = h.wait_state(h.launch(STATIC, PAGE)["id"], "running")
        h.terminate(recent["id"])
        h.stop()
        cloud = Cloud(tmp_path, "http://127.0.0.1:9")
        doc = cloud.store.get("instance", old["id"])
        assert doc is not None
        cloud.store.put("instance", old["id"], {**doc, "terminated_at": "2020-01-01T00:00:00Z"})
        cloud.store.close()
        h.start()
        with pytest.raises(NotFound):
            h.get(old["id"])
        assert not (tmp_path / "instances" / old["id"]).exists()
        assert h.get(recent["id"])["state"] == "terminated"
        assert "terminated" in h.console(recent["id"])["text"]
