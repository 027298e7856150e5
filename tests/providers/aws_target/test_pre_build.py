"""The scaffold's ``buildspec/pre-build.sh`` in a real bash, as a build runs it: with gitterra on
PATH (a gitterra server's build) it installs nothing and inits with the backend block alone;
without, it pip-installs ``GITTERRA_INSTALL`` (a fake ``python3`` stands in for pip: no
network) or refuses naming ``gitterra_install``; with ``STATE_*`` (what ``deployment-pipeline/``
with ``target = "aws"`` gives builds) it inits the s3 backend with them — for real, with the
real ``gitterra``, in a bucket of moto's server."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.clirun import GITTERRA
from tests.providers.aws_target.engine import scaffold
from tests.providers.aws_target.moto_server import REGION, MotoServer, environment

#: A gitterra that only records its arguments (one line a call) in $CALLS.
FAKE_GITTERRA = '#!/bin/bash\necho "gitterra $*" >> "$CALLS"\n'

#: A python3 that records its arguments and, as ``pip install`` would, puts a fake gitterra
#: in $PIP_BIN unless that is empty.
FAKE_PYTHON = f"""#!{sys.executable}
import os, pathlib, sys
with open(os.environ["CALLS"], "a") as calls:
    calls.write("python3 " + " ".join(sys.argv[1:]) + "\\n")
if os.environ["PIP_BIN"]:
    script = pathlib.Path(os.environ["PIP_BIN"]) / "gitterra"
    script.write_text({FAKE_GITTERRA!r})
    script.chmod(0o755)
"""

SPEC = "gitterra @ git+https://github.com/example/gitterra@v0.1.0"
STATE = {"STATE_BUCKET": "fob-state", "STATE_KEY": "fob/infra.tfstate", "STATE_REGION": REGION}


def pre_build(
    project: Path, path: list[Path], **env: str
) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run the script in ``project`` with only ``path`` on PATH; its result and the calls the
    fakes recorded."""
    calls = project / "calls"
    calls.write_text("")
    done = subprocess.run(
        ["/bin/bash", str(project / "buildspec" / "pre-build.sh")],
        env={
            "PATH": ":".join(str(p) for p in path),
            "CODEBUILD_SRC_DIR": str(project),
            "CALLS": str(calls),
            "PIP_BIN": "",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done, calls.read_text().splitlines()


def fakes(tmp_path: Path, gitterra: bool) -> Path:
    """A directory with the fake python3 (and the fake gitterra)."""
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    python = bin_ / "python3"
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    if gitterra:
        (bin_ / "gitterra").write_text(FAKE_GITTERRA)
        (bin_ / "gitterra").chmod(0o755)
    return bin_


INIT = "gitterra init -input=false -no-color"


def test_on_a_gitterra_server_nothing_is_installed(tmp_path: Path) -> None:
    project = scaffold(tmp_path / "fob")
    done, calls = pre_build(project, [fakes(tmp_path, gitterra=True)], GITTERRA_INSTALL=SPEC)
    assert done.returncode == 0, done.stderr
    assert calls == ["gitterra version", INIT]


def test_without_gitterra_or_what_to_install_it_from(tmp_path: Path) -> None:
    project = scaffold(tmp_path / "fob")
    done, calls = pre_build(project, [fakes(tmp_path, gitterra=False)])
    assert done.returncode == 1
    assert "gitterra is not on PATH and GITTERRA_INSTALL is not set: set the variable" in (
        done.stderr
    )
    assert "gitterra_install of deployment-pipeline/" in done.stderr
    assert calls == []


def test_on_aws_it_installs_gitterra_and_inits_the_s3_state(tmp_path: Path) -> None:
    project = scaffold(tmp_path / "fob")
    bin_, pip_bin = fakes(tmp_path, gitterra=False), tmp_path / "pip-bin"
    pip_bin.mkdir()
    done, calls = pre_build(
        project,
        [bin_, pip_bin],
        PIP_BIN=str(pip_bin),
        GITTERRA_INSTALL=SPEC,
        STATE_LOCK_TABLE="fob-locks",
        **STATE,
    )
    assert done.returncode == 0, done.stderr
    assert calls == [
        f"python3 -m pip install --quiet {SPEC}",
        "gitterra version",
        f"{INIT} -backend-config=bucket=fob-state -backend-config=key=fob/infra.tfstate "
        f"-backend-config=region={REGION} -backend-config=use_lockfile=true "
        "-backend-config=encrypt=true -backend-config=dynamodb_table=fob-locks",
    ]
    assert f"······ pip install {SPEC} ······" in done.stdout


def test_an_install_that_gives_no_gitterra(tmp_path: Path) -> None:
    project = scaffold(tmp_path / "fob")
    done, calls = pre_build(project, [fakes(tmp_path, gitterra=False)], GITTERRA_INSTALL=SPEC)
    assert done.returncode == 1
    assert f"pip installed {SPEC}, but no gitterra is on PATH" in done.stderr
    assert calls == [f"python3 -m pip install --quiet {SPEC}"]


def test_the_real_gitterra_inits_the_s3_backend(cloud: MotoServer, tmp_path: Path) -> None:
    """With infra/'s one-line switch to ``backend "s3" {}``, the settings the pipeline gives
    builds are enough for ``gitterra init``."""
    project = scaffold(tmp_path / "fob")
    cloud.client("s3").create_bucket(
        Bucket="fob-state", CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    path = [GITTERRA.parent, Path("/usr/bin"), Path("/bin")]
    env = {**environment(cloud.url), **STATE}
    unswitched, _ = pre_build(project, path, **env)
    assert unswitched.returncode == 1
    assert "backend \"http\": unknown setting 'bucket'" in unswitched.stdout + unswitched.stderr

    terraform = project / "infra" / "terraform.tf"
    terraform.write_text(terraform.read_text().replace('backend "http" {}', 'backend "s3" {}'))
    done, _ = pre_build(project, path, **env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert 'Successfully configured the backend "s3"' in done.stdout, done.stdout
    saved = json.loads((project / "infra" / ".terraform" / "terraform.tfstate").read_text())
    assert saved["backend"]["type"] == "s3"
    assert saved["backend"]["config"] == {
        "bucket": "fob-state",
        "key": "fob/infra.tfstate",
        "region": REGION,
        "use_lockfile": "true",
        "encrypt": "true",
    }
