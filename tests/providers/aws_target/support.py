"""The AWS target's test support: moto's server for the session, reset before each test, and
the aws provider configured with ``GITTERRA_TARGET=aws`` against it (real boto3 HTTP calls),
driven as the engine drives it (``tests.providers.aws.support.Driver``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gitterra import lang
from gitterra.providers import aws
from tests.providers.aws.support import Driver, attr, errors
from tests.providers.aws_target.moto_server import MotoServer, environment

#: No waiting between polls or retries (moto is consistent), one botocore retry.
FAST = aws.Timing(retries=1, backoff=0.0, backoff_max=0.0, poll=0.0, request_timeout=30.0)


@pytest.fixture(scope="session")
def moto() -> Iterator[MotoServer]:
    with MotoServer() as server:
        yield server


@pytest.fixture
def cloud(moto: MotoServer) -> MotoServer:
    """The server with nothing in it (moto's state belongs to the process)."""
    moto.reset()
    return moto


def provider(server: MotoServer, **env: str) -> aws.AwsProvider:
    return aws.AwsProvider(env={**environment(server.url), **env}, timing=FAST)


@pytest.fixture
def driver(cloud: MotoServer) -> Iterator[Driver]:
    d = Driver(provider(cloud))
    diags = d.configure()
    assert not diags.has_errors, errors(diags)
    yield d
    d.close()


def roundtrip(d: Driver, type_: str, state: lang.Value, ident: str) -> lang.Value:
    """Refresh gives the same state; import by ``ident`` then refresh finds the same object.
    Returns the imported state."""
    read = d.read(type_, state)
    assert not read.diagnostics.has_errors, errors(read.diagnostics)
    assert read.state == state, (read.state, state)
    imported = d.import_(type_, ident)
    assert not imported.diagnostics.has_errors, errors(imported.diagnostics)
    again = d.read(type_, imported.states[0]).state
    assert again is not None
    assert attr(again, "id") == attr(state, "id")
    return again


def default_network(d: Driver) -> tuple[str, list[str]]:
    """moto's default VPC and its subnets."""
    vpc = d.read_data("aws_vpc", default=True).state
    assert vpc is not None
    subnets = d.read_data(
        "aws_subnets", filter=[{"name": "vpc-id", "values": [attr(vpc, "id")]}]
    ).state
    assert subnets is not None
    return attr(vpc, "id"), attr(subnets, "ids")


def first(items: list[Any]) -> Any:
    assert items
    return items[0]
