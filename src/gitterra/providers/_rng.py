"""Random number sources for the random provider.

Without a seed, values come from the operating system's CSPRNG (``secrets``). With a seed
(``random_integer`` and ``random_shuffle``), they come from a deterministic stream: SHA-256 over
the seed and a block counter, so the same seed gives the same results on every machine and every
Python version. Uniform integers are drawn by rejection sampling, never by a biased modulo.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from typing import Protocol, TypeVar

T = TypeVar("T")


class Source(Protocol):
    """A source of uniform random integers."""

    def below(self, n: int) -> int:
        """A uniform integer in ``[0, n)``; ``n`` is positive."""
        ...


class SecureSource:
    """The operating system's cryptographically secure generator."""

    def below(self, n: int) -> int:
        return secrets.randbelow(n)


class SeededSource:
    """A deterministic stream of integers derived from a seed string."""

    def __init__(self, seed: str) -> None:
        self._key = hashlib.sha256(b"gitterra-random-seed\x00" + seed.encode()).digest()
        self._counter = 0
        self._pool = b""

    def _bytes(self, count: int) -> bytes:
        while len(self._pool) < count:
            block = hashlib.sha256(self._key + self._counter.to_bytes(8, "big")).digest()
            self._counter += 1
            self._pool += block
        out, self._pool = self._pool[:count], self._pool[count:]
        return out

    def below(self, n: int) -> int:
        if n <= 0:
            raise ValueError("below() needs a positive bound")
        bits = (n - 1).bit_length()
        if bits == 0:
            return 0
        nbytes = (bits + 7) // 8
        while True:
            r = int.from_bytes(self._bytes(nbytes), "big") >> (nbytes * 8 - bits)
            if r < n:
                return r


def source(seed: str | None) -> Source:
    """A seeded source for a non-empty seed, else the secure one (an empty seed is no seed,
    as in hashicorp/random)."""
    return SeededSource(seed) if seed else SecureSource()


def choice(src: Source, items: Sequence[T]) -> T:
    return items[src.below(len(items))]


def shuffle(src: Source, items: Sequence[T]) -> list[T]:
    """A uniformly random permutation of ``items`` (Fisher-Yates)."""
    out = list(items)
    for i in range(len(out) - 1, 0, -1):
        j = src.below(i + 1)
        out[i], out[j] = out[j], out[i]
    return out
