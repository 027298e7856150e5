"""The ``gitterra`` command on AWS (moto's server, through boto3), as docs/aws.md tells a user to
run it: the scaffold's ``infra/`` with its ``backend "http"`` switched to ``backend "s3"`` in a
bucket of the same account, ``GITTERRA_TARGET=aws``; ``plan``, ``apply`` and ``destroy`` each
say where the changes go (the account and the region), the module's ``region`` variable (not
``AWS_REGION``) picks the region, and destroy leaves nothing."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.clirun import Result, run_cli
from tests.providers.aws_target.engine import scaffold
from tests.providers.aws_target.moto_server import ACCOUNT, REGION, MotoServer, environment
from tests.providers.aws_target.test_scaffold import assert_nothing_left

BUCKET = "fob-terraform-state"
KEY = "fob/infra.tfstate"
SITE = ("-var=repository_url=https://github.com/example/fob.git", f"-var=git_sha={'a' * 40}")


@pytest.fixture
def infra(cloud: MotoServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The scaffold's ``infra/`` with the s3 backend, initialised against ``cloud``; the
    process environment holds only the test's AWS variables (the CLI runs in-process)."""
    for name in list(os.environ):
        if name.startswith(("AWS_", "GITTERRA_", "TF_")):
            monkeypatch.delenv(name)
    for name, value in environment(cloud.url).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_REGION", "us-east-1")  # the provider block's region wins
    monkeypatch.setenv("NO_COLOR", "1")
    cloud.client("s3").create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    path = scaffold(tmp_path) / "infra"
    terraform = path / "terraform.tf"
    terraform.write_text(terraform.read_text().replace('backend "http" {}', 'backend "s3" {}'))
    ok(
        path,
        "init",
        f"-backend-config=bucket={BUCKET}",
        f"-backend-config=key={KEY}",
        f"-backend-config=region={REGION}",
        "-backend-config=use_lockfile=true",
        "-backend-config=use_path_style=true",
    )
    return path


def ok(path: Path, *args: str) -> Result:
    result = run_cli(list(args), path)
    assert result.code == 0, f"gitterra {' '.join(args)}: {result.code}\n{result.err}"
    return result


def destination(cloud: MotoServer, region: str = REGION) -> str:
    return (
        f"Changes for provider aws go to the AWS account {ACCOUNT} in {region} "
        f"(endpoint {cloud.url}).\n"
    )


def test_plan_apply_and_destroy_name_the_account_and_region(cloud: MotoServer, infra: Path) -> None:
    planned = ok(infra, "plan", *SITE)
    assert "Plan: 6 to add, 0 to change, 0 to destroy.\n" + destination(cloud) in planned.out
    elsewhere = ok(infra, "plan", *SITE, "-var=region=us-west-2")
    assert destination(cloud, "us-west-2") in elsewhere.out

    applied = ok(infra, "apply", "-auto-approve", *SITE)
    assert destination(cloud) in applied.out
    assert "Apply complete! Resources: 6 added, 0 changed, 0 destroyed." in applied.out
    dns = cloud.client("elbv2").describe_load_balancers()["LoadBalancers"][0]["DNSName"]
    assert f'url = "http://{dns}"' in applied.out
    stored = cloud.client("s3").get_object(Bucket=BUCKET, Key=KEY)["Body"].read()
    assert len(json.loads(stored)["resources"]) > 6  # the data sources too
    assert "No changes." in ok(infra, "plan", *SITE).out

    destroyed = ok(infra, "destroy", "-auto-approve", *SITE)
    assert destination(cloud) in destroyed.out
    assert "Destroy complete! Resources: 6 destroyed." in destroyed.out
    assert_nothing_left(cloud)
    listed = cloud.client("s3").list_objects_v2(Bucket=BUCKET)
    assert [o["Key"] for o in listed["Contents"]] == [KEY], "the state stays, and no lock"
