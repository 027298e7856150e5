"""Fixtures of the AWS target's tests: one moto server for the session (``moto``), reset for
each test (``cloud``), and a provider configured against it (``driver``)."""

from tests.providers.aws_target.support import cloud, driver, moto

__all__ = ["cloud", "driver", "moto"]
