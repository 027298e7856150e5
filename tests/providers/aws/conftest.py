"""Fixtures of the aws provider's tests: ``fake`` (the fake API) and ``driver`` (a provider
configured against it)."""

from tests.providers.aws.support import driver, fake

__all__ = ["driver", "fake"]
