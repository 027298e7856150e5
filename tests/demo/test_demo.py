"""Fox-or-Bear end to end, through ``gitterra demo`` as a user runs it: a private server, and
against a server the test started so that what is left afterwards can be inspected (the
issue's must-shows: Fox through the balancer, two instances after scaling, the Bear under load
with no failed request and nothing but the Bear afterwards, a pull request that only plans,
and destroy leaving no listener, no instance process and an empty state)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.clirun import GITTERRA
from tests.cloud.conftest import CloudServer, processes_touching, running_server

pytestmark = pytest.mark.slow

#: Generous for a loaded 2-core machine: the demo itself takes about a minute.
DEMO_TIMEOUT = 900
STEP_TIMEOUT = "300"


def demo(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GITTERRA_")}
    return subprocess.run(
        [str(GITTERRA), "demo", "--step-timeout", STEP_TIMEOUT, *args],
        cwd=cwd,
        env={**clean, "TMPDIR": str(cwd), **(env or {})},
        capture_output=True,
        text=True,
        timeout=DEMO_TIMEOUT,
        check=False,
    )


def check_story(out: str) -> None:
    assert "1 instance(s) serve the Fox" in out, out
    assert "2 instance(s) serve the Fox" in out, out
    rollout = re.search(r"(\d+) requests during the rollout: (\d+) failed", out)
    assert rollout is not None, out
    assert int(rollout.group(1)) > 0, out
    assert rollout.group(2) == "0", out
    assert "2 instance(s) serve the Bear" in out, out
    assert "Plan: 0 to add, 1 to change, 0 to destroy." in out, out


def test_the_demo_as_a_newcomer_runs_it(tmp_path: Path) -> None:
    done = demo(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    check_story(done.stdout)
    assert "Start a private gitterra server" in done.stdout
    # The private server, its instances and its temporary directories are gone.
    assert not processes_touching(tmp_path)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("gitterra-demo-")]


def test_the_demo_leaves_nothing_on_its_server(tmp_path: Path) -> None:
    (tmp_path / "server").mkdir()
    with running_server(tmp_path / "server") as server:
        work = tmp_path / "work"
        done = demo(
            tmp_path,
            "--endpoint",
            server.url,
            "--dir",
            str(work),
            "--name",
            "fob",
            env={"GITTERRA_TOKEN": server.token},
        )
        assert done.returncode == 0, done.stdout + done.stderr + server.log()
        check_story(done.stdout)
        inspect_after(server)


def inspect_after(server: CloudServer) -> None:
    api = server.client
    auth = {"Authorization": f"Bearer {server.token}"}

    def get(path: str) -> dict[str, object]:
        response = api.get(f"{server.url}/api/v1{path}", headers=auth)
        assert response.status_code == 200, response.text
        doc: dict[str, object] = response.json()
        return doc

    instances = get("/instances")["items"]
    assert isinstance(instances, list)
    assert instances
    assert {i["state"] for i in instances} == {"terminated"}
    assert not processes_touching(server.data_dir / "instances")
    assert get("/listeners")["items"] == []
    assert get("/load-balancers")["items"] == []
    state = api.get(f"{server.url}/state/fob/terraform", headers=auth).json()
    assert state["resources"] == [r for r in state["resources"] if r["mode"] == "data"]
    assert state["outputs"] == {}
    builds = get("/codebuild/builds?project=fob")["items"]
    assert isinstance(builds, list)
    assert [b["status"] for b in builds] == ["SUCCEEDED"] * 5
    pr_build = next(b for b in builds if (b.get("trigger") or {}).get("pull_request"))
    log = api.get(
        f"{server.url}/api/v1/codebuild/builds/{pr_build['id']}/logs", headers=auth
    ).json()["text"]
    assert "gitterra plan" in log
    assert "Plan: 0 to add, 1 to change" in log
    assert "Apply complete" not in log
    sha = pr_build["resolved_source_version"]
    statuses = get(f"/repositories/fob/commits/{sha}/statuses")["items"]
    assert isinstance(statuses, list)
    final = [st for st in statuses if st["state"] == "success"]
    assert final, statuses
    assert final[0]["description"].endswith(": Plan: 0 to add, 1 to change, 0 to destroy.")
    pull = get("/repositories/fob/pulls/1")
    assert pull["state"] == "open"
    assert pull["status"] == "success"
