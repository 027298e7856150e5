"""The server's state endpoint (``/state/<project>/<key>``) against a real ``gitterra server``:
the backend conformance suite through the http backend, a real ``gitterra init``/``apply``
keeping its state there through ``TF_HTTP_*`` (as a build's environment sets them), locks
that stop a second apply, and refusals (no token, bad names, bad bodies) that change nothing."""

from __future__ import annotations

import base64
import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gitterra import backends, state
from tests.backends.conformance import BackendConformance
from tests.clirun import GITTERRA
from tests.cloud.conftest import CloudServer, running_server

pytestmark = pytest.mark.slow

CONFIG = """terraform {
  backend "http" {}
}

resource "terraform_data" "site" {
  input = var.greeting
}

variable "greeting" {
  default = "fox"
}

output "greeting" {
  value = terraform_data.site.output
}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CloudServer]:
    with running_server(tmp_path_factory.mktemp("state")) as srv:
        yield srv


def http_backend(
    server: CloudServer, path: str, password: str | None = None
) -> backends.HttpBackend:
    url = f"{server.url}{path}"
    settings = {
        "address": url,
        "lock_address": url,
        "unlock_address": url,
        "username": "codebuild",
        "password": password or server.token,
        "retry_wait_min": 0,
        "retry_wait_max": 0,
    }
    backend = backends.configure("http", settings, {}, "/")
    assert isinstance(backend, backends.HttpBackend)
    return backend


class TestStateEndpointConformance(BackendConformance):
    supports_workspaces = False
    count = 0

    @pytest.fixture
    def backend(self, server: CloudServer) -> state.Backend:
        TestStateEndpointConformance.count += 1
        return http_backend(server, f"/state/conformance/case-{self.count}")


def tf_env(server: CloudServer, project: str, key: str = "terraform") -> dict[str, str]:
    address = f"{server.url}/state/{project}/{key}"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TF_", "GITTERRA_"))}
    env.update(
        TF_HTTP_ADDRESS=address,
        TF_HTTP_LOCK_ADDRESS=address,
        TF_HTTP_UNLOCK_ADDRESS=address,
        TF_HTTP_USERNAME="codebuild",
        TF_HTTP_PASSWORD=server.token,
        TF_IN_AUTOMATION="1",
    )
    return env


def gitterra(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(GITTERRA), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_real_apply_keeps_its_state_in_the_server(server: CloudServer, tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(CONFIG)
    env = tf_env(server, "site")
    init = gitterra(tmp_path, env, "init", "-input=false", "-no-color")
    assert init.returncode == 0, init.stderr
    applied = gitterra(tmp_path, env, "apply", "-auto-approve", "-no-color")
    assert applied.returncode == 0, applied.stderr + applied.stdout
    stored = server.data_dir / "state" / "site" / "terraform" / "terraform.tfstate"
    doc = json.loads(stored.read_text())
    assert doc["outputs"]["greeting"]["value"] == "fox"
    assert not (tmp_path / "terraform.tfstate").exists()
    r = server.client.get("/state/site/terraform", auth=("any", server.token))
    assert r.status_code == 200
    assert r.json()["serial"] == doc["serial"]
    assert base64.b64decode(r.headers["Content-MD5"])

    other = tmp_path / "second-checkout"
    other.mkdir()
    (other / "main.tf").write_text(CONFIG)
    assert gitterra(other, env, "init", "-input=false", "-no-color").returncode == 0
    plan = gitterra(other, env, "plan", "-detailed-exitcode", "-no-color")
    assert plan.returncode == 0, plan.stdout + plan.stderr  # the same state: nothing to do

    holder = http_backend(server, "/state/site/terraform").client("default")
    lock_id = holder.lock(state.LockInfo.new("OperationTypeApply", info="a build"))
    blocked = gitterra(
        other,
        env,
        "apply",
        "-auto-approve",
        "-no-color",
        "-var",
        "greeting=bear",
        "-lock-timeout=0s",
    )
    assert blocked.returncode == 1
    assert "Error acquiring the state lock" in blocked.stderr
    assert lock_id in blocked.stderr
    holder.unlock(lock_id)
    again = gitterra(other, env, "apply", "-auto-approve", "-no-color", "-var", "greeting=bear")
    assert again.returncode == 0, again.stderr
    assert json.loads(stored.read_text())["outputs"]["greeting"]["value"] == "bear"


def test_keys_are_separate_states(server: CloudServer) -> None:
    one = http_backend(server, "/state/keys/one").client("default")
    two = http_backend(server, "/state/keys/env/two").client("default")
    one.put(b'{"version": 4, "serial": 1, "lineage": "a"}')
    assert two.get() is None
    assert (server.data_dir / "state" / "keys" / "env" / "two").exists() is False
    two.put(b'{"version": 4, "serial": 1, "lineage": "b"}')
    assert (server.data_dir / "state" / "keys" / "env" / "two" / "terraform.tfstate").exists()


def test_refusals_change_nothing(server: CloudServer) -> None:
    url = f"{server.url}/state/refusals/terraform"
    good = b'{"version": 4}'
    with httpx.Client(timeout=30) as http:
        assert http.post(url, content=good, auth=("u", server.token)).status_code == 200
        assert http.get(url).status_code == 401
        assert http.get(url).headers["WWW-Authenticate"].startswith("Basic")
        assert http.post(url, content=b"{}", auth=("u", "wrong")).status_code == 401
        r = http.post(url, content=b"not json", auth=("u", server.token))
        assert r.status_code == 400
        assert "not valid JSON" in r.json()["error"]["message"]
        r = http.post(url, content=b"[]", auth=("u", server.token))
        assert r.status_code == 400
        r = http.post(
            url,
            content=b"{}",
            auth=("u", server.token),
            headers={"Content-MD5": base64.b64encode(b"0" * 16).decode()},
        )
        assert r.status_code == 400
        assert "Content-MD5" in r.json()["error"]["message"]
        for bad in (
            "/state/..%2Fescape/terraform",
            "/state/ok/..",
            "/state/-x/terraform",
            "/state/ok/a%2F..%2Fb",
        ):
            r = http.get(f"{server.url}{bad}", auth=("u", server.token))
            assert r.status_code in (400, 404), (bad, r.status_code)
        r = http.request("LOCK", url, content=b"nope", auth=("u", server.token))
        assert r.status_code == 400
        assert http.get(url, auth=("u", server.token)).content == good
        assert http.get(url, headers={"Authorization": f"Bearer {server.token}"}).content == good
    assert not (server.data_dir / "state" / "..").resolve().joinpath("escape").exists()
