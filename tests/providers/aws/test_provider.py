"""Configuring the provider: finding the server (provider block, environment, data dir),
checking it answers, and saying clearly what is wrong when it does not."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import httpx

from gitterra.providers import aws
from tests.providers.aws.fake_cloud import FakeCloud
from tests.providers.aws.support import FAST, Driver, errors


def driver_for(env: dict[str, str], transport: httpx.AsyncBaseTransport | None = None) -> Driver:
    timing = aws.Timing(retries=0, backoff=0.0, poll=0.0, request_timeout=5.0)
    return Driver(aws.AwsProvider(transport=transport, env=env, timing=timing))


def test_endpoint_and_token_from_the_environment(fake: FakeCloud) -> None:
    d = driver_for({"GITTERRA_ENDPOINT": "http://fake/", "GITTERRA_TOKEN": fake.token},
                   fake.transport())  # fmt: skip
    try:
        assert d.provider.describe_target() == "local cloud at http://fake"
        assert not d.configure(region="eu-west-3")
        assert d.provider.describe_target() == "local cloud at http://fake"
        assert d.provider.session.meta["region"] == "local-1"
    finally:
        d.close()
    assert d.provider.session.client is None  # closed


def test_endpoint_from_the_data_dir(fake: FakeCloud, tmp_path: Path) -> None:
    (tmp_path / "server.json").write_text(json.dumps({"url": "http://fake", "pid": 1}))
    (tmp_path / "token").write_text(fake.token + "\n")
    d = driver_for({"GITTERRA_DATA_DIR": str(tmp_path)}, fake.transport())
    try:
        assert not d.configure()
    finally:
        d.close()


def test_provider_block_wins_over_the_environment(fake: FakeCloud) -> None:
    d = driver_for({"GITTERRA_ENDPOINT": "http://elsewhere", "GITTERRA_TOKEN": "wrong"},
                   fake.transport())  # fmt: skip
    try:
        assert not d.configure(endpoint="http://fake", token=fake.token)
        assert d.provider.describe_target() == "local cloud at http://fake"
    finally:
        d.close()


def test_no_server_anywhere_says_how_to_start_one(tmp_path: Path) -> None:
    d = driver_for({"GITTERRA_DATA_DIR": str(tmp_path / "none")})
    try:
        assert d.provider.describe_target() is None
        (error,) = errors(d.configure())
        assert error.startswith("No local cloud to talk to")
        assert "gitterra server" in error
    finally:
        d.close()


def test_unreachable_server_is_a_clear_diagnostic() -> None:
    with socket.socket() as s:  # a port nothing listens on (the OS chose it; now closed)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    d = driver_for({"GITTERRA_ENDPOINT": url, "GITTERRA_TOKEN": "t"})
    try:
        (error,) = errors(d.configure())
        assert error.startswith(f"the local cloud at {url} is not reachable: ")
        assert "start it with gitterra server" in error
    finally:
        d.close()


def test_a_wrong_token_is_named(fake: FakeCloud) -> None:
    d = driver_for({"GITTERRA_ENDPOINT": "http://fake", "GITTERRA_TOKEN": "wrong"},
                   fake.transport())  # fmt: skip
    try:
        (error,) = errors(d.configure())
        assert error.startswith("the local cloud at http://fake refused the token")
    finally:
        d.close()


def test_a_malformed_endpoint_is_placed_at_the_argument(fake: FakeCloud) -> None:
    d = driver_for({}, fake.transport())
    try:
        diags = d.configure(endpoint="127.0.0.1:7070", token="t")
        (diag,) = diags.errors
        assert diag.attribute == ("endpoint",)
        assert "not an http(s) URL" in diag.detail
    finally:
        d.close()


def test_aws_credentials_are_accepted_with_a_warning(fake: FakeCloud) -> None:
    d = driver_for({"GITTERRA_ENDPOINT": "http://fake", "GITTERRA_TOKEN": fake.token},
                   fake.transport())  # fmt: skip
    try:
        diags = d.configure(profile="prod", access_key="AKIA")
        assert not diags.has_errors
        (warning,) = diags.warnings
        assert warning.detail.startswith("access_key, profile: these configure access to real AWS")
    finally:
        d.close()


def test_provider_blocks_the_local_cloud_cannot_honour_are_refused(fake: FakeCloud) -> None:
    d = driver_for({"GITTERRA_ENDPOINT": "http://fake", "GITTERRA_TOKEN": fake.token},
                   fake.transport())  # fmt: skip
    try:
        (diag,) = d.configure(default_tags=[{"tags": {"a": "b"}}]).errors
        assert diag.attribute == ("default_tags",)
        assert "not supported" in diag.detail
    finally:
        d.close()


def test_using_the_provider_before_configure_is_a_bug() -> None:
    import asyncio

    import pytest

    from gitterra.providers import ProviderError

    provider = aws.AwsProvider(env={}, timing=FAST)
    with pytest.raises(ProviderError, match="before it was configured"):
        asyncio.run(provider.read_data_source("aws_vpc", _null_config(provider)))


def _null_config(provider: aws.AwsProvider) -> object:
    from tests.providers.aws.support import typed

    return typed(provider.schema().data_sources["aws_vpc"].block, {})
