"""``gitterra`` with ``backend "s3" {}`` against moto's server: init with -backend-config
(settings, objects, files, AWS variables), apply, workspaces, a lock held elsewhere, mistakes
that change nothing, and -migrate-state local -> s3 -> http keeping lineage and serial."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.backends.s3_server import LockProcess, MotoServer, isolate_environment
from tests.backends.state_server import StateServer
from tests.clirun import REPO, Result, run_cli

KEY = "app/terraform.tfstate"
RESOURCE = 'resource "terraform_data" "a" {\n  input = "x"\n}\n'
S3 = 'terraform {\n  backend "s3" {}\n}\n'
HTTP = 'terraform {\n  backend "http" {}\n}\n'


class Workspace:
    """One module directory, and ``gitterra`` run in it in this process."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def write(self, text: str, name: str = "main.tf") -> None:
        (self.path / name).write_text(textwrap.dedent(text))

    def run(self, *args: str) -> Result:
        return run_cli(list(args), self.path)

    def ok(self, *args: str) -> Result:
        result = self.run(*args)
        assert result.code == 0, f"gitterra {' '.join(args)}: {result.code}\n{result.err}"
        return result

    def fails(self, *args: str) -> Result:
        result = self.run(*args)
        assert result.code == 1, f"gitterra {' '.join(args)}: {result.code}\n{result.out}"
        return result

    def apply(self) -> Result:
        return self.ok("apply", "-auto-approve")

    def state_file(self) -> Path:
        return self.path / "terraform.tfstate"

    def state(self) -> dict[str, Any]:
        return json.loads(self.state_file().read_text())  # type: ignore[no-any-return]

    def snapshot(self) -> dict[str, bytes]:
        files = sorted(p for p in self.path.rglob("*") if p.is_file())
        return {str(p.relative_to(self.path)): p.read_bytes() for p in files}


def addresses(doc: dict[str, Any]) -> list[str]:
    return sorted(f"{r['type']}.{r['name']}" for r in doc["resources"])


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoServer]:
    with MotoServer() as server:
        yield server


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    return isolate_environment(monkeypatch, tmp_path)


@pytest.fixture
def ws(tmp_path: Path, env: dict[str, str]) -> Workspace:
    root = tmp_path / "module"
    root.mkdir()
    return Workspace(root)


@pytest.fixture
def bucket(moto: MotoServer) -> str:
    return moto.new_bucket()


def s3_flags(moto: MotoServer, bucket: str, *more: str) -> list[str]:
    url = moto.url
    return [
        f"-backend-config=bucket={bucket}",
        f"-backend-config=key={KEY}",
        "-backend-config=region=us-east-1",
        "-backend-config=use_lockfile=true",
        "-backend-config=use_path_style=true",
        f'-backend-config=endpoints={{ s3 = "{url}", sts = "{url}", dynamodb = "{url}" }}',
        *(f"-backend-config={m}" for m in more),
    ]


def stored(moto: MotoServer, bucket: str, key: str = KEY) -> dict[str, Any]:
    return json.loads(moto.objects(bucket)[key])  # type: ignore[no-any-return]


def test_init_and_apply_keep_the_state_in_the_bucket(
    ws: Workspace, moto: MotoServer, bucket: str
) -> None:
    ws.write(S3 + RESOURCE)
    result = ws.ok("init", *s3_flags(moto, bucket))
    assert 'Successfully configured the backend "s3"!' in result.out
    moto.clear()
    ws.apply()
    assert not ws.state_file().exists(), "the state lives in the bucket"
    assert sorted(moto.objects(bucket)) == [KEY], "no lock is left behind"
    doc = stored(moto, bucket)
    assert addresses(doc) == ["terraform_data.a"]
    lock_puts = [r for r in moto.requests("s3") if r.path.endswith(".tflock") and r.method == "PUT"]
    assert [r.headers["If-None-Match"] for r in lock_puts] == ["*"]
    assert json.loads(ws.ok("state", "pull").out)["lineage"] == doc["lineage"]
    assert "No changes." in ws.ok("plan").out


def test_settings_from_a_file_and_the_aws_variables(
    ws: Workspace, moto: MotoServer, bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto.url)  # every service, as the AWS SDKs read it
    ws.write(S3 + RESOURCE)
    ws.write(
        f'bucket = "{bucket}"\nkey = "from/file.tfstate"\nuse_lockfile = true\n'
        "use_path_style = true\n",
        "s3.hcl",
    )
    ws.ok("init", "-backend-config=s3.hcl")
    ws.apply()
    assert addresses(stored(moto, bucket, "from/file.tfstate")) == ["terraform_data.a"]


