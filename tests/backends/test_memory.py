"""The in-memory fake passes the same suite as the real backends, so tests that use it hold."""

from __future__ import annotations

import pytest

from gitterra import state
from tests.backends.conformance import BackendConformance


class TestMemoryConformance(BackendConformance):
    @pytest.fixture
    def backend(self) -> state.Backend:
        return state.MemoryBackend()
