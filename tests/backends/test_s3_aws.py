"""The s3 backend's AWS side against moto's server: which credentials sign the requests (keys,
profiles in shared files, assumed roles), the STS credential check, and every AWS failure as a
BackendError naming the object and AWS's error code: missing buckets and tables, refusals,
throttling retried with backoff, unreachable endpoints."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from gitterra import backends, state
from tests.backends.s3_server import FAKE_KEY, Fault, MotoServer, isolate_environment, s3_backend

DEFAULT = state.DEFAULT_WORKSPACE
KEY = "app/terraform.tfstate"
ROLE = "arn:aws:iam::123456789012:role/terraform"


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoServer]:
    with MotoServer() as server:
        yield server


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    return isolate_environment(monkeypatch, tmp_path)


@pytest.fixture
def bucket(moto: MotoServer) -> Iterator[str]:
    """A new bucket; the requests recorded start after its creation."""
    name = moto.new_bucket()
    moto.clear()
    yield name
    moto.clear()


def signers(moto: MotoServer, service: str) -> set[str]:
    return {r.access_key for r in moto.requests(service)}


def sts_actions(moto: MotoServer) -> list[dict[str, list[str]]]:
    return [parse_qs(r.body.decode()) for r in moto.requests("sts")]


# -- credentials ------------------------------------------------------------------------------


def test_keys_from_the_environment_sign_requests_and_are_checked_with_sts(
    moto: MotoServer, env: dict[str, str], bucket: str
) -> None:
    s3_backend(moto, env, bucket).client(DEFAULT).get()
    assert signers(moto, "s3") == {FAKE_KEY}
    assert [a["Action"] for a in sts_actions(moto)] == [["GetCallerIdentity"]]
    first = moto.requests()[0]
    assert (first.service, first.access_key) == ("sts", FAKE_KEY)


def test_skip_credentials_validation_sends_no_sts_request(
    moto: MotoServer, env: dict[str, str], bucket: str
) -> None:
    s3_backend(moto, env, bucket, skip_credentials_validation=True).client(DEFAULT).get()
    assert moto.requests("sts") == []


def test_key_settings_win_over_the_environment(
    moto: MotoServer, env: dict[str, str], bucket: str
) -> None:
    keys = {"access_key": "AKIASETTING000000001", "secret_key": "s", "token": "session"}
    s3_backend(moto, env, bucket, **keys).client(DEFAULT).get()
    assert signers(moto, "s3") == {"AKIASETTING000000001"}
    assert {r.headers.get("X-Amz-Security-Token") for r in moto.requests("s3")} == {"session"}


def test_a_profile_of_the_shared_files(
    moto: MotoServer, env: dict[str, str], bucket: str, tmp_path: Path
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.write_text("[other]\naws_access_key_id = AKIAOTHER\naws_secret_access_key = x\n")
    second.write_text("[dev]\naws_access_key_id = AKIADEVPROFILE\naws_secret_access_key = x\n")
    files = [str(tmp_path / "missing"), str(first), str(second)]
    backend = s3_backend(moto, env, bucket, profile="dev", shared_credentials_files=files)
    backend.client(DEFAULT).get()
    assert signers(moto, "s3") == {"AKIADEVPROFILE"}, "the profile hides the key variables"


def test_a_missing_profile_is_a_backend_error(
    moto: MotoServer, env: dict[str, str], bucket: str
) -> None:
    with pytest.raises(backends.AwsError) as caught:
        s3_backend(moto, env, bucket, profile="ghost").client(DEFAULT).get()
    assert caught.value.code == "ProfileNotFound"
    assert str(caught.value) == (
        "the s3 backend: could not find AWS credentials: ProfileNotFound: "
        "The config profile (ghost) could not be found"
    )
    assert moto.requests() == []


def test_no_credentials_at_all(
    moto: MotoServer, env: dict[str, str], bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
        del env[name]
    backend = s3_backend(moto, env, bucket, skip_metadata_api_check=True)
    with pytest.raises(backends.AwsError, match="found no AWS credentials: set access_key") as c:
        state.Manager(backend.client(DEFAULT)).read()
    assert c.value.code == "NoCredentials"
    assert moto.requests() == []


def test_credentials_refused_by_sts(moto: MotoServer, env: dict[str, str], bucket: str) -> None:
    moto.fail(Fault("sts", 403, "InvalidClientTokenId", "The security token is not valid."))
    with pytest.raises(state.BackendError) as caught:
        s3_backend(moto, env, bucket).client(DEFAULT).get()
    assert str(caught.value) == (
        "the s3 backend: could not check its AWS credentials with STS GetCallerIdentity: "
        "GetCallerIdentity failed with InvalidClientTokenId (403): The security token is not "
        "valid.; the security token is not valid: check the credentials"
    )
    assert moto.requests("s3") == []


def test_assume_role(moto: MotoServer, env: dict[str, str], bucket: str) -> None:
    role = {"role_arn": ROLE, "session_name": "gitterra-test", "external_id": "ext-1"}
    backend = s3_backend(moto, env, bucket, assume_role=role | {"duration": "1h"})
    backend.client(DEFAULT).put(b"{}")
    assume, check = sts_actions(moto)
    assert assume["Action"] == ["AssumeRole"]
    assert (assume["RoleArn"], assume["RoleSessionName"]) == ([ROLE], ["gitterra-test"])
    assert (assume["ExternalId"], assume["DurationSeconds"]) == (["ext-1"], ["3600"])
    assert moto.requests("sts")[0].access_key == FAKE_KEY, "the source credentials ask"
    assumed = signers(moto, "s3")
    assert len(assumed) == 1
    assert assumed != {FAKE_KEY}
    assert moto.requests("sts")[1].access_key in assumed, "GetCallerIdentity as the role"
    assert check["Action"] == ["GetCallerIdentity"]


def test_a_role_that_cannot_be_assumed(moto: MotoServer, env: dict[str, str], bucket: str) -> None:
    moto.fail(Fault("sts", 403, "AccessDenied", "not authorized to perform sts:AssumeRole"))
    backend = s3_backend(moto, env, bucket, assume_role={"role_arn": ROLE})
    with pytest.raises(backends.AwsError) as caught:
        backend.client(DEFAULT).get()
    assert caught.value.code == "AccessDenied"
    assert str(caught.value).startswith(
        f"the s3 backend: could not assume the role {ROLE}: AssumeRole failed with AccessDenied "
        "(403): not authorized to perform sts:AssumeRole; the credentials in use are not allowed"
    )


# -- failures ---------------------------------------------------------------------------------


def test_a_missing_bucket(moto: MotoServer, env: dict[str, str], bucket: str) -> None:
    client = s3_backend(moto, env, "no-such-bucket-here").client(DEFAULT)
    with pytest.raises(backends.AwsError) as caught:
        state.Manager(client).read()
    assert (caught.value.code, caught.value.status) == ("NoSuchBucket", 404)
    assert str(caught.value) == (
        f"s3://no-such-bucket-here/{KEY}: could not read the state: GetObject failed with "
        "NoSuchBucket (404): The specified bucket does not exist; the bucket must exist before "
        "gitterra can keep state in it: create it, or check the bucket and region settings"
    )
    backend = s3_backend(moto, env, "no-such-bucket-here")
    with pytest.raises(backends.AwsError, match="could not list the workspaces: ListObjectsV2"):
        backend.workspaces()
    with pytest.raises(backends.AwsError, match="NoSuchBucket"):
        backend.delete_workspace("dev")


def test_access_denied(moto: MotoServer, env: dict[str, str], bucket: str) -> None:
    client = s3_backend(moto, env, bucket, use_lockfile=True).client(DEFAULT)
    client.get()
    moto.fail(Fault("s3", 403, "AccessDenied", "Access Denied"))
    with pytest.raises(backends.AwsError) as caught:
        client.lock(state.LockInfo.new("OperationTypeApply"))
    assert not isinstance(caught.value, state.StateLockedError)
    message = str(caught.value)
    assert message.startswith(
        f"s3://{bucket}/{KEY}.tflock: could not lock the state: PutObject failed with "
        "AccessDenied (403): Access Denied; the credentials in use are not allowed"
    )


def test_throttling_is_retried_with_backoff(
    moto: MotoServer, env: dict[str, str], bucket: str
) -> None:
    client = s3_backend(moto, env, bucket, max_retries=2).client(DEFAULT)
    client.put(b"{}")
    moto.clear()
    moto.fail(Fault("s3", 503, "SlowDown", "Please reduce your request rate.", times=2))
    assert client.get() == b"{}"
    assert [r.method for r in moto.requests("s3")] == ["GET", "GET", "GET"]


def test_throttling_that_outlasts_the_retries(
    moto: MotoServer, env: dict[str, str], bucket: str
) -> None:
    client = s3_backend(moto, env, bucket, max_retries=1).client(DEFAULT)
    client.get()
    moto.fail(Fault("s3", 503, "SlowDown", "Please reduce your request rate.", times=2))
    with pytest.raises(backends.AwsError) as caught:
        client.put(b"{}")
    assert (caught.value.code, caught.value.status) == ("SlowDown", 503)
    assert str(caught.value) == (
        f"s3://{bucket}/{KEY}: could not write the state: PutObject failed with SlowDown (503) "
        "(gave up after 2 attempts): Please reduce your request rate."
    )


def test_dynamodb_throttling_is_retried(moto: MotoServer, env: dict[str, str], bucket: str) -> None:
    client = s3_backend(moto, env, bucket, dynamodb_table=moto.new_table()).client(DEFAULT)
    client.get()
    moto.fail(Fault("dynamodb", 400, "ProvisionedThroughputExceededException", times=1))
    info = state.LockInfo.new("OperationTypeApply")
    assert client.lock(info) == info.id
    client.unlock(info.id)


def test_a_missing_lock_table(moto: MotoServer, env: dict[str, str], bucket: str) -> None:
    client = s3_backend(moto, env, bucket, dynamodb_table="no-table").client(DEFAULT)
    with pytest.raises(backends.AwsError) as caught:
        client.lock(state.LockInfo.new("OperationTypeApply"))
    assert caught.value.code == "ResourceNotFoundException"
    message = str(caught.value)
    assert message.startswith(f"DynamoDB table 'no-table', item LockID='{bucket}/{KEY}': ")
    assert "the DynamoDB table must exist, with a string partition key named LockID" in message


def test_an_unreachable_endpoint(env: dict[str, str]) -> None:
    with socket.socket() as sock:  # a port that nothing listens on
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    settings = {
        "bucket": "tfstate",
        "key": KEY,
        "region": "us-east-1",
        "endpoints": {"s3": url},
        "skip_credentials_validation": True,
        "max_retries": 0,
    }
    client = backends.configure("s3", settings, env, "/").client(DEFAULT)
    with pytest.raises(backends.AwsError) as caught:
        state.Manager(client).read()
    assert (caught.value.code, caught.value.status) == ("EndpointConnectionError", 0)
    assert str(caught.value) == (
        f"s3://tfstate/{KEY}: could not read the state: cannot reach AWS: Could not connect to "
        f'the endpoint URL: "{url}/tfstate/{KEY}"'
    )
    assert caught.value.__cause__ is not None