def test_settings_in_the_backend_block(ws: Workspace, moto: MotoServer, bucket: str) -> None:
    url = moto.url
    ws.write(
        f"""
        terraform {{
          backend "s3" {{
            bucket         = "{bucket}"
            key            = "in/block.tfstate"
            region         = "us-east-1"
            use_lockfile   = true
            use_path_style = true
            endpoints = {{
              s3  = "{url}"
              sts = "{url}"
            }}
            assume_role = {{
              role_arn     = "arn:aws:iam::123456789012:role/terraform"
              session_name = "gitterra-cli"
            }}
          }}
        }}
        """
        + RESOURCE
    )
    ws.ok("init")
    ws.apply()
    assert addresses(stored(moto, bucket, "in/block.tfstate")) == ["terraform_data.a"]
    assumed = [r for r in moto.requests("sts") if b"Action=AssumeRole" in r.body]
    assert assumed, "the role was assumed"
    assert b"RoleSessionName=gitterra-cli" in assumed[0].body


def test_workspaces(ws: Workspace, moto: MotoServer, bucket: str) -> None:
    ws.write(S3 + RESOURCE)
    ws.ok("init", *s3_flags(moto, bucket, "workspace_key_prefix=envs"))
    ws.ok("workspace", "new", "staging")
    ws.apply()
    assert sorted(moto.objects(bucket)) == [f"envs/staging/{KEY}"]
    assert ws.ok("workspace", "list").out.split() == ["default", "*", "staging"]
    ws.ok("workspace", "select", "default")
    ws.apply()
    refused = ws.fails("workspace", "delete", "staging")
    assert "Workspace is not empty" in refused.err
    ws.ok("workspace", "delete", "-force", "staging")
    assert sorted(moto.objects(bucket)) == [KEY]


def test_a_lock_held_by_another_process(
    ws: Workspace, moto: MotoServer, bucket: str, env: dict[str, str]
) -> None:
    ws.write(S3 + RESOURCE)
    ws.ok("init", *s3_flags(moto, bucket))
    holder = LockProcess("hold", moto.settings(bucket, use_lockfile=True), REPO)
    try:
        held = holder.next()
        result = ws.fails("apply", "-auto-approve")
        assert "Error acquiring the state lock" in result.err
        assert held["id"] in result.err
        assert held["who"] in result.err
        assert KEY not in moto.objects(bucket), "nothing was applied"
        holder.say()
        assert holder.next() == {"released": True}
    finally:
        holder.stop()
    ws.apply()


def test_mistakes_change_nothing(ws: Workspace, moto: MotoServer) -> None:
    ws.write(S3 + RESOURCE)
    before = ws.snapshot()
    missing = ws.fails("init", *s3_flags(moto, "no-such-bucket-here"))
    assert "Error: Failed to load state" in missing.err
    assert "NoSuchBucket" in missing.err
    assert "s3://no-such-bucket-here/" in missing.err
    bad = ws.fails("init", *s3_flags(moto, "b", "encrypt=maybe"))
    assert "Error: Invalid backend configuration" in bad.err
    assert "encrypt: must be true or false, not 'maybe'" in bad.err
    broken = ws.fails("init", "-backend-config=endpoints={ s3 = ")
    assert "-backend-config=endpoints" in broken.err
    unknown = ws.fails("init", *s3_flags(moto, "b", "colour=red"))
    assert "unknown setting 'colour'" in unknown.err
    assert ws.snapshot() == before
    assert not (ws.path / ".terraform").exists()


def test_migrate_local_to_s3_to_http_keeps_lineage_and_serial(
    ws: Workspace, moto: MotoServer, bucket: str
) -> None:
    ws.write(RESOURCE)
    ws.ok("init")
    ws.apply()
    ws.write(RESOURCE.replace('"x"', '"y"'))
    ws.apply()
    local = ws.state()
    assert local["serial"] >= 2

    ws.write(S3 + RESOURCE.replace('"x"', '"y"'))
    assert "Backend configuration changed" in ws.fails("init", *s3_flags(moto, bucket)).err
    migrated = ws.ok("init", "-migrate-state", *s3_flags(moto, bucket))
    assert 'Migrating state from the "local" backend to the "s3" backend' in migrated.out
    remote = stored(moto, bucket)
    assert (remote["lineage"], remote["serial"]) == (local["lineage"], local["serial"])
    assert remote["resources"] == local["resources"]
    assert not ws.state_file().exists(), "the local copy is gone once migrated"
    assert "No changes." in ws.ok("plan").out

    with StateServer() as server:
        url = server.url()
        http_flags = [f"-backend-config={k}={url}" for k in ("address", "lock_address")]
        http_flags.append(f"-backend-config=unlock_address={url}")
        ws.write(HTTP + RESOURCE.replace('"x"', '"y"'))
        ws.ok("init", "-migrate-state", *http_flags)
        with server.data.mutex:
            moved = json.loads(server.data.states["/state/demo"])
        assert (moved["lineage"], moved["serial"]) == (local["lineage"], local["serial"])
        assert moved["resources"] == local["resources"]
        assert "No changes." in ws.ok("plan").out
        ws.write(HTTP + RESOURCE.replace('"x"', '"z"'))
        ws.apply()
        with server.data.mutex:
            after = json.loads(server.data.states["/state/demo"])
        assert (after["lineage"], after["serial"]) == (local["lineage"], local["serial"] + 1)
